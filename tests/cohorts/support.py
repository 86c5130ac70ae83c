"""Builders for cohort tests (plain functions over the real services), and the URL
arguments the route matrix (tests/auth/test_matrix.py) needs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.candidates.support import actor_of, assign, register
from trajectory.audit.trail import acting_as
from trajectory.candidates.models import Candidate
from trajectory.cohorts import services
from trajectory.cohorts.models import Cohort, CohortCandidate, Evaluation, quarter_start
from trajectory.extensions import db
from trajectory.timeutil import today

PROVIDERS = ("Zorggroep Scheldezoom", "Stichting Welzijn De Bevelanden",
             "Thuiszorg Zeeuwse Stroom", "Oosterschelde Wonen en Zorg",
             "Zorgcoöperatie Tholen-Schouwen")


def make_cohort(world, name: str = "Maartgolf 2026", start: date | None = None,
                municipalities: tuple[str, ...] = ("Goes", "Tholen"),
                providers: tuple[str, ...] = ()) -> Cohort:
    user = world.user("coordinator")
    with acting_as(actor_of(user)):
        cohort = services.create_cohort(
            user, name=name, start=start or quarter_start(today()),
            municipality_ids=[world.org(m).id for m in municipalities],
            description="Vijf kandidaten uit Goes en Tholen, gericht op de ouderenzorg.")
        if providers:
            services.set_providers(user, cohort, [world.org(p).id for p in providers])
        db.session.commit()
    return cohort


def seat(world, cohort: Cohort, candidate: Candidate, joined: date | None = None
         ) -> CohortCandidate:
    """The coordinator puts the candidate at the table (optionally back-dated)."""
    user = world.user("coordinator")
    with acting_as(actor_of(user)):
        row = services.propose_candidate(user, cohort, candidate, "Gemotiveerd, wil in de zorg.")
        if joined is not None:
            row.proposed_on = row.decided_on = joined
        db.session.commit()
    return row


def agree(world, cohort: Cohort, candidate: Candidate, provider: str,
          stage_kind: str | None = "werkervaringsplaats", support: str | None = None) -> None:
    user = world.user("coordinator")
    with acting_as(actor_of(user)):
        services.add_agreement(user, cohort, candidate_id=candidate.id,
                               provider_id=world.org(provider).id, stage_kind=stage_kind,
                               support=support)
        db.session.commit()


def person(world, first: str, last: str, municipality: str = "Goes", buddy: str | None = "buddy",
           **overrides: Any) -> Candidate:
    klantmanager = {"Goes": "klantmanager", "Tholen": "klantmanager2"}[municipality]
    overrides.setdefault("tussenvoegsel", None)
    candidate = register(world, klantmanager, first_name=first, last_name=last, bsn=None,
                         date_of_birth=date(1990, 1, 1) + timedelta(days=len(first + last) * 97),
                         **overrides)
    if buddy:
        assign(world, candidate, buddy, by=klantmanager)
    return candidate


def full_cohort(world, size: int = 5, name: str = "Maartgolf 2026") -> tuple[Cohort, list]:
    """A cohort at the table with ``size`` candidates and five providers, each candidate
    with an agreement."""
    cohort = make_cohort(world, name=name, providers=PROVIDERS)
    people = []
    for index in range(size):
        candidate = person(world, f"Kandidaat{name[:3]}{index}", f"Achternaam{index}",
                           "Goes" if index % 2 == 0 else "Tholen")
        seat(world, cohort, candidate)
        agree(world, cohort, candidate, PROVIDERS[index % len(PROVIDERS)])
        people.append(candidate)
    return cohort, people


def open_evaluation(world, cohort: Cohort, quarter: date | None = None) -> Evaluation:
    user = world.user("coordinator")
    with acting_as(actor_of(user)):
        evaluation = services.open_evaluation(user, cohort, quarter or quarter_start(today()))
        db.session.commit()
    return evaluation


# ------------------------------------------------------------------ route matrix

def matrix_sample(world) -> dict[str, int]:
    """A cohort (Goes and Tholen, the intaker's provider at the table) with a proposed and
    an accepted candidate, an agreement, an open evaluation and a decision (cached)."""
    cache = world.__dict__.setdefault("_matrix_cohort", {})
    if not cache:
        from tests.candidates.support import matrix_candidate
        from trajectory.cohorts.models import DecisionKind

        cohort = make_cohort(world, name="Matrixgolf", providers=PROVIDERS)
        candidate = matrix_candidate(world)
        seat(world, cohort, candidate)
        agree(world, cohort, candidate, PROVIDERS[0])
        proposed = person(world, "Voorstel", "Kandidaat", buddy=None)
        user = world.user("klantmanager")
        with acting_as(actor_of(user)):
            row = services.propose_candidate(user, cohort, proposed)
            db.session.commit()
        evaluation = open_evaluation(world, cohort)
        coordinator = world.user("coordinator")
        with acting_as(actor_of(coordinator)):
            decision = services.add_decision(coordinator, evaluation, kind=DecisionKind.DECISION,
                                             text="Intakegesprekken samen plannen.",
                                             owner="Ingrid Schrier",
                                             due_on=today() + timedelta(days=30))
            db.session.commit()
        cache.update(cohort_id=cohort.id, row_id=row.id, evaluation_id=evaluation.id,
                     agreement_id=cohort.agreements[0].id, decision_id=decision.id)
    return cache


def _args(*keys: str):
    return lambda w: {key: matrix_sample(w)[key] for key in keys}


COHORT_URL_ARGS = {
    "cohorts.show": _args("cohort_id"),
    "cohorts.edit": _args("cohort_id"),
    "cohorts.propose": _args("cohort_id"),
    "cohorts.decide": _args("cohort_id", "row_id"),
    "cohorts.remove_candidate": _args("cohort_id", "row_id"),
    "cohorts.providers": _args("cohort_id"),
    "cohorts.agreement_new": _args("cohort_id"),
    "cohorts.agreement_remove": _args("cohort_id", "agreement_id"),
    "cohorts.evaluation_new": _args("cohort_id"),
    "cohorts.evaluation": _args("cohort_id", "evaluation_id"),
    "cohorts.evaluation_answers": _args("cohort_id", "evaluation_id"),
    "cohorts.decision_new": _args("cohort_id", "evaluation_id"),
    "cohorts.decision_remove": _args("cohort_id", "evaluation_id", "decision_id"),
    "cohorts.evaluation_close": _args("cohort_id", "evaluation_id"),
    "cohorts.pack_pdf": _args("cohort_id", "evaluation_id"),
    "cohorts.figures_xlsx": _args("cohort_id", "evaluation_id"),
}


# ------------------------------------------------------------------ euros of stages

def history(candidate: Candidate, since: date = date(2020, 1, 1), until: date | None = None
            ) -> None:
    """Participatiewet since ``since`` (more than two years before the stages below)."""
    from trajectory.candidates.models import Benefit, BenefitPeriod

    candidate.benefit_periods[:] = [BenefitPeriod(benefit=Benefit.PARTICIPATIEWET, start=since,
                                                  end=until)]
    db.session.commit()


def paid_job(world, candidate: Candidate, provider: str, start: date, end: date):
    """A finished permanent paid job of 36 hours a week, through the stages' services."""
    from decimal import Decimal

    from tests.stages.conftest import make_stage
    from trajectory.stages.models import ContractType, StageKind, StageStatus

    history(candidate, until=start)
    return make_stage(world, candidate, provider, StageKind.PAID_JOB, StageStatus.AFGEROND,
                      start=start, end=end, hours_per_week=Decimal(36), permanent=True,
                      outcome={"contract_type": ContractType.PERMANENT,
                               "contract_hours": Decimal(36)})


def work_experience(world, candidate: Candidate, provider: str, start: date, end: date,
                    **fields: Any):
    """A finished werkervaringsplaats, through the stages' services."""
    from tests.stages.conftest import make_stage
    from trajectory.stages.models import StageKind, StageStatus

    return make_stage(world, candidate, provider, StageKind.WERKERVARINGSPLAATS,
                      StageStatus.AFGEROND, start=start, end=end, **fields)


def labour_line(world, stage, start: date, end: date, *, intaker: str = "intaker",
                judge: str | None = None):
    """A labour claim for the stage's days ``start``..``end`` on the contract the valuation
    credits it to, with its evidence; submitted, and approved when ``judge`` is "approve"
    (rejected when "reject"); a draft when ``judge`` is "draft"."""
    from tests.valuation.web.sample import pdf_bytes
    from trajectory.labour.services import LabourClaimData, create_labour_claim
    from trajectory.stages.valuation import people
    from trajectory.valuation import services as claims
    from trajectory.valuation.evidence import store_bytes
    from trajectory.valuation.models import EVIDENCE_BENEFIT, EVIDENCE_EMPLOYMENT, Contract

    user, adviser = world.user(intaker), world.user("adviseur")
    contract_id = people([stage.candidate_id])[stage.candidate_id].value(stage.id).contract_id
    contract = db.session.get(Contract, contract_id)
    claim = create_labour_claim(contract, LabourClaimData(stage, start, end), user)
    for kind, name in ((EVIDENCE_EMPLOYMENT, "arbeidsovereenkomst.pdf"),
                       (EVIDENCE_BENEFIT, "uitkering.pdf")):
        store_bytes(pdf_bytes(name), name, contract=contract, user=user, claim=claim, kind=kind)
    if judge != "draft":
        claims.submit_claim(claim, user)
    if judge in ("approve", "reject"):
        claims.judge_claim(claim, adviser, approve=judge == "approve",
                           reason="Geen bewijs van de doelgroep.")
    db.session.commit()
    return claim


def figures_of(cohort: Cohort, quarter: date, on: date | None = None) -> dict[str, Any]:
    """The figures of ``quarter`` as the evaluation page computes them (freshly loaded)."""
    from trajectory.cohorts import loader
    from trajectory.cohorts.evaluation import compute

    db.session.expire_all()
    loaded = db.session.scalars(loader.cohort_query().where(Cohort.id == cohort.id)).one()
    rows = loader.load_rows([loaded], on=on)[cohort.id]
    return compute(rows, quarter, on or today(), loader.benefit_amounts(), loader.margin())


def euros_of(figures: dict[str, Any], provider_id: int) -> tuple[str, str, str]:
    """(credited, submitted, valued) of one provider in the figures."""
    [row] = [p for p in figures["providers"] if p["id"] == provider_id]
    return row["credited"], row["submitted"], row["valued"]
