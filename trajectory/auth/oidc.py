"""Single sign-on with OpenID Connect, after the NL GOV Assurance profile.

An option next to the local accounts (password and second factor), which
stay for providers and buddies. Off while ``OIDC_ISSUER`` is empty: then both
routes answer 404 and the login page shows no button.

The flow is the authorization code flow with PKCE (S256), ``state`` and
``nonce`` (each 256 bits of randomness), discovery through
``<issuer>/.well-known/openid-configuration`` and the ID token checked on
its signature (the provider's JWKS), ``iss``, ``aud``/``azp``, ``exp``, ``iat``,
``nbf``, ``nonce`` and, when configured, ``acr``. Authlib (with joserfc, its
JOSE library) provides the PKCE challenge, the random values and the ID token
validation; the two HTTP calls to the provider use the standard library.

The identity is the pair (``iss``, ``sub``), stored in ``user_identity``;
the e-mail address is never a key. The first login provisions an account
(``OIDC_CREATE_ACCOUNTS``, on by default) or, when that is switched off, only
an identity linked beforehand (``flask --app trajectory sso link``) logs in.
Organisation and roles come from configurable claims at every login; a role
must fit the organisation's kind (others are dropped and recorded), and a
token that combines administrator and SROI adviser is refused. The provider
does the second factor: its ``acr`` and ``amr`` go into the security event.

See docs/sso.md for the settings and for Keycloak and Microsoft Entra ID.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_login import current_user
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry

from trajectory.audit.trail import Actor, acting_as, log_security
from trajectory.auth.access import public
from trajectory.auth.models import User
from trajectory.auth.oidc_models import UserIdentity
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role, role_fits
from trajectory.auth.sessions import complete_login, current_session
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import utcnow

bp = Blueprint("oidc", __name__)

PENDING_KEY = "oidc_pending"
SSO_ACTOR = Actor(user_id=None, name="sso", organisation_id=None)
PENDING_MAX_AGE = 600  # seconds between leaving for the provider and coming back
CLOCK_LEEWAY = 60  # seconds of clock difference allowed on exp, iat and nbf
MAX_RESPONSE_BYTES = 1024 * 1024
# Asymmetric signatures only: no "none", no HMAC with the client secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                      "ES256", "ES384", "ES512")
USERNAME_CHARS = re.compile(r"[^a-z0-9._-]+")


class SsoRefused(Exception):  # noqa: N818 - a refusal, not a program error
    """The login is refused: ``message`` for the person, ``detail`` for the security event."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(detail)
        self.message = message
        self.detail = detail


class SsoUnavailable(SsoRefused):
    """The provider cannot be reached or answers something unusable."""


# --- configuration --------------------------------------------------------------------------

def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def label() -> str:
    return str(current_app.config.get("OIDC_LABEL") or "SSO")


def _issuer() -> str:
    return str(current_app.config["OIDC_ISSUER"])


def _client_id() -> str:
    return str(current_app.config.get("OIDC_CLIENT_ID") or "")


def _as_list(value: Any) -> list[str]:
    """A setting or claim given as a list, or as one string (space or comma separated)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,]+", value) if part]
    if isinstance(value, list | tuple | set | frozenset):
        return [str(item) for item in value if isinstance(item, str | int)]
    return [str(value)]


def _required_acr() -> list[str]:
    return _as_list(current_app.config.get("OIDC_REQUIRED_ACR"))


def _redirect_uri() -> str:
    return current_app.config.get("OIDC_REDIRECT_URI") or url_for("oidc.callback", _external=True)


def _require_enabled() -> None:
    if not enabled():
        abort(404)


# --- talking to the provider ------------------------------------------------------------------

def _check_url(url: Any) -> str:
    """Only HTTPS, except on the loopback address (tests, a provider on the same machine)."""
    if not isinstance(url, str):
        raise SsoUnavailable(_unavailable_message(), "provider metadata: a URL is missing")
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise SsoUnavailable(_unavailable_message(), f"refused non-HTTPS URL {url[:120]}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _http(url: str, *, data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """One request to the provider; the status and the JSON object it answered."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(_check_url(url), data=body,  # noqa: S310 - scheme checked
                                 headers={"Accept": "application/json", **(headers or {})})
    timeout = float(current_app.config.get("OIDC_TIMEOUT") or 10)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SsoUnavailable(_unavailable_message(),
                             f"provider unreachable: {type(error).__name__}") from error
    if len(raw) > MAX_RESPONSE_BYTES:
        raise SsoUnavailable(_unavailable_message(), "provider answer too large")
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise SsoUnavailable(_unavailable_message(), f"provider answered no JSON ({status})") \
            from error
    if not isinstance(payload, dict):
        raise SsoUnavailable(_unavailable_message(), f"provider answered no JSON object ({status})")
    return status, payload


