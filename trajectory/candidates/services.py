"""What changes a candidate file. Each function changes objects and flushes;
the view commits once on success and rolls back on ``ServiceError``, so
nothing half-written stays behind. The audit trail follows from the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates import benefits, names, plan_versions
from trajectory.candidates.bsn import is_valid_bsn, normalise_bsn
from trajectory.candidates.models import (
    Barrier,
    BarrierCategory,
    BarrierStatus,
    Benefit,
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Goal,
    GoalStatus,
    GoalStep,
    Measurement,
    MeasurementKind,
    OutflowReason,
    Plan,
    PlanVersion,
    Solvable,
    Training,
    TrainingStatus,
    ZrmDomain,
    ZrmScore,
)
from trajectory.candidates.plan_text import TEXT_SECTIONS
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError
from trajectory.timeutil import today, utcnow

# ------------------------------------------------------------------ candidate


@dataclass
class CandidateDetails:
    """Everything a klantmanager enters about a person (registration and edit).

    ``benefit`` and ``benefit_since`` count at registration only (the first period of
    the benefit history); later the history changes through ``candidates.benefits``.
    """

    first_name: str
    last_name: str
    date_of_birth: date
    klantmanager_id: int
    benefit: Benefit | None = None
    benefit_since: date | None = None
    tussenvoegsel: str | None = None
    phone: str | None = None
    email: str | None = None
    street: str | None = None
    postcode: str | None = None
    place: str | None = None
    doelgroepregister: bool = False
    statushouder: bool = False
    nt2: bool = False
    driving_licence: bool = False
    own_transport: bool = False
    bsn: str | None = None
    client_number: str | None = None
    consent_given_on: date | None = None
    consent_providers: bool = False
    consent_buddy: bool = False
    consent_overlegtafel: bool = False
    consent_expires_on: date | None = None


@dataclass(frozen=True)
class DuplicateMatch:
    """A possible duplicate, reduced to what the registering klantmanager may see."""

    candidate_id: int
    same_bsn: bool
    own_municipality: bool
    municipality: str
    klantmanager: str
    name: str | None            # only for the klantmanager's own municipality
    date_of_birth: date | None  # idem


class DuplicateCandidate(ServiceError):
    """Registration stopped: the person may already be registered."""

    def __init__(self, message: str, matches: list[DuplicateMatch], field: str | None = None,
                 overridable: bool = True) -> None:
        super().__init__(message, field)
        self.matches = matches
        self.overridable = overridable


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _postcode(value: str | None) -> str | None:
    value = (value or "").replace(" ", "").upper()
    return f"{value[:4]} {value[4:]}" if len(value) == 6 else (value or None)


def _region_id(organisation: Organisation) -> int | None:
    return organisation.region_id if organisation.region_id else organisation.id


def _check_details(actor: User, details: CandidateDetails,
                   candidate_id: int | None = None, *, client_number: bool = True) -> str | None:
    """Rules over several fields; returns the normalised BSN. ``client_number=False``: the
    caller checks the client number's uniqueness itself (the import, for all rows at once)."""
    day = today()
    if details.date_of_birth > day:
        raise ServiceError(_("The date of birth cannot be in the future."), "date_of_birth")
    if details.date_of_birth < day - timedelta(days=365 * 100):
        raise ServiceError(_("Check the date of birth: this person would be over 100."),
                           "date_of_birth")
    shares = details.consent_providers or details.consent_buddy or details.consent_overlegtafel
    if shares and details.consent_given_on is None:
        raise ServiceError(_("Enter the date the candidate gave consent to share."),
                           "consent_given_on")
    if details.consent_given_on and details.consent_given_on > day:
        raise ServiceError(_("Consent cannot be given in the future."), "consent_given_on")
    if details.consent_expires_on and details.consent_given_on is None:
        raise ServiceError(_("An expiry date needs the date consent was given."),
                           "consent_given_on")
    if (details.consent_expires_on and details.consent_given_on
            and details.consent_expires_on <= details.consent_given_on):
        raise ServiceError(_("Consent must expire after the date it was given."),
                           "consent_expires_on")
    klantmanager = db.session.get(User, details.klantmanager_id)
    if (klantmanager is None or not klantmanager.active
            or not klantmanager.has_role(Role.KLANTMANAGER)
            or klantmanager.organisation_id != actor.organisation_id):
        raise ServiceError(_("Choose a client manager of your municipality."), "klantmanager_id")
    number = _clean(details.client_number)
    if number and client_number and db.session.scalar(sa.select(Candidate.id).where(
            Candidate.municipality_id == actor.organisation_id,
            Candidate.client_number == number,
            Candidate.id != (candidate_id or 0))) is not None:
        raise ServiceError(_("Another candidate of your municipality has this client number."),
                           "client_number")
    bsn = normalise_bsn(details.bsn) if details.bsn else None
    if bsn and not is_valid_bsn(bsn):
        raise ServiceError(_("This is not a valid BSN: it must be nine digits and pass the "
                             "eleven test."), "bsn")
    return bsn


