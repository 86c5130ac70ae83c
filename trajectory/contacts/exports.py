"""The candidate export's "last contact" column: the day of the latest contact that
happened (a "no contact made" entry is no contact), among the log entries the user may
read. One query for the whole export."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.candidates.exports import ExtraColumn, register_column
from trajectory.candidates.models import Candidate
from trajectory.contacts.models import ContactKind, ContactLog
from trajectory.exports import Kind
from trajectory.extensions import db


def last_contacts(user: Any, candidates: list[Candidate]) -> dict[int, Any]:
    ids = [c.id for c in candidates]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(ContactLog.candidate_id, sa.func.max(ContactLog.contact_on))
        .where(ContactLog.candidate_id.in_(ids), ContactLog.kind != ContactKind.GEEN_CONTACT,
               ContactLog.scope_filter(user))
        .group_by(ContactLog.candidate_id)).all()
    return dict(rows)


def install() -> None:
    register_column(ExtraColumn("last_contact", lambda: _("Last contact"), "notes",
                                last_contacts, Kind.DATE, after="buddy"))
