"""The candidate list as SQL: scope, search, filters, sorting and eager loading.

Shared by the list page, the exports and the home panels. The list loads in
a constant number of queries: many-to-one relations are joined, collections
(buddy assignments) come in one ``selectin`` query per page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.candidates.models import (
    OPEN_STATUSES,
    Benefit,
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Plan,
)
from trajectory.candidates.names import fold
from trajectory.candidates.scope import Visible
from trajectory.inputs import as_int
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today

CONSENT_WARNING_DAYS = 30


def no_buddy() -> sa.ColumnElement[bool]:
    assignment = so.aliased(BuddyAssignment)
    return ~sa.exists().where(assignment.candidate_id == Candidate.id,
                              BuddyAssignment.active_on(today(), assignment))


def plan_not_agreed() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(Plan.candidate_id == Candidate.id, Plan.agreed_condition()
                              ).correlate(Candidate)


def consent_expiring() -> sa.ColumnElement[bool]:
    """Consent ends within 30 days, or has already ended."""
    return sa.and_(Candidate.consent_expires_on.is_not(None),
                   Candidate.consent_expires_on <= today() + timedelta(days=CONSENT_WARNING_DAYS))


def is_open() -> sa.ColumnElement[bool]:
    return Candidate.status.in_(OPEN_STATUSES)


ATTENTION = {
    "geen_buddy": (_l("No buddy"), no_buddy),
    "plan_niet_vastgesteld": (_l("Plan not agreed"), plan_not_agreed),
    "toestemming_verloopt": (_l("Consent expires within 30 days"), consent_expiring),
}


class _Reversed:
    """An "age" column sorts on the date of birth the other way round."""

    def __init__(self, column: Any) -> None:
        self.column = column

    def asc(self) -> Any:
        return self.column.desc()

    def desc(self) -> Any:
        return self.column.asc()


def sort_columns(columns: Visible) -> dict[str, Any]:
    """Sortable columns, limited to what the user sees on every row."""
    sortable: dict[str, Any] = {"name": Candidate.last_name, "municipality": Organisation.name,
                                "status": Candidate.status, "registered": Candidate.registered_at}
    if columns.age:
        sortable["age"] = _Reversed(Candidate.date_of_birth)
    if columns.benefit:
        sortable["benefit"] = Candidate.benefit
    return sortable


def base_list(user: Any) -> sa.Select:
    """Candidates in scope with everything a list row shows, eagerly loaded."""
    return (
        sa.select(Candidate)
        .join(Candidate.municipality)
        .where(Candidate.scope_filter(user))
        .options(
            so.contains_eager(Candidate.municipality),
            so.joinedload(Candidate.klantmanager),
            so.joinedload(Candidate.plan),
            so.selectinload(Candidate.assignments).joinedload(BuddyAssignment.buddy),
        )
    )


# Filters other features add to the list and its exports: fn(stmt, args) -> stmt.
EXTRA_FILTERS: list = []


def apply_filters(stmt: sa.Select, args: dict[str, str], columns: Visible) -> sa.Select:
    """Search and filters from the query string; unknown values are ignored."""
    for word in fold(args.get("q")).split():
        stmt = stmt.where(Candidate.search_name.contains(word, autoescape=True))
    municipality = args.get("municipality") or ""
    if municipality.isdigit():
        stmt = stmt.where(Candidate.municipality_id == as_int(municipality, 0))
    benefit = args.get("benefit") or ""
    if columns.benefit and benefit in {b.value for b in Benefit}:
        stmt = stmt.where(Candidate.benefit == Benefit(benefit))
    status = args.get("status") or ""
    if status in {s.value for s in CandidateStatus}:
        stmt = stmt.where(Candidate.status == CandidateStatus(status))
    elif status == "open":
        stmt = stmt.where(is_open())
    buddy = args.get("buddy") or ""
    if buddy.isdigit():
        assignment = so.aliased(BuddyAssignment)
        stmt = stmt.where(sa.exists().where(assignment.candidate_id == Candidate.id,
                                            assignment.buddy_id == as_int(buddy, 0),
                                            BuddyAssignment.active_on(today(), assignment)))
    attention = args.get("attention") or ""
    if attention in ATTENTION:
        stmt = stmt.where(is_open(), ATTENTION[attention][1]())
    for extra in EXTRA_FILTERS:
        stmt = extra(stmt, args)
    return stmt


def municipalities_in_scope(user: Any) -> list[Organisation]:
    from trajectory.extensions import db

    ids = sa.select(Candidate.municipality_id).where(Candidate.scope_filter(user))
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def buddies_in_scope(user: Any) -> list[User]:
    """The current buddies of the candidates the user sees (for the buddy filter)."""
    from trajectory.extensions import db

    ids = (sa.select(BuddyAssignment.buddy_id)
           .join(Candidate, Candidate.id == BuddyAssignment.candidate_id)
           .where(Candidate.scope_filter(user), BuddyAssignment.active_on(today())))
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(ids)).order_by(User.full_name)))
