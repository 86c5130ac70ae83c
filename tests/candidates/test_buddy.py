"""Buddies: assigning, reassigning with history, and the home panels."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.candidates.support import assign, register
from trajectory.candidates.models import BuddyAssignment, Candidate
from trajectory.extensions import db
from trajectory.timeutil import today


def assignments(candidate) -> list[BuddyAssignment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(BuddyAssignment).where(
        BuddyAssignment.candidate_id == candidate.id).order_by(BuddyAssignment.start_date)))


def test_assign_and_reassign_keeps_the_history(klantmanager_client, world):
    candidate = register(world)
    url = f"/kandidaten/{candidate.id}/buddy"
    page = klantmanager_client.get(url).text
    assert "Kees Dekker (Stichting Welzijn De Bevelanden)" in page
    start = today() - timedelta(days=40)
    response = klantmanager_client.post(url, data={
        "buddy_id": str(world.user("a.jansen").id), "start_date": start.strftime("%d-%m-%Y"),
        "contact_phone": "0113 123456"})
    assert response.status_code == 302
    response = klantmanager_client.post(url, data={
        "buddy_id": str(world.user("buddy").id), "start_date": today().isoformat()})
    assert response.status_code == 302
    first, second = assignments(candidate)
    assert (first.buddy.username, first.start_date, first.end_date) == (
        "a.jansen", start, today() - timedelta(days=1))
    assert first.contact_phone == "0113 123456"
    assert (second.buddy.username, second.end_date) == ("buddy", None)
    assert db.session.get(Candidate, candidate.id).current_buddy.username == "buddy"
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    assert "Ahmet Jansen" in page and "Kees Dekker" in page


def test_buddy_form_errors_keep_the_input(klantmanager_client, world):
    candidate = register(world)
    assign(world, candidate, "buddy", start=today() - timedelta(days=5))
    url = f"/kandidaten/{candidate.id}/buddy"
    cases = [
        {"buddy_id": "", "start_date": "01-01-2026"},
        {"buddy_id": str(world.user("klantmanager").id), "start_date": "01-01-2026"},  # no buddy
        {"buddy_id": str(world.user("buddy").id), "start_date": today().isoformat()},  # same one
        {"buddy_id": str(world.user("a.jansen").id),
         "start_date": (today() - timedelta(days=10)).isoformat()},  # before the current start
        {"buddy_id": str(world.user("a.jansen").id), "start_date": "morgen"},
        {"buddy_id": str(world.user("a.jansen").id), "start_date": today().isoformat(),
         "contact_phone": "bellen"},
    ]
    for data in cases:
        response = klantmanager_client.post(url, data=data)
        assert response.status_code == 200, data
        assert "utrecht-form-field-error-message" in response.text, data
        assert data["start_date"] in response.text, data
    assert len(assignments(candidate)) == 1


def test_the_buddy_sees_only_their_candidate_and_loses_it_on_reassignment(
        buddy_client, world):
    candidate = register(world)
    other = register(world, first_name="Iemand", last_name="Anders")
    assign(world, candidate, "buddy", start=today() - timedelta(days=10))
    assign(world, other, "a.jansen")
    assert buddy_client.get(f"/kandidaten/{candidate.id}").status_code == 200
    assert buddy_client.get(f"/kandidaten/{other.id}").status_code == 404
    assign(world, candidate, "a.jansen", start=today())
    assert buddy_client.get(f"/kandidaten/{candidate.id}").status_code == 404


def test_buddy_home_lists_candidates_with_the_next_step(buddy_client, goes):
    page = buddy_client.get("/").text
    assert "Zoë de Vries" in page
    assert "Kennismaken op de afdeling" in page  # the earliest open step of the plan


def test_klantmanager_home_counts_what_needs_attention(klantmanager_client, world, goes):
    register(world, first_name="Zonder", last_name="Buddy")  # no buddy, no plan
    register(world, first_name="Verloopt", last_name="Binnenkort",
             consent_expires_on=today() + timedelta(days=10))
    page = klantmanager_client.get("/").text
    assert "attention=geen_buddy" in page
    assert "attention=plan_niet_vastgesteld" in page
    assert "attention=toestemming_verloopt" in page
    from trajectory.candidates.panels import klantmanager_context

    context = klantmanager_context(world.user("klantmanager"))
    counts = {key: count for key, _label, count in context["attention"]}
    assert counts == {"geen_buddy": 2, "plan_niet_vastgesteld": 3, "toestemming_verloopt": 1}
    assert context["open"] == 3
    assert klantmanager_context(world.user("klantmanager2"))["open"] == 0


def test_a_closed_file_gets_no_new_buddy(klantmanager_client, world, goes):
    klantmanager_client.post(f"/kandidaten/{goes.id}/status", data={
        "status": "uitgestroomd", "outflow_reason": "verhuisd"})
    response = klantmanager_client.post(f"/kandidaten/{goes.id}/buddy", data={
        "buddy_id": str(world.user("a.jansen").id), "start_date": today().isoformat()})
    assert response.status_code == 200
    assert len(assignments(goes)) == 1