def _apply(candidate: Candidate, details: CandidateDetails, bsn: str | None) -> None:
    candidate.first_name = details.first_name.strip()
    candidate.tussenvoegsel = _clean(details.tussenvoegsel)
    candidate.last_name = details.last_name.strip()
    candidate.search_name = names.search_name(candidate.first_name, candidate.tussenvoegsel,
                                              candidate.last_name)
    candidate.date_of_birth = details.date_of_birth
    candidate.phone = _clean(details.phone)
    candidate.email = _clean(details.email)
    candidate.street = _clean(details.street)
    candidate.postcode = _postcode(details.postcode)
    candidate.place = _clean(details.place)
    for flag in ("doelgroepregister", "statushouder", "nt2", "driving_licence", "own_transport",
                 "consent_providers", "consent_buddy", "consent_overlegtafel"):
        setattr(candidate, flag, bool(getattr(details, flag)))
    candidate.bsn = bsn
    candidate.client_number = _clean(details.client_number)
    candidate.consent_given_on = details.consent_given_on
    candidate.consent_expires_on = details.consent_expires_on
    candidate.klantmanager_id = details.klantmanager_id


def find_duplicates(actor: User, details: CandidateDetails, bsn: str | None,
                    exclude_id: int | None = None) -> list[DuplicateMatch]:
    """Candidates in the region with the same BSN, or born the same day with a similar name."""
    municipality = so.aliased(Organisation)
    condition = Candidate.date_of_birth == details.date_of_birth
    if bsn:
        condition = sa.or_(condition, Candidate.bsn == bsn)
    stmt = (sa.select(Candidate).join(municipality, Candidate.municipality)
            .where(condition,
                   sa.func.coalesce(municipality.region_id, municipality.id)
                   == _region_id(actor.organisation))
            .options(so.contains_eager(Candidate.municipality.of_type(municipality)),
                     so.joinedload(Candidate.klantmanager)))
    if exclude_id is not None:
        stmt = stmt.where(Candidate.id != exclude_id)
    matches = []
    for other in db.session.scalars(stmt).unique():
        same_bsn = bool(bsn) and other.bsn == bsn
        if not same_bsn and not names.similar(details.first_name, details.last_name,
                                              other.first_name, other.last_name):
            continue
        matches.append(duplicate_match(actor, other, same_bsn))
    return matches


def duplicate_match(actor: User, other: Candidate, same_bsn: bool) -> DuplicateMatch:
    """What the registering klantmanager may see of a possible duplicate in the region
    (the name and date of birth only of the own municipality's candidates)."""
    own = other.municipality_id == actor.organisation_id
    return DuplicateMatch(
        candidate_id=other.id, same_bsn=same_bsn, own_municipality=own,
        municipality=other.municipality.name, klantmanager=other.klantmanager.full_name,
        name=other.full_name if own else None,
        date_of_birth=other.date_of_birth if own else None)


def region_id(organisation: Organisation) -> int | None:
    """The region a municipality belongs to (the duplicate check looks there)."""
    return _region_id(organisation)


