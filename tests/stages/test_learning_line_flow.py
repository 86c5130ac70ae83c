"""The issue's learning line, entered through the pages by the right roles only.

Intake at Zorggroep Scheldezoom, coaching by buddy Kees Dekker of Stichting
Welzijn De Bevelanden in parallel with a 3-month werkervaringsplaats there, a
BBL level 2 place at Thuiszorg Zeeuwse Stroom, then a permanent paid job of 24
hours a week. Before each step succeeds, every wrong role or organisation tries
it and is refused as the table below says (403: in scope but not allowed, or
the role may not use the page at all; 404: out of scope), and nothing changes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.stages.conftest import P1, P2, P3, days, goes_candidate
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageKind, StageStatus
from trajectory.stages.valuation import value_of
from trajectory.timeutil import today

ACCOUNTS = ("klantmanager", "klantmanager2", "intaker", "intaker2", "l.vandijke", "buddy",
            "coordinator", "adviseur", "beheer")

# Who may do what to a stage at provider `p`; the right one per step is named in the flow.
#   klantmanager  – Goes: the candidate's municipality
#   klantmanager2 – Tholen: the candidate is out of scope → 404
#   intaker / intaker2 / l.vandijke – intakers of P1 / P2 / P3: their own provider's
#       stages only (another provider's stage is out of scope → 404)
#   buddy (Kees Dekker, P2) – the candidate's buddy: reads, never acts → 403
#   coordinator – reads with consent, never acts → 403
#   adviseur, beheer – no business with stages → 403
INTAKER_OF = {P1: "intaker", P2: "intaker2", P3: "l.vandijke"}


def propose_expectations() -> dict[str, int]:
    """POST /trajecten/kandidaat/<id>/nieuw: only the klantmanager of the municipality."""
    return {"klantmanager": 302, "klantmanager2": 404, "intaker": 403, "intaker2": 403,
            "l.vandijke": 403, "buddy": 403, "coordinator": 403, "adviseur": 403,
            "beheer": 403}


def run_expectations(provider: str) -> dict[str, int]:
    """Answer, start, end, outcome: only the intaker of the stage's provider."""
    table = {"klantmanager": 403, "klantmanager2": 403, "buddy": 403, "coordinator": 403,
             "adviseur": 403, "beheer": 403}
    for name, account in INTAKER_OF.items():
        table[account] = 302 if name == provider else 404
    return table


def view_expectations(provider: str) -> dict[str, int]:
    """GET /trajecten/<id>: the klantmanager, the provider's intaker, the buddy, the
    coordinator (consent given)."""
    table = {"klantmanager": 200, "klantmanager2": 404, "buddy": 200, "coordinator": 200,
             "adviseur": 403, "beheer": 403}
    for name, account in INTAKER_OF.items():
        table[account] = 200 if name == provider else 404
    return table


@pytest.fixture
def clients(client_for):
    return {name: client_for(name) for name in ACCOUNTS}


def _latest_stage() -> Stage:
    return db.session.scalar(sa.select(Stage).order_by(Stage.id.desc()))


def _snapshot(stage_id: int | None = None) -> tuple:
    count = db.session.scalar(sa.select(sa.func.count(Stage.id)))
    if stage_id is None:
        return (count,)
    stage = db.session.get(Stage, stage_id)
    db.session.refresh(stage)
    return count, stage.status, stage.version


def step(clients, path: str, data: dict, expectations: dict[str, int], stage_id=None):
    """Every account but the right one is refused as expected and changes nothing; then the
    right account (the one expecting 302) does it."""
    right = [name for name, status in expectations.items() if status == 302]
    assert len(right) == 1, expectations
    before = _snapshot(stage_id)
    for name, expected in expectations.items():
        if name in right:
            continue
        response = clients[name].post(path, data=data)
        assert response.status_code == expected, (path, name, response.status_code)
        assert _snapshot(stage_id) == before, (path, name, "changed something")
    response = clients[right[0]].post(path, data=data)
    assert response.status_code == 302, (path, right[0], response.status_code,
                                         response.text[:3000])
    return response


def check_views(clients, stage: Stage, provider: str) -> None:
    for name, expected in view_expectations(provider).items():
        response = clients[name].get(f"/trajecten/{stage.id}")
        assert response.status_code == expected, (stage.kind, name, response.status_code)


def propose(clients, candidate, data: dict) -> Stage:
    step(clients, f"/trajecten/kandidaat/{candidate.id}/nieuw", data, propose_expectations())
    return _latest_stage()


def run(clients, stage: Stage, provider: str, action: str, data: dict) -> None:
    step(clients, f"/trajecten/{stage.id}/{action}", {**data, "version": stage.version},
         run_expectations(provider), stage.id)
    db.session.refresh(stage)


def d(n: int) -> str:
    return days(n).strftime("%d-%m-%Y")


