"""Plan versions that mean something (trajectory/candidates/plan_versions.py): one version
per editing session, agreed until a change of substance, and the intaker who co-writes.

Issue 12, seen on the demo: "an agreed plan falls back to concept on any edit, and
entering one plan made nine versions".
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.candidates.support import actor_of, assign, register
from trajectory import timeutil
from trajectory.audit.trail import acting_as
from trajectory.candidates import services
from trajectory.candidates.models import Candidate, Goal, GoalStep, Plan, PlanVersion
from trajectory.candidates.plan_versions import EDIT_SESSION_GAP, changes
from trajectory.extensions import db
from trajectory.timeutil import today


class Clock:
    """``trajectory.timeutil.utcnow`` under the test's control."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self._real = timeutil.utcnow

    def __call__(self):
        return self._real() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timeutil, "utcnow", fake)
    return fake


def plan_of(candidate) -> Plan:
    db.session.expire_all()
    return db.session.get(Candidate, candidate.id).plan


def texts(plan: Plan, **values) -> dict[str, str]:
    data = {"lock_version": str(plan.lock_version), "wishes": plan.wishes,
            "skills": plan.skills, "needs": plan.needs, "agreements": plan.agreements}
    data.update(values)
    return data


def agree(client, candidate) -> None:
    plan = plan_of(candidate)
    response = client.post(f"/kandidaten/{candidate.id}/plan/vaststellen", data={
        "version_number": str(plan.current_number), "lock_version": str(plan.lock_version),
        "agreed_on": today().strftime("%d-%m-%Y"), "with_candidate": "y"})
    assert response.status_code == 302, response.text[:500]


def enter_a_plan(client, candidate) -> None:
    """Nine saves in one sitting, as a klantmanager types a plan at the kitchen table."""
    base = f"/kandidaten/{candidate.id}/plan"

    def ok(response):
        assert response.status_code == 302, response.text[:500]

    ok(client.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), wishes="Ik wil in de groenvoorziening werken.")))
    ok(client.post(f"{base}/doelen/nieuw", data={
        "description": "Werkritme opbouwen", "target_date": "01-06-2027", "status": "open"}))
    goal = db.session.scalars(sa.select(Goal).where(Goal.candidate_id == candidate.id)).one()
    ok(client.post(f"{base}/doelen/{goal.id}/stappen/nieuw", data={
        "description": "Proefdag bij de hovenier", "who": "Kandidaat",
        "due_date": "15-01-2027"}))
    ok(client.post(f"{base}/belemmeringen/nieuw", data={
        "category": "vervoer", "severity": "2", "solvable": "ja", "status": "open",
        "possible_despite": "Fietsen tot 10 km"}))
    ok(client.post(f"{base}/opleidingen/nieuw", data={
        "name": "Groen vakmanschap", "status": "gepland", "start_date": "01-02-2027",
        "end_date": "01-05-2027"}))
    ok(client.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), skills="Samenwerken in een ploeg.")))
    ok(client.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), agreements="We bellen elke maandag.")))
    ok(client.post(f"{base}/doelen/{goal.id}", data={
        "lock_version": str(plan_of(candidate).lock_version),
        "description": "Werkritme opbouwen: vier ochtenden per week",
        "target_date": "01-06-2027", "status": "bezig"}))
    ok(client.post(f"{base}/doelen/nieuw", data={
        "description": "Rijbewijs halen", "target_date": "01-12-2027", "status": "open"}))


# ------------------------------------------------------------------ one version per sitting

def test_nine_saves_in_one_sitting_make_one_version(klantmanager_client, world):
    candidate = register(world)
    enter_a_plan(klantmanager_client, candidate)
    plan = plan_of(candidate)
    assert plan.current_number == 1
    [version] = plan.versions
    assert version.save_count == 9 and version.author.username == "klantmanager"
    assert version.snapshot["agreements"] == "We bellen elke maandag."
    assert [g["description"] for g in version.snapshot["goals"]] == [
        "Werkritme opbouwen: vier ochtenden per week", "Rijbewijs halen"]
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}/plan/versies").text
    assert len(re.findall(rf"/kandidaten/{candidate.id}/plan/versies/\d+", page)) == 1


def _save(world, candidate, username: str, wishes: str):
    user = world.user(username)
    plan = plan_of(candidate)
    with acting_as(actor_of(user)):
        version = services.save_plan_texts(user, plan, {"wishes": wishes}, plan.lock_version)
        db.session.commit()
    return version


