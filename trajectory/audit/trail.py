"""The one place where changes, processing and security events are recorded.

Changes are captured by a SQLAlchemy ``after_flush`` listener for every model
that sets ``__audit__ = True``: services only change objects and flush, and
the trail follows. Fields named in ``__audit_redact__`` are recorded as
changed without their values. A model can name the person the data is about
through an ``audit_subject`` property returning ``(type, id)``.
"""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, has_request_context, request
from flask_login import current_user

from trajectory.audit.models import AuditEvent, ProcessingLogEntry, SecurityEvent
from trajectory.extensions import db
from trajectory.timeutil import utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or a named system process (CLI, demo)."""

    user_id: int | None
    name: str
    organisation_id: int | None
    roles: str = ""


_system_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "trajectory_system_actor", default=None
)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute changes made outside a request (CLI, demo loader) to ``actor``."""
    token = _system_actor.set(actor)
    try:
        yield
    finally:
        _system_actor.reset(token)


def current_actor() -> Actor:
    explicit = _system_actor.get()
    if explicit is not None:
        return explicit
    if has_request_context() and current_user and current_user.is_authenticated:
        return Actor(
            user_id=current_user.id,
            name=current_user.username,
            organisation_id=current_user.organisation_id,
            roles=",".join(sorted(current_user.roles)),
        )
    return Actor(user_id=None, name="systeem", organisation_id=None)


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a column value for the trail."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _column_changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = sa.inspect(obj)
    redact = getattr(obj, "__audit_redact__", frozenset())
    changes: dict[str, list[Any]] = {}
    loaded = state.dict
    for attr in state.mapper.column_attrs:
        key = attr.key
        if action == "create":  # no history to read (``state.attrs`` is costly per object)
            # What is loaded is what ``getattr`` returns; anything else it loads.
            new = loaded[key] if key in loaded else getattr(obj, key)
            if new is None:
                continue
            old = None
            if key in redact:
                changes[key] = ["***", "***"]
            else:
                changes[key] = [None, _plain(new)]
            continue
        hist = state.attrs[key].history
        if action == "delete":
            old = hist.unchanged[0] if hist.unchanged else (hist.deleted[0] if hist.deleted else None)
            new = None
        else:
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
        if key in redact:
            changes[key] = ["***", "***"]
        else:
            changes[key] = [_plain(old), _plain(new)]
    return changes


def _subject(obj: Any) -> tuple[str | None, str | None]:
    subject = getattr(obj, "audit_subject", None)
    if subject:
        return subject[0], str(subject[1])
    return None, None


def _event_row(obj: Any, action: str, actor: Actor, request_id: str | None, now: datetime,
               changes: dict[str, list[Any]]) -> dict[str, Any]:
    subject_type, subject_id = _subject(obj)
    pk = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": now,
        "actor_user_id": actor.user_id,
        "actor_name": actor.name,
        "actor_organisation_id": actor.organisation_id,
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": ",".join(str(part) for part in pk),
        "subject_type": subject_type,
        "subject_id": subject_id,
        "changes": changes,
        "request_id": request_id,
    }


def _record_flush(session: so.Session, flush_context: Any) -> None:
    rows = []
    actor = current_actor()
    request_id = current_request_id()
    now = utcnow()
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            if not getattr(type(obj), "__audit__", False):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(_event_row(obj, action, actor, request_id, now, changes))
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


def record_created(session: so.Session, objects: list[Any]) -> None:
    """The ``create`` events of objects a writer inserted itself, in bulk, bypassing the
    flush (the import): the same rows ``_record_flush`` writes for them. Each object must
    hold every value the INSERT wrote, its primary key included."""
    actor = current_actor()
    request_id = current_request_id()
    now = utcnow()
    rows = [_event_row(obj, "create", actor, request_id, now, _column_changes(obj, "create"))
            for obj in objects if getattr(type(obj), "__audit__", False)]
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)


def _noop_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    return None


