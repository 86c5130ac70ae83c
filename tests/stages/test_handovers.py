"""Hand-overs that reach the klantmanager: a recorded intake outcome or a werkervaringsplaats
decision is a task on the list of the klantmanager of the candidate's municipality until
the next stage is proposed from it or it is marked handled; every task in every list says
what to do and links to where it is done."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.conftest import login
from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.audit.models import AuditEvent
from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import DEMO_PASSWORD, load_demo
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageKind, StageStatus

WORKLIST = "/trajecten/werkvoorraad"


def _section(page: str, key: str) -> str:
    match = re.search(rf'<section aria-labelledby="{key}".*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def _row(section: str, stage_id: int) -> str | None:
    match = re.search(rf'<tr class="utrecht-table__row" data-stage-id="{stage_id}">.*?</tr>',
                      section, re.S)
    return match.group(0) if match else None


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-stage-id="(\d+)"', html)}


def _actions(html: str) -> list[tuple[str, str]]:
    """(href, text) of every task's "what to do" link."""
    found = re.findall(r'<a class="utrecht-link task-action" href="([^"]+)" data-task-action>'
                       r'(.*?)<span class="visually-hidden">', html, re.S)
    return [(unescape(href), text.strip()) for href, text in found]


def _record_intake_outcome(client, stage: Stage):
    return client.post(f"/trajecten/{stage.id}/uitkomst", data={
        "version": stage.version, "suitable_for_care": "nee",
        "outcome_note": "Technisch handig; zoek een BBL-plek in de techniek."})


def test_intake_outcome_reaches_the_klantmanager_until_handled(
        world, intaker_client, klantmanager_client, klantmanager2_client):
    intake = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE,
                        StageStatus.AFGEROND, start=days(-20), end=days(-10))
    page = klantmanager_client.get(WORKLIST).text
    assert intake.id not in _ids(_section(page, "intake_outcome"))

    # The intaker records the outcome: the klantmanager has a task with what to do.
    assert _record_intake_outcome(intaker_client, intake).status_code == 302
    page = klantmanager_client.get(WORKLIST).text
    row = _row(_section(page, "intake_outcome"), intake.id)
    assert row is not None
    assert f'href="/trajecten/{intake.id}"' in row  # the stage
    [(href, text)] = _actions(row)
    assert text and urlsplit(href).path == f"/trajecten/kandidaat/{intake.candidate_id}/nieuw"
    assert f"na={intake.id}" in href
    assert klantmanager_client.get(href).status_code == 200
    assert f'action="/trajecten/{intake.id}/afgehandeld"' in row
    # ... on the home page too, and on the stage page.
    home = klantmanager_client.get("/").text
    assert re.search(r'data-count="intake_outcome">1<', home)
    assert f'data-stage-id="{intake.id}"' in home
    detail = klantmanager_client.get(f"/trajecten/{intake.id}").text
    assert 'data-handover="intake_outcome"' in detail and 'id="uitkomst"' in detail

    # Not for the intaker, nor for another municipality's klantmanager.
    assert "intake_outcome" not in intaker_client.get(WORKLIST).text
    other = klantmanager2_client.get(WORKLIST).text
    assert intake.id not in _ids(other)
    assert re.search(r'data-count="intake_outcome">0<', klantmanager2_client.get("/").text)
    assert klantmanager2_client.post(f"/trajecten/{intake.id}/afgehandeld",
                                     data={"version": intake.version}).status_code == 404
    assert intaker_client.post(f"/trajecten/{intake.id}/afgehandeld",
                               data={"version": intake.version}).status_code == 403
    assert klantmanager_client.post(f"/trajecten/{intake.id}/afgehandeld",
                                    data={"version": intake.version},
                                    csrf=False).status_code == 400
    db.session.refresh(intake)
    assert intake.outcome_handled_at is None

    # Marked handled: gone from the list, recorded in the audit trail with who did it.
    response = klantmanager_client.post(f"/trajecten/{intake.id}/afgehandeld",
                                        data={"version": intake.version, "next": WORKLIST})
    assert response.status_code == 302 and response.headers["Location"] == WORKLIST
    page = klantmanager_client.get(WORKLIST).text
    assert intake.id not in _ids(_section(page, "intake_outcome"))
    db.session.refresh(intake)
    assert intake.outcome_handled_by.username == "klantmanager"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Stage", AuditEvent.object_id == str(intake.id),
        AuditEvent.action == "update").order_by(AuditEvent.id.desc())).first()
    assert "outcome_handled_at" in event.changes and event.subject_id == str(intake.candidate_id)
    assert 'data-handover' not in klantmanager_client.get(f"/trajecten/{intake.id}").text
    # Once more: nothing left to handle (no 500, no second write).
    again = klantmanager_client.post(f"/trajecten/{intake.id}/afgehandeld",
                                     data={"version": intake.version})
    assert again.status_code == 302

    # An outcome recorded again is a new task.
    db.session.refresh(intake)
    assert _record_intake_outcome(intaker_client, intake).status_code == 302
    page = klantmanager_client.get(WORKLIST).text
    assert intake.id in _ids(_section(page, "intake_outcome"))


