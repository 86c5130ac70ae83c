"""The second factor: enrolment, the code step, replay, recovery codes, the admin reset,
and the published demo secret."""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import struct
import time

import pytest
import sqlalchemy as sa

from tests.conftest import current_code, login
from tests.factories import PASSWORD, make_user
from trajectory.audit.models import AuditEvent, SecurityEvent
from trajectory.auth import mfa
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db

CODE_PAGE = "/inloggen/code"
ENROL_PAGE = "/beveiliging/authenticator"


def rfc6238(secret_b32: str, at: float | None = None) -> str:
    """TOTP written out from RFC 6238 (SHA-1, 6 digits, 30 s), independent of pyotp."""
    import base64

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def password_step(client, username: str, password: str = PASSWORD):
    return client.post("/inloggen", data={"username": username, "password": password})


def events(event: str, result: str | None = None) -> list[SecurityEvent]:
    stmt = sa.select(SecurityEvent).where(SecurityEvent.event == event)
    if result:
        stmt = stmt.where(SecurityEvent.result == result)
    return list(db.session.scalars(stmt))


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enrol_through_the_page(client) -> list[str]:
    """Scan (read the key from the page), type the code, get the recovery codes."""
    page = client.get(ENROL_PAGE).text
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, drawn on the server
    secret = html.unescape(re.search(r'<code id="totp-secret">([^<]+)</code>', page).group(1))
    secret = secret.replace(" ", "")
    response = client.post(ENROL_PAGE, data={"code": rfc6238(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.text)
    assert len(codes) == 10
    return codes


def test_a_mandatory_role_enrols_at_first_login_and_then_needs_the_code(app, world):
    make_user("nieuw.beheer", world.org("Regio Oosterschelde"), Role.BEHEERDER)
    client = app.test_client()
    response = password_step(client, "nieuw.beheer")
    assert response.status_code == 302  # no second factor yet: logged in, sent to set it up
    assert client.get("/").headers["Location"] == ENROL_PAGE

    # A wrong first code does not finish the set-up.
    page = client.get(ENROL_PAGE).text
    secret = re.search(r'<code id="totp-secret">([^<]+)</code>', page).group(1).replace(" ", "")
    wrong = client.post(ENROL_PAGE, data={"code": other_code(rfc6238(secret))})
    assert wrong.status_code == 200 and "utrecht-form-field-error-message" in wrong.text
    assert client.get("/").status_code == 302
    # The same key is shown again on reload (the app already scanned it).
    assert secret in client.get(ENROL_PAGE).text.replace(" ", "")

    codes = enrol_through_the_page(client)
    assert len(set(codes)) == 10
    assert client.get("/").status_code == 200
    assert client.get("/beheer/gebruikers").status_code == 200
    assert events("mfa_enrolled", "success")
    user = db.session.scalars(sa.select(User).where(User.username == "nieuw.beheer")).one()
    assert secret not in (user.totp_secret or "")  # stored encrypted

    # Next time: password, then the code page; not logged in in between.
    client.post("/uitloggen")
    fresh = app.test_client()
    response = password_step(fresh, "nieuw.beheer")
    assert response.headers["Location"] == CODE_PAGE
    assert fresh.get("/").headers["Location"].startswith("/inloggen")
    assert 'name="code"' in fresh.get(CODE_PAGE).text
    response = fresh.post(CODE_PAGE, data={"code": current_code("nieuw.beheer")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert fresh.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/beheer/gebruikers", "/wachtwoord", "/beveiliging",
                                  "/sroi/", "/beheer/organisaties"])
def test_no_page_but_the_set_up_before_a_mandatory_second_factor(app, world, path):
    make_user("nieuw.adviseur", world.org("Regio Oosterschelde"), Role.SROI_ADVISEUR)
    client = app.test_client()
    assert password_step(client, "nieuw.adviseur").status_code == 302
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == ENROL_PAGE
    assert client.post("/uitloggen").status_code == 302  # logging out is possible
    assert client.get(ENROL_PAGE).status_code == 302  # and then the set-up is gone too


def test_a_wrong_code_and_a_replayed_code_are_refused(app, world):
    client = app.test_client()
    assert password_step(client, "adviseur").headers["Location"] == CODE_PAGE
    code = current_code("adviseur")
    wrong = client.post(CODE_PAGE, data={"code": other_code(code)})
    assert wrong.status_code == 200
    assert "utrecht-form-field-error-message" in wrong.text
    assert client.get("/").status_code == 302  # still not logged in
    assert events("login_code", "failure")

    assert client.post(CODE_PAGE, data={"code": code}).status_code == 302
    client.post("/uitloggen")

    # The same code again (within its 30 seconds): refused.
    again = app.test_client()
    assert password_step(again, "adviseur").headers["Location"] == CODE_PAGE
    replay = again.post(CODE_PAGE, data={"code": code})
    assert replay.status_code == 200
    assert again.get("/").status_code == 302


def test_the_code_step_needs_the_password_step_first(app, world):
    client = app.test_client()
    response = client.get(CODE_PAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    response = client.post(CODE_PAGE, data={"code": rfc6238(mfa.DEMO_TOTP_SECRET)})
    assert response.status_code == 302 and client.get("/").status_code == 302


def test_the_half_logged_in_state_expires(app, world):
    client = app.test_client()
    password_step(client, "coordinator")
    with client.session_transaction() as sess:
        pending = dict(sess["mfa_pending"])
        pending["at"] -= app.config["MFA_PENDING_SECONDS"] + 1
        sess["mfa_pending"] = pending
    response = client.post(CODE_PAGE, data={"code": current_code("coordinator")})
    assert response.headers["Location"] == "/inloggen"
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once_in_the_same_field(app, world):
    user = world.user("coordinator")
    codes = mfa.new_recovery_codes(user)
    db.session.commit()
    client = app.test_client()
    password_step(client, "coordinator")
    response = client.post(CODE_PAGE, data={"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert events("mfa_recovery_code_used", "success")
    assert mfa.remaining_recovery_codes(user) == 9

    client.post("/uitloggen")
    again = app.test_client()
    password_step(again, "coordinator")
    assert again.post(CODE_PAGE, data={"code": codes[0]}).status_code == 200
    assert again.post(CODE_PAGE, data={"code": codes[1]}).status_code == 302
    # Stored as hashes, not as the codes.
    stored = db.session.execute(sa.text("SELECT code_hash FROM mfa_recovery_code")).scalars().all()
    assert not any(code.replace("-", "") in value or code in value
                   for code in codes for value in stored)


def test_an_admin_resets_a_second_factor(app, world, beheer_client, client_for):
    target = world.user("klantmanager")
    session_of_target = client_for("klantmanager")
    response = beheer_client.post(f"/beheer/gebruikers/{target.id}/tweede-stap")
    assert response.status_code == 302
    db.session.expire_all()
    reloaded = db.session.get(User, target.id)
    assert reloaded.totp_secret is None and not reloaded.mfa_enrolled
    assert events("mfa_reset", "success")
    trail = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "User", AuditEvent.object_id == str(target.id))
        .order_by(AuditEvent.id.desc())).first()
    assert "totp_enrolled_at" in trail.changes and trail.changes["totp_secret"] == ["***", "***"]
    assert session_of_target.get("/").status_code == 302  # their sessions ended

    # An optional role logs in with the password only until they enrol again.
    response = password_step(app.test_client(), "klantmanager")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_admin_reset_is_scoped_as_the_grant_rules(app, world, client_for):
    goes_admin = client_for("b.goes")
    # Own organisation: yes.
    assert goes_admin.post(
        f"/beheer/gebruikers/{world.user('m.devos').id}/tweede-stap").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, world.user("m.devos").id).mfa_enrolled
    # Another municipality: not even visible.
    other = world.user("klantmanager2")
    assert goes_admin.post(f"/beheer/gebruikers/{other.id}/tweede-stap").status_code == 404
    # A region-wide role inside Goes: only the region's administrator.
    adviser = make_user("goes.adviseur", world.org("Goes"), Role.SROI_ADVISEUR)
    mfa.enrol_with_secret(adviser, mfa.DEMO_TOTP_SECRET)
    db.session.commit()
    goes_admin.post(f"/beheer/gebruikers/{adviser.id}/tweede-stap")
    db.session.expire_all()
    assert db.session.get(User, adviser.id).mfa_enrolled
    assert events("role_grant", "refused")
    # Not one's own (that is the Security page).
    me = world.user("b.goes")
    goes_admin.post(f"/beheer/gebruikers/{me.id}/tweede-stap")
    db.session.expire_all()
    assert db.session.get(User, me.id).mfa_enrolled
    db.session.expire_all()
    assert db.session.get(User, other.id).mfa_enrolled


def test_the_demo_secret_is_on_the_login_page_and_works(app, world):
    app.config["DEMO_MODE"] = True
    page = app.test_client().get("/inloggen").text
    assert f'<code id="demo-totp-secret">{mfa.DEMO_TOTP_SECRET}</code>' in page
    assert "demo-trajectory-2026" in page
    for username in ("beheer", "adviseur", "klantmanager", "buddy", "b.goes"):
        client = app.test_client()
        db.session.execute(sa.update(User).values(totp_last_step=None))
        db.session.commit()
        assert password_step(client, username).headers["Location"] == CODE_PAGE
        response = client.post(CODE_PAGE, data={"code": rfc6238(mfa.DEMO_TOTP_SECRET)})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200


def test_a_changed_secret_key_cannot_read_the_stored_secret(app, world):
    stored = world.user("beheer").totp_secret
    assert mfa.DEMO_TOTP_SECRET not in stored
    assert mfa.decrypt_secret(stored) == mfa.DEMO_TOTP_SECRET
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-987654321"
    assert mfa.decrypt_secret(stored) is None


def test_an_optional_user_enrols_then_needs_the_code_and_can_switch_it_off(app, world):
    user = world.user("intaker")
    mfa.remove_second_factor(user)
    db.session.commit()
    client = app.test_client()
    assert password_step(client, "intaker").headers["Location"] == "/"
    assert client.get("/").status_code == 200  # optional: no set-up forced
    page = client.get("/beveiliging").text
    assert ENROL_PAGE in page
    enrol_through_the_page(client)
    assert "10" in client.get("/beveiliging").text
    client.post("/uitloggen")

    second = app.test_client()
    assert password_step(second, "intaker").headers["Location"] == CODE_PAGE
    assert second.post(CODE_PAGE, data={"code": current_code("intaker")}).status_code == 302

    # Switch it off with a current code: then the password alone again.
    wrong = second.post("/beveiliging/uitzetten", data={"disable-code": "000000"})
    assert wrong.status_code == 200
    response = second.post("/beveiliging/uitzetten",
                           data={"disable-code": current_code("intaker")})
    assert response.status_code == 302
    assert events("mfa_disabled", "success")
    assert password_step(app.test_client(), "intaker").headers["Location"] == "/"


def test_a_mandatory_role_cannot_switch_it_off(app, world, adviseur_client):
    response = adviseur_client.post("/beveiliging/uitzetten",
                                    data={"disable-code": current_code("adviseur")})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.user("adviseur").id).mfa_enrolled


def test_new_recovery_codes_replace_the_old(app, world, coordinator_client):
    user = world.user("coordinator")
    old = mfa.new_recovery_codes(user)
    db.session.commit()
    response = coordinator_client.post("/beveiliging/herstelcodes",
                                       data={"codes-code": current_code("coordinator")})
    new = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.text)
    assert len(new) == 10 and not set(new) & set(old)
    client = app.test_client()
    password_step(client, "coordinator")
    assert client.post(CODE_PAGE, data={"code": old[0]}).status_code == 200
    assert client.post(CODE_PAGE, data={"code": new[0]}).status_code == 302


def test_the_login_helper_still_logs_in_twice_within_one_step(app, world):
    """The suite's login() clears the last used step; the app itself stays strict."""
    assert login(app.test_client(), "beheer").status_code == 302
    assert login(app.test_client(), "beheer").status_code == 302
