"""The processing log cannot be forgotten: one writer, one commit, refusals as events."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint

from tests.candidates.support import register
from tests.conftest import CsrfClient, login
from trajectory import create_app
from trajectory.audit import rendering
from trajectory.audit.models import ProcessingLogEntry, SecurityEvent
from trajectory.auth.access import any_user
from trajectory.candidates.models import Candidate
from trajectory.extensions import db


def _lines(candidate_id: int, request_id: str | None = None) -> list[ProcessingLogEntry]:
    stmt = sa.select(ProcessingLogEntry).where(ProcessingLogEntry.subject_type == "Candidate",
                                               ProcessingLogEntry.subject_id == str(candidate_id))
    if request_id:
        stmt = stmt.where(ProcessingLogEntry.request_id == request_id)
    return list(db.session.scalars(stmt.order_by(ProcessingLogEntry.id)))


def _events(event: str) -> list[SecurityEvent]:
    return list(db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.event == event)))


def test_an_out_of_scope_id_is_a_404_and_a_security_event(world, klantmanager2_client):
    goes = register(world)  # Goes: outside the Tholen klantmanager's scope
    response = klantmanager2_client.get(f"/kandidaten/{goes.id}")
    assert response.status_code == 404
    (event,) = _events("out_of_scope")
    assert (event.result, event.username, event.path) == (
        "refused", "klantmanager2", f"/kandidaten/{goes.id}")
    assert event.request_id == response.headers["X-Request-ID"]
    assert _lines(goes.id) == []  # nothing was shown


def test_an_id_that_does_not_exist_is_logged_as_not_found(world, klantmanager_client):
    response = klantmanager_client.get("/kandidaten/987654")
    assert response.status_code == 404
    (event,) = _events("not_found")
    assert event.username == "klantmanager" and event.path == "/kandidaten/987654"
    assert _events("out_of_scope") == []


def test_a_page_that_only_reads_commits_its_log_line_once(app, world, klantmanager_client):
    candidate = register(world)
    commits: list[str] = []

    def counted(session):
        commits.append("commit")

    sa.event.listen(sa.orm.Session, "after_commit", counted)
    try:
        response = klantmanager_client.get(f"/kandidaten/{candidate.id}/plan",
                                           headers={"X-Request-ID": "plan-view-0001"})
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", counted)
    assert response.status_code == 200
    assert commits == ["commit"]
    (line,) = _lines(candidate.id, "plan-view-0001")
    assert (line.action, line.object_type) == ("view", "Plan")


def test_a_form_that_saves_writes_its_change_and_log_in_one_commit(app, world,
                                                                  klantmanager_client):
    candidate = register(world)
    commits: list[str] = []

    def counted(session):
        commits.append("commit")

    data = {"status": "gepauzeerd", "pause_reason": "Operatie en herstel",
            "outflow_reason": "", "outflow_note": "", "effective_on": ""}
    sa.event.listen(sa.orm.Session, "after_commit", counted)
    try:
        page = klantmanager_client.get(f"/kandidaten/{candidate.id}/status")
        commits.clear()
        response = klantmanager_client.post(f"/kandidaten/{candidate.id}/status", data=data)
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", counted)
    assert page.status_code == 200 and response.status_code == 302
    assert commits == ["commit"]  # the change; the redirect shows nothing, so no line


def test_a_page_that_forgets_the_log_still_writes_it(app_config, world):
    """The safety net: a view that renders a person's name without naming it to the log."""
    forgetful = Blueprint("forgetful", __name__)

    @forgetful.route("/vergeten/<int:candidate_id>")
    @any_user
    def page(candidate_id: int):
        candidate = db.session.get(Candidate, candidate_id)
        return f"<p>{candidate.full_name}, {candidate.phone}</p>"

    application = create_app(app_config)
    application.register_blueprint(forgetful)
    application.test_client_class = CsrfClient
    with application.app_context():
        candidate = register(world)
        client = application.test_client()
        assert login(client, "klantmanager").status_code == 302
        response = client.get(f"/vergeten/{candidate.id}", headers={"X-Request-ID": "forgot-0001"})
        assert candidate.full_name in response.text
        (line,) = _lines(candidate.id, "forgot-0001")
        assert (line.action, line.object_type, line.object_id) == ("view", "Page",
                                                                   "forgetful.page")
        assert line.data_categories == "naam,contact"
        assert line.actor_name == "klantmanager"