def _cache() -> dict:
    return current_app.extensions.setdefault("oidc", {})


def provider_metadata(*, force: bool = False) -> dict:
    """The provider's discovery document, fetched once an hour (``OIDC_METADATA_TTL``)."""
    cache = _cache()
    ttl = float(current_app.config.get("OIDC_METADATA_TTL") or 3600)
    cached = cache.get("metadata")
    if cached and not force and cached[0] == _issuer() and time.monotonic() - cached[1] < ttl:
        return cached[2]
    url = _issuer().rstrip("/") + "/.well-known/openid-configuration"
    status, metadata = _http(url)
    if status != 200:
        raise SsoUnavailable(_unavailable_message(), f"discovery answered {status}")
    # OpenID Connect Discovery 1.0, section 4.3: the issuer must be exactly the one configured.
    if metadata.get("issuer") != _issuer():
        raise SsoUnavailable(_unavailable_message(), "discovery: issuer differs from OIDC_ISSUER")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        _check_url(metadata.get(key))
    methods = metadata.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise SsoUnavailable(_unavailable_message(), "provider does not offer PKCE S256")
    cache["metadata"] = (_issuer(), time.monotonic(), metadata)
    cache.pop("jwks", None)
    return metadata


def _key_set(metadata: dict, *, force: bool = False) -> KeySet:
    cache = _cache()
    if not force and cache.get("jwks") is not None:
        return cache["jwks"]
    status, jwks = _http(metadata["jwks_uri"])
    if status != 200:
        raise SsoUnavailable(_unavailable_message(), f"JWKS answered {status}")
    try:
        keys = KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SsoUnavailable(_unavailable_message(), "JWKS unreadable") from error
    cache["jwks"] = keys
    return keys


def _exchange_code(metadata: dict, code: str, verifier: str) -> dict:
    """The token request: the code, the PKCE verifier and the client's credentials."""
    data = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": _redirect_uri(), "code_verifier": verifier}
    headers: dict[str, str] = {}
    secret = str(current_app.config.get("OIDC_CLIENT_SECRET") or "")
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if current_app.config.get("OIDC_CLIENT_PRIVATE_KEY"):
        # The profile's choice for a confidential client: a signed JWT (RFC 7523), new each time.
        data.update(client_id=_client_id(), client_assertion_type=CLIENT_ASSERTION_TYPE,
                    client_assertion=_client_assertion(metadata["token_endpoint"]))
    elif "client_secret_basic" not in supported and "client_secret_post" in supported:
        data.update(client_id=_client_id(), client_secret=secret)
    else:
        # RFC 6749 section 2.3.1: both parts form-encoded before Basic.
        pair = f"{urllib.parse.quote(_client_id(), safe='')}:{urllib.parse.quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    status, tokens = _http(metadata["token_endpoint"], data=data, headers=headers)
    if status != 200:
        error = str(tokens.get("error") or status)[:60]
        raise SsoRefused(_failed_message(), f"token endpoint refused: {error}")
    if not isinstance(tokens.get("id_token"), str):
        raise SsoRefused(_failed_message(), "token response without id_token")
    return tokens


CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _client_key():
    """``OIDC_CLIENT_PRIVATE_KEY``: a PEM text or the path of a PEM file (RSA or EC)."""
    cache = _cache()
    if "client_key" not in cache:
        value = str(current_app.config["OIDC_CLIENT_PRIVATE_KEY"])
        pem = value if "-----BEGIN" in value else Path(value).read_text(encoding="ascii")
        parameters = {"kid": current_app.config["OIDC_CLIENT_KEY_ID"]} \
            if current_app.config.get("OIDC_CLIENT_KEY_ID") else None
        try:
            key = RSAKey.import_key(pem, parameters)
        except (JoseError, ValueError, TypeError):
            key = ECKey.import_key(pem, parameters)
        cache["client_key"] = key
    return cache["client_key"]


def _client_assertion(token_endpoint: str) -> str:
    key = _client_key()
    now = int(time.time())
    header = {"alg": "RS256" if isinstance(key, RSAKey) else "ES256", "typ": "JWT"}
    if key.kid:
        header["kid"] = key.kid
    claims = {"iss": _client_id(), "sub": _client_id(), "aud": token_endpoint,
              "jti": generate_token(32), "iat": now, "exp": now + 60}
    return jwt.encode(header, claims, key)


def _validated_claims(metadata: dict, tokens: dict, nonce: str) -> dict:
    """The ID token's claims once signature, issuer, audience, times and nonce hold."""
    registry = JWSRegistry(algorithms=list(SIGNING_ALGORITHMS), strict_check_header=False)
    try:
        try:
            token = jwt.decode(tokens["id_token"], _key_set(metadata), registry=registry)
        except InvalidKeyIdError:  # the provider rolled its keys: fetch them once more
            token = jwt.decode(tokens["id_token"], _key_set(metadata, force=True),
                               registry=registry)
    except SsoUnavailable:
        raise
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise SsoRefused(_failed_message(),
                         f"ID token signature: {type(error).__name__}") from error
    options = {
        "iss": {"essential": True, "value": _issuer()},
        "sub": {"essential": True},
        "aud": {"essential": True, "value": _client_id()},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    params = {"nonce": nonce, "client_id": _client_id()}
    if isinstance(tokens.get("access_token"), str):
        params["access_token"] = tokens["access_token"]
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=CLOCK_LEEWAY)
    except JoseError as error:
        raise SsoRefused(_failed_message(), f"ID token: {error.error} {error.description or ''}"
                         .strip()) from error
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
        raise SsoRefused(_failed_message(), "ID token: unusable sub")
    if isinstance(claims["iat"], int | float) and claims["iat"] < time.time() - PENDING_MAX_AGE \
            - CLOCK_LEEWAY:
        raise SsoRefused(_failed_message(), "ID token: issued too long ago")
    required = _required_acr()
    if required and claims.get("acr") not in required:
        raise SsoRefused(
            _("You logged in at %(label)s without the required level of assurance. "
              "Log in again with a stronger method.", label=label()),
            f"acr {str(claims.get('acr'))[:80]!r} not in OIDC_REQUIRED_ACR")
    return dict(claims)


# --- from claims to an account ----------------------------------------------------------------

def _claim(claims: dict, name: str) -> Any:
    """A claim by name; a dotted name (``realm_access.roles``) also looks inside objects."""
    if not name:
        return None
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _organisation(claims: dict) -> Organisation:
    """The one organisation the claim names, directly or through ``OIDC_ORGANISATION_MAP``."""
    mapping = current_app.config.get("OIDC_ORGANISATION_MAP") or {}
    raw = _claim(claims, current_app.config["OIDC_ORGANISATION_CLAIM"])
    values = [str(v) for v in (raw if isinstance(raw, list) else [raw])
              if isinstance(v, str | int) and not isinstance(v, bool)]
    names = {str(mapping[v]) if v in mapping else v for v in values}
    found = set(db.session.scalars(sa.select(Organisation).where(
        sa.func.lower(Organisation.name).in_([n.lower() for n in names])))) if names else set()
    if len(found) != 1:
        raise SsoRefused(
            _("Your account at %(label)s does not name an organisation known to Trajectory. "
              "Ask your administrator.", label=label()),
            f"organisation claim {sorted(values)[:5]!r} matches {len(found)} organisations")
    organisation = found.pop()
    if not organisation.active:
        raise SsoRefused(_("This account has been disabled."),
                         f"organisation {organisation.name!r} is not active")
    return organisation


