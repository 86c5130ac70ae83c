"""Single sign-on against a real OpenID Connect provider on the loopback address.

The provider (tests/auth/oidc_provider.py) runs in a thread; the app talks to
it over HTTP for discovery, keys and the token, and the test plays the
browser: the Flask test client for the app, a plain HTTP request for the
provider's authorize step.
"""

from __future__ import annotations

import base64
import html
import http.client
import json
import time
import urllib.parse

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from joserfc.jwk import RSAKey

from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider, s256
from tests.conftest import base_config, login
from trajectory import create_app
from trajectory.audit.models import SecurityEvent
from trajectory.auth.models import User
from trajectory.auth.oidc_models import UserIdentity
from trajectory.auth.roles import Role
from trajectory.extensions import db

LABEL = "Gemeentelijk account"


@pytest.fixture(scope="module")
def provider():
    running = TestProvider().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_provider(provider):
    provider.reset()


@pytest.fixture
def app_config(database_uri, provider) -> dict:
    return {**base_config(database_uri),
            "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_LABEL": LABEL}


# --- playing the browser --------------------------------------------------------------------

def to_provider(client, start: str = "/inloggen/sso") -> str:
    response = client.post(start)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def provider_answers(url: str) -> str:
    """Open the provider's authorize URL; the address it sends the browser back to."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 302
    return response.getheader("Location")


def back_to_app(client, location: str):
    parts = urllib.parse.urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sso_login(client, start: str = "/inloggen/sso"):
    return back_to_app(client, provider_answers(to_provider(client, start)))


def text(response) -> str:
    return html.unescape(response.text)


def translated(app, message: str, **values) -> str:
    """The message as the (Dutch) interface shows it."""
    with app.test_request_context():
        return gettext(message, **values)


def events(event: str, result: str | None = None) -> list[SecurityEvent]:
    query = sa.select(SecurityEvent).where(SecurityEvent.event == event)
    if result:
        query = query.where(SecurityEvent.result == result)
    return list(db.session.scalars(query.order_by(SecurityEvent.id)))


def identity_user(provider, subject: str) -> User | None:
    row = db.session.scalars(sa.select(UserIdentity).where(
        UserIdentity.issuer == provider.issuer, UserIdentity.subject == subject)).first()
    return row.user if row else None


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


# --- the round trip ---------------------------------------------------------------------------

def test_round_trip_logs_in_with_the_mapped_roles_and_organisation(app, world, client, provider):
    response = sso_login(client, "/inloggen/sso?next=/wachtwoord")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wachtwoord")  # no second-factor step
    assert logged_in(client)
    user = identity_user(provider, "sub-0001")
    assert user is not None
    assert user.organisation == world.org("Goes")
    assert user.roles == {Role.KLANTMANAGER}
    assert (user.full_name, user.email) == ("Sanne de Vries", "s.devries@goes.example")
    assert client.get("/").text.count("Sanne de Vries") >= 1
    success = events("sso_login", "success")[-1]
    assert success.actor_user_id == user.id
    assert "acr=urn:test:loa:substantial" in success.detail
    assert "amr=pwd,otp" in success.detail
    assert events("login", "success")[-1].actor_user_id == user.id
    from trajectory.audit.models import AuditEvent

    created = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "User", AuditEvent.action == "create",
        AuditEvent.object_id == str(user.id))).first()
    assert created is not None and created.actor_name == "sso"


def test_pkce_s256_state_and_nonce_are_sent(app, world, client, provider):
    sso_login(client)

    authorize = provider.seen("/authorize")[-1].args
    assert authorize["code_challenge_method"] == "S256"
    assert len(authorize["state"]) >= 22 and len(authorize["nonce"]) >= 22  # >= 128 bits
    assert "openid" in authorize["scope"].split()
    token = provider.seen("/token")[-1]
    assert s256(token.form["code_verifier"]) == authorize["code_challenge"]
    assert token.authorization.startswith("Basic ")
    assert logged_in(client)


def test_the_provider_refuses_a_missing_or_wrong_verifier(app, world, client, provider):
    back = provider_answers(to_provider(client))
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)["code"][0]
    grant = provider.codes[code]
    # Straight at the token endpoint without a verifier: refused.
    assert _token_request(provider, code, verifier=None) == 400
    provider.codes[code] = grant
    # Through the app, with the verifier in its session replaced: refused, no login.
    with client.session_transaction() as sess:
        pending = dict(sess["oidc_pending"])
        pending["verifier"] = "x" * 64
        sess["oidc_pending"] = pending
    response = back_to_app(client, back)

    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert not logged_in(client)
    assert "code_verifier" not in events("sso_login", "failure")[-1].detail  # no secrets logged
    assert "invalid_grant" in events("sso_login", "failure")[-1].detail
    assert identity_user(provider, "sub-0001") is None


def _token_request(provider, code: str, verifier: str | None) -> int:
    parts = urllib.parse.urlsplit(provider.issuer)
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": "http://localhost/inloggen/sso/terug"}
    if verifier:
        form["code_verifier"] = verifier
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", "/token", body=urllib.parse.urlencode(form), headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        json.loads(response.read())
        return response.status
    finally:
        connection.close()


# --- refusals -------------------------------------------------------------------------------------

FAILED = "Logging in with %(label)s did not succeed. Please try again."


@pytest.mark.parametrize(("case", "overrides", "detail"), [
    ("wrong nonce", {"nonce": "another-login"}, "nonce"),
    ("wrong audience", {"aud": "another-client"}, "aud"),
    ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}, "exp"),
    ("no subject", {"sub": None}, "sub"),
    ("wrong issuer", {"iss": "https://elders.example"}, "iss"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_bad_id_token_is_refused(app, world, client, provider, case, overrides, detail):
    provider.token_overrides = overrides
    before = user_count()
    response = sso_login(client)

    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    page = client.get("/inloggen")
    assert translated(app, FAILED, label=LABEL) in text(page)
    assert not logged_in(client)
    failure = events("sso_login", "failure")[-1]
    assert detail in failure.detail, failure.detail
    assert user_count() == before
    assert events("sso_login", "success") == []


def test_a_token_signed_with_another_key_is_refused(app, world, client, provider):
    provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "test-key-1"})
    sso_login(client)

    assert not logged_in(client)
    assert "signature" in events("sso_login", "failure")[-1].detail
    assert identity_user(provider, "sub-0001") is None


def test_a_wrong_state_is_refused_before_the_code_is_used(app, world, client, provider):
    back = provider_answers(to_provider(client))
    forged = back.replace("state=", "state=forged")
    response = back_to_app(client, forged)

    assert response.status_code == 302
    page = client.get("/inloggen")
    assert translated(app, "The answer from %(label)s does not belong to this login. "
                      "Please try again.", label=LABEL) in text(page)
    assert not logged_in(client)
    assert events("sso_login", "failure")[-1].detail == "state mismatch"
    assert provider.seen("/token") == []
    # The real answer cannot be used afterwards either: the attempt was used up.
    back_to_app(client, back)
    assert not logged_in(client)


def test_a_callback_without_a_started_login_is_refused(app, world, client, provider):
    response = client.get("/inloggen/sso/terug?code=abc&state=def")
    assert response.status_code == 302
    assert not logged_in(client)
    assert "no pending login" in events("sso_login", "failure")[-1].detail


def test_the_provider_refusing_is_a_refusal(app, world, client, provider):
    location = to_provider(client)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["state"][0]
    back_to_app(client, "http://localhost/inloggen/sso/terug?"
                + urllib.parse.urlencode({"error": "access_denied", "state": state}))
    assert not logged_in(client)
    assert events("sso_login", "failure")[-1].detail == "provider error: access_denied"


def test_hostile_callback_values_are_refused_without_an_error(app, world, client, provider):
    to_provider(client)
    response = client.get("/inloggen/sso/terug?" + urllib.parse.urlencode(
        {"error": "x\x00<script>" + "é" * 500, "state": "\x00" * 3, "code": "\x00"}))
    assert response.status_code == 302
    assert events("sso_login", "failure")[-1].detail == "state mismatch"
    location = to_provider(client)
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["state"][0]
    response = client.get("/inloggen/sso/terug?" + urllib.parse.urlencode(
        {"error": "access_denied\x00<b>", "state": state}))
    assert response.status_code == 302
    assert events("sso_login", "failure")[-1].detail == "provider error: access_deniedb"


# --- the subject is the key ---------------------------------------------------------------------

def test_sub_is_the_key_not_the_email(app, world, client, provider):
    sso_login(client)
    first = identity_user(provider, "sub-0001")
    count = user_count()
    client.post("/uitloggen")

    provider.claims["email"] = "sanne@nieuw.example"
    sso_login(client)
    assert identity_user(provider, "sub-0001").id == first.id
    assert db.session.get(User, first.id).email == "sanne@nieuw.example"
    assert user_count() == count
    client.post("/uitloggen")

    # The same e-mail with another subject is another person.
    provider.claims.update(sub="sub-0002", preferred_username="s.devries")
    sso_login(client)
    other = identity_user(provider, "sub-0002")
    assert other is not None and other.id != first.id
    assert other.username != first.username
    assert user_count() == count + 1


def test_a_local_account_with_the_same_name_or_email_is_not_taken_over(app, world, client,
                                                                        provider):
    klantmanager = world.user("klantmanager")
    provider.claims.update(preferred_username="klantmanager", email=klantmanager.email,
                           roles=["beheerder"])
    sso_login(client)

    user = identity_user(provider, "sub-0001")
    assert user.id != klantmanager.id
    assert db.session.get(User, klantmanager.id).roles == {Role.KLANTMANAGER}


def test_a_clash_while_creating_the_account_is_a_refusal_not_an_error(app, world, client,
                                                                      provider, monkeypatch):
    """Two first logins of one person at the same moment: the slower one hits the unique key."""
    from trajectory.auth import oidc

    monkeypatch.setattr(oidc, "_free_username", lambda claims: "klantmanager")
    response = sso_login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert events("sso_login", "failure")[-1].detail == "identity created concurrently"
    assert not logged_in(client)


# --- roles and organisation ------------------------------------------------------------------------

def test_roles_that_do_not_fit_the_organisation_are_dropped(app, world, client, provider):
    provider.claims["roles"] = ["klantmanager", "intaker", "offline_access"]
    sso_login(client)

    assert logged_in(client)
    assert identity_user(provider, "sub-0001").roles == {Role.KLANTMANAGER}
    assert "dropped_roles=intaker" in events("sso_login", "success")[-1].detail


def test_no_fitting_role_is_refused(app, world, client, provider):
    provider.claims["roles"] = ["intaker", "buddy"]  # provider roles, municipal organisation
    sso_login(client)

    assert not logged_in(client)
    assert translated(app, "Your account at %(label)s gives you no role in Trajectory. "
                      "Ask your administrator.", label=LABEL) in text(client.get("/inloggen"))
    assert identity_user(provider, "sub-0001") is None


def test_sso_never_grants_administrator_together_with_sroi_adviser(app, world, client, provider):
    provider.claims.update(roles=["beheerder", "sroi_adviseur"],
                           organisation="Regio Oosterschelde")
    sso_login(client)

    assert not logged_in(client)
    assert "beheerder and sroi_adviseur" in events("sso_login", "failure")[-1].detail


def test_roles_and_organisation_are_refreshed_at_every_login(app, world, client, provider):
    sso_login(client)
    client.post("/uitloggen")
    provider.claims.update(roles="intaker buddy", organisation="Zorggroep Scheldezoom")
    sso_login(client)

    user = identity_user(provider, "sub-0001")
    assert user.organisation == world.org("Zorggroep Scheldezoom")
    assert user.roles == {Role.INTAKER, Role.BUDDY}


def test_an_unknown_organisation_is_refused(app, world, client, provider):
    provider.claims["organisation"] = "Gemeente Nergenshuizen"
    sso_login(client)
    assert not logged_in(client)
    assert "matches 0 organisations" in events("sso_login", "failure")[-1].detail


@pytest.fixture
def mapped_config(app_config) -> dict:
    return {**app_config, "OIDC_ROLES_CLAIM": "realm_access.roles",
            "OIDC_ORGANISATION_CLAIM": "groups",
            "OIDC_ROLE_MAP": {"Trajectory.Klantmanager": "klantmanager"},
            "OIDC_ORGANISATION_MAP": {"0f3a-goes": "Goes"}}


def test_claim_names_and_maps_are_configurable(mapped_config, world, provider):
    app = create_app(mapped_config)
    from tests.conftest import CsrfClient

    app.test_client_class = CsrfClient
    provider.claims.update(realm_access={"roles": ["Trajectory.Klantmanager", "klantmanager2"]},
                           groups=["9c1d-other-group", "0f3a-goes"])
    with app.app_context():
        client = app.test_client()
        sso_login(client)
        user = identity_user(provider, "sub-0001")
        assert user is not None and user.organisation.name == "Goes"
        assert user.roles == {Role.KLANTMANAGER}


def test_a_disabled_account_is_refused(app, world, client, provider):
    sso_login(client)
    client.post("/uitloggen")
    user = identity_user(provider, "sub-0001")
    user.active = False
    db.session.commit()
    sso_login(client)
    assert not logged_in(client)
    assert events("sso_login", "failure")[-1].detail == "account disabled"


# --- assurance -----------------------------------------------------------------------------------

@pytest.fixture
def acr_config(app_config) -> dict:
    return {**app_config, "OIDC_REQUIRED_ACR": "urn:test:loa:substantial urn:test:loa:high"}


def test_a_required_acr_is_asked_for_and_enforced(acr_config, world, provider):
    from tests.conftest import CsrfClient

    app = create_app(acr_config)
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        provider.token_overrides = {"acr": None}
        sso_login(client)
        assert provider.seen("/authorize")[-1].args["acr_values"] == \
            "urn:test:loa:substantial urn:test:loa:high"
        assert not logged_in(client)
        assert "OIDC_REQUIRED_ACR" in events("sso_login", "failure")[-1].detail

        provider.token_overrides = {"acr": "urn:test:loa:high"}
        sso_login(client)
        assert logged_in(client)


# --- private_key_jwt ------------------------------------------------------------------------------

def test_private_key_jwt_instead_of_the_secret(app_config, world, provider):
    """The NL GOV profile's client authentication: a fresh signed assertion per token request."""
    from tests.conftest import CsrfClient

    client_key = RSAKey.generate_key(2048)
    config = {**app_config, "OIDC_CLIENT_SECRET": None,
              "OIDC_CLIENT_PRIVATE_KEY": client_key.as_pem(private=True).decode()}
    app = create_app(config)
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        sso_login(client)
        assert not logged_in(client)  # the provider does not know the key yet
        assert "invalid_client" in events("sso_login", "failure")[-1].detail

        provider.client_key = RSAKey.import_key(client_key.as_pem(private=False))
        sso_login(client)
        assert logged_in(client)
        token = provider.seen("/token")[-1]
        assert token.authorization is None and "client_secret" not in token.form
        assert token.form["client_assertion_type"].endswith("jwt-bearer")


