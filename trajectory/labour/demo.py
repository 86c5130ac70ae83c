"""Demo labour lines: every state of the flow, on learning lines that show the person rules.

Runs after the stages and contracts: Fatma's werkervaringsplaats approved and her BBL
waiting for the adviser; Dirk's temporary job then permanent job at the same employer
(one placement, the 50+ bonus once) with an approved year, a rejected line and its
corrected draft; Anouk's job that shares three months with a werkervaringsplaats at
another provider (the days are credited once). Evidence files are tiny generated PDFs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.demo.data import PROVIDERS, register_demo_step
from trajectory.extensions import db
from trajectory.labour import services as labour
from trajectory.stages.models import ContractType, Stage, StageKind, StageStatus
from trajectory.timeutil import today
from trajectory.valuation import services as claims
from trajectory.valuation.demo import tiny_pdf
from trajectory.valuation.engine import Period
from trajectory.valuation.evidence import store_bytes
from trajectory.valuation.models import (
    EVIDENCE_BENEFIT,
    EVIDENCE_BONUS,
    EVIDENCE_EMPLOYMENT,
    Claim,
    Contract,
)

SCHELDEZOOM, BEVELANDEN, ZEEUWSE_STROOM, OOSTERSCHELDE, _THOLEN, _BEGELEID = PROVIDERS


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(11, 15), tzinfo=UTC)


def _contract_of(stage: Stage) -> Contract | None:
    from trajectory.stages.valuation import people

    contract_id = people([stage.candidate_id])[stage.candidate_id].value(stage.id).contract_id
    return db.session.get(Contract, contract_id) if contract_id else None


def _evidence(claim: Claim, user: User, name: str, lines: list[str], kind: str) -> None:
    store_bytes(tiny_pdf([*lines, "Demobestand Trajectory (verzonnen gegevens)."]), name,
                contract=claim.contract, user=user, claim=claim, kind=kind)


def _line(stage: Stage, start: date, end: date, user: User, *, files: dict[str, list[str]],
          description: str = "") -> Claim | None:
    contract = _contract_of(stage)
    if contract is None:
        return None
    claim = labour.create_labour_claim(
        contract, labour.LabourClaimData(stage, start, end, description=description), user)
    names = {EVIDENCE_EMPLOYMENT: "contract", EVIDENCE_BENEFIT: "uitkering",
             EVIDENCE_BONUS: "bonus"}
    for kind, lines in files.items():
        _evidence(claim, user, f"{names[kind]}-{stage.candidate.last_name.lower()}.pdf", lines,
                  kind)
    return claim


def _judge(claim: Claim | None, adviser: User, *, submitted: date, judged: date | None = None,
           approve: bool = True, reason: str | None = None) -> None:
    if claim is None:
        return
    claims.submit_claim(claim, claim.created_by, on=submitted)
    claim.submitted_at = _moment(submitted)
    if judged is not None:
        claims.judge_claim(claim, adviser, approve=approve, reason=reason, on=judged)
        claim.judged_at = _moment(judged)


def _stage(demo, candidate_name: str, provider: str, kind: StageKind) -> Stage | None:
    candidate = demo.person(candidate_name)
    if candidate is None:
        return None
    return db.session.scalar(
        sa.select(Stage).where(Stage.candidate_id == candidate.id, Stage.kind == kind,
                               Stage.provider_id == demo.orgs[provider].id).order_by(Stage.id))


_KEPT: dict[int, str] = {}


def _reopened(candidate, reopen: bool) -> None:
    """Record stages of a candidate who has left since: the status is lifted and put back
    in plain SQL, so the file's history shows no status change that never happened."""
    from trajectory.candidates.models import Candidate, CandidateStatus

    if reopen:
        _KEPT[candidate.id] = candidate.status.value
        status = CandidateStatus.ACTIEF.value
    else:
        status = _KEPT.pop(candidate.id)
    db.session.execute(sa.update(Candidate).where(Candidate.id == candidate.id)
                       .values(status=status))
    db.session.expire(candidate, ["status"])


