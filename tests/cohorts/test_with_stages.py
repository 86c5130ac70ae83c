"""Cohorts and signals over real stages (trajectory.stages): the stage signals, moves,
outflow through paid work, vacancies filled through the approach, the estimate of lower
benefit costs and the stage share in "naar rato"."""

from __future__ import annotations

from decimal import Decimal

from tests.cohorts.support import PROVIDERS, agree, make_cohort, person, seat
from tests.stages.conftest import P1, P2, days, make_stage
from trajectory.candidates.models import Candidate
from trajectory.cohorts import loader, stagefacts
from trajectory.cohorts import signals as sig
from trajectory.cohorts.evaluation import compute
from trajectory.cohorts.models import quarter_start
from trajectory.extensions import db
from trajectory.providers.models import Vacancy
from trajectory.stages.models import StageKind, StageStatus
from trajectory.timeutil import today


def test_the_stages_feature_is_read_through_stagefacts(world):
    assert stagefacts.available()
    candidate = person(world, "Feit", "Stap")
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       start=days(-20))
    [fact] = stagefacts.facts_for([candidate.id])[candidate.id]
    assert (fact.id, fact.kind, fact.status, fact.start) == (stage.id, "werkervaringsplaats",
                                                            "lopend", days(-20))
    assert fact.end == stage.planned_end and not fact.next_step_decided
    assert {code for code, _label in stagefacts.kind_choices()} >= {"paid_job", "bbl"}


def test_a_werkervaringsplaats_ending_without_a_decision_is_signalled(world, client_for):
    candidate = person(world, "Wep", "Eindigt")
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
               start=days(-80))
    hits = sig.BY_KEY["wep_eindigt"].hits(Candidate.id == candidate.id)
    assert [h.candidate_id for h in hits] == [candidate.id]
    # The klantmanager and the provider's intaker see it; another provider does not.
    assert "Wep Eindigt" in client_for("klantmanager").get("/signalen").text
    assert "Wep Eindigt" in client_for("intaker").get("/signalen").text
    assert "Wep Eindigt" not in client_for("t.wisse").get("/signalen").text
    # With the decision recorded the signal is gone.
    from tests.candidates.support import actor_of
    from trajectory.audit.trail import acting_as
    from trajectory.stages import services
    from trajectory.stages.models import Stage

    stage = db.session.scalars(db.select(Stage).where(Stage.candidate_id == candidate.id)).one()
    intaker = world.user("intaker")
    with acting_as(actor_of(intaker)):
        services.record_outcome(stage, actor=intaker, version=None,
                                next_step_decision="Door naar een BBL-plaats niveau 2.")
        db.session.commit()
    assert sig.BY_KEY["wep_eindigt"].hits(Candidate.id == candidate.id) == []


def test_paid_work_through_a_vacancy_counts_everywhere(world):
    cohort = make_cohort(world, providers=PROVIDERS[:2])
    worker, learner = person(world, "Betaald", "Werk"), person(world, "Leer", "Werk")
    for candidate in (worker, learner):
        seat(world, cohort, candidate, joined=quarter_start(today()))
    agree(world, cohort, worker, P1, "paid_job")
    agree(world, cohort, learner, P2, "bbl")
    vacancy = Vacancy(organisation_id=world.org(P1).id, title="Medewerker huishouding",
                      hours_per_week=Decimal("24"))
    db.session.add(vacancy)
    db.session.commit()
    make_stage(world, worker, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=days(-150), end=days(-51))
    make_stage(world, worker, P1, StageKind.PAID_JOB, StageStatus.LOPEND, start=days(-50),
               vacancy=vacancy)
    make_stage(world, learner, P2, StageKind.BBL, StageStatus.LOPEND, start=days(-10),
               end=days(300))
    db.session.expire_all()
    rows = loader.load_rows(db.session.scalars(loader.cohort_query()).all())[cohort.id]
    figures = compute(rows, quarter_start(today()), today(), loader.benefit_amounts())
    per_stage = {r["kind"]: r["count"] for r in figures["per_stage"]}
    assert per_stage == {"paid_job": 1, "bbl": 1}
    assert figures["counts"]["paid_work_or_bbl"] == 2
    assert figures["counts"]["vacancies_filled"] == 1
    assert figures["yield"]["vacancies"][0]["vacancy"] == "Medewerker huishouding"
    assert figures["yield"]["hours_per_week"] == "24.00"
    [benefit] = figures["yield"]["benefit_rows"]
    assert benefit["candidate"] == worker.id and Decimal(benefit["amount"]) > 0
    outflow = {o["candidate"]: o["category"] for o in figures["outflow"]}
    if days(-50) >= quarter_start(today()):
        assert outflow[worker.id] == "paid_work"
    assert outflow.get(learner.id) == "training"
    # Stages since the cohort's start count for naar rato (the earlier WEP does not).
    stage_shares = {p["id"]: p["stages"] for p in figures["providers"]}
    assert stage_shares == {world.org(P1).id: 1, world.org(P2).id: 1}
