"""Starting and ending a logged-in session: the one place every login method ends in.

The password form (after its second step), single sign-on and tests all call
``complete_login``; logout calls ``end_login``. What a session is on the server
lives here too, so no login path can skip it:

- ``complete_login`` creates a ``UserSession`` row and puts only a random
  session key in the (signed) cookie; the row keeps the key's SHA-256.
- ``load_session_user`` (the Flask-Login user loader) accepts a cookie only
  while its row is open, before its absolute end (``SESSION_LIFETIME_HOURS``)
  and while the user's ``session_token`` still matches the cookie.
- ``check_request_session`` (before every request) ends a session that was
  idle too long (``IDLE_TIMEOUT_MINUTES``, against the row's ``last_seen_at``)
  or reached its lifetime, and writes ``last_seen_at`` at most once a minute.
- When a user's ``session_token`` changes (logout everywhere, password change,
  deactivation, a change of roles or organisation: ``User.end_all_sessions``)
  every open row of that user is ended in the same flush, except the row of
  the request doing it when the user acts on their own account (a password
  change keeps this device logged in).
- Form input kept across an expired session lives in ``KeptInput`` rows, never
  in the cookie (``keep_input`` / ``take_kept_input``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user, login_user, logout_user

from trajectory import timeutil
from trajectory.audit.trail import log_security
from trajectory.auth.models import User
from trajectory.auth.session_models import USER_AGENT_MAX, EndReason, KeptInput, UserSession
from trajectory.extensions import db
from trajectory.timeutil import as_utc

# The key under which the cookie carries the session key.
SESSION_KEY = "_sk"
# last_seen_at is written at most this often (a page view is not a write every time).
TOUCH_INTERVAL = timedelta(minutes=1)
KEPT_INPUT_LIFETIME = timedelta(hours=1)
KEPT_VALUE_MAX = 10_000


def now() -> datetime:
    """The clock of the sessions (tests replace ``trajectory.timeutil.utcnow``)."""
    return timeutil.utcnow()


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["SESSION_LIFETIME_HOURS"]))


def idle_limit() -> timedelta:
    return timedelta(minutes=float(current_app.config["IDLE_TIMEOUT_MINUTES"]))


def current_session() -> UserSession | None:
    """The row of this request's session (after the user loader ran), else None."""
    if not has_request_context():
        return None
    current_user._get_current_object()  # noqa: B018 - runs the user loader once
    return g.get("user_session")


# ------------------------------------------------------------------ login and logout

def complete_login(user, *, method: str = "password") -> None:
    """Log ``user`` in on this device: a fresh session row, the login recorded."""
    moment = now()
    previous = _row_of_cookie()
    if previous is not None and previous.ended_at is None:
        end_session(previous, EndReason.NEW_LOGIN, at=moment)
    session.clear()
    login_user(user)
    key = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id, key_hash=hash_key(key), method=(method or "password")[:20],
        created_at=moment, last_seen_at=moment, expires_at=moment + lifetime(),
        ip=(request.remote_addr or "")[:64] or None,
        user_agent=(request.user_agent.string or "")[:USER_AGENT_MAX] or None,
    )
    db.session.add(row)
    _close_stale_sessions(user.id, moment)
    db.session.flush()
    session[SESSION_KEY] = key
    g.user_session = row
    log_security("login", "success", user_id=user.id, username=user.username)


def end_login(event: str = "logout") -> None:
    """Log out on this device and end its session row (the caller commits)."""
    row = current_session()
    db.session.flush()  # a token change just made (logout everywhere) still sees who acted
    if current_user.is_authenticated:
        log_security(event, "success", user_id=current_user.id, username=current_user.username)
    if row is not None and row.ended_at is None:
        reason = EndReason(event) if event in {r.value for r in EndReason} else EndReason.LOGOUT
        end_session(row, reason)
    g.pop("user_session", None)
    logout_user()
    session.clear()


