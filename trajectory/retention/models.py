"""Destruction requests, their records, and legal holds on closed files.

None of these is audited: they hold no personal values (ids, dates, user ids,
counts), and the request and record are themselves the account of who did what.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.timeutil import utcnow


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"   # waiting for a second beheerder
    APPROVED = "approved"     # approved and carried out (the file is anonymised)


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class RetentionHold(db.Model):
    """A legal hold: the file is not destroyed before ``until`` (e.g. a lawsuit, an objection)."""

    __tablename__ = "retention_hold"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), unique=True)
    until: so.Mapped[date] = so.mapped_column(sa.Date)
    # Why (a case number, not a personal story): shown to the beheerder.
    reason: so.Mapped[str] = so.mapped_column(sa.String(200))
    set_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    set_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)


class DestructionRequest(db.Model):
    """Four eyes: one beheerder asks to destroy a due file, a different one approves."""

    __tablename__ = "destruction_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[RequestStatus] = so.mapped_column(
        _enum(RequestStatus), default=RequestStatus.REQUESTED, index=True)
    requested_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                         default=utcnow)
    approved_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))

    requested_by: so.Mapped[User] = so.relationship(foreign_keys=[requested_by_id])
    approved_by: so.Mapped[User | None] = so.relationship(foreign_keys=[approved_by_id])


class DestructionRecord(db.Model):
    """What was destroyed of one file: who asked, who approved, when, and per category a
    count. ``candidate_id`` is a plain number (no foreign key), so the record outlives
    even a later deletion of the anonymised row."""

    __tablename__ = "destruction_record"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    request_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("destruction_request.id", ondelete="SET NULL"), unique=True)
    candidate_id: so.Mapped[int] = so.mapped_column(index=True)
    municipality_id: so.Mapped[int | None]
    closed_on: so.Mapped[date | None]
    due_on: so.Mapped[date | None]
    requested_by_id: so.Mapped[int | None] = so.mapped_column(index=True)
    requested_by_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    approved_by_id: so.Mapped[int | None] = so.mapped_column(index=True)
    approved_by_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    destroyed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                         default=utcnow)
    # {"category": count}: e.g. {"personal_fields": 9, "contact_notes": 4, "evidence_files": 3}
    categories: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