def test_no_page_is_sent_when_its_log_line_cannot_be_written(app, world, klantmanager_client,
                                                            monkeypatch):
    candidate = register(world)

    def broken(session, log):
        raise sa.exc.OperationalError("INSERT INTO processing_log", {}, Exception("disk full"))

    monkeypatch.setattr(rendering, "_insert", broken)
    response = klantmanager_client.get(f"/kandidaten/{candidate.id}/plan")
    assert response.status_code == 500
    assert candidate.last_name not in response.text


def test_an_export_writes_its_lines_in_one_insert(app, world, klantmanager_client, count_queries):
    people = [register(world, first_name=f"Persoon{i}", last_name=f"Export{i}", bsn=None)
              for i in range(4)]
    with count_queries() as counter:
        response = klantmanager_client.get("/kandidaten/export.csv",
                                           headers={"X-Request-ID": "export-0001"})
        assert response.data  # streamed: the rows (and their lines) come as it is read
    assert response.status_code == 200
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith(
        "INSERT INTO PROCESSING_LOG")]
    assert len(inserts) == 1
    for person in people:
        (line,) = _lines(person.id, "export-0001")
        assert line.action == "export"


def test_the_candidate_list_logs_each_person_shown(world, klantmanager_client):
    shown = register(world, first_name="Lijst", last_name="Zichtbaar", bsn=None)
    response = klantmanager_client.get("/kandidaten", headers={"X-Request-ID": "list-0001"})
    assert "Zichtbaar" in response.text
    (line,) = _lines(shown.id, "list-0001")
    assert line.action == "list"


# ------------------------------------------------------------------ the safety net's search

def _one_by_one(needles, text: str) -> set[str]:
    """What the safety net searched before: each value on its own, plain or escaped."""
    from markupsafe import escape

    return {n for n in needles if n in text or str(escape(n)) in text}


def test_one_pass_finds_overlapping_nested_and_escaped_values():
    needles = ["Jansen, Anna", "Anna Jansen", "Anna J.", "Anna Jansen-de Boer",
               "Jan de Vries", "de Vries, Jan", "O'Brien, Ömer", "Fatma & Zoë",
               "Een notitie over werk", "notitie over werk en zorg"]
    text = ("<td>Jansen, Anna Jansen-de Boer</td> de Vries, Jan de Vries "
            "O&#39;Brien, Ömer Een notitie over werk en zorg")
    found = rendering.Needles(needles).found(text)
    assert found == _one_by_one(needles, text) == {
        "Jansen, Anna", "Anna Jansen", "Anna Jansen-de Boer", "Jan de Vries",
        "de Vries, Jan", "O'Brien, Ömer", "Een notitie over werk",
        "notitie over werk en zorg"}
    assert rendering.Needles([]).found(text) == set()


def test_one_pass_gives_the_same_as_a_search_per_value_on_a_large_ledger():
    """About 1,600 people with five values each, as a ledger workbook loads them, in an
    XML text of several hundred thousand characters that shows a third of them (some
    only escaped) and shares long beginnings among the free texts."""
    import random

    from markupsafe import escape

    pick = random.Random(13)
    first = ["Jan", "Fatma", "Mohammed", "Anna", "Pieter", "Sanne", "Ömer", "Zoë"]
    last = ["de Vries", "Jansen", "Bakker", "O'Brien", "Yılmaz", "Smit & Zn"]
    needles = []
    for i in range(1600):
        name = f"{pick.choice(first)} {pick.choice(last)}{i}"
        needles += [name, f"06-{10000000 + i}", f"p{i}@voorbeeld.nl",
                    f"Gesprek gehad over {name} en werk", f"{name[:1]}. {i:05d}"]
    shown = needles[::3]
    text = "".join(f"<c><v>{escape(value) if k % 2 else value}</v></c>"
                   for k, value in enumerate(shown)) + "<x/>" * 20000
    found = rendering.Needles(needles).found(text)
    assert found == _one_by_one(needles, text)
    assert len(found) >= len(shown)
