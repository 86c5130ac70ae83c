"""The audit trail records every change with old and new values, in one place."""

from __future__ import annotations

import sqlalchemy as sa

from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.audit.trail import Actor, acting_as, history_for, log_processing, viewers_of
from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind


def _events(object_type: str, object_id) -> list[AuditEvent]:
    return list(reversed(history_for(object_type, object_id)))


def test_create_update_delete_are_recorded_with_old_and_new_values(app):
    with acting_as(Actor(user_id=7, name="tester", organisation_id=3)):
        org = Organisation(name="Zorg Test", kind=OrganisationKind.PROVIDER)
        db.session.add(org)
        db.session.commit()
        org.name = "Zorg Test B.V."
        db.session.commit()
        org_id = org.id
        db.session.delete(org)
        db.session.commit()
    create, update, delete = _events("Organisation", org_id)
    assert (create.action, update.action, delete.action) == ("create", "update", "delete")
    assert create.changes["name"] == [None, "Zorg Test"]
    assert create.changes["kind"] == [None, "zorgaanbieder"]
    assert update.changes == {"name": ["Zorg Test", "Zorg Test B.V."]}
    assert delete.changes["name"] == ["Zorg Test B.V.", None]
    assert (update.actor_user_id, update.actor_name, update.actor_organisation_id) == (7, "tester", 3)


def test_an_unchanged_save_writes_nothing(app):
    org = Organisation(name="Rust", kind=OrganisationKind.PROVIDER)
    db.session.add(org)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    org.name = "Rust"
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_secrets_are_recorded_as_changed_without_their_values(app, world):
    user = world.user("buddy")
    old_hash = user.password_hash
    user.password_hash = "$argon2id$something-new"
    db.session.commit()
    event = _events("User", user.id)[-1]
    assert event.changes["password_hash"] == ["***", "***"]
    assert old_hash not in str(event.changes)


def test_changes_through_a_page_carry_the_user_and_request(app, beheer_client, world):
    target = world.user("buddy")
    response = beheer_client.post(f"/beheer/gebruikers/{target.id}/actief")
    assert response.status_code == 302
    event = _events("User", target.id)[-1]
    assert event.changes["active"] == [True, False]
    assert event.actor_name == "beheer"
    assert event.actor_organisation_id == world.org("Regio Oosterschelde").id
    assert event.request_id


def test_history_is_shown_on_the_account_page(app, beheer_client, world):
    target = world.user("buddy")
    beheer_client.post(f"/beheer/gebruikers/{target.id}/actief")
    page = beheer_client.get(f"/beheer/gebruikers/{target.id}").text
    assert "beheer" in page
    assert "active" in page


def test_processing_log_records_who_saw_whose_data(app, world):
    with acting_as(Actor(user_id=world.user("klantmanager").id, name="klantmanager",
                         organisation_id=world.org("Goes").id, roles="klantmanager")):
        log_processing("view", "Candidate", 42, subject=("Candidate", 42),
                       categories=("identiteit", "plan"))
        db.session.commit()
    (entry,) = viewers_of("Candidate", 42)
    assert isinstance(entry, ProcessingLogEntry)
    assert (entry.action, entry.object_type, entry.object_id) == ("view", "Candidate", "42")
    assert entry.actor_roles == "klantmanager"
    assert entry.actor_organisation_id == world.org("Goes").id
    assert entry.result == "success"
    assert entry.data_categories == "identiteit,plan"
    assert entry.at is not None


def test_logins_and_health_checks_leave_no_processing_log(app, client, world):
    client.get("/healthz")
    client.get("/readyz")
    client.post("/inloggen", data={"username": "buddy", "password": "demo-trajectory-2026"})
    assert db.session.scalar(sa.select(sa.func.count(ProcessingLogEntry.id))) == 0


def test_user_account_changes_name_the_actor_even_from_the_cli(app):
    org = Organisation(name="Regio", kind=OrganisationKind.REGION)
    db.session.add(org)
    db.session.flush()
    with acting_as(Actor(user_id=None, name="cli", organisation_id=None)):
        db.session.add(User(username="eerste", full_name="Eerste", organisation=org,
                            password_hash="x"))
        db.session.commit()
    user_id = db.session.scalar(sa.select(User.id).where(User.username == "eerste"))
    assert _events("User", user_id)[0].actor_name == "cli"