def test_the_session_ends_after_the_gap_or_with_another_author(world, clock):
    candidate = register(world)
    first = _save(world, candidate, "klantmanager", "Een")
    clock.advance(EDIT_SESSION_GAP - timedelta(minutes=1))
    assert _save(world, candidate, "klantmanager", "Twee").number == first.number == 1
    clock.advance(EDIT_SESSION_GAP - timedelta(minutes=1))  # the gap counts from the last save
    assert _save(world, candidate, "klantmanager", "Drie").number == 1
    clock.advance(EDIT_SESSION_GAP + timedelta(minutes=1))
    assert _save(world, candidate, "klantmanager", "Vier").number == 2
    assert _save(world, candidate, "m.devos", "Vijf").number == 3  # someone else
    assert _save(world, candidate, "klantmanager", "Zes").number == 4  # and back
    plan = plan_of(candidate)
    assert [(v.number, v.author.username, v.save_count, v.snapshot["wishes"])
            for v in plan.versions] == [(1, "klantmanager", 3, "Drie"),
                                        (2, "klantmanager", 1, "Vier"),
                                        (3, "m.devos", 1, "Vijf"), (4, "klantmanager", 1, "Zes")]


def test_agreeing_closes_the_version(klantmanager_client, world):
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate), wishes="Koken"))
    agree(klantmanager_client, candidate)
    # a minute later, by the same person: not folded into the agreed version
    klantmanager_client.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), wishes="Koken in een zorgcentrum"))
    plan = plan_of(candidate)
    assert [(v.number, v.agreed_on) for v in plan.versions] == [(1, today()), (2, None)]
    assert plan.agreed_version.snapshot["wishes"] == "Koken"


def test_agreeing_a_page_opened_before_a_later_save_is_refused(klantmanager_client, world):
    """The open version grows under its number: the page's lock decides."""
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate), wishes="Koken"))
    opened = plan_of(candidate)
    number, lock = opened.current_number, opened.lock_version
    klantmanager_client.post(f"{base}/bewerken", data=texts(opened, wishes="Koken en bakken"))
    assert plan_of(candidate).current_number == number
    response = klantmanager_client.post(f"{base}/vaststellen", data={
        "version_number": str(number), "lock_version": str(lock),
        "agreed_on": today().strftime("%d-%m-%Y"), "with_candidate": "y"})
    assert response.status_code == 200 and not plan_of(candidate).is_agreed


# ------------------------------------------------------------------ agreed until substance

def test_an_agreed_plan_stays_agreed_after_progress_and_a_resave(klantmanager_client, world):
    candidate = register(world)
    enter_a_plan(klantmanager_client, candidate)
    agree(klantmanager_client, candidate)
    base = f"/kandidaten/{candidate.id}/plan"
    plan = plan_of(candidate)
    # the same texts with other spaces and line breaks
    klantmanager_client.post(f"{base}/bewerken", data=texts(
        plan, wishes="Ik wil in de  groenvoorziening\r\nwerken.  "))
    step = db.session.scalars(sa.select(GoalStep).where(
        GoalStep.candidate_id == candidate.id)).one()
    goal = step.goal
    # progress: the step done, the goal's status
    for url, data in ((f"{base}/stappen/{step.id}", {
            "description": step.description, "who": step.who, "due_date": "15-01-2027",
            "done": "y"}),
            (f"{base}/doelen/{goal.id}", {
                "description": goal.description, "target_date": "01-06-2027",
                "status": "behaald"})):
        data["lock_version"] = str(plan_of(candidate).lock_version)
        assert klantmanager_client.post(url, data=data).status_code == 302
    plan = plan_of(candidate)
    assert db.session.get(GoalStep, step.id).done
    assert plan.is_agreed and plan.substance_changed_at is None
    assert plan.agreed_number == 1 and plan.current_number == 2  # progress is kept, in v2
    assert db.session.scalar(sa.select(Plan.id).where(
        Plan.id == plan.id, Plan.agreed_condition())) == plan.id
    page = klantmanager_client.get(f"{base}").text
    assert 'id="sinds-vaststelling"' not in page
    assert f"{base}/vaststellen" not in page  # nothing to agree on again