def end_session(row: UserSession, reason: EndReason, *, at: datetime | None = None) -> None:
    """Mark one session as ended; its cookie stops working at the next request."""
    if row.ended_at is None:
        row.ended_at = at or now()
        row.ended_reason = reason


def end_user_sessions(user_id: int, reason: EndReason, *, keep_id: int | None = None) -> int:
    """End every open session of a user (except ``keep_id``); returns how many."""
    moment = now()
    with db.session.no_autoflush:
        rows = db.session.scalars(sa.select(UserSession).where(
            UserSession.user_id == user_id, UserSession.ended_at.is_(None))).all()
    ended = 0
    for row in rows:
        if row.id != keep_id:
            end_session(row, reason, at=moment)
            ended += 1
    return ended


def log_session_end(row: UserSession, reason: EndReason, *, actor: Any = None) -> None:
    """A security event for a session ended by idle time, lifetime, the user or an admin.

    ``user_id`` is who ended it (the administrator, or the user), ``username``
    the account whose session it was.
    """
    actor_id = actor.id if actor is not None else row.user_id
    log_security(f"session_end_{reason.value}", "success", user_id=actor_id,
                 username=row.user.username if row.user else None)


def _row_of_cookie() -> UserSession | None:
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not key:
        return None
    # The account, its organisation and its roles in this one query: every request asks
    # them (access checks, the menu), so a selectin load of the roles would be a second.
    return db.session.scalars(
        sa.select(UserSession).where(UserSession.key_hash == hash_key(key))
        .options(so.joinedload(UserSession.user).joinedload(User.role_rows))).unique().first()


def _close_stale_sessions(user_id: int, moment: datetime) -> None:
    """Mark this user's sessions that ran out (lifetime, idle) as ended, for the lists."""
    open_rows = sa.update(UserSession).where(UserSession.user_id == user_id,
                                             UserSession.ended_at.is_(None))
    db.session.execute(
        open_rows.where(UserSession.expires_at <= moment)
        .values(ended_at=moment, ended_reason=EndReason.LIFETIME)
        .execution_options(synchronize_session=False))
    db.session.execute(
        open_rows.where(UserSession.last_seen_at < moment - idle_limit())
        .values(ended_at=moment, ended_reason=EndReason.IDLE)
        .execution_options(synchronize_session=False))


# ------------------------------------------------------------------ every request

def load_session_user(user_ref: str) -> User | None:
    """Flask-Login's user loader: the user of an open, unexpired session, else None.

    ``user_ref`` is ``User.get_id()`` as the cookie carries it ("id:token").
    A session past its absolute end is left in ``g.expired_session`` for
    ``check_request_session`` to end and report.
    """
    user_id, _sep, token = (user_ref or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    row = _row_of_cookie()
    if row is None or row.ended_at is not None or row.user_id != int(user_id):
        return None
    user = row.user
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    if now() >= as_utc(row.expires_at):
        g.expired_session = row
        return None
    g.user_session = row
    return user


def check_request_session() -> tuple[UserSession, EndReason] | None:
    """End this request's session when it was idle too long or reached its lifetime.

    Returns the ended row and why (the caller logs out, keeps a form body and
    redirects); otherwise notes the activity and returns None.
    """
    if not current_user.is_authenticated:
        expired = g.pop("expired_session", None)
        if expired is None:
            return None
        end_session(expired, EndReason.LIFETIME)
        return expired, EndReason.LIFETIME
    row = g.get("user_session")
    if row is None:
        return None
    moment = now()
    last_seen = as_utc(row.last_seen_at)
    if moment - last_seen > idle_limit():
        end_session(row, EndReason.IDLE, at=moment)
        return row, EndReason.IDLE
    if moment - last_seen >= TOUCH_INTERVAL:
        row.last_seen_at = moment
        db.session.commit()
    return None


def open_sessions(user_id: int) -> list[UserSession]:
    """The sessions of a user that still work, newest first."""
    moment = now()
    return list(db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None),
               UserSession.expires_at > moment,
               UserSession.last_seen_at >= moment - idle_limit())
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())))


