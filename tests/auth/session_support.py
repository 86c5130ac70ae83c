"""Helpers for tests that need a session to look idle or old: the session lives on the
server (trajectory/auth/sessions.py), so its clock is moved there, not in the cookie."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from trajectory.auth.session_models import UserSession
from trajectory.auth.sessions import SESSION_KEY, hash_key
from trajectory.extensions import db
from trajectory.timeutil import as_utc


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie is not None else None


def cookie_contents(client) -> dict:
    """The Flask session cookie, decoded as anyone holding it could (it is signed, not secret)."""
    value = cookie_value(client)
    if value is None:
        return {}
    serializer = URLSafeTimedSerializer(client.application.secret_key, salt="cookie-session",
                                        signer_kwargs={"key_derivation": "hmac",
                                                       "digest_method": hashlib.sha1})
    return serializer.loads(value)


def session_row(client) -> UserSession:
    """The server-side row of the client's current session."""
    key = cookie_contents(client)[SESSION_KEY]
    db.session.expire_all()
    return db.session.scalars(
        sa.select(UserSession).where(UserSession.key_hash == hash_key(key))).one()


def idle_for(client, minutes: float) -> None:
    """Make the client's session look as if its last request was ``minutes`` ago."""
    row = session_row(client)
    row.last_seen_at = as_utc(row.last_seen_at) - timedelta(minutes=minutes)
    db.session.commit()


def raw_cookie_text(client) -> str:
    """Everything a reader of the cookie sees, as text (for "is X in there" checks)."""
    return json.dumps(cookie_contents(client), ensure_ascii=False)