def test_a_stale_handled_form_is_refused(world, intaker_client, klantmanager_client):
    intake = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE,
                        StageStatus.AFGEROND, start=days(-20), end=days(-10),
                        outcome={"suitable_for_care": True})
    version = intake.version
    db.session.refresh(intake)
    assert _record_intake_outcome(intaker_client, intake).status_code == 302
    response = klantmanager_client.post(f"/trajecten/{intake.id}/afgehandeld",
                                        data={"version": version}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(intake)
    assert intake.outcome_handled_at is None


def test_wep_decision_waits_until_the_next_stage_is_proposed(
        world, intaker_client, klantmanager_client, klantmanager2_client):
    candidate = goes_candidate(world)
    wep = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                     start=days(-60))
    response = intaker_client.post(f"/trajecten/{wep.id}/uitkomst", data={
        "version": wep.version, "next_step_decision": "Door naar een BBL-plaats niveau 2."})
    assert response.status_code == 302
    page = klantmanager_client.get(WORKLIST).text
    row = _row(_section(page, "wep_decision"), wep.id)
    assert row is not None
    [(href, text)] = _actions(row)
    assert text and f"na={wep.id}" in href
    assert wep.id not in _ids(klantmanager2_client.get(WORKLIST).text)
    # Doing what it asks handles it: the next stage, proposed from this one.
    make_stage(world, candidate, P1, StageKind.BBL, start=days(30), previous_stage=wep)
    page = klantmanager_client.get(WORKLIST).text
    assert wep.id not in _ids(_section(page, "wep_decision"))


def test_home_and_task_list_keep_a_constant_query_count(world, klantmanager_client,
                                                        count_queries):
    def counted(path: str) -> int:
        with count_queries() as counter:
            assert klantmanager_client.get(path).status_code == 200
        return counter.count

    def both(n: int) -> None:
        # One candidate each: a stage proposed after an outcome would handle it.
        make_stage(world, goes_candidate(world, first_name=f"Intake{n}", last_name="Test",
                                         buddy=None),
                   P1, StageKind.INTAKE, StageStatus.AFGEROND, start=days(-20), end=days(-10),
                   outcome={"suitable_for_care": n % 2 == 0})
        make_stage(world, goes_candidate(world, first_name=f"Wep{n}", last_name="Test",
                                         buddy=None),
                   P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND, start=days(-60),
                   outcome={"next_step_decision": "Verlengen"})

    both(0)
    small = counted(WORKLIST), counted("/")
    for n in range(1, 5):
        both(n)
    page = klantmanager_client.get("/").text
    assert re.search(r'data-count="intake_outcome">5<', page)
    assert re.search(r'data-count="wep_decision">5<', page)
    assert (counted(WORKLIST), counted("/")) == small


def _demo_client(app, username: str):
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def test_every_task_on_the_demo_says_what_to_do_and_links_to_a_working_page(app):
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    seen: set[str] = set()
    for username in ("klantmanager", "klantmanager2", "intaker", "intaker2", "t.wisse"):
        client = _demo_client(app, username)
        page = client.get(WORKLIST).text
        rows = re.findall(r'<tr class="utrecht-table__row" data-stage-id="\d+">.*?</tr>', page,
                          re.S)
        assert rows, username
        for row in rows:
            actions = _actions(row)
            assert len(actions) == 1, row
            href, text = actions[0]
            assert text, row
            seen.add(text)
            response = client.get(href)
            assert response.status_code == 200, (username, href, text)
            anchor = urlsplit(href).fragment
            if anchor:
                assert f'id="{anchor}"' in response.text, (username, href)
    # Every task on every home panel: the stage tasks, the signals, the table's work.
    for username in ("klantmanager", "klantmanager2", "intaker", "t.wisse", "buddy",
                     "coordinator"):
        client = _demo_client(app, username)
        home = client.get("/").text
        actions = _actions(home)
        assert actions or username in ("klantmanager2", "t.wisse"), username
        for href, text in actions:
            assert text, (username, href)
            response = client.get(href)
            assert response.status_code == 200, (username, href, text)
            anchor = urlsplit(href).fragment
            assert not anchor or f'id="{anchor}"' in response.text, (username, href)
    # The demo klantmanager has both hand-overs to act on.
    home = _demo_client(app, "klantmanager").get("/").text
    for key in ("intake_outcome", "wep_decision"):
        count = int(re.search(rf'data-count="{key}">(\d+)<', home).group(1))
        assert count >= 1, key
        assert f'data-section="{key}"' in home
    assert len(seen) >= 8  # the rows say different things, not one generic line


def test_any_stage_proposed_after_the_outcome_handles_it(world, intaker_client,
                                                         klantmanager_client):
    candidate = goes_candidate(world)
    intake = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                        start=days(-20), end=days(-10))
    earlier = make_stage(world, candidate, P1, StageKind.COACHING, start=days(20))
    assert _record_intake_outcome(intaker_client, intake).status_code == 302
    page = klantmanager_client.get(WORKLIST).text
    assert intake.id in _ids(_section(page, "intake_outcome"))  # proposed before: no
    assert earlier.id not in _ids(_section(page, "intake_outcome"))
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, start=days(30))
    page = klantmanager_client.get(WORKLIST).text
    assert intake.id not in _ids(_section(page, "intake_outcome"))
