"""Sessions on the server: one row per login, and form input kept across an idle logout.

The browser's cookie carries only a random session key; the server keeps its
SHA-256 hash (``UserSession.key_hash``), so a copied database does not hand
out working cookies. A session is open while ``ended_at`` is empty, it is
before ``expires_at`` (the absolute lifetime) and the last request
(``last_seen_at``) is no longer ago than the idle timeout.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.timeutil import utcnow

USER_AGENT_MAX = 200


class EndReason(enum.StrEnum):
    """Why a session ended."""

    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    LIFETIME = "lifetime"
    IDLE = "idle"
    ADMIN = "admin"
    USER = "user"  # the user ended it from their list of sessions
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    DEACTIVATED = "deactivated"
    NEW_LOGIN = "new_login"  # a new login on the same browser replaced it


class UserSession(db.Model):
    """One login on one browser, from the login until it ends."""

    __tablename__ = "user_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # SHA-256 (hex) of the random key in the cookie; the key itself is never stored.
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    method: so.Mapped[str] = so.mapped_column(sa.String(20), default="password")
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                         default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True))
    ended_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    ended_reason: so.Mapped[EndReason | None] = so.mapped_column(
        sa.Enum(EndReason, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e]))
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(USER_AGENT_MAX))

    user: so.Mapped[User] = so.relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"

    @classmethod
    def scope_filter(cls, user: Any) -> sa.ColumnElement[bool]:
        """Sessions of the accounts an administrator may manage (``User.scope_filter``)."""
        return cls.user_id.in_(sa.select(User.id).where(User.scope_filter(user)))


class KeptInput(db.Model):
    """A form body posted by a session that had just expired, until its owner logs in again.

    It is taken once, by the same user, on the same path, within ``expires_at``.
    """

    __tablename__ = "kept_input"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: so.Mapped[str] = so.mapped_column(sa.String(300))
    fields: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), index=True)
