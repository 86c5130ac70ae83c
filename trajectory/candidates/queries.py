"""The candidate list as SQL: scope, search, filters, sorting and eager loading.

Shared by the list page, the exports and the home panels. The list loads in
a constant number of queries: many-to-one relations are joined, collections
(buddy assignments) come in one ``selectin`` query per page.

Search and filters are query arguments (a GET form), so a link reproduces the list:

| argument | finds | who |
| --- | --- | --- |
| ``q`` | name words; a number: the phone number (digits, ``06`` = ``+31 6``) and an exact BSN | phone where the file shows contact details, BSN where it shows the BSN (municipality) |
| ``postcode`` | postcode or its start (``4461``, ``4461 A``, ``4461 AB``) | where the file shows the address |
| ``mine`` | the candidates the klantmanager is responsible for | klantmanager |
| ``municipality``, ``benefit``, ``status``, ``buddy``, ``attention`` | as the filter bar says | |

Other features add theirs through ``EXTRA_FILTERS`` (stage kind and provider, cohort and
signal). A condition on a field is limited to the candidates whose file shows that field to
the user (``scope_with``), so a search never finds someone by what the user may not see.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.bsn import is_valid_bsn, normalise_bsn
from trajectory.candidates.models import (
    OPEN_STATUSES,
    Benefit,
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Plan,
)
from trajectory.candidates.names import fold
from trajectory.candidates.need_to_know import scope_with, tiers
from trajectory.candidates.scope import Visible
from trajectory.inputs import as_int
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today

CONSENT_SIGNAL = "toestemming_verloopt"
DEFAULT_CONSENT_WARNING_DAYS = 30


def consent_warning_days() -> int:
    """The days ahead the attention filter warns about consent: the threshold of the
    signal "toestemming verloopt" (``trajectory.cohorts.signals``), one setting for both."""
    try:
        from trajectory.cohorts.signals import threshold
    except ImportError:  # pragma: no cover - the cohorts feature not installed
        return DEFAULT_CONSENT_WARNING_DAYS
    return threshold(CONSENT_SIGNAL)


def no_buddy() -> sa.ColumnElement[bool]:
    assignment = so.aliased(BuddyAssignment)
    return ~sa.exists().where(assignment.candidate_id == Candidate.id,
                              BuddyAssignment.active_on(today(), assignment))


def plan_not_agreed() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(Plan.candidate_id == Candidate.id, Plan.agreed_condition()
                              ).correlate(Candidate)


def consent_expiring() -> sa.ColumnElement[bool]:
    """Consent ends within the signal's days (30), or has already ended."""
    return sa.and_(Candidate.consent_expires_on.is_not(None),
                   Candidate.consent_expires_on <= today() + timedelta(days=consent_warning_days()))


def is_open() -> sa.ColumnElement[bool]:
    return Candidate.status.in_(OPEN_STATUSES)


