"""Logging in and out, throttling, revocable sessions, idle timeout, passwords."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from tests.auth.session_support import idle_for
from tests.conftest import login
from trajectory.audit.models import SecurityEvent
from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password
from trajectory.extensions import db

WRONG = "this-is-not-the-password"


def _alert(response) -> str:
    """The text of the page's alert box."""
    match = re.search(r'role="alert">(.*?)</div>\s*</div>', response.text, re.S)
    assert match, "no alert on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_login_form_uses_the_pinned_field_names(client, world):
    page = client.get("/inloggen").text
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert 'name="csrf_token"' in page


def test_wrong_password_and_unknown_account_give_the_same_message(client, world):
    wrong = client.post("/inloggen", data={"username": "klantmanager", "password": WRONG})
    unknown = client.post("/inloggen", data={"username": "niemand", "password": WRONG})
    assert wrong.status_code == unknown.status_code == 200
    assert _alert(wrong) == _alert(unknown)
    assert _alert(wrong)


def test_a_failed_login_is_recorded_as_a_security_event(client, world):
    client.post("/inloggen", data={"username": "klantmanager", "password": WRONG},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    event = db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.result == "failure")).one()
    assert (event.event, event.username, event.origin_ip) == ("login", "klantmanager", "10.1.2.3")
    assert event.at is not None and event.request_id


def test_the_sixth_quick_failure_for_an_account_is_throttled(app, world):
    # Each attempt from another address: the per-account limit still applies.
    for attempt in range(5):
        response = app.test_client().post(
            "/inloggen", data={"username": "klantmanager", "password": WRONG},
            environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"})
        assert response.status_code == 200
    sixth = app.test_client().post(
        "/inloggen", data={"username": "klantmanager", "password": "demo-trajectory-2026"},
        environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert sixth.status_code == 429
    assert "<h1" in sixth.text
    # Another account is not locked out by it.
    other = app.test_client().post(
        "/inloggen", data={"username": "klantmanager2", "password": "demo-trajectory-2026"},
        environ_base={"REMOTE_ADDR": "10.0.0.98"})
    assert other.status_code == 302


def test_the_sixth_quick_failure_from_one_address_is_throttled(app, world):
    client = app.test_client()
    for name in ("a", "b", "c", "d", "e"):
        assert client.post("/inloggen", data={"username": name, "password": WRONG}).status_code == 200
    assert client.post("/inloggen", data={"username": "f", "password": WRONG}).status_code == 429


def test_successful_logins_do_not_count_towards_the_throttle(app, world):
    for _ in range(7):
        client = app.test_client()
        assert login(client, "buddy").status_code == 302


def test_a_deactivated_account_gets_the_generic_message(client, world):
    user = world.user("buddy")
    user.active = False
    db.session.commit()
    response = login(client, "buddy")
    assert response.status_code == 200
    assert _alert(response) == _alert(login(client, "buddy", WRONG))


def test_next_parameter_only_accepts_local_paths(app, world):
    # The place to return to survives the second step (the code page).
    client = app.test_client()
    response = login(client, "beheer", path="/inloggen?next=/beheer/gebruikers")
    assert response.headers["Location"] == "/beheer/gebruikers"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = app.test_client()
        response = login(client, "beheer", path=f"/inloggen?next={evil}")
        assert response.headers["Location"] == "/", evil
    # An account without a second factor goes there straight from the password.
    user = world.user("klantmanager")
    user.totp_secret = user.totp_enrolled_at = None
    db.session.commit()
    response = app.test_client().post("/inloggen?next=/wachtwoord", data={
        "username": "klantmanager", "password": "demo-trajectory-2026"})
    assert response.headers["Location"] == "/wachtwoord"


def test_logout_ends_the_session_in_this_browser(app, world):
    client = app.test_client()
    login(client, "klantmanager")
    assert client.get("/").status_code == 200
    assert client.post("/uitloggen").status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_logout_everywhere_makes_a_copied_cookie_useless(app, world):
    client = app.test_client()
    login(client, "klantmanager")
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post("/overal-uitloggen")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert thief.get("/").status_code == 302


def test_logout_everywhere_ends_every_session(app, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "buddy")
    login(laptop, "buddy")
    assert laptop.get("/").status_code == 200
    assert phone.post("/overal-uitloggen").status_code == 302
    response = laptop.get("/")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "intaker")
    login(elsewhere, "intaker")
    response = here.post("/wachtwoord", data={
        "current_password": "demo-trajectory-2026",
        "new_password": "een lange zin van mij zelf",
        "confirm_password": "een lange zin van mij zelf",
    })
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), "intaker", "een lange zin van mij zelf").status_code == 302
    assert login(app.test_client(), "intaker").status_code == 200  # old password refused


@pytest.mark.parametrize("new_password", ["kort", "intaker-wachtwoord", "aaaaaaaaaaaaaaaa", "oosterschelde"])
def test_weak_new_passwords_are_refused_with_a_message(app, world, new_password):
    client = app.test_client()
    login(client, "intaker")
    response = client.post("/wachtwoord", data={
        "current_password": "demo-trajectory-2026",
        "new_password": new_password, "confirm_password": new_password,
    })
    assert response.status_code == 200
    assert "utrecht-form-field-error-message" in response.text
    assert login(app.test_client(), "intaker").status_code == 302  # unchanged


def test_idle_session_expires(app, world):
    client = app.test_client()
    login(client, "klantmanager")
    idle_for(client, 31)
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    assert client.get("/").status_code == 302  # logged out for good


def test_activity_keeps_the_session_alive(app, world):
    client = app.test_client()
    login(client, "klantmanager")
    idle_for(client, 29)
    assert client.get("/").status_code == 200
    idle_for(client, 29)
    assert client.get("/").status_code == 200


def test_passwords_are_stored_as_argon2id(app, world):
    stored = db.session.scalars(sa.select(User).where(User.username == "buddy")).one().password_hash
    assert stored.startswith("$argon2id$")
    assert "demo-trajectory-2026" not in stored


def test_production_hash_parameters_meet_owasp_minimum():
    # argon2-cffi's defaults (used when nothing is configured): RFC 9106 low-memory.
    hasher = PasswordHasher()
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024


def test_an_old_hash_is_upgraded_at_login(app, world):
    user = world.user("buddy")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("demo-trajectory-2026")
    user.password_hash = weak
    db.session.commit()
    assert login(app.test_client(), "buddy").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash != weak


def test_a_temporary_password_forces_a_change_first(app, world):
    user = world.user("coordinator")
    user.password_hash = hash_password("tijdelijk-1234-abcd")
    user.must_change_password = True
    db.session.commit()
    client = app.test_client()
    assert login(client, "coordinator", "tijdelijk-1234-abcd").status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/wachtwoord")
