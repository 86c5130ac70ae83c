"""What a user chose to receive, and the outbox of e-mails (docs/notifications.md).

The outbox is the record of what was sent to whom and when: one row per message, named
by a unique ``key`` that says what it is about (``task:to_answer:<stage>:<user>``), so
computing the same message twice (two runs at the same time, a run every 15 minutes)
finds the row already there. A row holds the text as it was sent: the recipient's first
name and a link, never a candidate's name.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.timeutil import utcnow


class Digest(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return label_text(DIGEST_LABELS[self])


DIGEST_LABELS = {
    Digest.OFF: _l("No digest"),
    Digest.DAILY: _l("Every morning"),
    Digest.WEEKLY: _l("Every Monday morning"),
}


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"     # waiting to be sent (again, after a temporary failure)
    SENDING = "sending"   # claimed by one run
    SENT = "sent"
    FAILED = "failed"     # the server refused it for good, or too many attempts

    @property
    def label(self) -> str:
        return label_text(OUTBOX_STATUS_LABELS[self])


OUTBOX_STATUS_LABELS = {
    OutboxStatus.QUEUED: _l("waiting to be sent"),
    OutboxStatus.SENDING: _l("being sent"),
    OutboxStatus.SENT: _l("sent"),
    OutboxStatus.FAILED: _l("not delivered"),
}


def _enum(cls: type[enum.Enum], length: int = 10) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class NotificationPreference(db.Model):
    """One user's choices; a user without a row gets the defaults (every kind for their
    roles, no digest, Dutch)."""

    __tablename__ = "notify_preference"
    __audit__ = True
    __label__ = _l("E-mail choices")

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    language: so.Mapped[str] = so.mapped_column(sa.String(5), default="nl",
                                                info={"label": _l("Language of the e-mails")})
    digest: so.Mapped[Digest] = so.mapped_column(_enum(Digest), default=Digest.OFF,
                                                 info={"label": _l("Digest of your signals")})
    # The kinds (``rules.KINDS`` keys) the user switched off.
    muted: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list,
                                                   info={"label": _l("Switched off")})
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, onupdate=utcnow,
                                                       info={"shown": False})

    user: so.Mapped[User] = so.relationship()


class OutboxMessage(db.Model):
    """One e-mail: queued once (unique ``key``), claimed by one run, sent or failed."""

    __tablename__ = "notify_outbox"
    __table_args__ = (sa.Index("ix_notify_outbox_status", "status", "id"),
                      sa.Index("ix_notify_outbox_user", "user_id", "created_at"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))  # the address it went to
    language: so.Mapped[str] = so.mapped_column(sa.String(5))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    link: so.Mapped[str] = so.mapped_column(sa.String(500))
    status: so.Mapped[OutboxStatus] = so.mapped_column(_enum(OutboxStatus),
                                                       default=OutboxStatus.QUEUED)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    user: so.Mapped[User] = so.relationship()