def _roles(claims: dict, organisation: Organisation) -> tuple[set[Role], list[str]]:
    """The roles the claim grants that fit the organisation, and what was dropped."""
    mapping = current_app.config.get("OIDC_ROLE_MAP") or {}
    granted: set[Role] = set()
    dropped: list[str] = []
    for value in _as_list(_claim(claims, current_app.config["OIDC_ROLES_CLAIM"])):
        # With a map only the mapped values count; without one the role names themselves.
        name = mapping.get(value) if mapping else value
        try:
            role = Role(name)
        except ValueError:
            continue  # not a Trajectory role (e.g. Keycloak's offline_access)
        if role_fits(role, organisation.kind):
            granted.add(role)
        else:
            dropped.append(role.value)
    if {Role.BEHEERDER, Role.SROI_ADVISEUR} <= granted:
        raise SsoRefused(
            _("Your account at %(label)s combines the roles administrator and SROI adviser, "
              "which one account may not hold together. Ask your administrator.",
              label=label()),
            "roles claim combines beheerder and sroi_adviseur")
    if not granted:
        raise SsoRefused(
            _("Your account at %(label)s gives you no role in Trajectory. "
              "Ask your administrator.", label=label()),
            f"no fitting role (dropped {dropped[:6]!r})")
    return granted, dropped


def _free_username(claims: dict) -> str:
    """A new account's user name: the provider's ``preferred_username`` when free."""
    wanted = str(claims.get("preferred_username") or claims.get("email") or "").lower()
    wanted = USERNAME_CHARS.sub("-", wanted.split("@")[0]).strip(".-")[:50]
    if len(wanted) < 3:
        wanted = "sso"
    candidate = wanted
    while db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == candidate)):
        candidate = f"{wanted}-{secrets.token_hex(3)}"
    return candidate


def _full_name(claims: dict) -> str | None:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return name.strip()[:120] or None


