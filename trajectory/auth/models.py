"""User accounts and their roles."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import utcnow


def new_session_token() -> str:
    """A fresh per-user token; changing it ends every session of that user."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who logs in. Belongs to one organisation, holds one or more roles."""

    __tablename__ = "user_account"
    __audit__ = True
    __label__ = _l("User account")
    __title__ = "full_name"
    __audit_redact__ = frozenset({"password_hash", "session_token", "totp_secret"})
    __table_args__ = (sa.Index("ix_user_account_full_name", "full_name"),)  # lists sort by name

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True,
                                                info={"label": _l("Username")})
    full_name: so.Mapped[str] = so.mapped_column(sa.String(120), info={"label": _l("Name")})
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254),
                                                    info={"label": _l("Email address")})
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id"), index=True, info={"label": _l("Organisation")}
    )
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255), info={"label": _l("Password")})
    session_token: so.Mapped[str] = so.mapped_column(sa.String(64), default=new_session_token,
                                                     info={"shown": False})
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False,
                                                             info={"label": _l("Must change the password")})
    active: so.Mapped[bool] = so.mapped_column(default=True, info={"label": _l("Active")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                 info={"shown": False})
    # Second factor (trajectory/auth/mfa.py): the TOTP secret, encrypted with a key
    # derived from SECRET_KEY; set but not enrolled while the user is setting it up.
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(255),
                                                          info={"label": _l("Second factor")})
    totp_enrolled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                    info={"label": _l("Second factor set up on")})
    # The last time step (unix time // 30) a code was accepted for: no replay.
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger, info={"shown": False})

    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")
    role_rows: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<User {self.username!r}>"

    # Flask-Login: the id carries the session token, so a changed token makes
    # every earlier cookie useless (logout everywhere, password change).
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active and self.organisation.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if row.role in roles]
        present = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=r) for r in sorted(roles - present)]

    @property
    def mfa_enrolled(self) -> bool:
        return self.totp_enrolled_at is not None and self.totp_secret is not None

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()

    @property
    def role_labels(self) -> list[str]:
        return [role.label for role in sorted(self.roles)]

    @property
    def is_regional(self) -> bool:
        """Works for the region itself, so sees across organisations where a role allows."""
        return self.organisation.is_region

    @classmethod
    def scope_filter(cls, user: User) -> sa.ColumnElement[bool]:
        """Accounts an administrator may manage: the region's see all, others their own."""
        if user.is_regional:
            return sa.true()
        return cls.organisation_id == user.organisation_id


def by_name(relationship: Any) -> Any:
    """A loader option for a user a page names (a buddy, an assessor, who is responsible):
    joined, with its organisation, but without the roles, which only the logged-in user's
    own checks read (``role_rows`` is a selectin load: a query more for every such load)."""
    return so.joinedload(relationship).lazyload(User.role_rows)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: so.Mapped[Role] = so.mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    user: so.Mapped[User] = so.relationship(back_populates="role_rows")


class RecoveryCode(db.Model):
    """A one-time recovery code for the second factor, stored as a SHA-256 hash
    (the codes are random and long, so a fast hash is enough)."""

    __tablename__ = "mfa_recovery_code"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))


class LoginFailureCount(db.Model):
    """Recent failed logins per account or per address (trajectory/auth/throttle.py),
    shared by every app process when no Redis is configured."""

    __tablename__ = "login_throttle"

    key: so.Mapped[str] = so.mapped_column(sa.String(200), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    # Unix time of the last failure (the throttle's clock, not the database's).
    last_failure: so.Mapped[float] = so.mapped_column(sa.Float, index=True)
