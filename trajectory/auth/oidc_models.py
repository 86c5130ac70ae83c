"""Single sign-on identities: which OpenID Connect subject is which account.

The key of an identity is the pair (issuer, subject): the ``sub`` claim is
unique and never reassigned within one issuer (OpenID Connect Core 1.0,
section 5.7). The e-mail address is never a key: it changes, and two people
can share one over time.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.timeutil import utcnow


class UserIdentity(db.Model):
    """One OpenID Connect identity (issuer + subject) of one account."""

    __tablename__ = "user_identity"
    __audit__ = True
    __label__ = _l("Single sign-on identity")
    __audit_redact__ = frozenset({"last_id_token"})

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True,
        info={"label": _l("User account")})
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255),
                                              info={"label": _l("Identity provider")})
    subject: so.Mapped[str] = so.mapped_column(sa.String(255),
                                               info={"label": _l("Identity at the provider")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                 info={"shown": False})
    # The assurance of the last login, as the provider stated it (acr, amr).
    last_acr: so.Mapped[str | None] = so.mapped_column(sa.String(255), info={"shown": False})
    last_amr: so.Mapped[str | None] = so.mapped_column(sa.String(255), info={"shown": False})
    # The last ID token, kept only as the ``id_token_hint`` for logout at the provider.
    last_id_token: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"shown": False})

    user: so.Mapped[User] = so.relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    def __repr__(self) -> str:
        return f"<UserIdentity {self.issuer!r} {self.subject!r}>"
