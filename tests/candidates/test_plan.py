"""The personal plan: versions, agreeing, comparing, item forms and the conflict page."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.candidates.support import register
from trajectory.candidates.models import Barrier, Candidate, Goal, GoalStep, Plan, PlanVersion
from trajectory.extensions import db
from trajectory.timeutil import today


def plan_of(candidate) -> Plan:
    db.session.expire_all()
    return db.session.get(Candidate, candidate.id).plan


def texts(lock, **overrides):
    data = {"lock_version": str(lock), "wishes": "Ik wil koken in een zorgcentrum.",
            "skills": "", "needs": "", "agreements": ""}
    data.update(overrides)
    return data


def test_write_and_agree_then_a_change_starts_a_new_draft(klantmanager_client, world):
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    assert klantmanager_client.get(f"{base}/bewerken").status_code == 200
    response = klantmanager_client.post(f"{base}/bewerken", data=texts(plan_of(candidate).lock_version))
    assert response.status_code == 302
    plan = plan_of(candidate)
    assert plan.wishes == "Ik wil koken in een zorgcentrum." and plan.current_number == 1
    assert plan.versions[0].snapshot["wishes"] == plan.wishes
    assert plan.versions[0].author.username == "klantmanager"

    # an agreement needs the candidate's consent box; the input stays
    lock = str(plan_of(candidate).lock_version)
    response = klantmanager_client.post(f"{base}/vaststellen", data={
        "version_number": "1", "lock_version": lock, "agreed_on": today().strftime("%d-%m-%Y")})
    assert response.status_code == 200 and not plan_of(candidate).is_agreed
    response = klantmanager_client.post(f"{base}/vaststellen", data={
        "version_number": "1", "lock_version": lock, "agreed_on": today().strftime("%d-%m-%Y"),
        "with_candidate": "y"})
    assert response.status_code == 302
    plan = plan_of(candidate)
    assert plan.is_agreed and plan.versions[0].agreed_on == today()
    assert plan.versions[0].agreed_by.username == "klantmanager"

    klantmanager_client.post(f"{base}/bewerken", data=texts(
        plan.lock_version, wishes="Ik wil koken in een zorgcentrum.\nOf in een restaurant."))
    plan = plan_of(candidate)
    assert plan.current_number == 2 and not plan.is_agreed
    assert plan.agreed_version.number == 1  # the agreed version stays frozen
    assert plan.agreed_version.snapshot["wishes"] == "Ik wil koken in een zorgcentrum."


def test_saving_without_changes_writes_no_version(klantmanager_client, world):
    candidate = register(world)
    url = f"/kandidaten/{candidate.id}/plan/bewerken"
    klantmanager_client.post(url, data=texts(plan_of(candidate).lock_version))
    klantmanager_client.post(url, data=texts(plan_of(candidate).lock_version))
    assert plan_of(candidate).current_number == 1


def test_agreeing_an_outdated_page_is_refused(klantmanager_client, goes):
    plan = plan_of(goes)
    response = klantmanager_client.post(f"/kandidaten/{goes.id}/plan/vaststellen", data={
        "version_number": str(plan.current_number - 1),
        "agreed_on": today().strftime("%d-%m-%Y"), "with_candidate": "y"})
    assert response.status_code == 200
    assert not plan_of(goes).is_agreed


def test_goal_step_barrier_and_training_forms(klantmanager_client, world):
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    response = klantmanager_client.post(f"{base}/doelen/nieuw", data={
        "description": "Rijbewijs halen", "target_date": "01-06-2027", "status": "open"})
    assert response.status_code == 302
    goal = db.session.scalars(sa.select(Goal)).one()
    response = klantmanager_client.post(f"{base}/doelen/{goal.id}/stappen/nieuw", data={
        "description": "Theorieboek kopen", "who": "Kandidaat", "due_date": "2026-12-15"})
    assert response.status_code == 302
    step = db.session.scalars(sa.select(GoalStep)).one()
    assert step.goal_id == goal.id and not step.done
    response = klantmanager_client.post(f"{base}/belemmeringen/nieuw", data={
        "category": "vervoer", "severity": "2", "solvable": "ja", "status": "open",
        "possible_despite": "Fietsen"})
    assert response.status_code == 302
    response = klantmanager_client.post(f"{base}/opleidingen/nieuw", data={
        "name": "Theoriecursus", "status": "gepland", "start_date": "01-01-2027",
        "end_date": "01-02-2027", "certificate": "y"})
    assert response.status_code == 302
    plan = plan_of(candidate)
    # one sitting, one version (trajectory/candidates/plan_versions.py)
    assert plan.current_number == 1 and plan.versions[0].save_count == 4
    assert plan.versions[0].summary == "doelen:add,stappen:add,belemmeringen:add,opleidingen:add"
    snap = plan.versions[-1].snapshot
    assert snap["goals"][0]["steps"][0]["description"] == "Theorieboek kopen"
    assert snap["barriers"][0]["category"] == "vervoer"
    assert snap["trainings"][0]["certificate"] is True

    # edit the step: done
    response = klantmanager_client.post(f"{base}/stappen/{step.id}", data={
        "lock_version": str(plan.lock_version), "description": "Theorieboek kopen",
        "who": "Kandidaat", "due_date": "15-12-2026", "done": "y"})
    assert response.status_code == 302
    assert db.session.get(GoalStep, step.id).done
    # remove the barrier
    plan = plan_of(candidate)
    barrier_id = db.session.scalars(sa.select(Barrier.id)).one()
    response = klantmanager_client.post(f"{base}/belemmeringen/{barrier_id}/verwijderen",
                                        data={"lock_version": str(plan.lock_version),
                                              "confirmed": "1"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Barrier.id)).all() == []
    plan = plan_of(candidate)
    assert plan.current_number == 1 and plan.versions[-1].snapshot["barriers"] == []
    assert plan.versions[-1].save_count == 6


def test_item_forms_re_render_bad_input(klantmanager_client, world):
    candidate = register(world)
    base = f"/kandidaten/{candidate.id}/plan"
    cases = [
        ("doelen/nieuw", {"description": "", "target_date": "morgen", "status": "open"}, "morgen"),
        ("belemmeringen/nieuw", {"category": "schulden", "severity": "7", "solvable": "ja",
                                 "status": "open", "taken_up_by": "Schuldhulp"}, "Schuldhulp"),
        ("opleidingen/nieuw", {"name": "Cursus", "status": "gepland", "start_date": "01-02-2027",
                               "end_date": "01-01-2027"}, "01-01-2027"),
    ]
    for path, data, kept in cases:
        response = klantmanager_client.post(f"{base}/{path}", data=data)
        assert response.status_code == 200, path
        assert "utrecht-form-field-error-message" in response.text, path
        assert kept in response.text, path
    assert plan_of(candidate).current_number == 0
    response = klantmanager_client.post(f"{base}/bewerken",
                                        data=texts(plan_of(candidate).lock_version,
                                                   wishes="x" * 5001, needs="Mijn tekst"))
    assert response.status_code == 200 and "Mijn tekst" in response.text


def test_a_stale_save_gets_the_conflict_page_with_both_texts(app, world, client_for):
    candidate = register(world)
    sanne, mirjam = client_for("klantmanager"), client_for("m.devos")
    url = f"/kandidaten/{candidate.id}/plan/bewerken"
    lock = plan_of(candidate).lock_version  # both open the form on this version
    assert sanne.post(url, data=texts(lock, wishes="Sanne: werken met ouderen.")).status_code == 302
    response = mirjam.post(url, data=texts(lock, wishes="Mirjam: werken in de keuken.",
                                           agreements="Elke week bellen."))
    assert response.status_code == 409
    page = response.text
    assert "Sanne: werken met ouderen." in page  # the saved text
    assert "Mirjam: werken in de keuken." in page  # the user's own input, in the form too
    assert page.count("Elke week bellen.") >= 2
    plan = plan_of(candidate)
    assert plan.wishes == "Sanne: werken met ouderen." and plan.current_number == 1
    assert f'name="lock_version" type="hidden" value="{plan.lock_version}"' in page
    # saving again on top, from the conflict page, works
    response = mirjam.post(url, data=texts(plan.lock_version, wishes="Mirjam: werken in de keuken."))
    assert response.status_code == 302
    assert plan_of(candidate).wishes == "Mirjam: werken in de keuken."


def test_a_stale_item_edit_gets_the_conflict_page(klantmanager_client, goes):
    plan = plan_of(goes)
    goal = plan.goals[0]
    old_lock = plan.lock_version
    url = f"/kandidaten/{goes.id}/plan/doelen/{goal.id}"
    assert klantmanager_client.post(url, data={
        "lock_version": str(old_lock), "description": "Eerste versie van het doel",
        "status": "open"}).status_code == 302
    response = klantmanager_client.post(url, data={
        "lock_version": str(old_lock), "description": "Tweede versie van het doel",
        "status": "open"})
    assert response.status_code == 409
    assert "Eerste versie van het doel" in response.text
    assert "Tweede versie van het doel" in response.text


def test_a_stale_remove_is_refused_and_says_so(klantmanager_client, goes):
    plan = plan_of(goes)
    goal = plan.goals[0]
    response = klantmanager_client.post(
        f"/kandidaten/{goes.id}/plan/doelen/{goal.id}/verwijderen",
        data={"lock_version": str(plan.lock_version - 1)})
    assert response.status_code == 302
    assert db.session.get(Goal, goal.id) is not None


def test_versions_view_and_compare(client_for, buddy_client, goes):
    base = f"/kandidaten/{goes.id}/plan"
    plan = plan_of(goes)
    # A second sitting, by a colleague: version 2 (write_plan made version 1 in one sitting)
    colleague = client_for("m.devos")
    assert colleague.post(f"{base}/doelen/{plan.goals[0].id}", data={
        "lock_version": str(plan.lock_version),
        "description": "Werkervaring opdoen in een verpleeghuis in Goes",
        "status": "bezig"}).status_code == 302
    plan = plan_of(goes)
    assert plan.current_number == 2
    page = colleague.get(f"{base}/versies").text
    assert f"{base}/versies/2" in page and f"{base}/versies/1" in page
    page = colleague.get(f"{base}/versies/1").text
    assert "Ik wil graag in de zorg werken" in page and "verpleeghuis in Goes" not in page
    page = buddy_client.get(f"{base}/vergelijken?van=1&naar=2").text
    assert "<ins>" in page and "<del>" in page and "verpleeghuis in Goes" in page
    assert colleague.get(f"{base}/vergelijken?van=1&naar=99").status_code == 404
    assert colleague.get(f"{base}/versies/99").status_code == 404


def test_compare_shows_removed_and_added_lines(app, world):
    from trajectory.candidates.plan_text import compare

    old = {"wishes": "Werken met ouderen\nIn Goes", "goals": [], "barriers": [], "trainings": []}
    new = {"wishes": "Werken met ouderen\nIn Middelburg", "goals": [], "barriers": [],
           "trainings": []}
    with app.test_request_context():
        wishes = next(s for s in compare(old, new) if s.key == "wishes")
    assert wishes.lines == [(" ", "Werken met ouderen"), ("-", "In Goes"), ("+", "In Middelburg")]


def test_buddy_reads_the_plan_but_cannot_edit_it(buddy_client, goes):
    assert buddy_client.get(f"/kandidaten/{goes.id}/plan").status_code == 200
    lock = plan_of(goes).lock_version
    for method, path in (("get", "plan/bewerken"), ("post", "plan/bewerken"),
                         ("post", "plan/doelen/nieuw"), ("get", "plan/vaststellen")):
        response = getattr(buddy_client, method)(f"/kandidaten/{goes.id}/{path}",
                                                 data={"lock_version": str(lock)})
        assert response.status_code == 403, path
    assert plan_of(goes).lock_version == lock


def test_the_coordinator_cannot_read_plans(coordinator_client, goes):
    assert coordinator_client.get(f"/kandidaten/{goes.id}/plan").status_code == 403


def test_items_of_another_candidate_are_not_found(klantmanager_client, world, goes):
    other = register(world, first_name="Ander", last_name="Mens")
    goal = plan_of(goes).goals[0]
    response = klantmanager_client.get(f"/kandidaten/{other.id}/plan/doelen/{goal.id}")
    assert response.status_code == 404


def test_plan_changes_are_in_the_history(klantmanager_client, goes):
    page = klantmanager_client.get(f"/kandidaten/{goes.id}").text
    assert "Werkervaring opdoen in een verpleeghuis" in page  # the goal's creation
    versions = db.session.scalar(sa.select(sa.func.count(PlanVersion.id)))
    assert versions == 1  # written in one sitting (tests/candidates/support.write_plan)


def test_next_step_is_the_earliest_open_one(world, goes):
    from tests.candidates.support import actor_of
    from trajectory.audit.trail import acting_as
    from trajectory.candidates import services

    plan = plan_of(goes)
    user = world.user("klantmanager")
    with acting_as(actor_of(user)):
        services.add_plan_item(user, plan, "stappen", {
            "description": "Eerder", "who": "Kees", "due_date": today() + timedelta(days=2),
            "done": False}, goal=plan.goals[0])
        services.add_plan_item(user, plan, "stappen", {
            "description": "Al gedaan", "who": "Kees", "due_date": today(), "done": True},
            goal=plan.goals[0])
        db.session.commit()
    assert plan_of(goes).next_open_step().description == "Eerder"
