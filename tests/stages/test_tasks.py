"""The task lists (werkvoorraad) of the intaker and the klantmanager, and the home panels."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.stages.conftest import P1, P2, days, goes_candidate, make_stage
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageKind, StageStatus


def _section(page: str, key: str) -> str:
    match = re.search(rf'<section aria-labelledby="{key}".*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def _ids(section: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-stage-id="(\d+)"', section)}


def test_werkervaringsplaats_ending_without_decision_is_in_both_task_lists(
        world, intaker_client, klantmanager_client, intaker2_client, klantmanager2_client):
    candidate = goes_candidate(world)
    # Started 80 days ago: with the usual 3 months it ends in about 10 days.
    wep = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                     start=days(-80))
    assert days(0) < wep.planned_end <= days(14)
    for client in (intaker_client, klantmanager_client):
        page = client.get("/trajecten/werkvoorraad").text
        assert wep.id in _ids(_section(page, "wep_no_decision"))
        assert wep.id in _ids(_section(page, "ending"))
        assert wep.id in _ids(_section(page, "running"))
    # Not in the lists of another provider or another municipality.
    for client in (intaker2_client, klantmanager2_client):
        page = client.get("/trajecten/werkvoorraad").text
        assert wep.id not in _ids(page)
    # The home panels count it.
    home = intaker_client.get("/").text
    assert re.search(r'data-count="wep_no_decision">1<', home)
    # Once the decision is recorded it leaves the list.
    response = intaker_client.post(f"/trajecten/{wep.id}/uitkomst", data={
        "next_step_decision": "Verlengen met een maand, daarna BBL", "version": wep.version})
    assert response.status_code == 302
    for client in (intaker_client, klantmanager_client):
        page = client.get("/trajecten/werkvoorraad").text
        assert wep.id not in _ids(_section(page, "wep_no_decision"))
        assert wep.id in _ids(_section(page, "ending"))


def test_every_section(world, intaker_client, klantmanager_client):
    candidate = goes_candidate(world)
    proposed = make_stage(world, candidate, P1, StageKind.INTAKE)
    starting = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.GEPLAND,
                          start=days(10), end=days(100))
    later = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.GEPLAND,
                       start=days(40), end=days(100))
    running = make_stage(world, candidate, P1, StageKind.BBL, StageStatus.LOPEND,
                         start=days(-100), end=days(200))
    no_outcome = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                            start=days(-20), end=days(-10))
    with_outcome = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                              start=days(-20), end=days(-10),
                              outcome={"suitable_for_care": False})
    care = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.GEPLAND,
                      start=days(60), end=days(100), care_client=True)
    declined = make_stage(world, candidate, P2, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    expected = {
        "to_answer": {proposed.id},
        "starting": {starting.id},
        "running": {running.id},
        "ending": set(),
        "wep_no_decision": set(),
        "no_outcome": {no_outcome.id},
        "care_choice": {care.id},
    }
    page = intaker_client.get("/trajecten/werkvoorraad").text
    for key, ids in expected.items():
        assert _ids(_section(page, key)) == ids, key
    assert later.id not in _ids(page) and with_outcome.id not in _ids(page)
    assert 'aria-labelledby="declined"' not in page  # the intaker has no declined list
    page = klantmanager_client.get("/trajecten/werkvoorraad").text
    for key, ids in expected.items():
        assert _ids(_section(page, key)) == ids, key
    assert _ids(_section(page, "declined")) == {declined.id}


def test_overdue_answer_is_marked(world, intaker_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.INTAKE)
    stage.answer_due = days(-1)
    db.session.commit()
    section = _section(intaker_client.get("/trajecten/werkvoorraad").text, "to_answer")
    assert "badge--error" in section


def test_task_list_keeps_a_constant_query_count(world, intaker_client, count_queries):
    candidate = goes_candidate(world)
    make_stage(world, candidate, P1, StageKind.INTAKE)

    def counted() -> int:
        with count_queries() as counter:
            assert intaker_client.get("/trajecten/werkvoorraad").status_code == 200
        return counter.count

    small = counted()
    for n in range(4):
        other = goes_candidate(world, first_name=f"Kandidaat{n}", last_name="Test", buddy=None)
        make_stage(world, other, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                   start=days(-80))
        make_stage(world, other, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                   start=days(-20), end=days(-10))
    assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 9
    assert counted() == small