def account_for(claims: dict, id_token: str) -> tuple[User, list[str]]:
    """The account of this identity, provisioned or refreshed from the claims (flushes)."""
    organisation = _organisation(claims)
    roles, dropped = _roles(claims, organisation)
    identity = db.session.scalars(sa.select(UserIdentity).where(
        UserIdentity.issuer == claims["iss"], UserIdentity.subject == claims["sub"])).first()
    if identity is None:
        if not current_app.config.get("OIDC_CREATE_ACCOUNTS", True):
            raise SsoRefused(
                _("Your account at %(label)s is not linked to an account in Trajectory. "
                  "Ask your administrator.", label=label()),
                "identity not linked and OIDC_CREATE_ACCOUNTS is off")
        user = User(username=_free_username(claims), full_name="", organisation=organisation,
                    active=True, must_change_password=False,
                    # Never told to anyone: an SSO account has no usable local password.
                    password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(user)
        identity = UserIdentity(user=user, issuer=claims["iss"], subject=claims["sub"])
        db.session.add(identity)
    user = identity.user
    if not user.active:
        raise SsoRefused(_("This account has been disabled."), "account disabled")
    user.organisation = organisation
    user.set_roles(roles)
    user.full_name = _full_name(claims) or user.full_name or user.username
    if isinstance(claims.get("email"), str) and claims["email"].strip():
        user.email = claims["email"].strip()[:254]
    now = utcnow()
    user.last_login_at = now
    identity.last_login_at = now
    identity.last_acr = str(claims["acr"])[:255] if claims.get("acr") is not None else None
    identity.last_amr = ",".join(_as_list(claims.get("amr")))[:255] or None
    identity.last_id_token = id_token
    db.session.flush()
    return user, dropped


# --- messages -------------------------------------------------------------------------------

def _failed_message() -> str:
    return _("Logging in with %(label)s did not succeed. Please try again.", label=label())


def _unavailable_message() -> str:
    return _("Logging in with %(label)s is not possible at the moment. Please try again later "
             "or log in with your user name and password.", label=label())


def _refuse(refusal: SsoRefused, username: str | None = None):
    db.session.rollback()
    log_security("sso_login", "failure", username=username, detail=refusal.detail)
    db.session.commit()
    flash(refusal.message, "error")
    return redirect(url_for("auth.login"))


# --- the views ------------------------------------------------------------------------------

@bp.route("/inloggen/sso", methods=["GET", "POST"])
@public
def login():
    """Send the person to the provider, with state, nonce and the PKCE challenge."""
    _require_enabled()
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    try:
        metadata = provider_metadata()
    except SsoRefused as refusal:
        return _refuse(refusal)
    from trajectory.auth.views import safe_next

    verifier = generate_token(64)
    pending = {"state": generate_token(43), "nonce": generate_token(43), "verifier": verifier,
               "next": safe_next(request.values.get("next")), "at": time.time()}
    session[PENDING_KEY] = pending
    params = {
        "response_type": "code",
        "client_id": _client_id(),
        "redirect_uri": _redirect_uri(),
        "scope": " ".join(_as_list(current_app.config.get("OIDC_SCOPES")) or ["openid"]),
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    if "openid" not in params["scope"].split():
        params["scope"] = "openid " + params["scope"]
    if _required_acr():
        params["acr_values"] = " ".join(_required_acr())
    return redirect(add_params_to_uri(metadata["authorization_endpoint"], params))


@bp.route("/inloggen/sso/terug")
@public
def callback():
    """The provider sends the person back: check state, fetch and check the ID token, log in."""
    _require_enabled()
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    pending = session.pop(PENDING_KEY, None)  # one use, whatever happens next
    subject = None
    try:
        if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
            raise SsoRefused(_("Your login with %(label)s took too long or was not started here. "
                               "Please try again.", label=label()), "no pending login (or expired)")
        state = request.args.get("state", "")
        if not hmac.compare_digest(state.encode(), str(pending["state"]).encode()):
            raise SsoRefused(_("The answer from %(label)s does not belong to this login. "
                               "Please try again.", label=label()), "state mismatch")
        if request.args.get("error"):
            raise SsoRefused(_("Logging in with %(label)s was cancelled or refused.",
                               label=label()),
                             "provider error: "
                             + re.sub(r"[^A-Za-z0-9_.-]", "", request.args["error"])[:60])
        code = request.args.get("code", "")
        if not code:
            raise SsoRefused(_failed_message(), "callback without code")
        metadata = provider_metadata()
        tokens = _exchange_code(metadata, code, pending["verifier"])
        claims = _validated_claims(metadata, tokens, pending["nonce"])
        subject = f"sso:{claims['sub']}"
        with acting_as(SSO_ACTOR):  # the trail shows the provider made these changes
            user, dropped = account_for(claims, tokens["id_token"])
    except SsoRefused as refusal:
        return _refuse(refusal, subject)
    except sa.exc.IntegrityError:  # the same first login twice at once: one of them wins
        return _refuse(SsoRefused(_failed_message(), "identity created concurrently"), subject)
    complete_login(user, method="oidc")
    detail = (f"iss={claims['iss']} acr={claims.get('acr')} "
              f"amr={','.join(_as_list(claims.get('amr'))) or None}")
    if dropped:
        detail += f" dropped_roles={','.join(dropped)}"
    log_security("sso_login", "success", user_id=user.id, username=user.username, detail=detail)
    db.session.commit()
    from trajectory.auth.views import safe_next

    return redirect(safe_next(pending.get("next")) or url_for("main.home"))


# --- logout at the provider -------------------------------------------------------------------

LOGOUT_ENDPOINTS = frozenset({"auth.logout", "auth.logout_everywhere"})


def _note_sso_logout() -> None:
    """Before the local logout clears the session: was this a single sign-on session?"""
    if request.endpoint not in LOGOUT_ENDPOINTS or request.method != "POST" or not enabled():
        return
    if not current_user.is_authenticated or _login_method() != "oidc":
        return
    g.oidc_logout_user_id = current_user.id


def _login_method() -> str | None:
    """How this session logged in: its server-side row's method (complete_login)."""
    row = current_session()
    return row.method if row is not None else None


def _logout_at_provider(response):
    """After the local logout: on to the provider's ``end_session_endpoint`` when it has one."""
    user_id = g.pop("oidc_logout_user_id", None)
    if user_id is None or response.status_code not in (302, 303):
        return response
    if not current_app.config.get("OIDC_LOGOUT_AT_PROVIDER", True):
        return response
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
        if not endpoint:
            return response
        _check_url(endpoint)
    except SsoRefused:
        return response  # the local session has ended; the provider's stays
    identity = db.session.scalars(
        sa.select(UserIdentity).where(UserIdentity.user_id == user_id,
                                      UserIdentity.issuer == _issuer())
        .order_by(UserIdentity.last_login_at.desc())).first()
    params = {"client_id": _client_id(),
              "post_logout_redirect_uri": url_for("auth.login", _external=True)}
    if identity is not None and identity.last_id_token:
        params["id_token_hint"] = identity.last_id_token
    response.headers["Location"] = add_params_to_uri(endpoint, params)
    return response


def _sso_context() -> dict:
    return {"sso_label": label() if enabled() else None}


# --- linking an existing account (CLI) ----------------------------------------------------------

sso_cli = AppGroup("sso", help="Single sign-on identities (OpenID Connect).")
CLI_ACTOR = Actor(user_id=None, name="cli", organisation_id=None)


@sso_cli.command("link")
@click.argument("username")
@click.argument("subject")
@click.option("--issuer", default=None, help="Defaults to TRAJECTORY_OIDC_ISSUER.")
def link_command(username: str, subject: str, issuer: str | None) -> None:
    """Link an existing account to the provider's subject (its ``sub`` claim)."""
    issuer = issuer or current_app.config.get("OIDC_ISSUER")
    if not issuer:
        raise click.UsageError("geen issuer: zet TRAJECTORY_OIDC_ISSUER of geef --issuer")
    with acting_as(CLI_ACTOR):
        user = db.session.scalars(sa.select(User).where(
            sa.func.lower(User.username) == username.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"gebruiker '{username}' bestaat niet")
        taken = db.session.scalars(sa.select(UserIdentity).where(
            UserIdentity.issuer == issuer, UserIdentity.subject == subject)).first()
        if taken is not None:
            raise click.ClickException(f"dit subject hoort al bij '{taken.user.username}'")
        db.session.add(UserIdentity(user=user, issuer=issuer, subject=subject))
        db.session.commit()
    click.echo(f"'{user.username}' logt nu in met {issuer} (sub {subject}).")


@sso_cli.command("unlink")
@click.argument("username")
def unlink_command(username: str) -> None:
    """Remove every single sign-on identity of an account."""
    with acting_as(CLI_ACTOR):
        user = db.session.scalars(sa.select(User).where(
            sa.func.lower(User.username) == username.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"gebruiker '{username}' bestaat niet")
        rows = list(db.session.scalars(sa.select(UserIdentity).where(
            UserIdentity.user_id == user.id)))
        for row in rows:
            db.session.delete(row)
        db.session.commit()
    click.echo(f"{len(rows)} identiteit(en) van '{user.username}' verwijderd.")


def init_app(app: Flask) -> None:
    """Register the blueprint, the login page's button, the logout hook and the CLI."""
    if app.config.get("OIDC_ISSUER"):
        from trajectory.config import ConfigurationError

        if not app.config.get("OIDC_CLIENT_ID"):
            raise ConfigurationError("TRAJECTORY_OIDC_ISSUER is gezet maar "
                                     "TRAJECTORY_OIDC_CLIENT_ID ontbreekt (docs/sso.md).")
        parts = urllib.parse.urlsplit(str(app.config["OIDC_ISSUER"]))
        if parts.scheme != "https" and not (parts.scheme == "http"
                                            and _is_loopback(parts.hostname or "")):
            raise ConfigurationError("TRAJECTORY_OIDC_ISSUER moet een https-adres zijn.")
    app.register_blueprint(bp)
    app.context_processor(_sso_context)
    app.before_request(_note_sso_logout)
    app.after_request(_logout_at_provider)
    app.cli.add_command(sso_cli)
