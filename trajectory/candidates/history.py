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

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from trajectory.audit.labels import EventRow, event_rows, model_label, system_name
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.extensions import db
from trajectory.organisations.models import Organisation

# A plan version repeats what the plan change it belongs to already shows. Labour claims
# and their files name the candidate (so retention blanks their trail) but are the
# provider's and the SROI adviser's business, not the municipality's file, which never
# showed them.
SKIPPED_OBJECTS = ("PlanVersion", "Claim", "Evidence")


def history_statement(candidate_id: int) -> sa.Select:
    """The audit events about the candidate, newest first (for ``paginate``)."""
    return (sa.select(AuditEvent)
            .where(AuditEvent.subject_type == "Candidate",
                   AuditEvent.subject_id == str(candidate_id),
                   AuditEvent.object_type.not_in(SKIPPED_OBJECTS))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))


def candidate_history(candidate_id: int, limit: int = 60) -> list[EventRow]:
    """The newest changes to the candidate and everything about them."""
    events = list(db.session.scalars(history_statement(candidate_id).limit(limit)))
    return event_rows(events)


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
    from trajectory.auth.models import User as user_model

    users = dict(db.session.execute(
        sa.select(user_model.id, user_model.full_name).where(user_model.id.in_(user_ids))).all()) \
        if user_ids else {}
    return [ViewerRow(e.at, users.get(e.actor_user_id) or system_name(e.actor_name),
                      orgs.get(e.actor_organisation_id, "–"),
                      str(PROCESSING_ACTIONS.get(e.action, e.action)),
                      _logged_object(e.object_type)) for e in entries]
