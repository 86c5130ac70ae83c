"""Configuration: safe defaults, overridden by the environment.

Every setting can be given as ``TRAJECTORY_<NAME>`` or ``FLASK_<NAME>``
(``app.config.from_prefixed_env``); values are JSON-decoded when they parse
as JSON, so ``TRAJECTORY_IDLE_TIMEOUT_MINUTES=15`` is an int. The table in
README.md lists the settings people change.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask

# Known development keys: never acceptable outside debug/testing.
_MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The app refuses to start with an unsafe or broken configuration."""


DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": None,  # set from DATABASE_URL or the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en"],
    "IDLE_TIMEOUT_MINUTES": 30,
    "SESSION_LIFETIME_HOURS": 12,  # absolute end of a session, however active (auth/sessions.py)
    "RATELIMIT_STORAGE_URI": "memory://",
    # Login throttle (trajectory/auth/throttle.py): Redis when this (or else
    # RATELIMIT_STORAGE_URI) is a redis:// URL, otherwise the database.
    "LOGIN_THROTTLE_STORAGE_URI": None,
    "LOGIN_THROTTLE_FREE_FAILURES": 5,
    "LOGIN_THROTTLE_MAX_DELAY_SECONDS": 30,
    "LOGIN_THROTTLE_ADDRESS_FREE_FAILURES": 5,
    "LOGIN_THROTTLE_ADDRESS_MAX_DELAY_SECONDS": 900,
    "LOGIN_THROTTLE_WINDOW_SECONDS": 900,
    # Seconds between the password and the second-factor code before starting again.
    "MFA_PENDING_SECONDS": 300,
    "RATELIMIT_HEADERS_ENABLED": False,
    "PASSWORD_MIN_LENGTH": 12,
    # argon2id parameters; None means the argon2-cffi defaults (RFC 9106 low-memory).
    "ARGON2_TIME_COST": None,
    "ARGON2_MEMORY_COST": None,
    "ARGON2_PARALLELISM": None,
    "DEMO_MODE": False,
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # True outside debug/testing unless set
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # Single sign-on (OpenID Connect, trajectory/auth/oidc.py, docs/sso.md): off without an issuer.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_CLIENT_PRIVATE_KEY": None,  # PEM or a file: private_key_jwt instead of the secret
    "OIDC_CLIENT_KEY_ID": None,
    "OIDC_SCOPES": "openid profile email",
    "OIDC_LABEL": "SSO",
    "OIDC_ROLES_CLAIM": "roles",
    "OIDC_ORGANISATION_CLAIM": "organisation",
    "OIDC_ROLE_MAP": {},
    "OIDC_ORGANISATION_MAP": {},
    "OIDC_REQUIRED_ACR": None,
    "OIDC_CREATE_ACCOUNTS": True,
    "OIDC_REDIRECT_URI": None,
    "OIDC_LOGOUT_AT_PROVIDER": True,
    "OIDC_TIMEOUT": 10,
    "OIDC_METADATA_TTL": 3600,
    "LOG_LEVEL": "INFO",
    "LOG_JSON": True,
    "PER_PAGE": 25,
    # X-Query-Count on every response (trajectory/querycount.py): for the benchmarks only.
    "QUERY_COUNT_HEADER": False,
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "ORGANISATION_NAME": "Regio Oosterschelde",
    # The region in the page header and the NL Design System theme class on <html>
    # (templates/base.html); a municipality with its own design tokens sets its class.
    "REGION_NAME": "Oosterschelde",
    "THEME_CLASS": "voorbeeld-theme",
    # /metrics (trajectory/metrics.py) answers only with this bearer token; 404 without one.
    "METRICS_TOKEN": None,
    # Hashed, compressed static files (trajectory/assets.py); default <repo>/build/static.
    "STATIC_BUILD_DIR": None,
    # A closed file is due for destruction this many years after closure (trajectory/retention).
    "RETENTION_YEARS": 10,
    # A provider's access to a file ends this many days after its connection ends
    # (stage, cohort agreement, buddy assignment; trajectory/candidates/need_to_know.py).
    "CONNECTION_GRACE_DAYS": 30,
}


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config``: defaults, then the environment, then ``overrides``."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FLASK")
    app.config.from_prefixed_env("TRAJECTORY")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)

    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        db_path = Path(app.instance_path) / "trajectory.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    relaxed = app.debug or app.testing
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not relaxed
    _ensure_secret_key(app, relaxed)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _cli_command_without_server() -> bool:
    """True when the Flask CLI loads the app for a command other than ``run``."""
    if click.get_current_context(silent=True) is None:
        return False
    return "run" not in sys.argv[1:]


def _ensure_secret_key(app: Flask, relaxed: bool) -> None:
    key = app.config.get("SECRET_KEY")
    if key and len(str(key)) >= _MIN_SECRET_LENGTH:
        return
    if not relaxed and _cli_command_without_server():
        # A maintenance command (db upgrade, sroi check, user create) signs
        # nothing that outlives it: an ephemeral key is enough.
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    if not relaxed:
        raise ConfigurationError(
            "TRAJECTORY_SECRET_KEY ontbreekt of is korter dan 32 tekens; "
            "de applicatie start niet zonder echte geheime sleutel "
            "(maak er een met: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if key:
        return  # tests may use a short fixed key
    # Debug without a key: keep one in the instance folder so sessions survive reloads.
    key_file = Path(app.instance_path) / "dev-secret-key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()