# ------------------------------------------------------------------ token changes

def _reason_for(user: User, state: Any) -> EndReason:
    active = state.attrs.active.history
    if active.has_changes() and active.added and not active.added[0]:
        return EndReason.DEACTIVATED
    if state.attrs.password_hash.history.has_changes():
        return EndReason.PASSWORD_CHANGED
    own = g.get("user_session") if has_request_context() else None
    if own is not None and own.user_id == user.id:
        return EndReason.LOGOUT_EVERYWHERE
    return EndReason.ADMIN


def _end_sessions_of_new_tokens(db_session: so.Session, flush_context, instances) -> None:
    """``before_flush``: a user whose ``session_token`` changed loses every open session.

    The request's own session stays when the user acts on their own account
    (changing their password keeps this device logged in; logging out
    everywhere ends this one as well, through ``end_login``).
    """
    for obj in list(db_session.dirty):
        if not isinstance(obj, User):
            continue
        state = sa.inspect(obj)
        if not state.attrs.session_token.history.has_changes():
            continue
        keep = g.get("user_session") if has_request_context() else None
        moment = now()
        with db_session.no_autoflush:
            reason = _reason_for(obj, state)
            keep_id = keep.id if keep is not None and keep.user_id == obj.id \
                and reason is not EndReason.DEACTIVATED else None
            rows = db_session.scalars(sa.select(UserSession).where(
                UserSession.user_id == obj.id, UserSession.ended_at.is_(None))).all()
        for row in rows:
            if row.id != keep_id:
                end_session(row, reason, at=moment)


def install_session_listeners() -> None:
    """Attach the token-change listener once (idempotent)."""
    if not sa.event.contains(so.Session, "before_flush", _end_sessions_of_new_tokens):
        sa.event.listen(so.Session, "before_flush", _end_sessions_of_new_tokens)


# ------------------------------------------------------------------ kept input

def _bounded(value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        return [str(item)[:KEPT_VALUE_MAX] for item in value[:100]]
    return str(value)[:KEPT_VALUE_MAX]


def keep_input(user_id: int, path: str, fields: dict[str, str | list[str]]) -> None:
    """Keep a form body for its owner for ``KEPT_INPUT_LIFETIME`` (the caller commits).

    One row per user and path (a newer post replaces it); a field posted more than once
    keeps its values as a list."""
    moment = now()
    db.session.execute(sa.delete(KeptInput).where(sa.or_(
        KeptInput.expires_at <= moment,
        sa.and_(KeptInput.user_id == user_id, KeptInput.path == path[:300])))
        .execution_options(synchronize_session=False))
    db.session.add(KeptInput(
        user_id=user_id, path=path[:300], created_at=moment,
        expires_at=moment + KEPT_INPUT_LIFETIME,
        fields={str(name)[:200]: _bounded(value) for name, value in fields.items()}))


def take_kept_input(user_id: int, path: str) -> dict[str, str | list[str]] | None:
    """The fields kept for this user and path, removed for good (committed now); else None."""
    moment = now()
    row = db.session.scalars(
        sa.select(KeptInput)
        .where(KeptInput.user_id == user_id, KeptInput.path == path[:300],
               KeptInput.expires_at > moment)
        .order_by(KeptInput.created_at.desc(), KeptInput.id.desc())).first()
    if row is None:
        return None
    fields = dict(row.fields or {})
    db.session.execute(sa.delete(KeptInput).where(sa.or_(
        KeptInput.expires_at <= moment,
        sa.and_(KeptInput.user_id == user_id, KeptInput.path == path[:300])))
        .execution_options(synchronize_session=False))
    # Taken once: a GET view commits nothing, so make the removal stick here.
    db.session.commit()
    return fields
