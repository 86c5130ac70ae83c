"""The candidate export's "last contact" column: the day of the latest contact that
happened (a "no contact made" entry is no contact), among the log entries the user may
read. A scalar subquery, part of the export's one SELECT."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.candidates.exports import ExtraColumn, register_column
from trajectory.candidates.models import Candidate
from trajectory.contacts.models import ContactKind, ContactLog
from trajectory.exports import Kind


def last_contact(user: Any) -> sa.ScalarSelect[Any]:
    return (sa.select(sa.func.max(ContactLog.contact_on))
            .where(ContactLog.candidate_id == Candidate.id,
                   ContactLog.kind != ContactKind.GEEN_CONTACT, ContactLog.scope_filter(user))
            .correlate(Candidate).scalar_subquery())


def install() -> None:
    register_column(ExtraColumn("last_contact", lambda: _("Last contact"), "notes",
                                lambda user: [last_contact(user)], Kind.DATE, after="buddy"))