def prepare_candidate(actor: User, details: CandidateDetails, *,
                      check_client_number: bool = True) -> Candidate:
    """The rules every new candidate passes, the registration form's and the import's: a
    candidate with its first benefit period, not yet in the session (``add_candidate``)."""
    if not actor.has_role(Role.KLANTMANAGER) or not actor.organisation.is_municipality:
        raise ServiceError(_("Only a client manager of a municipality registers candidates."))
    bsn = _check_details(actor, details, client_number=check_client_number)
    candidate = Candidate(municipality_id=actor.organisation_id,
                          status=CandidateStatus.AANGEMELD, registered_at=utcnow())
    _apply(candidate, details, bsn)
    # The first period of the benefit history (none for NUG); not in the session yet.
    benefits.set_first_benefit(candidate, details.benefit, details.benefit_since)
    return candidate


def with_plan(candidate: Candidate) -> Candidate:
    """A prepared candidate's empty plan (``add_candidate``; the import inserts the
    candidates it prepared in bulk, ``imports/bulk.py``)."""
    candidate.plan = Plan(wishes="", skills="", needs="", agreements="")
    return candidate


def add_candidate(candidate: Candidate, *, flush: bool = True) -> Candidate:
    """Store a prepared candidate with an empty plan; the audit trail follows from the
    session."""
    db.session.add(with_plan(candidate))
    if flush:
        db.session.flush()
    return candidate


def register_candidate(actor: User, details: CandidateDetails, *,
                       allow_similar: bool = False) -> Candidate:
    """A new candidate of the actor's municipality, with an empty plan.

    The same BSN in the region stops the registration; a similar name with the
    same date of birth stops it until the klantmanager confirms it is someone else.
    """
    candidate = prepare_candidate(actor, details)
    bsn = candidate.bsn
    matches = find_duplicates(actor, details, bsn)
    if any(m.same_bsn for m in matches):
        raise DuplicateCandidate(_("A candidate with this BSN is already registered."),
                                 [m for m in matches if m.same_bsn], field="bsn",
                                 overridable=False)
    if matches and not allow_similar:
        raise DuplicateCandidate(
            _("This person may already be registered. Check the list below."), matches)
    return add_candidate(candidate)


def update_candidate(actor: User, candidate: Candidate, details: CandidateDetails) -> None:
    """The person's details; the benefit is left alone (it has a history of its own)."""
    bsn = _check_details(actor, details, candidate.id)
    benefits.check_date_of_birth(candidate, details.date_of_birth)
    if bsn and db.session.scalar(sa.select(Candidate.id).where(
            Candidate.bsn == bsn, Candidate.id != candidate.id)) is not None:
        raise ServiceError(_("A candidate with this BSN is already registered."), "bsn")
    _apply(candidate, details, bsn)
    db.session.flush()


def change_status(actor: User, candidate: Candidate, status: CandidateStatus, *,
                  pause_reason: str | None = None, outflow_reason: OutflowReason | None = None,
                  outflow_note: str | None = None, effective_on: date | None = None) -> None:
    """Move the trajectory on; leaving the programme closes the file on a date."""
    if status is CandidateStatus.AANGEMELD and candidate.status is not CandidateStatus.AANGEMELD:
        raise ServiceError(_("A candidate cannot go back to registered; choose active."),
                           "status")
    pause_reason = _clean(pause_reason)
    outflow_note = _clean(outflow_note)
    if status is CandidateStatus.GEPAUZEERD and not pause_reason:
        raise ServiceError(_("Give the reason for the pause."), "pause_reason")
    if status is CandidateStatus.UITGESTROOMD:
        if outflow_reason is None:
            raise ServiceError(_("Choose the reason for leaving."), "outflow_reason")
        if outflow_reason is OutflowReason.OVERIG and not outflow_note:
            raise ServiceError(_("Describe the reason for leaving."), "outflow_note")
        effective_on = effective_on or today()
        if effective_on > today():
            raise ServiceError(_("The date of leaving cannot be in the future."), "effective_on")
        if effective_on < candidate.registered_at.date():
            raise ServiceError(_("The date of leaving cannot be before the registration."),
                               "effective_on")
    candidate.status = status
    candidate.pause_reason = pause_reason if status is CandidateStatus.GEPAUZEERD else None
    if status is CandidateStatus.UITGESTROOMD:
        candidate.outflow_reason = outflow_reason
        candidate.outflow_note = outflow_note
        candidate.closed_on = effective_on
    else:
        candidate.outflow_reason = None
        candidate.outflow_note = None
        candidate.closed_on = None
    db.session.flush()


