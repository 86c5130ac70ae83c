"""The coordinator's home shows what waits for the table: candidates proposed for a cohort
and the quarterly evaluations not yet closed, each with a count, the first few with what
to do and a working link, in a constant number of queries."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from tests.candidates.support import actor_of
from tests.cohorts.support import make_cohort, open_evaluation, person
from trajectory.audit.trail import acting_as
from trajectory.cohorts import services
from trajectory.extensions import db


def _panel(page: str) -> str:
    match = re.search(r'<section class="panel" aria-labelledby="panel-cohort-waiting">.*?'
                      r'</section>', page, re.S)
    assert match
    return match.group(0)


def _list(panel: str, key: str) -> list[tuple[str, str]]:
    match = re.search(rf'<ul class="link-list task-list" data-section="{key}">(.*?)</ul>',
                      panel, re.S)
    if not match:
        return []
    return [(unescape(href), text.strip()) for href, text in re.findall(
        r'<a class="utrecht-link task-action" href="([^"]+)" data-task-action>(.*?)<span',
        match.group(1), re.S)]


def _count(panel: str, key: str) -> int:
    return int(re.search(rf'data-count="{key}">(\d+)<', panel).group(1))


def _propose(world, cohort, first: str):
    candidate = person(world, first, "Voorgesteld", buddy=None)
    user = world.user("klantmanager")
    with acting_as(actor_of(user)):
        row = services.propose_candidate(user, cohort, candidate, "Wil in de zorg werken.")
        db.session.commit()
    return row


def test_coordinator_home_shows_proposals_and_open_evaluations(world, coordinator_client,
                                                               klantmanager_client):
    cohort = make_cohort(world)
    panel = _panel(coordinator_client.get("/").text)
    assert _count(panel, "proposals") == 0 and _count(panel, "evaluations") == 0

    row = _propose(world, cohort, "Anouk")
    evaluation = open_evaluation(world, cohort)
    panel = _panel(coordinator_client.get("/").text)
    assert _count(panel, "proposals") == 1 and _count(panel, "evaluations") == 1
    [(href, text)] = _list(panel, "proposals")
    assert text and urlsplit(href).path == f"/cohorten/{cohort.id}"
    anchor = urlsplit(href).fragment
    assert anchor == f"voorstel-{row.id}"
    page = coordinator_client.get(href).text
    assert f'id="{anchor}"' in page
    assert f'action="/cohorten/{cohort.id}/kandidaten/{row.id}/besluit"' in page
    assert "Anouk Voorgesteld" in panel
    [(href, text)] = _list(panel, "evaluations")
    assert urlsplit(href).path == (f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}"
                                   "/antwoorden")
    assert 'id="works"' in coordinator_client.get(href).text

    # All four questions answered: the next thing to do is closing it.
    coordinator = world.user("coordinator")
    with acting_as(actor_of(coordinator)):
        services.save_answers(coordinator, evaluation, {
            "works": "Ja.", "obstacles": "Vervoer.", "energy": "Samenwerking.",
            "yields": "Twee plekken."}, evaluation.lock_version)
        db.session.commit()
    [(href, _text)] = _list(_panel(coordinator_client.get("/").text), "evaluations")
    assert urlsplit(href).path.endswith("/afsluiten")
    assert coordinator_client.get(href).status_code == 200

    # Decided and closed: nothing waits any more.
    assert coordinator_client.post(f"/cohorten/{cohort.id}/kandidaten/{row.id}/besluit",
                                   data={"decision": "accept"}).status_code == 302
    assert coordinator_client.post(href, data={"confirmed": "1"}).status_code == 302
    panel = _panel(coordinator_client.get("/").text)
    assert _count(panel, "proposals") == 0 and _count(panel, "evaluations") == 0
    # The klantmanager's home has no such panel.
    assert "panel-cohort-waiting" not in klantmanager_client.get("/").text


def test_waiting_panel_keeps_a_constant_query_count(world, coordinator_client, count_queries):
    def counted() -> int:
        with count_queries() as counter:
            assert coordinator_client.get("/").status_code == 200
        return counter.count

    first = make_cohort(world)
    _propose(world, first, "Eerste")
    open_evaluation(world, first)
    small = counted()
    for n in range(3):
        cohort = make_cohort(world, name=f"Golf {n}")
        _propose(world, cohort, f"Kandidaat{n}")
        open_evaluation(world, cohort)
    panel = _panel(coordinator_client.get("/").text)
    assert _count(panel, "proposals") == 4 and _count(panel, "evaluations") == 4
    assert counted() == small


def test_the_demo_coordinator_has_proposals_and_an_open_evaluation_to_act_on(app):
    from tests.conftest import login
    from trajectory.audit.trail import Actor
    from trajectory.demo.data import DEMO_PASSWORD, load_demo

    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    client = app.test_client()
    assert login(client, "coordinator", DEMO_PASSWORD).status_code == 302
    panel = _panel(client.get("/").text)
    for key in ("proposals", "evaluations"):
        assert _count(panel, key) >= 1, key
        items = _list(panel, key)
        assert items, key
        for href, text in items:
            assert text
            response = client.get(href)
            assert response.status_code == 200, href
            anchor = urlsplit(href).fragment
            assert not anchor or f'id="{anchor}"' in response.text, href
