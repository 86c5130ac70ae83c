"""Sessions on the server (trajectory/auth/sessions.py): a row per login that logout, the
absolute lifetime, the idle timeout and an administrator end; the cookie carries only a
random key under a ``__Host-`` name; form input kept across an idle logout stays on the
server, for the same user only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.auth.session_support import cookie_contents, idle_for, raw_cookie_text, session_row
from tests.candidates.support import register
from tests.conftest import CsrfClient, base_config, login
from trajectory import create_app, timeutil
from trajectory.audit.models import SecurityEvent
from trajectory.auth.session_models import EndReason, KeptInput, UserSession
from trajectory.auth.sessions import SESSION_KEY, hash_key
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.timeutil import as_utc

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
# How the list names that browser: "Firefox op Windows" (or in English until translated).
FIREFOX_SHOWN = ("Firefox op Windows", "Firefox on Windows")


def shows(page: str, texts: tuple[str, ...]) -> bool:
    return any(text in page for text in texts)
TYPED = "Wil graag in de groenvoorziening werken, liefst buiten bij Goes."


class Clock:
    """``trajectory.timeutil.utcnow`` under the test's control."""

    def __init__(self) -> None:
        self.offset = timedelta()
        self._real = timeutil.utcnow

    def __call__(self):
        return self._real() + self.offset

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timeutil, "utcnow", fake)
    return fake


def logged_in(app, username: str, agent: str | None = None) -> CsrfClient:
    client = app.test_client()
    if agent:
        client.environ_base["HTTP_USER_AGENT"] = agent
    assert login(client, username).status_code == 302, f"login as {username} failed"
    return client


def events(name: str) -> list[SecurityEvent]:
    return list(db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.event == name)))


def sends_to_login(response) -> bool:
    return response.status_code == 302 and "/inloggen" in response.headers["Location"]


# ------------------------------------------------------------------ the row and the cookie

def test_the_cookie_carries_only_a_random_key_whose_hash_is_on_the_server(app, world):
    client = logged_in(app, "klantmanager", FIREFOX)
    contents = cookie_contents(client)
    key = contents[SESSION_KEY]
    assert set(contents) <= {SESSION_KEY, "_user_id", "_fresh", "_id", "csrf_token"}
    row = session_row(client)
    assert row.key_hash == hash_key(key) and key not in row.key_hash
    assert row.user_id == world.user("klantmanager").id
    assert row.user_agent == FIREFOX and row.ip == "127.0.0.1"
    assert row.ended_at is None
    assert as_utc(row.expires_at) - as_utc(row.created_at) == timedelta(hours=12)


def test_a_copied_cookie_stops_working_after_logout(app, world):
    client = logged_in(app, "klantmanager")
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    row_id = session_row(client).id
    assert client.post("/uitloggen").status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert sends_to_login(thief.get("/"))
    assert sends_to_login(thief.get("/wachtwoord"))
    row = db.session.get(UserSession, row_id)
    assert row.ended_reason is EndReason.LOGOUT and row.ended_at is not None