# --- linking instead of provisioning -------------------------------------------------------------

def test_without_provisioning_only_a_linked_identity_logs_in(app_config, world, provider):
    from tests.conftest import CsrfClient

    app = create_app({**app_config, "OIDC_CREATE_ACCOUNTS": False})
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        before = user_count()
        sso_login(client)
        assert not logged_in(client)
        assert user_count() == before

        result = app.test_cli_runner().invoke(args=["sso", "link", "klantmanager", "sub-0001"])
        assert result.exit_code == 0, result.output
        sso_login(client)
        assert logged_in(client)
        assert identity_user(provider, "sub-0001").username == "klantmanager"
        assert user_count() == before


# --- logout ------------------------------------------------------------------------------------

def test_logout_ends_the_session_and_goes_on_to_the_provider(app, world, client, provider):
    sso_login(client)
    response = client.post("/uitloggen")

    location = urllib.parse.urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/logout"
    query = urllib.parse.parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/inloggen"]
    assert query["id_token_hint"][0].count(".") == 2
    assert not logged_in(client)


def test_logout_stays_local_without_an_end_session_endpoint(app, world, client, provider):
    provider.metadata_overrides = {"end_session_endpoint": None}
    sso_login(client)
    response = client.post("/uitloggen")
    assert response.headers["Location"].endswith("/inloggen")
    assert not logged_in(client)