def buddy_choices_query() -> sa.Select:
    """Active accounts with the buddy role, with their organisation (for the form)."""
    from trajectory.auth.models import UserRole

    return (sa.select(User).join(User.role_rows)
            .where(UserRole.role == Role.BUDDY, User.active.is_(True))
            .order_by(User.full_name))


def assign_buddy(actor: User, candidate: Candidate, buddy: User, start_date: date,
                 contact_phone: str | None = None) -> BuddyAssignment:
    """Give the candidate a buddy from ``start_date``.

    The earlier assignment ends the day before (end dates are inclusive, so
    there is exactly one buddy on any day), in the same transaction.
    """
    if not buddy.active or not buddy.has_role(Role.BUDDY):
        raise ServiceError(_("Choose someone with the buddy role."), "buddy_id")
    if candidate.is_closed:
        raise ServiceError(_("This candidate has left the programme; reopen the file first."))
    if start_date > today() + timedelta(days=366):
        raise ServiceError(_("The start date is more than a year away."), "start_date")
    open_ones = [a for a in candidate.assignments if a.end_date is None or a.end_date >= start_date]
    latest = max(open_ones, key=lambda a: a.start_date, default=None)
    if latest is not None:
        if latest.buddy_id == buddy.id:
            raise ServiceError(_("%(name)s is already the buddy.", name=buddy.full_name),
                               "buddy_id")
        if start_date <= latest.start_date:
            raise ServiceError(
                _("The start date must be after %(date)s, when the current buddy started.",
                  date=latest.start_date.strftime("%d-%m-%Y")), "start_date")
        for assignment in open_ones:
            assignment.end_date = start_date - timedelta(days=1)
    assignment = BuddyAssignment(candidate=candidate, buddy_id=buddy.id, start_date=start_date,
                                 contact_phone=_clean(contact_phone))
    db.session.add(assignment)
    db.session.flush()
    return assignment


# ------------------------------------------------------------------ plan


class PlanConflict(ServiceError):
    """Someone else saved the plan since the form was opened (optimistic lock)."""

    def __init__(self) -> None:
        super().__init__(_("Someone else saved this plan while you were editing it."))