def test_a_change_of_substance_makes_a_draft_and_lists_what_changed(klantmanager_client,
                                                                    world):
    candidate = register(world)
    enter_a_plan(klantmanager_client, candidate)
    agree(klantmanager_client, candidate)
    base = f"/kandidaten/{candidate.id}/plan"
    step = db.session.scalars(sa.select(GoalStep).where(
        GoalStep.candidate_id == candidate.id)).one()
    klantmanager_client.post(f"{base}/doelen/nieuw", data={
        "description": "Vrijwilligerswerk bij de kinderboerderij", "status": "open"})
    klantmanager_client.post(f"{base}/stappen/{step.id}", data={
        "lock_version": str(plan_of(candidate).lock_version),
        "description": "Twee proefdagen bij de hovenier", "who": "Kandidaat",
        "due_date": "15-01-2027"})
    klantmanager_client.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), agreements="We bellen elke maandag en mailen op vrijdag."))
    plan = plan_of(candidate)
    assert not plan.is_agreed and plan.substance_changed_at is not None
    assert db.session.scalar(sa.select(Plan.id).where(
        Plan.id == plan.id, Plan.agreed_condition())) is None
    page = klantmanager_client.get(base).text
    section = page[page.index('id="sinds-vaststelling"'):]
    section = section[:section.index("</section>")]
    assert re.findall(r'data-change="([a-z:]+)"', section) == [
        "texts:changed", "goals:added", "steps:changed"]
    assert "Vrijwilligerswerk bij de kinderboerderij" in section
    assert "Twee proefdagen bij de hovenier" in section
    assert f"{base}/vergelijken?van=1&amp;naar=2" in section  # the compare view
    assert f"{base}/vaststellen" in page


def test_undoing_the_change_of_substance_makes_the_plan_agreed_again(klantmanager_client, world):
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate), wishes="Koken"))
    agree(klantmanager_client, candidate)
    klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate), wishes="Bakken"))
    assert not plan_of(candidate).is_agreed
    klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate), wishes="Koken"))
    assert plan_of(candidate).is_agreed


def test_changes_name_what_was_added_changed_and_removed(app):
    old = {"wishes": "Koken", "skills": "", "needs": "", "agreements": "",
           "goals": [{"id": 1, "description": "Werkritme", "target_date": None,
                      "status": "open", "steps": [{"id": 5, "description": "Proefdag",
                                                   "who": None, "due_date": None,
                                                   "done": False}]}],
           "barriers": [{"id": 2, "category": "vervoer", "description": None, "severity": 2,
                         "solvable": "ja", "possible_despite": None, "taken_up_by": None,
                         "status": "open"}],
           "trainings": []}
    new = {**old, "wishes": "Koken ", "goals": [{**old["goals"][0], "status": "behaald",
                                                 "steps": []}],
           "barriers": [],
           "trainings": [{"id": 3, "name": "VCA", "provider": None, "start_date": None,
                          "end_date": None, "status": "gepland", "certificate": False}]}
    with app.test_request_context():
        found = [(c.kind, c.action) for c in changes(old, new)]
    assert found == [("steps", "removed"), ("barriers", "removed"), ("trainings", "added")]


# ------------------------------------------------------------------ the intaker co-writes

def _stage(world, candidate, status="lopend", provider="Zorggroep Scheldezoom", **dates):
    from tests.stages.conftest import make_stage
    from trajectory.stages.models import StageKind, StageStatus

    return make_stage(world, candidate, provider, StageKind.WERKERVARINGSPLAATS,
                      StageStatus(status), hours_per_week=Decimal(20), **dates)


def test_a_connected_intaker_writes_the_plan_and_the_klantmanager_agrees(
        client_for, klantmanager_client, world):
    candidate = register(world)
    klantmanager_client.post(f"/kandidaten/{candidate.id}/plan/bewerken", data=texts(
        plan_of(candidate), wishes="Ik wil in de facilitaire dienst werken."))
    _stage(world, candidate)  # a running werkervaringsplaats at Zorggroep Scheldezoom
    intaker = client_for("intaker")
    base = f"/kandidaten/{candidate.id}/plan"
    page = intaker.get(base).text
    assert f"{base}/bewerken" in page and f"{base}/vaststellen" not in page
    page = intaker.get(f"{base}/bewerken").text
    assert "/verwijderen" not in page  # removing stays the klantmanager's
    assert intaker.post(f"{base}/doelen/nieuw", data={
        "description": "Zelfstandig de ochtendronde lopen", "status": "open"}).status_code == 302
    goal = db.session.scalars(sa.select(Goal).where(Goal.candidate_id == candidate.id)).one()
    assert intaker.post(f"{base}/doelen/{goal.id}/stappen/nieuw", data={
        "description": "Meelopen met de werkbegeleider", "who": "Fatima"}).status_code == 302
    assert intaker.post(f"{base}/bewerken", data=texts(
        plan_of(candidate), skills="Veilig werken met schoonmaakmiddelen.")).status_code == 302
    plan = plan_of(candidate)
    assert [(v.number, v.author.username, v.save_count) for v in plan.versions] == [
        (1, "klantmanager", 1), (2, "intaker", 3)]
    page = klantmanager_client.get(f"{base}/versies").text
    assert "Fatima El Amrani" in page
    # the intaker cannot agree, nor remove
    lock = str(plan.lock_version)
    assert intaker.get(f"{base}/vaststellen").status_code == 403
    assert intaker.post(f"{base}/vaststellen", data={
        "version_number": "2", "lock_version": lock, "agreed_on": today().strftime("%d-%m-%Y"),
        "with_candidate": "y"}).status_code == 403
    assert intaker.post(f"{base}/doelen/{goal.id}/verwijderen",
                        data={"lock_version": lock, "confirmed": "1"}).status_code == 403
    assert not plan_of(candidate).is_agreed
    agree(klantmanager_client, candidate)
    plan = plan_of(candidate)
    assert plan.is_agreed and plan.agreed_version.number == 2
    assert plan.agreed_version.agreed_by.username == "klantmanager"