def test_a_password_login_logs_out_locally(app, world, client, provider):
    login(client, "klantmanager")
    response = client.post("/uitloggen")
    assert response.headers["Location"].endswith("/inloggen")


# --- on, off and access ---------------------------------------------------------------------------

def test_the_login_page_offers_the_button(app, client):
    page = client.get("/inloggen")
    assert translated(app, "Log in with %(label)s", label=LABEL) in text(page)
    assert 'action="/inloggen/sso"' in page.text


def test_without_an_issuer_the_routes_are_404_and_the_button_is_absent(database_uri):
    app = create_app(base_config(database_uri))
    with app.app_context():
        client = app.test_client()
        assert client.get("/inloggen/sso").status_code == 404
        assert client.post("/inloggen/sso").status_code in (400, 404)  # no CSRF token: 400
        assert client.get("/inloggen/sso/terug?code=x&state=y").status_code == 404
        page = client.get("/inloggen")
        assert page.status_code == 200
        assert "/inloggen/sso" not in page.text and "sso-login" not in page.text
        db.session.remove()
        db.engine.dispose()


def test_the_routes_answer_every_role_with_a_redirect(app, world):
    from tests.auth.policy import ROLE_USERS

    for role in Role:
        client = app.test_client()
        login(client, ROLE_USERS[role])
        for path in ("/inloggen/sso", "/inloggen/sso/terug"):
            response = client.get(path)
            assert response.status_code == 302, (role, path, response.status_code)
            assert "/inloggen" not in response.headers["Location"], (role, path)
        assert logged_in(client), role


