"""A buddy's app posts contacts: the buddy form's rules, idempotent with a client key."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.api.support import bearer, token_for
from tests.candidates.support import goes_file
from trajectory.api.models import ApiIdempotency
from trajectory.api.services import issue_token
from trajectory.audit.models import AuditEvent
from trajectory.auth.roles import Role
from trajectory.contacts.models import ContactLog
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.timeutil import today

BUDDY_ORG = "Stichting Welzijn De Bevelanden"  # Kees Dekker's ("buddy")


@pytest.fixture
def goes(world):
    return goes_file(world)


def _body(**overrides):
    body = {"contactOn": today().isoformat(), "kind": "gesprek",
            "note": "Koffie gedronken, rooster besproken.", "wellbeing": 4}
    body.update(overrides)
    return body


def _contacts(candidate_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog).where(
        ContactLog.candidate_id == candidate_id))


def _post(client, candidate_id, plain, body=None, key=None):
    headers = bearer(plain) | ({"Idempotency-Key": key} if key else {})
    return client.post(f"/api/v1/candidates/{candidate_id}/contacts", headers=headers,
                       json=body or _body())


def test_the_buddys_app_logs_a_contact_as_the_form_does(client, world, goes):
    row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    response = _post(client, goes.id, plain, _body(signalCategory="schulden",
                                                   signalText="Brief van de deurwaarder."))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["candidate"] == goes.id and body["kind"] == "gesprek"
    assert body["signalCategory"] == "schulden" and body["hasNote"] is True
    # The answer repeats no free text and names no one.
    assert "deurwaarder" not in response.text and "Koffie" not in response.text
    assert goes.first_name not in response.text
    entry = db.session.get(ContactLog, body["id"])
    assert entry.buddy_id == world.user("buddy").id
    assert entry.signal_text == "Brief van de deurwaarder."
    trail = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "ContactLog", AuditEvent.object_id == str(entry.id))).all()
    assert [(e.actor_user_id, e.actor_name) for e in trail] == [
        (world.user("buddy").id, f"api:{row.id}:Testkoppeling")]


@pytest.mark.parametrize("overrides,field", [
    ({"contactOn": (today() + timedelta(days=1)).isoformat()}, "contactOn"),
    ({"contactOn": (today() - timedelta(days=200)).isoformat()}, "contactOn"),
    ({"signalCategory": "schulden"}, "signalText"),
])
def test_the_forms_rules_are_422s_naming_the_field(client, world, goes, overrides, field):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    response = _post(client, goes.id, plain, _body(**overrides))
    assert response.status_code == 422
    assert response.get_json()["title"] == "Niet te verwerken"
    assert response.get_json()["invalidParams"][0]["name"] == field
    assert _contacts(goes.id) == 0


@pytest.mark.parametrize("overrides,field", [
    ({"wellbeing": 9}, "wellbeing"), ({"kind": "brief"}, "kind"),
    ({"note": "x" * 501}, "note"), ({"contactOn": "31-03-2026"}, "contactOn"),
])
def test_a_body_outside_the_document_is_a_400(client, world, goes, overrides, field):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    response = _post(client, goes.id, plain, _body(**overrides))
    assert response.status_code == 400
    assert [p["name"] for p in response.get_json()["invalidParams"]] == [field]


def test_another_buddy_gets_404_and_a_non_buddy_403(client, world, goes):
    _row, other = token_for(world, "Zorggroep Scheldezoom", Role.BUDDY, {"contacts:write"},
                            user="a.jansen")
    assert _post(client, goes.id, other).status_code == 404
    _km, km = token_for(world, "Goes", Role.KLANTMANAGER, {"contacts:write"})
    assert _post(client, goes.id, km).status_code == 403
    assert _contacts(goes.id) == 0


def test_a_buddy_token_needs_that_buddys_account(world):
    for org, user in ((BUDDY_ORG, None), ("Zorggroep Scheldezoom", "buddy"),
                      (BUDDY_ORG, "intaker2")):
        with pytest.raises(ServiceError):
            issue_token(organisation=world.org(org), client_name="App", acts_as=Role.BUDDY,
                        scopes={"contacts:write"}, days=30, issued_by=world.user("beheer"),
                        user=world.user(user) if user else None)
    with pytest.raises(ServiceError):
        issue_token(organisation=world.org("Goes"), client_name="Systeem",
                    acts_as=Role.KLANTMANAGER, scopes={"ledger:read"}, days=30,
                    issued_by=world.user("beheer"), user=world.user("klantmanager"))


def test_a_deactivated_buddy_account_stops_its_token(client, world, goes):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    world.user("buddy").active = False
    db.session.commit()
    assert _post(client, goes.id, plain).status_code == 401


def test_a_retry_with_the_same_key_returns_the_first_answer(client, world, goes):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    first = _post(client, goes.id, plain, key="3f1c-retry-1")
    again = _post(client, goes.id, plain, key="3f1c-retry-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _contacts(goes.id) == 1
    other = _post(client, goes.id, plain, key="3f1c-retry-2")
    assert other.status_code == 201 and _contacts(goes.id) == 2


def test_the_same_key_with_another_body_is_a_422(client, world, goes):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    assert _post(client, goes.id, plain, key="k1").status_code == 201
    changed = _post(client, goes.id, plain, _body(kind="telefoon"), key="k1")
    assert changed.status_code == 422
    assert changed.get_json()["invalidParams"][0]["name"] == "Idempotency-Key"
    assert _contacts(goes.id) == 1


def test_a_refused_post_claims_no_key(client, world, goes):
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    future = (today() + timedelta(days=3)).isoformat()
    assert _post(client, goes.id, plain, _body(contactOn=future), key="k2").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiIdempotency)) == 0


def test_keys_are_per_token_and_malformed_keys_refused(client, world, goes):
    _a, first = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    _b, second = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    assert _post(client, goes.id, first, key="same").status_code == 201
    assert _post(client, goes.id, second, key="same").status_code == 201
    assert _contacts(goes.id) == 2
    bad = _post(client, goes.id, first, key="met spatie")
    assert bad.status_code == 400
    assert bad.get_json()["invalidParams"][0]["name"] == "Idempotency-Key"


def test_concurrent_retries_make_one_contact(app, world, goes):
    """Four copies of one post at the same moment (an app retrying on a bad line): one
    contact, four equal answers."""
    _row, plain = token_for(world, BUDDY_ORG, Role.BUDDY, {"contacts:write"})
    start, answers, candidate_id = threading.Barrier(4), [], goes.id

    def post():
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = _post(client, candidate_id, plain, key="gelijktijdig-1")
            answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _body in answers] == [201] * 4, answers
    assert len({body["id"] for _status, body in answers}) == 1
    assert _contacts(goes.id) == 1