def _load_old_values(mapper: so.Mapper, cls: type) -> None:
    """Make SQLAlchemy load the old value before an audited column is set,
    so the trail has it even when the object was expired by a commit."""
    if not getattr(cls, "__audit__", False):
        return
    for attr in mapper.column_attrs:
        sa.event.listen(getattr(cls, attr.key), "set", _noop_set, active_history=True)


def install_listeners() -> None:
    """Attach the audit listeners (idempotent)."""
    if not sa.event.contains(so.Session, "after_flush", _record_flush):
        sa.event.listen(so.Session, "after_flush", _record_flush)
    if not sa.event.contains(so.Mapper, "mapper_configured", _load_old_values):
        sa.event.listen(so.Mapper, "mapper_configured", _load_old_values)


def log_processing(
    action: str,
    object_type: str,
    object_id: Any,
    *,
    subject: tuple[str, Any] | None = None,
    activity: str = "re-integratie",
    categories: tuple[str, ...] = (),
    result: str = "success",
) -> None:
    """Write one processing-log line for one data subject (LDV: no sampling).

    Inside a request the line is queued and written with the request's one commit
    (``trajectory.audit.rendering``); outside one (CLI, tests) it is added to the session.
    """
    from trajectory.audit import rendering

    if rendering.queue(rendering.log_row(action, object_type, object_id, subject=subject,
                                         activity=activity, categories=categories,
                                         result=result)):
        return
    actor = current_actor()
    db.session.add(ProcessingLogEntry(
        request_id=current_request_id(),
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        actor_roles=actor.roles,
        actor_organisation_id=actor.organisation_id,
        action=action,
        processing_activity=activity,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        subject_type=subject[0] if subject else None,
        subject_id=str(subject[1]) if subject else None,
        result=result,
        data_categories=",".join(categories),
    ))


def log_security(event: str, result: str, *, user_id: int | None = None,
                 username: str | None = None, detail: str | None = None) -> None:
    """Record a security event; committed by the caller's request."""
    origin = request.remote_addr if has_request_context() else None
    path = request.path if has_request_context() else None
    db.session.add(SecurityEvent(
        event=event, result=result, actor_user_id=user_id,
        username=(username or "")[:64] or None, origin_ip=origin, path=path,
        request_id=current_request_id(), detail=(detail or "")[:300] or None,
    ))


def history_for(object_type: str, object_id: Any) -> list[AuditEvent]:
    """The "Geschiedenis" of one object, newest first."""
    return list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))


def viewers_of(subject_type: str, subject_id: Any) -> list[ProcessingLogEntry]:
    """"Wie heeft dit dossier bekeken": processing-log lines about one person."""
    return list(db.session.scalars(
        sa.select(ProcessingLogEntry)
        .where(ProcessingLogEntry.subject_type == subject_type,
               ProcessingLogEntry.subject_id == str(subject_id))
        .order_by(ProcessingLogEntry.at.desc(), ProcessingLogEntry.id.desc())
    ))


def redact_subject_history(subject_type: str, subject_id: Any) -> int:
    """Blank the old and new values in every audit row about one person (retention).

    The rows stay (who changed what, when); only the values go. Returns the
    number of rows redacted.

    On PostgreSQL the application's role may not UPDATE ``audit_event``
    (migration 0011): the ``SECURITY DEFINER`` function
    ``trajectory_redact_audit_subject`` blanks the values for it, and nothing else.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.flush()
        count = db.session.scalar(sa.text(
            "SELECT trajectory_redact_audit_subject(:subject_type, :subject_id)"),
            {"subject_type": subject_type, "subject_id": str(subject_id)})
        for obj in list(db.session.identity_map.values()):
            if (isinstance(obj, AuditEvent) and obj.subject_type == subject_type
                    and obj.subject_id == str(subject_id)):
                db.session.expire(obj)
        return int(count or 0)
    rows = list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject_type == subject_type,
                                    AuditEvent.subject_id == str(subject_id))))
    for row in rows:
        row.changes = {key: ["***", "***"] for key in (row.changes or {})}
    db.session.flush()
    return len(rows)
