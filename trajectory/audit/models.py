"""Append-only records of changes, data processing and security events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.extensions import db
from trajectory.timeutil import utcnow


class AuditEvent(db.Model):
    """One create, update or delete of an audited object, with old and new values.

    Written by the session listener in ``trajectory.audit.trail``, never by hand,
    so no service can forget it.
    """

    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor_user_id: so.Mapped[int | None] = so.mapped_column(index=True)
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    actor_organisation_id: so.Mapped[int | None]
    action: so.Mapped[str] = so.mapped_column(sa.String(10))  # create, update, delete
    object_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    object_id: so.Mapped[str] = so.mapped_column(sa.String(60))
    subject_type: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    subject_id: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    changes: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),
    )


class ProcessingLogEntry(db.Model):
    """One processing of a person's data: a view, a search result, an export.

    Fields follow the Logius "Logboek Dataverwerkingen" record (see
    docs/architecture.md): one line per action and per data subject.
    """

    __tablename__ = "processing_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    actor_user_id: so.Mapped[int | None] = so.mapped_column(index=True)
    actor_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    actor_roles: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    actor_organisation_id: so.Mapped[int | None]
    action: so.Mapped[str] = so.mapped_column(sa.String(60))  # e.g. view, export, list
    processing_activity: so.Mapped[str] = so.mapped_column(sa.String(80))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(60))
    object_id: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    subject_type: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    subject_id: so.Mapped[str | None] = so.mapped_column(sa.String(60))
    result: so.Mapped[str] = so.mapped_column(sa.String(20), default="success")
    data_categories: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    __table_args__ = (sa.Index("ix_processing_log_subject", "subject_type", "subject_id"),)


class SecurityEvent(db.Model):
    """Login, logout, throttling and refused access (BIO2 8.15.01)."""

    __tablename__ = "security_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    actor_user_id: so.Mapped[int | None] = so.mapped_column(index=True)
    username: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    origin_ip: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    path: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    result: so.Mapped[str] = so.mapped_column(sa.String(20))
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # What else the event needs to be understood, e.g. a single sign-on login's
    # assurance (acr, amr) or why it was refused. Never a secret or a token.
    detail: so.Mapped[str | None] = so.mapped_column(sa.String(300))