def _lock(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _check_lock(plan: Plan, lock_version: Any) -> None:
    if _lock(lock_version) != plan.lock_version:
        raise PlanConflict()


def _new_version(actor: User, plan: Plan, summary: str) -> PlanVersion:
    """Record the save in the plan's versions (one per editing session, plan_versions)."""
    try:
        return plan_versions.record_save(actor, plan, summary)
    except plan_versions.StaleLock:
        raise PlanConflict() from None


def save_plan_texts(actor: User, plan: Plan, texts: dict[str, str | None],
                    lock_version: Any) -> PlanVersion | None:
    """Save the text sections; nothing changed writes nothing (returns None)."""
    _check_lock(plan, lock_version)
    changed = False
    for name in TEXT_SECTIONS:
        value = (texts.get(name) or "").replace("\r\n", "\n").strip()
        if value != (getattr(plan, name) or ""):
            setattr(plan, name, value)
            changed = True
    if not changed:
        return None
    return _new_version(actor, plan, "texts")


ITEM_MODELS: dict[str, type] = {"doelen": Goal, "stappen": GoalStep,
                                "belemmeringen": Barrier, "opleidingen": Training}

_ENUM_FIELDS = {"status": {"doelen": GoalStatus, "belemmeringen": BarrierStatus,
                           "opleidingen": TrainingStatus},
                "category": {"belemmeringen": BarrierCategory},
                "solvable": {"belemmeringen": Solvable}}


def _item_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """Coerce form data for one kind of item and check rules across its fields."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in _ENUM_FIELDS and kind in _ENUM_FIELDS[key]:
            value = _ENUM_FIELDS[key][kind](value)
        elif isinstance(value, str):
            value = value.strip() or None
        clean[key] = value
    if kind == "belemmeringen" and clean.get("severity") not in (1, 2, 3):
        raise ServiceError(_("Choose the severity."), "severity")
    if kind == "opleidingen" and clean.get("start_date") and clean.get("end_date") \
            and clean["end_date"] < clean["start_date"]:
        raise ServiceError(_("The end date cannot be before the start date."), "end_date")
    if kind == "stappen":
        clean["done"] = bool(clean.get("done"))
    if kind == "opleidingen":
        clean["certificate"] = bool(clean.get("certificate"))
    return clean


def add_plan_item(actor: User, plan: Plan, kind: str, values: dict[str, Any],
                  goal: Goal | None = None) -> Any:
    """Add a goal, step (to ``goal``), barrier or training: a new plan version.

    Adding cannot overwrite anyone's work, so it does not check the lock.
    """
    model = ITEM_MODELS[kind]
    item = model(candidate_id=plan.candidate_id, **_item_values(kind, values))
    if kind == "stappen":
        if goal is None or goal.plan_id != plan.id:
            raise ServiceError(_("This goal is not part of the plan."))
        item.goal = goal
    else:
        item.plan_id = plan.id
    db.session.add(item)
    db.session.flush()
    _new_version(actor, plan, f"{kind}:add")
    return item


def update_plan_item(actor: User, plan: Plan, kind: str, item: Any, values: dict[str, Any],
                     lock_version: Any) -> PlanVersion | None:
    _check_lock(plan, lock_version)
    changed = False
    for key, value in _item_values(kind, values).items():
        if getattr(item, key) != value:
            setattr(item, key, value)
            changed = True
    if not changed:
        return None
    return _new_version(actor, plan, f"{kind}:edit")


def remove_plan_item(actor: User, plan: Plan, kind: str, item: Any,
                     lock_version: Any) -> PlanVersion:
    _check_lock(plan, lock_version)
    db.session.delete(item)
    db.session.flush()
    return _new_version(actor, plan, f"{kind}:remove")


def agree_plan(actor: User, plan: Plan, version_number: Any, agreed_on: date,
               lock_version: Any = None) -> PlanVersion:
    """Mark the newest version "vastgesteld" (frozen: the next save starts a new version).

    ``lock_version`` (the page's, when given) refuses an agreement on a plan saved since
    the page was opened: the open version may have grown under the same number.
    """
    if plan.current_number == 0:
        raise ServiceError(_("There is no plan to agree on yet."))
    if _lock(version_number) != plan.current_number or (
            lock_version is not None and _lock(lock_version) != plan.lock_version):
        raise ServiceError(_("The plan changed since you opened this page. "
                             "Read the newest version before you agree on it."))
    if plan.is_agreed and plan.agreed_number == plan.current_number:
        raise ServiceError(_("This version has already been agreed on."))
    if agreed_on > today():
        raise ServiceError(_("The date cannot be in the future."), "agreed_on")
    return plan_versions.record_agreement(actor, plan, agreed_on)


# ------------------------------------------------------------------ ladder


def _check_measure_date(candidate: Candidate, on: date, field_name: str) -> None:
    if on > today():
        raise ServiceError(_("The date cannot be in the future."), field_name)
    if on < candidate.date_of_birth:
        raise ServiceError(_("The date cannot be before the date of birth."), field_name)


def record_measurement(actor: User, candidate: Candidate, *, measured_on: date, rung: int,
                       kind: MeasurementKind, note: str | None = None) -> Measurement:
    """A participatieladder measurement by the logged-in user as assessor."""
    _check_measure_date(candidate, measured_on, "measured_on")
    if rung not in range(1, 7):
        raise ServiceError(_("Choose a rung."), "rung")
    measurement = Measurement(candidate=candidate, measured_on=measured_on, rung=rung, kind=kind,
                              assessor_id=actor.id, note=_clean(note))
    db.session.add(measurement)
    db.session.flush()
    return measurement


def record_zrm(actor: User, candidate: Candidate, *, scored_on: date,
               scores: dict[ZrmDomain, int]) -> list[ZrmScore]:
    _check_measure_date(candidate, scored_on, "scored_on")
    if not scores:
        raise ServiceError(_("Score at least one domain."), "scored_on")
    rows = [ZrmScore(candidate_id=candidate.id, domain=domain, score=score, scored_on=scored_on,
                     assessor_id=actor.id)
            for domain, score in scores.items() if score in range(1, 6)]
    db.session.add_all(rows)
    db.session.flush()
    return rows