def test_the_provider_does_the_second_factor(app, world, client, provider):
    """A coordinator must set up a second factor after a password, not after single sign-on."""
    provider.claims.update(roles=["coordinator"], organisation="Regio Oosterschelde")
    sso_login(client)

    response = client.get("/")
    assert response.status_code == 200, response.headers.get("Location")
    assert identity_user(provider, "sub-0001").roles == {Role.COORDINATOR}


def test_an_unreachable_provider_is_a_message_not_an_error(database_uri, world):
    from tests.conftest import CsrfClient

    app = create_app({**base_config(database_uri), "OIDC_ISSUER": "http://127.0.0.1:9",
                      "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_TIMEOUT": 2})
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        response = client.post("/inloggen/sso")
        assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
        assert "provider unreachable" in events("sso_login", "failure")[-1].detail
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("settings", "word"), [
    ({"OIDC_ISSUER": "https://idp.example.nl"}, "CLIENT_ID"),
    ({"OIDC_ISSUER": "http://idp.example.nl", "OIDC_CLIENT_ID": CLIENT_ID}, "https"),
], ids=["no client id", "plain http"])
def test_a_half_configuration_refuses_to_start(database_uri, settings, word):
    from trajectory.config import ConfigurationError

    with pytest.raises(ConfigurationError, match=word):
        create_app({**base_config(database_uri), **settings})