def test_an_intaker_not_working_with_the_candidate_cannot_write_the_plan(client_for, world):
    candidate = register(world)
    assign(world, candidate, "buddy")  # Kees Dekker of Welzijn De Bevelanden: intaker2 reads
    base = f"/kandidaten/{candidate.id}/plan"
    intaker, intaker2 = client_for("intaker"), client_for("intaker2")
    lock = str(plan_of(candidate).lock_version)
    goal_data = {"description": "Iets", "status": "open", "lock_version": lock}
    # not connected at all: the file does not exist for them
    assert intaker.get(f"{base}/bewerken").status_code == 404
    assert intaker.post(f"{base}/doelen/nieuw", data=goal_data).status_code == 404
    # connected through the buddy only: reads the plan, does not write it
    assert intaker2.get(base).status_code == 200
    assert f"{base}/bewerken" not in intaker2.get(base).text
    assert intaker2.get(f"{base}/bewerken").status_code == 403
    assert intaker2.post(f"{base}/doelen/nieuw", data=goal_data).status_code == 403
    # a stage that ended (in the grace period) or is only proposed: no writing either
    _stage(world, candidate, "afgerond", provider="Stichting Welzijn De Bevelanden",
           start=today() - timedelta(days=90), end=today() - timedelta(days=10))
    _stage(world, candidate, "voorgesteld")
    assert intaker2.get(f"{base}/bewerken").status_code == 403
    assert intaker.get(f"{base}/bewerken").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(PlanVersion.id)).where(
        PlanVersion.candidate_id == candidate.id)) == 0


# ------------------------------------------------------------------ migration 0013

def _insert(conn, table: str, **values) -> None:
    """A row with ``values`` and a placeholder in every other required column."""
    columns = sa.inspect(conn).get_columns(table)
    row = dict(values)
    for column in columns:
        if column["name"] in row or column["nullable"] or column.get("default") is not None \
                or column.get("autoincrement") is True:
            continue
        kind = type(column["type"]).__name__.lower()
        row[column["name"]] = (
            1 if "int" in kind else False if "bool" in kind else "2026-01-05" if kind == "date"
            else "2026-01-05 10:00:00" if "time" in kind else "{}" if "json" in kind
            else f"{table}-{column['name']}")
    names = ", ".join(f'"{n}"' for n in row)
    conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES '
                         f'({", ".join(":" + n for n in row)})'), row)


def test_migration_0013_keeps_plans_saved_after_their_agreement_drafts(tmp_path):
    """Before 0013 every save was a version, so an agreed number below the current one
    meant "changed since": those plans stay drafts; versions get their last save."""
    from flask_migrate import upgrade

    from tests.conftest import base_config
    from trajectory import create_app

    app = create_app(base_config(f"sqlite:///{tmp_path / 'before.sqlite'}"))
    with app.app_context():
        upgrade(revision="0012_single_sign_on")
        with db.engine.begin() as conn:
            _insert(conn, "organisation", id=1)
            _insert(conn, "user_account", id=1, organisation_id=1)
            for number, (agreed, current) in enumerate(((1, 1), (1, 2), (None, 3)), start=1):
                _insert(conn, "candidate", id=number, municipality_id=1, klantmanager_id=1,
                        bsn=None)
                _insert(conn, "plan", id=number, candidate_id=number, agreed_number=agreed,
                        current_number=current, updated_at="2026-02-01 09:00:00")
                _insert(conn, "plan_version", id=number, plan_id=number, candidate_id=number,
                        number=1, created_at="2026-01-05 10:00:00")
        upgrade(revision="0013_plan_versions")
        with db.engine.connect() as conn:
            plans = conn.execute(sa.text(
                "SELECT id, substance_changed_at FROM plan ORDER BY id")).all()
            versions = conn.execute(sa.text(
                "SELECT updated_at, save_count FROM plan_version")).all()
        db.engine.dispose()
    assert [(pid, changed is not None) for pid, changed in plans] == [
        (1, False), (2, True), (3, False)]
    assert {(str(updated)[:16], count) for updated, count in versions} == {
        ("2026-01-05 10:00", 1)}
