""""Geschiedenis" and "Wie heeft dit dossier bekeken", read for people.

The audit trail stores class and column names and raw values; the labels, what is
not shown and how a value reads are declared next to the models
(``trajectory.audit.labels``, docs/extending.md "Adding a field"). Here a page of
events becomes rows: the model's label and the action, who did it (their name), and
per shown field the old and new value - ids as the name of the object the foreign key
points to, codes as their labels, Dutch dates. One query per kind of object named,
however many rows the page has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.audit.labels import (
    REDACTED,
    display,
    field_spec,
    model_for_name,
    model_label,
    resolve_references,
)
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.extensions import db
from trajectory.organisations.models import Organisation

# A plan version repeats what the plan change it belongs to already shows.
SKIPPED_OBJECTS = ("PlanVersion",)

ACTION_LABELS = {"create": _l("added"), "update": _l("changed"), "delete": _l("removed")}


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None      # None: the field was empty before (an addition)
    new: str | None      # None: the field is empty now (a removal)
    hidden: bool         # changed, but the value is never shown (BSN, snapshots)


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    what: str
    action: str
    changes: list[Change]


def history_statement(candidate_id: int) -> sa.Select:
    """The audit events about the candidate, newest first (for ``paginate``)."""
    return (sa.select(AuditEvent)
            .where(AuditEvent.subject_type == "Candidate",
                   AuditEvent.subject_id == str(candidate_id),
                   AuditEvent.object_type.not_in(SKIPPED_OBJECTS))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def _actor_model() -> type:
    from trajectory.auth.models import User

    return User


def history_rows(events: list[AuditEvent]) -> list[HistoryRow]:
    """Rows for a page of events: one query per kind of object the values name."""
    user_model = _actor_model()
    wanted: dict[type, set[Any]] = {user_model: {e.actor_user_id for e in events
                                                 if e.actor_user_id}}
    plans = []
    for event in events:
        cls = model_for_name(event.object_type)
        fields = []
        for key, pair in (event.changes or {}).items():
            spec = field_spec(cls, key) if cls is not None else None
            if spec is None or not spec.shown or spec.label is None:
                continue  # bookkeeping, or a column that no longer exists
            fields.append((spec, pair))
            target = spec.target
            if target is not None:
                wanted.setdefault(target, set()).update(v for v in pair if v != REDACTED)
        plans.append((event, fields))
    names = resolve_references(wanted)
    actors = names.get(user_model, {})
    rows = []
    for event, fields in plans:
        changes = []
        for spec, (old, new) in fields:
            if event.action != "update" and old in (None, "") and new in (None, ""):
                continue  # an empty field of an added or removed row says nothing
            if REDACTED in (old, new):
                changes.append(Change(spec.label, None, None, True))
                continue
            changes.append(Change(
                spec.label,
                None if old in (None, "") else display(spec, old, names),
                None if new in (None, "") else display(spec, new, names), False))
        if event.action == "update" and not changes:
            continue  # only bookkeeping changed (a lock, a version counter)
        what = f"{model_label(event.object_type)} " \
               f"{ACTION_LABELS.get(event.action, _('changed'))}"
        actor = actors.get(event.actor_user_id) if event.actor_user_id else None
        rows.append(HistoryRow(event.at, actor or _system_name(event.actor_name), what,
                               event.action, changes))
    return rows


SYSTEM_ACTORS = {"demo": _l("demo data"), "cli": _l("command line"),
                 "systeem": _l("the system")}


def _system_name(name: str) -> str:
    label = SYSTEM_ACTORS.get(name)
    return str(label) if label is not None else name


def candidate_history(candidate_id: int, limit: int = 60) -> list[HistoryRow]:
    """The newest changes to the candidate and everything about them."""
    events = list(db.session.scalars(history_statement(candidate_id).limit(limit)))
    return history_rows(events)


@dataclass(frozen=True)
class ViewerRow:
    at: datetime
    actor: str
    organisation: str
    action: str
    object_type: str


PROCESSING_ACTIONS = {"view": _l("viewed"), "export": _l("exported"), "list": _l("listed"),
                      "download": _l("downloaded")}
# Processing-log object types that are not models.
LOGGED_OBJECTS = {"CandidateList": _l("Candidate list"), "Signal": _l("Signals"),
                  "Page": _l("Page"), "CandidateHistory": _l("History"),
                  "CohortEvaluation": _l("Quarterly evaluation"), "Candidate": _l("Candidate file")}


def _logged_object(object_type: str) -> str:
    label = LOGGED_OBJECTS.get(object_type)
    return str(label) if label is not None else model_label(object_type)


def candidate_viewers(candidate_id: int, limit: int = 50) -> list[ViewerRow]:
    """Processing-log lines about this candidate, newest first."""
    entries = list(db.session.scalars(
        sa.select(ProcessingLogEntry)
        .where(ProcessingLogEntry.subject_type == "Candidate",
               ProcessingLogEntry.subject_id == str(candidate_id))
        .order_by(ProcessingLogEntry.at.desc(), ProcessingLogEntry.id.desc()).limit(limit)))
    org_ids = {e.actor_organisation_id for e in entries if e.actor_organisation_id}
    orgs = dict(db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))).all()) \
        if org_ids else {}
    user_ids = {e.actor_user_id for e in entries if e.actor_user_id}
    user_model = _actor_model()
    users = dict(db.session.execute(
        sa.select(user_model.id, user_model.full_name).where(user_model.id.in_(user_ids))).all()) \
        if user_ids else {}
    return [ViewerRow(e.at, users.get(e.actor_user_id) or _system_name(e.actor_name),
                      orgs.get(e.actor_organisation_id, "–"),
                      str(PROCESSING_ACTIONS.get(e.action, e.action)),
                      _logged_object(e.object_type)) for e in entries]