def test_the_full_learning_line_by_the_right_roles_only(app, clients, world):
    candidate = goes_candidate(world)
    p1, p2, p3 = world.org(P1), world.org(P2), world.org(P3)

    # 1. Intake at Zorggroep Scheldezoom.
    intake = propose(clients, candidate, {
        "kind": "intake", "provider_id": p1.id, "planned_start": d(-200),
        "planned_end": d(-190), "hours": "6", "note": "Graag een intake voor de zorg."})
    assert (intake.status, intake.provider_id) == (StageStatus.VOORGESTELD, p1.id)
    check_views(clients, intake, P1)
    run(clients, intake, P1, "beantwoorden",
        {"decision": "accept", "responsible_user_id": world.user("intaker").id})
    assert intake.status is StageStatus.GEPLAND
    assert intake.responsible_user_id == world.user("intaker").id
    run(clients, intake, P1, "starten", {"actual_start": d(-200)})
    run(clients, intake, P1, "beeindigen", {"status": "afgerond", "actual_end": d(-190)})
    run(clients, intake, P1, "uitkomst", {"suitable_for_care": "ja", "suitable_level": "2",
                                          "suitable_function": "Helpende zorg en welzijn"})
    assert intake.status is StageStatus.AFGEROND and intake.suitable_for_care is True

    # 2 and 3. Coaching by buddy Kees Dekker (Welzijn De Bevelanden), in parallel with a
    # 3-month werkervaringsplaats there; both follow from the intake.
    coaching = propose(clients, candidate, {
        "kind": "coaching", "provider_id": p2.id, "planned_start": d(-180),
        "planned_end": d(-60), "hours": "40", "previous_stage_id": intake.id})
    run(clients, coaching, P2, "beantwoorden",
        {"decision": "accept", "responsible_user_id": world.user("buddy").id})
    assert coaching.responsible == "Kees Dekker"
    wep = propose(clients, candidate, {
        "kind": "werkervaringsplaats", "provider_id": p2.id, "planned_start": d(-170),
        "hours_per_week": "20", "previous_stage_id": intake.id})
    assert (wep.planned_end - wep.planned_start).days in (88, 89, 90, 91)  # 3 months − 1 day
    run(clients, wep, P2, "beantwoorden", {"decision": "accept", "responsible_name": "Team Oost"})
    run(clients, coaching, P2, "starten", {"actual_start": d(-180)})
    run(clients, wep, P2, "starten", {"actual_start": d(-170)})
    run(clients, wep, P2, "beeindigen", {"status": "afgerond",
                                         "actual_end": wep.planned_end.strftime("%d-%m-%Y")})
    run(clients, wep, P2, "uitkomst", {"next_step_decision": "Door naar BBL niveau 2",
                                       "next_step_decided_on": d(-80)})
    run(clients, coaching, P2, "beeindigen", {"status": "afgerond", "actual_end": d(-60)})
    run(clients, coaching, P2, "uitkomst", {"outcome_note": "Werkritme is er."})

    # 4. A BBL level 2 place at Thuiszorg Zeeuwse Stroom.
    bbl = propose(clients, candidate, {
        "kind": "bbl", "provider_id": p3.id, "planned_start": d(-75), "planned_end": d(-5),
        "level": "2", "previous_stage_id": wep.id})
    run(clients, bbl, P3, "beantwoorden", {"decision": "accept",
                                           "responsible_user_id": world.user("l.vandijke").id})
    run(clients, bbl, P3, "starten", {"actual_start": d(-75)})
    run(clients, bbl, P3, "beeindigen", {"status": "afgerond", "actual_end": d(-5)})
    run(clients, bbl, P3, "uitkomst", {"diploma": "ja"})
    assert bbl.diploma is True and bbl.level == 2

    # 5. Then a permanent paid job of 24 hours a week.
    job = propose(clients, candidate, {
        "kind": "paid_job", "provider_id": p3.id, "planned_start": d(-4),
        "hours_per_week": "24", "permanent": "y", "job_title": "Helpende thuiszorg",
        "previous_stage_id": bbl.id})
    assert job.planned_end is None and job.permanent
    run(clients, job, P3, "beantwoorden", {"decision": "accept", "responsible_name": "HR"})
    run(clients, job, P3, "starten", {"actual_start": d(-4)})
    run(clients, job, P3, "uitkomst", {"contract_type": "onbepaalde_tijd",
                                       "contract_hours": "24", "contract_start": d(-4)})
    check_views(clients, job, P3)

    stages = list(db.session.scalars(sa.select(Stage).where(Stage.candidate_id == candidate.id)
                                     .order_by(Stage.planned_start)))
    assert [s.kind for s in stages] == [StageKind.INTAKE, StageKind.COACHING,
                                        StageKind.WERKERVARINGSPLAATS, StageKind.BBL,
                                        StageKind.PAID_JOB]
    # The werkervaringsplaats is worth 3 months × € 750; the coaching by the same provider
    # during it counts only for the days outside it.
    with app.test_request_context():
        assert value_of(wep).value == 2250
        coaching_value = value_of(coaching)
    assert 0 < coaching_value.value < 4000
    assert any("telt nul" in line for line in coaching_value.explain)

    # The candidate file shows the whole learning line to the klantmanager.
    page = clients["klantmanager"].get(f"/kandidaten/{candidate.id}").text
    assert page.count('class="bar"') == 5
    for title in ("Intake", "Coaching", "BBL", "Helpende thuiszorg"):
        assert title in page or title.lower() in page.lower()
    assert (today() - timedelta(days=4)) == job.actual_start
