"""Demo learning lines on the demo candidates (runs after the candidates' and providers' steps).

Fatma Yıldız walks the whole line the issue describes: an intake at Zorggroep
Scheldezoom, coaching by her buddy Kees Dekker of Stichting Welzijn De
Bevelanden in parallel with a 3-month werkervaringsplaats there, a BBL level 2
place at Thuiszorg Zeeuwse Stroom and now a permanent paid job of 24 hours a
week that filled a vacancy. Others stand at other points: a proposal waiting
for an answer (one overdue), a werkervaringsplaats ending within 14 days
without a decision, a care-overlap stage recorded as care, a doorplaatsing, a
declined proposal, a stage that finished without an outcome, and two hand-overs for
the Goes klantmanager to act on (Tim Heijboer's intake outcome, the decision on Lisa
Verburg's werkervaringsplaats). Dates are relative to today; every name is invented.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import trajectory.candidates.demo  # noqa: F401 - registers its step first
import trajectory.providers.demo  # noqa: F401 - registers its step first
from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.demo.data import PROVIDERS, register_demo_step
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.providers.models import OfferItem, OfferType, Vacancy
from trajectory.stages import services
from trajectory.stages.models import CareChoice, ContractType, Stage, StageKind, StageStatus
from trajectory.timeutil import today

SCHELDEZOOM, BEVELANDEN, ZEEUWSE_STROOM, OOSTERSCHELDE, THOLEN_SCHOUWEN, _ = PROVIDERS
K = StageKind


class Demo:
    def __init__(self) -> None:
        self.orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
        self.users = {u.username: u for u in db.session.scalars(sa.select(User))}
        self.people = {f"{c.first_name} {c.last_name}": c
                       for c in db.session.scalars(sa.select(Candidate))}

    def person(self, name: str) -> Candidate | None:
        """By first and last name (without tussenvoegsel), as the candidates' demo names them."""
        return self.people.get(name)

    def offer(self, provider: str, offer_type: OfferType, title: str) -> OfferItem | None:
        return db.session.scalar(sa.select(OfferItem).where(
            OfferItem.organisation_id == self.orgs[provider].id,
            OfferItem.offer_type == offer_type, OfferItem.title == title))

    def vacancy(self, provider: str, title: str) -> Vacancy | None:
        return db.session.scalar(sa.select(Vacancy).where(
            Vacancy.organisation_id == self.orgs[provider].id, Vacancy.title == title))

    def stage(self, candidate: Candidate, provider: str, kind: StageKind, start: int,
              end: int | None = None, *, status: StageStatus = StageStatus.AFGEROND,
              answered_by: str, responsible: str | None = None, ended: int | None = None,
              outcome: dict[str, Any] | None = None, end_reason: str | None = None,
              previous: Stage | None = None, proposed_days_before: int = 14,
              **fields: Any) -> Stage:
        """A stage proposed by the candidate's klantmanager ``proposed_days_before`` days
        before ``start`` (days relative to today), brought to ``status``."""
        day = today()
        klantmanager = candidate.klantmanager
        stage = services.propose_stage(
            candidate, provider=self.orgs[provider], kind=kind,
            planned_start=day + timedelta(days=start),
            planned_end=day + timedelta(days=end) if end is not None else None,
            actor=klantmanager, previous_stage=previous, **fields)
        proposed = day + timedelta(days=start - proposed_days_before)
        stage.proposed_at = _moment(min(proposed, day))
        if status is StageStatus.VOORGESTELD:
            return stage
        intaker = self.users[answered_by]
        services.answer_stage(
            stage, accept=status is not StageStatus.AFGEWEZEN, actor=intaker, version=None,
            responsible_user=self.users.get(responsible or answered_by),
            reason=end_reason)
        stage.answered_at = _moment(min(proposed + timedelta(days=4), day))
        if status in (StageStatus.AFGEWEZEN, StageStatus.GEPLAND):
            return stage
        services.start_stage(stage, actual_start=min(stage.planned_start, day), version=None)
        if status in (StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
            finish = day + timedelta(days=ended if ended is not None else end)
            services.end_stage(stage, status=status, actual_end=min(finish, day),
                               reason=end_reason, version=None)
        if outcome:
            services.record_outcome(stage, actor=intaker, version=None, **outcome)
            stage.outcome_recorded_at = _moment(min(stage.end or day, day))
        return stage


def _moment(day) -> datetime:
    return datetime.combine(day, time(9, 30), tzinfo=UTC)


def load_stage_demo() -> None:
    demo = Demo()
    day = today()

    fatma = demo.person("Fatma Yıldız")
    if fatma is not None:
        intake = demo.stage(
            fatma, SCHELDEZOOM, K.INTAKE, -395, -385, answered_by="intaker", hours=Decimal(6),
            offer_item=demo.offer(SCHELDEZOOM, OfferType.INTAKE,
                                  "Intake en screening zorg en welzijn"),
            outcome={"suitable_for_care": True, "suitable_level": 2,
                     "suitable_function": "Helpende zorg en welzijn",
                     "outcome_note": "Gemotiveerd, zorgzaam; taal op A2, groeit snel."})
        demo.stage(fatma, BEVELANDEN, K.COACHING, -370, -190, answered_by="intaker2",
                   responsible="buddy", hours=Decimal(36), previous=intake,
                   note="Kees is al haar buddy; coaching op werkritme en taal.",
                   outcome={"outcome_note": "Werkritme is stabiel; kinderopvang geregeld."})
        wep = demo.stage(
            fatma, BEVELANDEN, K.WERKERVARINGSPLAATS, -360, None, answered_by="intaker2",
            hours_per_week=Decimal(20), previous=intake,
            offer_item=demo.offer(BEVELANDEN, OfferType.WERKERVARINGSPLAATS,
                                  "Medewerker dagbesteding"),
            ended=-360 + 91,
            outcome={"next_step_decision": "Door naar een BBL-plaats helpende zorg en welzijn "
                                           "niveau 2 bij Thuiszorg Zeeuwse Stroom.",
                     "next_step_decided_on": day - timedelta(days=275)})
        bbl = demo.stage(
            fatma, ZEEUWSE_STROOM, K.BBL, -260, -20, answered_by="l.vandijke", level=2,
            previous=wep, offer_item=demo.offer(ZEEUWSE_STROOM, OfferType.BBL,
                                                "Helpende zorg en welzijn"),
            outcome={"diploma": True, "outcome_note": "Diploma helpende zorg en welzijn."})
        demo.stage(
            fatma, ZEEUWSE_STROOM, K.PAID_JOB, -15, None, status=StageStatus.LOPEND,
            answered_by="l.vandijke", job_title="Helpende thuiszorg",
            hours_per_week=Decimal(24), permanent=True, previous=bbl,
            offer_item=demo.offer(ZEEUWSE_STROOM, OfferType.PAID_JOB, "Helpende thuiszorg"),
            vacancy=demo.vacancy(ZEEUWSE_STROOM, "Helpende thuiszorg"),
            outcome={"contract_type": ContractType.PERMANENT, "contract_hours": Decimal(24),
                     "contract_start": day - timedelta(days=15)})

    jeroen = demo.person("Jeroen Berg")
    if jeroen is not None:
        intake = demo.stage(
            jeroen, SCHELDEZOOM, K.INTAKE, -120, -110, answered_by="intaker", hours=Decimal(4),
            outcome={"suitable_for_care": True, "suitable_function": "Medewerker facilitair"})
        # Ends within 14 days, and nobody has decided the next step yet.
        demo.stage(jeroen, SCHELDEZOOM, K.WERKERVARINGSPLAATS, -80, None,
                   status=StageStatus.LOPEND, answered_by="intaker", responsible="a.jansen",
                   hours_per_week=Decimal(20), previous=intake,
                   offer_item=demo.offer(SCHELDEZOOM, OfferType.WERKERVARINGSPLAATS,
                                         "Medewerker facilitair"))

    samira = demo.person("Samira Idrissi")
    if samira is not None:
        demo.stage(samira, SCHELDEZOOM, K.INTAKE, -40, -30, answered_by="intaker",
                   hours=Decimal(5))  # finished, outcome not recorded yet
        # Waiting for Stichting Welzijn De Bevelanden to answer.
        demo.stage(samira, BEVELANDEN, K.COACHING, 14, 120, status=StageStatus.VOORGESTELD,
                   answered_by="intaker2", hours=Decimal(20), proposed_days_before=16,
                   offer_item=demo.offer(BEVELANDEN, OfferType.SPECIALIST, "Schuldhulpmaatje"),
                   note="Samira wil haar schulden op orde voor ze aan het werk gaat.")

    mohammed = demo.person("Mohammed Aziz")
    if mohammed is not None:
        # A proposal whose answer is overdue.
        stage = demo.stage(mohammed, SCHELDEZOOM, K.INTAKE, 5, 15,
                           status=StageStatus.VOORGESTELD, answered_by="intaker",
                           hours=Decimal(6), proposed_days_before=21,
                           note="Graag een intake met tolk; diploma wordt gewaardeerd.")
        stage.answer_due = day - timedelta(days=2)

    henk = demo.person("Henk Wisse")
    if henk is not None:
        # Care-client overlap: the talks are care under his Wmo indication, not Social Return.
        stage = demo.stage(henk, SCHELDEZOOM, K.COACHING, -60, 60, status=StageStatus.LOPEND,
                           answered_by="intaker", responsible="a.jansen", hours=Decimal(24),
                           care_client=True)
        services.record_care_choice(
            stage, care_client=True, choice=CareChoice.ZORG, actor=henk.klantmanager,
            version=None, reason="Henk krijgt begeleiding via zijn Wmo-indicatie bij Zorggroep "
                                 "Scheldezoom; deze gesprekken zijn zorg en geen Social Return.")

    lisa = demo.person("Lisa Verburg")
    if lisa is not None:
        demo.stage(lisa, OOSTERSCHELDE, K.WERKERVARINGSPLAATS, -65, 25,
                   status=StageStatus.LOPEND, answered_by="t.wisse", hours_per_week=Decimal(24),
                   offer_item=demo.offer(OOSTERSCHELDE, OfferType.WERKERVARINGSPLAATS,
                                         "Medewerker keuken en restaurant"),
                   outcome={"next_step_decision": "Leerwerkbaan keukenmedewerker na de zomer.",
                            "next_step_decided_on": day - timedelta(days=3)})

    tim = demo.person("Tim Heijboer")
    if tim is not None:
        demo.stage(tim, OOSTERSCHELDE, K.INTAKE, 10, 20, status=StageStatus.AFGEWEZEN,
                   answered_by="t.wisse", hours=Decimal(4), proposed_days_before=35,
                   end_reason="Geen intakeplek voor jongeren onder de 21 tot de zomer.")
        # Then an intake at Scheldezoom. A hand-over for the klantmanager: its outcome is
        # in, no next step proposed since.
        demo.stage(tim, SCHELDEZOOM, K.INTAKE, -12, -5, answered_by="intaker",
                   hours=Decimal(4), proposed_days_before=6,
                   offer_item=demo.offer(SCHELDEZOOM, OfferType.INTAKE,
                                         "Intake en screening zorg en welzijn"),
                   outcome={"suitable_for_care": False,
                            "outcome_note": "Tim is technisch handig en wil monteur worden; "
                                            "zorgwerk past niet bij hem. Advies: een BBL-plek "
                                            "in de techniek, eerst een meeloopdag."})

    maria = demo.person("Maria Koole")
    if maria is not None:
        first = demo.stage(maria, OOSTERSCHELDE, K.WERKERVARINGSPLAATS, -100, None,
                           status=StageStatus.LOPEND, answered_by="t.wisse",
                           hours_per_week=Decimal(16))
        # Doorplaatsing: closer to home, with her buddy's cooperative.
        new = services.transfer_stage(
            first, new_provider=demo.orgs[THOLEN_SCHOUWEN], end_on=day - timedelta(days=41),
            end_status=StageStatus.AFGEBROKEN, planned_start=day - timedelta(days=40),
            planned_end=None, actor=maria.klantmanager, version=None,
            note="Maria kan zonder rijbewijs niet op tijd in Sint-Maartensdijk zijn.")
        services.answer_stage(new, accept=True, actor=demo.users["e.polderman"], version=None,
                              responsible_user=demo.users["e.polderman"])
        services.start_stage(new, actual_start=day - timedelta(days=40), version=None)

    kevin = demo.person("Kevin Moerland")
    if kevin is not None:
        demo.stage(kevin, OOSTERSCHELDE, K.INTAKE, 7, 14, status=StageStatus.GEPLAND,
                   answered_by="t.wisse", hours=Decimal(4))

    rachid = demo.person("Rachid Benali")
    if rachid is not None:
        demo.stage(rachid, ZEEUWSE_STROOM, K.BOL, -150, -10, answered_by="l.vandijke", level=2)

    petra = demo.person("Petra Sinke")
    if petra is not None:
        demo.stage(petra, BEVELANDEN, K.ADDITIONAL_PROJECT, -30, 90, status=StageStatus.LOPEND,
                   answered_by="intaker2", hours=Decimal(24),
                   offer_item=demo.offer(BEVELANDEN, OfferType.ADDITIONAL_PROJECT,
                                         "Taalcafé NT2 voor werk"))
    db.session.flush()


register_demo_step("stages", load_stage_demo)