ATTENTION = {
    "geen_buddy": (_l("No buddy"), no_buddy),
    "plan_niet_vastgesteld": (_l("Plan not agreed"), plan_not_agreed),
    "toestemming_verloopt": (LazyString(lambda: gettext(
        "Consent expires within %(days)d days", days=consent_warning_days())), consent_expiring),
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


def list_rows(condition: Any) -> sa.Select:
    """The candidates meeting ``condition`` with everything a list row shows, eagerly
    loaded."""
    return (
        sa.select(Candidate)
        .join(Candidate.municipality)
        .where(condition)
        .options(
            so.contains_eager(Candidate.municipality),
            so.joinedload(Candidate.klantmanager),
            so.joinedload(Candidate.plan),
            so.selectinload(Candidate.assignments).joinedload(BuddyAssignment.buddy),
        )
    )


def base_list(user: Any) -> sa.Select:
    """Candidates in scope with everything a list row shows, eagerly loaded."""
    return list_rows(Candidate.scope_filter(user))


def base_ids(user: Any) -> sa.Select:
    """The ids of the candidates in scope, joined as ``base_list`` (filters and sorting
    apply alike): a page is chosen on these narrow rows, and only its rows are loaded
    whole (``list_rows``), instead of joining the plan and klantmanager of everyone in
    scope before sorting."""
    return sa.select(Candidate.id).join(Candidate.municipality).where(Candidate.scope_filter(user))


# Filters other features add to the list and its exports: fn(stmt, args) -> stmt.
EXTRA_FILTERS: list = []

# What a search box text that is a number may hold: digits and what people type between.
_NUMBER = re.compile(r"[0-9 +()./-]+\Z")
# The start of a Dutch postcode: 1 to 4 digits, or 4 digits and 1 or 2 letters.
_POSTCODE_START = re.compile(r"[1-9][0-9]{0,3}\Z|[1-9][0-9]{3}[A-Z]{1,2}\Z")
# Stored phone numbers are kept as typed ("06-1234 5678", "+31 6 12345678").
_PHONE_SEPARATORS = (" ", "-", "(", ")", "+", ".")
MIN_PHONE_DIGITS = 4


def searchable(user: Any) -> frozenset[str]:
    """What the search box finds for this user besides names: "phone" where some file
    shows contact details, "bsn" where some file shows the BSN (only the municipality),
    "postcode" where some file shows the address."""
    shown = {field for _condition, view in tiers(user)
             for field in ("contact", "bsn", "address") if getattr(view, field)}
    names = {"contact": "phone", "bsn": "bsn", "address": "postcode"}
    return frozenset(names[field] for field in shown)


def _phone_digits() -> sa.ColumnElement[str]:
    column: Any = Candidate.phone
    for separator in _PHONE_SEPARATORS:
        column = sa.func.replace(column, separator, "")
    return column


def _national(digits: str) -> str:
    """The number without its trunk or country prefix: ``0612345678`` and
    ``+31612345678`` both become ``612345678``."""
    for prefix in ("0031", "31", "0"):
        if digits.startswith(prefix) and (prefix != "31" or len(digits) >= 11):
            return digits[len(prefix):]
    return digits


def search_condition(user: Any, text: str | None) -> sa.ColumnElement[bool] | None:
    """The search box: every name word (case and accents ignored); a number finds the
    phone number that holds it and the exact BSN, each only where the user sees it."""
    text = (text or "").strip()
    if not text:
        return None
    if _NUMBER.match(text) and any(ch.isdigit() for ch in text):
        digits = "".join(ch for ch in text if ch.isdigit())
        found: list[sa.ColumnElement[bool]] = []
        bsn = normalise_bsn(text)
        if is_valid_bsn(bsn):
            found.append(sa.and_(Candidate.bsn == bsn, scope_with(user, "bsn")))
        if len(digits) >= MIN_PHONE_DIGITS:
            found.append(sa.and_(_phone_digits().contains(_national(digits), autoescape=True),
                                 scope_with(user, "contact")))
        return sa.or_(*found) if found else sa.false()
    words = fold(text).split()
    if not words:
        return None
    return sa.and_(*[Candidate.search_name.contains(word, autoescape=True) for word in words])


def postcode_start(text: str | None) -> str | None:
    """``4461ab`` / ``4461 AB`` / ``4461`` as stored (``4461 AB``), or None when it is not
    the start of a postcode."""
    value = "".join((text or "").split()).upper()
    if not _POSTCODE_START.match(value):
        return None
    return f"{value[:4]} {value[4:]}" if len(value) > 4 else value


def postcode_condition(user: Any, text: str | None) -> sa.ColumnElement[bool] | None:
    """Postcodes that start so, where the user sees the address; nothing for bad input."""
    if not (text or "").strip():
        return None
    start = postcode_start(text)
    if start is None:
        return sa.false()
    return sa.and_(Candidate.postcode.startswith(start, autoescape=True),
                   scope_with(user, "address"))


def apply_filters(stmt: sa.Select, args: dict[str, str], columns: Visible,
                  user: Any) -> sa.Select:
    """Search and filters from the query string; unknown values are ignored."""
    for condition in (search_condition(user, args.get("q")),
                      postcode_condition(user, args.get("postcode"))):
        if condition is not None:
            stmt = stmt.where(condition)
    if args.get("mine") and Role.KLANTMANAGER in user.roles:
        stmt = stmt.where(Candidate.klantmanager_id == user.id)
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

    # Per organisation an EXISTS that stops at its first candidate in scope (a handful of
    # municipalities, however many candidates); an alias keeps the scope's own
    # subqueries on organisations uncorrelated.
    municipality = so.aliased(Organisation)
    has_one = (sa.exists().where(Candidate.municipality_id == municipality.id,
                                 Candidate.scope_filter(user)).correlate(municipality))
    return list(db.session.scalars(
        sa.select(municipality).where(has_one).order_by(municipality.name, municipality.id)))


# The buddy filter lists at most this many buddies (a region has tens to a few hundred).
MAX_BUDDY_CHOICES = 300


def buddies_in_scope(user: Any) -> list[User]:
    """The current buddies of the candidates the user sees (for the buddy filter): per
    account an EXISTS that stops at the first candidate found (index on buddy and
    candidate), so the cost follows the number of accounts, not of candidates."""
    from trajectory.extensions import db

    # Aliases: the scope's own subqueries on accounts and assignments must not correlate.
    buddy, assignment = so.aliased(User), so.aliased(BuddyAssignment)
    has_one = (sa.exists().where(assignment.buddy_id == buddy.id,
                                 BuddyAssignment.active_on(today(), assignment),
                                 assignment.candidate_id == Candidate.id,
                                 Candidate.scope_filter(user))
               .correlate(buddy))
    return list(db.session.scalars(
        sa.select(buddy).where(has_one).order_by(buddy.full_name, buddy.id)
        .limit(MAX_BUDDY_CHOICES)))