def load_labour_demo() -> None:
    from trajectory.stages.demo import Demo

    demo = Demo()
    day = today()
    adviser = _user("adviseur")
    intaker, intaker2, vandijke = _user("intaker"), _user("intaker2"), _user("l.vandijke")

    # Fatma: the werkervaringsplaats approved, the BBL submitted and waiting.
    wep = _stage(demo, "Fatma Yıldız", BEVELANDEN, StageKind.WERKERVARINGSPLAATS)
    if wep is not None and wep.actual_end is not None:
        claim = _line(wep, wep.start, wep.actual_end, intaker2, files={
            EVIDENCE_EMPLOYMENT: ["Plaatsingsovereenkomst werkervaringsplaats",
                                  "Medewerker dagbesteding, 20 uur per week, 3 maanden"],
            EVIDENCE_BENEFIT: ["Verklaring gemeente Goes", "Participatiewet-uitkering"]})
        _judge(claim, adviser, submitted=wep.actual_end + timedelta(days=9),
               judged=wep.actual_end + timedelta(days=21))
    bbl = _stage(demo, "Fatma Yıldız", ZEEUWSE_STROOM, StageKind.BBL)
    if bbl is not None and bbl.actual_end is not None:
        claim = _line(bbl, bbl.start, bbl.actual_end, vandijke, files={
            EVIDENCE_EMPLOYMENT: ["Leerwerkovereenkomst BBL niveau 2",
                                  "Helpende zorg en welzijn, Scalda"],
            EVIDENCE_BENEFIT: ["Verklaring gemeente Goes", "Participatiewet-uitkering"]})
        _judge(claim, adviser, submitted=day - timedelta(days=6))

    # Dirk: a temporary job, then a permanent one at the same employer: one placement.
    dirk = demo.person("Dirk Jonge")
    if dirk is not None:
        # He left the programme for this very job; his stages were recorded while he was in.
        _reopened(dirk, True)
        temp = demo.stage(
            dirk, SCHELDEZOOM, StageKind.PAID_JOB, -420, -181, answered_by="intaker",
            job_title="Medewerker schoonmaak", hours_per_week=Decimal(32), permanent=False,
            outcome={"contract_type": ContractType.TEMPORARY, "contract_hours": Decimal(32),
                     "contract_start": day - timedelta(days=420)})
        vast = demo.stage(
            dirk, SCHELDEZOOM, StageKind.PAID_JOB, -180, None, status=StageStatus.LOPEND,
            answered_by="intaker", previous=temp, job_title="Medewerker schoonmaak",
            hours_per_week=Decimal(32), permanent=True,
            outcome={"contract_type": ContractType.PERMANENT, "contract_hours": Decimal(32),
                     "contract_start": day - timedelta(days=180)})
        db.session.flush()
        _reopened(dirk, False)
        contract_lines = ["Arbeidsovereenkomst bepaalde tijd", "Medewerker schoonmaak, 32 uur"]
        benefit_lines = ["Uitkeringsspecificatie UWV", "WW tot de dag voor de start"]
        for period in labour.by_year([Period(temp.start, temp.actual_end)], day):
            start, end = period.start, period.end
            claim = _line(temp, start, end, intaker, files={
                EVIDENCE_EMPLOYMENT: contract_lines, EVIDENCE_BENEFIT: benefit_lines,
                EVIDENCE_BONUS: ["Kopie identiteitsbewijs (geboortedatum)", "50 jaar of ouder"]})
            _judge(claim, adviser, submitted=min(end + timedelta(days=20), day),
                   judged=min(end + timedelta(days=34), day))
        last = day - timedelta(days=45)
        rejected = _line(vast, vast.start, last, intaker, files={
            EVIDENCE_EMPLOYMENT: ["Arbeidsovereenkomst onbepaalde tijd (niet ondertekend)"],
            EVIDENCE_BENEFIT: benefit_lines})
        _judge(rejected, adviser, submitted=day - timedelta(days=12),
               judged=day - timedelta(days=8), approve=False,
               reason=("De arbeidsovereenkomst is niet ondertekend. Dien de periode opnieuw in "
                       "met het getekende contract."))
        _line(vast, vast.start, last, intaker, description="Opnieuw, met het getekende contract",
              files={EVIDENCE_EMPLOYMENT: ["Arbeidsovereenkomst onbepaalde tijd",
                                           "Ondertekend door werkgever en werknemer"]})

    # Anouk: a job at Scheldezoom that shares three months with a werkervaringsplaats at
    # De Bevelanden recorded before it: the person is credited once a day.
    anouk = demo.person("Anouk Bakker")
    if anouk is not None:
        demo.stage(anouk, BEVELANDEN, StageKind.WERKERVARINGSPLAATS, -200, -110,
                   answered_by="intaker2", hours_per_week=Decimal(16),
                   outcome={"next_step_decision": "Blijft bij Scheldezoom, uren omhoog.",
                            "next_step_decided_on": day - timedelta(days=112)})
        demo.stage(anouk, SCHELDEZOOM, StageKind.PAID_JOB, -230, None,
                   status=StageStatus.LOPEND, answered_by="intaker",
                   job_title="Gastvrouw restaurant", hours_per_week=Decimal(24), permanent=False,
                   proposed_days_before=10,
                   outcome={"contract_type": ContractType.TEMPORARY,
                            "contract_hours": Decimal(20),
                            "contract_start": day - timedelta(days=230)})
    db.session.flush()


register_demo_step("labour", load_labour_demo)
