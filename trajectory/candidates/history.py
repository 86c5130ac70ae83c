""""Geschiedenis" and "Wie heeft dit dossier bekeken", read for people.

The audit trail stores column names and raw values; here they get labels,
Dutch dates and hidden values stay hidden. Bookkeeping columns (locks,
derived search names, snapshots) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.candidates.models import LABELS, LADDER_RUNGS, SEVERITY_LABELS
from trajectory.extensions import db
from trajectory.i18n import day
from trajectory.organisations.models import Organisation

HIDDEN = frozenset({"id", "search_name", "lock_version", "updated_at", "updated_by_id",
                    "current_number", "candidate_id", "plan_id", "goal_id", "created_at",
                    "registered_at", "municipality_id"})

# Other features whose rows name the candidate (e.g. stages) extend these three: bookkeeping
# columns to leave out, date columns, and id columns that name something other than a user
# (column -> function(ids) -> {id: text}, one query per column).
HIDDEN_EXTRA: set[str] = set()
DATE_FIELDS: set[str] = set()
ID_NAMES: dict[str, Any] = {}

# A plan version repeats what the plan change it belongs to already shows.
SKIPPED_OBJECTS = frozenset({"PlanVersion"})

OBJECT_LABELS = {
    "Candidate": _l("Personal details"),
    "BenefitPeriod": _l("Benefit period"),
    "BuddyAssignment": _l("Buddy"),
    "Plan": _l("Plan"),
    "PlanVersion": _l("Plan version"),
    "Goal": _l("Goal"),
    "GoalStep": _l("Step"),
    "Barrier": _l("Barrier"),
    "Training": _l("Training"),
    "Measurement": _l("Participatieladder"),
    "ZrmScore": _l("ZRM"),
}

FIELD_LABELS = {
    "first_name": _l("First name"), "tussenvoegsel": _l("Tussenvoegsel"),
    "last_name": _l("Last name"), "date_of_birth": _l("Date of birth"),
    "phone": _l("Phone number"), "email": _l("Email address"),
    "street": _l("Street and house number"), "postcode": _l("Postcode"), "place": _l("Place"),
    "benefit": _l("Benefit"), "benefit_since": _l("Benefit since"),
    "doelgroepregister": _l("Doelgroepregister"), "statushouder": _l("Status holder"),
    "nt2": _l("NT2"), "driving_licence": _l("Driving licence"),
    "own_transport": _l("Own transport"), "bsn": _l("BSN"),
    "consent_given_on": _l("Consent given on"), "consent_providers": _l("Share with providers"),
    "consent_buddy": _l("Share with the buddy"),
    "consent_overlegtafel": _l("Share with the overlegtafel"),
    "consent_expires_on": _l("Consent expires on"), "status": _l("Status"),
    "pause_reason": _l("Reason for the pause"), "outflow_reason": _l("Reason for leaving"),
    "outflow_note": _l("Note on leaving"), "closed_on": _l("Closed on"),
    "klantmanager_id": _l("Client manager"), "buddy_id": _l("Buddy"),
    "start_date": _l("Start date"), "end_date": _l("End date"),
    "start": _l("From"), "end": _l("To"),  # a benefit period
    "contact_phone": _l("Phone number"),
    "wishes": _l("Wishes, dreams and ideals"), "skills": _l("Skills and competences needed"),
    "needs": _l("What the candidate needs for lasting activation and work"),
    "agreements": _l("Agreements"), "agreed_number": _l("Agreed version"),
    "description": _l("Description"), "target_date": _l("Target date"),
    "who": _l("Who does it"), "due_date": _l("By when"), "done": _l("Done"),
    "category": _l("Category"), "severity": _l("Severity"), "solvable": _l("Can it be solved?"),
    "possible_despite": _l("What is possible despite it"), "taken_up_by": _l("Who takes it up"),
    "name": _l("Name"), "provider": _l("Where"), "certificate": _l("Certificate"),
    "number": _l("Version"), "author_id": _l("Author"), "summary": _l("Summary"),
    "snapshot": _l("Content"), "agreed_on": _l("Agreed on"), "agreed_by_id": _l("Agreed by"),
    "measured_on": _l("Date"), "rung": _l("Rung"), "kind": _l("Kind"),
    "assessor_id": _l("Assessor"), "note": _l("Note"), "domain": _l("Domain"),
    "score": _l("Score"), "scored_on": _l("Date"),
}

ACTION_LABELS = {"create": _l("added"), "update": _l("changed"), "delete": _l("removed")}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str
    hidden: bool


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    what: str
    changes: list[Change]


def _enum_label(value: str) -> str | None:
    for member, label in LABELS.items():
        if getattr(member, "value", None) == value:
            return str(label)
    return None


def _display(key: str, value: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key.endswith("_id") and isinstance(value, int):
        return users.get(value, f"#{value}")
    if key == "rung" and value in LADDER_RUNGS:
        return f"{value}. {LADDER_RUNGS[value]}"
    if key == "severity" and value in SEVERITY_LABELS:
        return str(SEVERITY_LABELS[value])
    if isinstance(value, str):
        if key.endswith(("_on", "_date", "_since")) or key in {"date_of_birth", "start", "end",
                                                                *DATE_FIELDS}:
            try:
                return day(date.fromisoformat(value))
            except ValueError:
                return value
        label = _enum_label(value) if key in {"benefit", "status", "outflow_reason", "category",
                                              "solvable", "kind", "domain"} else None
        return label or value
    return str(value)


def candidate_history(candidate_id: int, limit: int = 60) -> list[HistoryRow]:
    """Changes to the candidate and everything about them, newest first."""
    from trajectory.auth.models import User

    events = list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.subject_type == "Candidate", AuditEvent.subject_id == str(candidate_id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
    user_ids = {value for event in events for key, pair in event.changes.items()
                if key.endswith("_id") and key not in ID_NAMES
                for value in pair if isinstance(value, int)}
    users = dict(db.session.execute(
        sa.select(User.id, User.full_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    names = {}
    for key, resolve in ID_NAMES.items():
        ids = {v for event in events for v in event.changes.get(key, ()) if isinstance(v, int)}
        names[key] = resolve(ids) if ids else {}
    rows = []
    for event in events:
        if event.object_type in SKIPPED_OBJECTS:
            continue
        changes = []
        for key, (old, new) in event.changes.items():
            if key in HIDDEN or key in HIDDEN_EXTRA:
                continue
            hidden = old == "***" or new == "***"
            changes.append(Change(str(FIELD_LABELS.get(key, key)),
                                  "" if hidden else _display(key, old, names.get(key, users)),
                                  "" if hidden else _display(key, new, names.get(key, users)),
                                  hidden))
        if event.action == "update" and not changes:
            continue  # only bookkeeping changed (lock, version counter)
        what = f"{OBJECT_LABELS.get(event.object_type, event.object_type)} " \
               f"{ACTION_LABELS.get(event.action, event.action)}"
        rows.append(HistoryRow(event.at, event.actor_name, what, changes))
    return rows


@dataclass(frozen=True)
class ViewerRow:
    at: datetime
    actor: str
    organisation: str
    action: str
    object_type: str


PROCESSING_ACTIONS = {"view": _l("viewed"), "export": _l("exported")}


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
    return [ViewerRow(e.at, e.actor_name, orgs.get(e.actor_organisation_id, "–"),
                      str(PROCESSING_ACTIONS.get(e.action, e.action)),
                      str(OBJECT_LABELS.get(e.object_type, e.object_type))) for e in entries]

