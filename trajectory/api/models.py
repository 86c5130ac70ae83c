"""API tokens: a beheerder issues one to an organisation's client application.

Only the SHA-256 of a token is stored. A token is 32 random bytes (256 bits) from
``secrets``: nobody can guess it or search for it, so a slow password hash (argon2)
adds nothing but cost on every call; a fast hash of the presented token is looked up
by its unique index, and the database never holds anything usable as a token.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import as_utc, utcnow


class Scope(enum.StrEnum):
    """What a token may do; an operation names the scope it needs."""

    LEDGER_READ = "ledger:read"
    CLAIMS_WRITE = "claims:write"
    CONTACTS_WRITE = "contacts:write"
    CANDIDATES_READ = "candidates:read"
    STAGES_READ = "stages:read"
    STAGES_WRITE = "stages:write"


SCOPE_LABELS = {
    Scope.LEDGER_READ: _l("Read contracts and their ledger figures"),
    Scope.CLAIMS_WRITE: _l("Create and submit claims"),
    Scope.CONTACTS_WRITE: _l("Record contacts"),
    Scope.CANDIDATES_READ: _l("Read candidates"),
    Scope.STAGES_READ: _l("Read stages"),
    Scope.STAGES_WRITE: _l("Record the outcome of stages"),
}

# The roles a token may act as: the role decides rows and fields exactly as on the pages.
# Not the beheerder (no data of its own). A buddy is a person, not a system: a buddy's
# token belongs to one buddy account (``user_id``), the app on that buddy's phone, and
# sees what that buddy sees on the pages.
TOKEN_ROLES = (Role.INTAKER, Role.SROI_ADVISEUR, Role.COORDINATOR, Role.KLANTMANAGER,
               Role.BUDDY)
PERSONAL_ROLES = frozenset({Role.BUDDY})


class ApiToken(db.Model):
    """One client application's key; ``acts_as`` is the role whose rules apply to it."""

    __tablename__ = "api_token"
    __audit__ = True
    __label__ = _l("API token")
    __title__ = "client_name"
    __audit_redact__ = frozenset({"token_hash"})

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id"), index=True, info={"label": _l("Organisation")})
    client_name: so.Mapped[str] = so.mapped_column(sa.String(120),
                                                   info={"label": _l("Client application")})
    acts_as: so.Mapped[Role] = so.mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        info={"label": _l("Acts as")})
    scopes: so.Mapped[str] = so.mapped_column(sa.String(200), default="",
                                              info={"label": _l("Scopes")})
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True,
                                                  info={"label": _l("Token")})
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12), info={"shown": False})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), info={"shown": False})
    expires_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       info={"label": _l("Expires")})
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                info={"shown": False})
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                              info={"label": _l("Revoked")})
    # A buddy's token: the account whose app it is (its scope is that buddy's); else None.
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True,
        info={"label": _l("Account")})

    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")
    user: so.Mapped[User | None] = so.relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def usable(self, now: datetime | None = None) -> bool:
        """Not revoked, not expired, and its organisation still active."""
        now = now or utcnow()
        return (self.revoked_at is None and as_utc(self.expires_at) > now
                and self.organisation.active and (self.user is None or self.user.active))

    @classmethod
    def scope_filter(cls, user) -> sa.ColumnElement[bool]:
        """Tokens a beheerder manages: the region's all, others their own organisation's."""
        if user.is_regional:
            return sa.true()
        return cls.organisation_id == user.organisation_id


class ApiIdempotency(db.Model):
    """A client's ``Idempotency-Key`` on a POST, kept a day: a retry with the same key gets
    the first answer again (rebuilt from the row it made), never a second row.

    Only a hash of the request (method, path, body) is kept, so that the same key with
    another body is refused; never the body or the answer themselves (they may hold a
    buddy's note about a person): the answer is rebuilt from ``resource_id``.
    """

    __tablename__ = "api_idempotency"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("api_token.id", ondelete="CASCADE"))
    key: so.Mapped[str] = so.mapped_column(sa.String(255))
    request_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    status: so.Mapped[int]
    resource_id: so.Mapped[int | None]
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       index=True)

    __table_args__ = (sa.UniqueConstraint("token_id", "key"),)