def test_a_password_change_ends_the_other_rows_and_keeps_this_one(app, world):
    here = logged_in(app, "intaker")
    elsewhere = logged_in(app, "intaker")
    here_id, elsewhere_id = session_row(here).id, session_row(elsewhere).id
    response = here.post("/wachtwoord", data={
        "current_password": "demo-trajectory-2026",
        "new_password": "een lange zin van mij zelf",
        "confirm_password": "een lange zin van mij zelf"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert sends_to_login(elsewhere.get("/"))
    assert db.session.get(UserSession, here_id).ended_at is None
    assert db.session.get(UserSession, elsewhere_id).ended_reason is EndReason.PASSWORD_CHANGED


def test_logout_everywhere_and_deactivation_end_every_row(app, world, beheer_client):
    phone, laptop = logged_in(app, "buddy"), logged_in(app, "buddy")
    phone_id, laptop_id = session_row(phone).id, session_row(laptop).id
    assert phone.post("/overal-uitloggen").status_code == 302
    assert db.session.get(UserSession, phone_id).ended_reason is EndReason.LOGOUT_EVERYWHERE
    assert db.session.get(UserSession, laptop_id).ended_reason is EndReason.LOGOUT_EVERYWHERE

    other = logged_in(app, "intaker2")
    other_id = session_row(other).id
    user = world.user("intaker2")
    assert beheer_client.post(f"/beheer/gebruikers/{user.id}/actief").status_code == 302
    assert sends_to_login(other.get("/"))
    assert db.session.get(UserSession, other_id).ended_reason is EndReason.DEACTIVATED


def test_any_change_of_the_token_ends_the_rows_also_outside_a_request(app, world):
    """Role or organisation changes, a reset second factor, the CLI: ``end_all_sessions``."""
    client = logged_in(app, "klantmanager")
    row_id = session_row(client).id
    user = world.user("klantmanager")
    user.end_all_sessions()
    db.session.commit()
    assert db.session.get(UserSession, row_id).ended_reason is EndReason.ADMIN
    assert sends_to_login(client.get("/"))


# ------------------------------------------------------------------ time

def test_the_absolute_lifetime_ends_a_session_even_when_active(app, world, clock):
    client = logged_in(app, "klantmanager")
    row_id = session_row(client).id
    # A request every 29 minutes keeps the idle timeout away, for 11 hours 36 minutes
    # (the login page sends a logged-in user on to the home page: a cheap request).
    for _step in range(24):
        clock.advance(minutes=29)
        response = client.get("/inloggen")
        assert response.status_code == 302 and response.headers["Location"] == "/"
    clock.advance(minutes=29)  # 12 h 5 min after the login
    response = client.get("/kandidaten")
    assert sends_to_login(response) and "next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).text
    assert "maximale duur" in page or "maximum length" in page  # nl once translated
    assert sends_to_login(client.get("/"))
    row = db.session.get(UserSession, row_id)
    assert row.ended_reason is EndReason.LIFETIME
    assert [e.username for e in events("session_end_lifetime")] == ["klantmanager"]


def test_the_lifetime_and_the_idle_timeout_come_from_the_settings(monkeypatch, database_uri):
    monkeypatch.setenv("TRAJECTORY_SESSION_LIFETIME_HOURS", "2")
    app = create_app(base_config(database_uri))
    assert app.config["SESSION_LIFETIME_HOURS"] == 2
    with app.app_context():
        db.engine.dispose()


def test_the_idle_timeout_is_checked_on_the_server(app, world):
    client = logged_in(app, "klantmanager")
    row_id = session_row(client).id
    idle_for(client, 31)
    assert sends_to_login(client.get("/"))
    assert db.session.get(UserSession, row_id).ended_reason is EndReason.IDLE
    assert [e.username for e in events("session_end_idle")] == ["klantmanager"]


def test_last_seen_is_written_at_most_once_a_minute(app, world, clock):
    client = logged_in(app, "klantmanager")
    first = as_utc(session_row(client).last_seen_at)
    clock.advance(seconds=20)
    assert client.get("/").status_code == 200
    assert as_utc(session_row(client).last_seen_at) == first
    clock.advance(seconds=50)
    assert client.get("/").status_code == 200
    assert as_utc(session_row(client).last_seen_at) > first


# ------------------------------------------------------------------ ending sessions

def test_an_administrator_sees_and_ends_a_users_session(app, world, beheer_client):
    user = world.user("klantmanager")
    victim = logged_in(app, "klantmanager", FIREFOX)
    row = session_row(victim)
    page = beheer_client.get(f"/beheer/gebruikers/{user.id}").text
    assert shows(page, FIREFOX_SHOWN)
    action = f"/beheer/gebruikers/{user.id}/sessies/{row.id}/beeindigen"
    assert action in page
    assert beheer_client.post(action).status_code == 302
    assert sends_to_login(victim.get("/"))
    assert db.session.get(UserSession, row.id).ended_reason is EndReason.ADMIN
    event = events("session_end_admin")[0]
    assert (event.actor_user_id, event.username) == (world.user("beheer").id, "klantmanager")
    assert not shows(beheer_client.get(f"/beheer/gebruikers/{user.id}").text, FIREFOX_SHOWN)


def test_an_administrator_ends_every_session_of_an_account(app, world, beheer_client):
    user = world.user("klantmanager")
    phone, laptop = logged_in(app, "klantmanager"), logged_in(app, "klantmanager")
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/sessies/beeindigen")
    assert response.status_code == 302
    assert sends_to_login(phone.get("/")) and sends_to_login(laptop.get("/"))
    assert beheer_client.get("/").status_code == 200  # the administrator stays logged in


def test_a_goes_administrator_cannot_see_or_end_sessions_of_another_organisation(app, world):
    tholen = world.user("klantmanager2")
    goes = world.user("klantmanager")
    other = logged_in(app, "klantmanager2", FIREFOX)
    own = logged_in(app, "klantmanager", FIREFOX)
    other_row, own_row = session_row(other), session_row(own)
    admin = logged_in(app, "b.goes")
    assert admin.get(f"/beheer/gebruikers/{tholen.id}").status_code == 404
    assert admin.post(f"/beheer/gebruikers/{tholen.id}/sessies/{other_row.id}/beeindigen"
                      ).status_code == 404
    assert admin.post(f"/beheer/gebruikers/{tholen.id}/sessies/beeindigen").status_code == 404
    # Nor through an account it does manage, with the other's session id.
    assert admin.post(f"/beheer/gebruikers/{goes.id}/sessies/{other_row.id}/beeindigen"
                      ).status_code == 404
    assert other.get("/").status_code == 200
    assert db.session.get(UserSession, other_row.id).ended_at is None
    # Its own organisation's accounts: yes.
    assert shows(admin.get(f"/beheer/gebruikers/{goes.id}").text, FIREFOX_SHOWN)
    assert admin.post(f"/beheer/gebruikers/{goes.id}/sessies/{own_row.id}/beeindigen"
                      ).status_code == 302
    assert sends_to_login(own.get("/"))


def test_users_see_their_own_sessions_and_end_one(app, world):
    phone = logged_in(app, "intaker", "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile")
    laptop = logged_in(app, "intaker", FIREFOX)
    phone_row = session_row(phone)
    page = laptop.get("/wachtwoord").text
    assert shows(page, ("Chrome op Android", "Chrome on Android"))
    assert shows(page, FIREFOX_SHOWN)
    assert shows(page, ("dit apparaat", "this device"))
    # Someone else's session id: as if it did not exist.
    stranger = session_row(logged_in(app, "intaker2"))
    assert laptop.post(f"/sessies/{stranger.id}/beeindigen").status_code == 404
    assert laptop.post(f"/sessies/{phone_row.id}/beeindigen").status_code == 302
    assert sends_to_login(phone.get("/"))
    assert laptop.get("/").status_code == 200
    assert db.session.get(UserSession, phone_row.id).ended_reason is EndReason.USER
    assert db.session.get(UserSession, stranger.id).ended_at is None


# ------------------------------------------------------------------ the cookie's name

def test_the_cookie_is_a_host_cookie_in_secure_mode(app, world, database_uri):
    secure = create_app({**base_config(database_uri), "SESSION_COOKIE_SECURE": True})
    secure.test_client_class = CsrfClient
    with secure.app_context():
        client = secure.test_client()
        response = login(client, "klantmanager")
        assert response.status_code == 302
        cookies = [c for c in response.headers.getlist("Set-Cookie")
                   if c.startswith("__Host-trajectory=")]
        assert len(cookies) == 1
        flags = {part.strip().split("=")[0].lower(): part.strip()
                 for part in cookies[0].split(";")[1:]}
        assert {"secure", "httponly", "path", "samesite"} <= set(flags)
        assert flags["path"] == "Path=/" and flags["samesite"] == "SameSite=Lax"
        assert "domain" not in flags
        assert client.get("/").status_code == 200
        db.session.remove()
        db.engine.dispose()
    # Plain http (make run, the tests): a plain name, as browsers refuse __Host- without Secure.
    assert app.config["SESSION_COOKIE_NAME"] == "trajectory"


# ------------------------------------------------------------------ kept input

def _plan_url(candidate: Candidate) -> str:
    return f"/kandidaten/{candidate.id}/plan/bewerken"


def test_the_plan_typed_before_an_idle_logout_is_kept_on_the_server_for_its_author(app, world):
    candidate = register(world)
    url = _plan_url(candidate)
    client = logged_in(app, "klantmanager")
    assert client.get(url).status_code == 200
    lock = db.session.get(Candidate, candidate.id).plan.lock_version
    idle_for(client, 31)
    response = client.post(url, data={"lock_version": str(lock), "wishes": TYPED,
                                      "skills": "", "needs": "", "agreements": ""})
    assert sends_to_login(response)
    back = response.headers["Location"]
    assert "next=" in back
    # On the server, for this user; nothing of it in the cookie.
    kept = db.session.scalars(sa.select(KeptInput)).one()
    assert kept.user_id == world.user("klantmanager").id and kept.fields["wishes"] == TYPED
    assert "csrf_token" not in kept.fields
    assert TYPED not in raw_cookie_text(client) and "wishes" not in raw_cookie_text(client)
    assert db.session.get(Candidate, candidate.id).plan.wishes == ""  # nothing saved

    # A colleague of the same municipality on this browser does not get it.
    assert login(client, "m.devos").status_code == 302
    assert TYPED not in client.get(url).text
    client.post("/uitloggen")

    # The author logs in again and is sent back to the form, filled in, once.
    response = login(client, "klantmanager", path=back)
    assert response.status_code == 302 and response.headers["Location"] == url
    page = client.get(url).text
    assert TYPED in page
    assert TYPED not in client.get(url).text
    assert db.session.scalars(sa.select(KeptInput)).all() == []
    # Saving it works as usual.
    response = client.post(url, data={"lock_version": str(lock), "wishes": TYPED,
                                      "skills": "", "needs": "", "agreements": ""})
    assert response.status_code == 302
    assert db.session.get(Candidate, candidate.id).plan.wishes == TYPED


def test_a_post_with_a_logged_out_cookie_keeps_nothing(app, world):
    """Only a session that was still valid when it expired may leave input for its user."""
    candidate = register(world)
    client = logged_in(app, "klantmanager")
    copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    token = client.csrf_token()
    client.post("/uitloggen")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    response = thief.post(_plan_url(candidate), data={"wishes": "Geplante tekst",
                                                      "csrf_token": token})
    assert sends_to_login(response)
    assert db.session.scalars(sa.select(KeptInput)).all() == []


def test_a_new_goal_typed_before_an_idle_logout_is_kept(app, world):
    candidate = register(world)
    url = f"/kandidaten/{candidate.id}/plan/doelen/nieuw"
    client = logged_in(app, "klantmanager")
    idle_for(client, 31)
    response = client.post(url, data={"description": "Rijbewijs B halen", "status": "open"})
    assert sends_to_login(response)
    response = login(client, "klantmanager", path=response.headers["Location"])
    assert response.headers["Location"] == url
    assert "Rijbewijs B halen" in client.get(url).text


def test_kept_input_expires_after_an_hour(app, world, clock):
    candidate = register(world)
    url = _plan_url(candidate)
    client = logged_in(app, "klantmanager")
    idle_for(client, 31)
    client.post(url, data={"wishes": TYPED})
    clock.advance(minutes=61)
    assert login(client, "klantmanager").status_code == 302
    assert TYPED not in client.get(url).text
