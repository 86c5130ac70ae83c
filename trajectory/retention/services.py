"""Retention: when a closed file is due, the four-eyes request, and the anonymisation.

``due_files`` lists closed files whose archive date has passed. A beheerder of the
candidate's municipality (or of the region) asks with ``request_destruction``; a
second, different beheerder approves with ``approve_destruction``, which anonymises
the file and writes a ``DestructionRecord`` in the same transaction (the caller
commits once; on any error it rolls back and nothing is half-destroyed). Evidence
files are removed from disk only after the commit (``remove_files``), so a failed
transaction never loses a file that the database still names.

What stays: the rows and every figure (stage kinds, dates, hours, ladder rungs, ZRM
scores, benefit periods, claim amounts and frozen values, closed evaluation
snapshots), so the ledger and the evaluations read the same afterwards. What goes:
the person's identifying fields and every free text about them (see ``anonymise``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from trajectory.audit.trail import log_processing, redact_subject_history
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate, CandidateStatus
from trajectory.extensions import db
from trajectory.retention.models import (
    DestructionRecord,
    DestructionRequest,
    RequestStatus,
    RetentionHold,
)
from trajectory.services import ServiceError
from trajectory.timeutil import today, utcnow

log = logging.getLogger(__name__)

ANONYMOUS = "Geanonimiseerd"
DEFAULT_YEARS = 10


# ------------------------------------------------------------------ archive dates

def retention_years() -> int:
    try:
        years = int(current_app.config.get("RETENTION_YEARS", DEFAULT_YEARS))
    except (TypeError, ValueError):
        return DEFAULT_YEARS
    return max(years, 0)


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def due_on(candidate: Candidate, hold: RetentionHold | None = None) -> date | None:
    """The archive date: closure plus ``RETENTION_YEARS``, later while a legal hold stands.
    None for a file that is not closed."""
    if candidate.status is not CandidateStatus.UITGESTROOMD or candidate.closed_on is None:
        return None
    due = add_years(candidate.closed_on, retention_years())
    if hold is not None and hold.until > due:
        due = hold.until
    return due


def is_destroyed(candidate_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count(DestructionRecord.id)).where(
        DestructionRecord.candidate_id == candidate_id)) > 0


@dataclass(frozen=True)
class DueFile:
    """One line of ``retention list``: no names, only what the beheerder needs to decide."""

    candidate_id: int
    municipality: str
    closed_on: date
    due_on: date
    hold_until: date | None
    request_id: int | None

    def as_dict(self) -> dict:
        return {"candidate_id": self.candidate_id, "municipality": self.municipality,
                "closed_on": self.closed_on.isoformat(), "due_on": self.due_on.isoformat(),
                "hold_until": self.hold_until.isoformat() if self.hold_until else None,
                "request_id": self.request_id}


def due_files(on: date | None = None, user: User | None = None) -> list[DueFile]:
    """Closed files whose archive date is ``on`` (default today) or earlier, not yet
    destroyed; with ``user``, only those that user may destroy (``may_destroy``)."""
    on = on or today()
    destroyed = sa.select(DestructionRecord.candidate_id)
    candidates = db.session.scalars(
        sa.select(Candidate)
        .where(Candidate.status == CandidateStatus.UITGESTROOMD,
               Candidate.closed_on.is_not(None), Candidate.id.not_in(destroyed))
        .order_by(Candidate.closed_on, Candidate.id)).all()
    holds = {h.candidate_id: h for h in db.session.scalars(sa.select(RetentionHold))}
    open_requests = dict(db.session.execute(
        sa.select(DestructionRequest.candidate_id, DestructionRequest.id)
        .where(DestructionRequest.status == RequestStatus.REQUESTED)).all())
    rows = []
    for candidate in candidates:
        hold = holds.get(candidate.id)
        due = due_on(candidate, hold)
        if due is None or due > on or (user is not None and not may_destroy(user, candidate)):
            continue
        rows.append(DueFile(candidate.id, candidate.municipality.name, candidate.closed_on, due,
                            hold.until if hold else None, open_requests.get(candidate.id)))
    return rows


# ------------------------------------------------------------------ who may

def may_destroy(user: User, candidate: Candidate) -> bool:
    """A beheerder of the candidate's municipality, or of the region it belongs to."""
    if not (user.active and user.organisation.active and user.has_role(Role.BEHEERDER)):
        return False
    if user.organisation_id == candidate.municipality_id:
        return True
    if user.organisation.is_region:
        region_id = candidate.municipality.region_id
        return region_id is None or region_id == user.organisation_id
    return False


def _check_may(user: User, candidate: Candidate) -> None:
    if not may_destroy(user, candidate):
        raise ServiceError(_("Only a beheerder of the candidate's municipality or of the region "
                             "may request or approve the destruction of a file."))


def _check_due(candidate: Candidate) -> date:
    if is_destroyed(candidate.id):
        raise ServiceError(_("File %(id)d has already been anonymised.", id=candidate.id))
    hold = db.session.scalar(sa.select(RetentionHold).where(
        RetentionHold.candidate_id == candidate.id))
    due = due_on(candidate, hold)
    if due is None:
        raise ServiceError(_("File %(id)d is not closed; only a closed file can be destroyed.",
                             id=candidate.id))
    if due > today():
        raise ServiceError(_("File %(id)d is kept until %(date)s; it cannot be destroyed yet.",
                             id=candidate.id, date=due.isoformat()))
    return due


# ------------------------------------------------------------------ the four eyes

def request_destruction(user: User, candidate: Candidate) -> DestructionRequest:
    """The first beheerder asks to destroy a due file."""
    _check_may(user, candidate)
    _check_due(candidate)
    pending = db.session.scalar(sa.select(DestructionRequest).where(
        DestructionRequest.candidate_id == candidate.id,
        DestructionRequest.status == RequestStatus.REQUESTED))
    if pending is not None:
        raise ServiceError(_("File %(id)d already has a destruction request (%(request)d) "
                             "waiting for approval.", id=candidate.id, request=pending.id))
    request = DestructionRequest(candidate_id=candidate.id, requested_by_id=user.id,
                                 status=RequestStatus.REQUESTED)
    db.session.add(request)
    db.session.flush()
    return request


@dataclass
class Destruction:
    """What ``approve_destruction`` did: the record, and the files to remove after commit."""

    record: DestructionRecord
    files: list[Path]


def approve_destruction(user: User, request: DestructionRequest) -> Destruction:
    """The second beheerder approves: the file is anonymised and the record written.

    Flushes only; the caller commits (or rolls back: then nothing happened), and after
    the commit calls ``remove_files(destruction.files)``.
    """
    if request.status is not RequestStatus.REQUESTED:
        raise ServiceError(_("Request %(id)d has already been dealt with.", id=request.id))
    if request.requested_by_id == user.id:
        raise ServiceError(_("Destruction needs two people: the person who requested it "
                             "cannot approve it. Ask another beheerder."))
    candidate = db.session.get(Candidate, request.candidate_id)
    if candidate is None:
        raise ServiceError(_("Request %(id)d is about a file that no longer exists.",
                             id=request.id))
    _check_may(user, candidate)
    due = _check_due(candidate)
    closed_on, municipality_id = candidate.closed_on, candidate.municipality_id
    counts, files = anonymise(candidate)
    now = utcnow()
    request.status = RequestStatus.APPROVED
    request.approved_by_id = user.id
    request.approved_at = now
    record = DestructionRecord(
        request_id=request.id, candidate_id=candidate.id, municipality_id=municipality_id,
        closed_on=closed_on, due_on=due,
        requested_by_id=request.requested_by_id, requested_by_name=request.requested_by.username,
        approved_by_id=user.id, approved_by_name=user.username, destroyed_at=now,
        categories=counts)
    db.session.add(record)
    log_processing("destroy", "Candidate", candidate.id, subject=("Candidate", candidate.id),
                   activity="archivering", categories=("hele dossier",))
    db.session.flush()
    return Destruction(record, files)


def set_hold(user: User, candidate: Candidate, until: date, reason: str) -> RetentionHold:
    """A legal hold: keep the file until ``until`` (replaces an earlier hold)."""
    _check_may(user, candidate)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_("Give the reason for the hold (for example a case number)."),
                           field="reason")
    if len(reason) > 200:
        raise ServiceError(_("The reason may be at most 200 characters."), field="reason")
    if is_destroyed(candidate.id):
        raise ServiceError(_("File %(id)d has already been anonymised.", id=candidate.id))
    hold = db.session.scalar(sa.select(RetentionHold).where(
        RetentionHold.candidate_id == candidate.id))
    if hold is None:
        hold = RetentionHold(candidate_id=candidate.id)
        db.session.add(hold)
    hold.until, hold.reason, hold.set_by_id, hold.set_at = until, reason, user.id, utcnow()
    db.session.flush()
    return hold


# ------------------------------------------------------------------ anonymisation

def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def anonymous_birth_date(born: date, days: list[date]) -> date:
    """The earliest day of the birth year that gives the same age on every day in ``days``
    (the stages' dates: the valuation's age bonuses read the age at a stage's start), so
    no value changes. Usually 1 January; never later than the real date."""
    ages = [(day, _age(born, day)) for day in days]
    day = date(born.year, 1, 1)
    while day < born:
        if all(_age(day, on) == age for on, age in ages):
            return day
        day += timedelta(days=1)
    return born


def _blank(obj: object, fields: tuple[str, ...], value: str | None = None) -> int:
    """Set each non-empty field to ``value``; the number of fields changed."""
    changed = 0
    for name in fields:
        current = getattr(obj, name, None)
        if current not in (None, "") and current != value:
            setattr(obj, name, value)
            changed += 1
    return changed


# Text columns of tables with a ``candidate_id`` that ``anonymise`` clears or keeps on
# purpose; tests/retention checks that every such table is listed, so a new table with
# free text about a person cannot be forgotten.
HANDLED_TABLES = frozenset({
    "candidate", "candidate_benefit_period", "buddy_assignment", "plan", "plan_goal",
    "plan_goal_step", "plan_barrier", "plan_training", "plan_version", "ladder_measurement",
    "zrm_score", "contact_log", "stage", "cohort_candidate", "cohort_agreement",
    "retention_hold", "destruction_request",
    # Derived rows (trajectory/stages/stored_values.py): numbers, dates and rule lines, no
    # free text about the person; where anonymising changes a fact they read (the birth
    # date), the stored-values hook recomputes them in the same commit.
    "stage_value", "stage_claim_value",
    # Derived rows (trajectory/cohorts/signal_facts.py): dates, ids and the status, no
    # text; the signal-facts hook recomputes them when anonymising changes a fact.
    "signal_fact",
    # Derived rows (trajectory/candidates/connections.py): which provider a person is
    # connected to, the cause a fixed code ("buddy", "stage", ...) and dates, no text;
    # kept by the connections' hook from the rows anonymising keeps or removes.
    "provider_connection",
})


def anonymise(candidate: Candidate) -> tuple[dict[str, int], list[Path]]:
    """Remove the person from the file; returns counts per category and the evidence files
    to delete after the commit. Flushes; the caller commits."""
    from trajectory.candidates.models import BenefitPeriod, Plan
    from trajectory.cohorts.models import CohortAgreement, CohortCandidate
    from trajectory.contacts.models import ContactLog
    from trajectory.stages.models import TRANSFER_REASON, Stage
    from trajectory.valuation.evidence import evidence_dir
    from trajectory.valuation.models import Claim, Evidence

    counts: dict[str, int] = {}

    def add(category: str, n: int) -> None:
        if n:
            counts[category] = counts.get(category, 0) + n

    cid = candidate.id
    stages = list(db.session.scalars(sa.select(Stage).where(Stage.candidate_id == cid)))
    claims = list(db.session.scalars(sa.select(Claim).where(
        Claim.stage_id.in_([s.id for s in stages])))) if stages else []

    # The person.
    days = [d for s in stages for d in (s.planned_start, s.actual_start, s.planned_end,
                                        s.actual_end, s.contract_start, s.agreed_end) if d]
    days += [d for c in claims for d in (c.period_start, c.period_end) if d]
    personal = _blank(candidate, ("tussenvoegsel", "phone", "email", "street", "postcode",
                                  "place", "bsn", "pause_reason", "outflow_note"))
    personal += _blank(candidate, ("first_name", "last_name"), ANONYMOUS)
    candidate.search_name = f"{ANONYMOUS} {ANONYMOUS}".lower()
    birth = anonymous_birth_date(candidate.date_of_birth, days)
    if birth != candidate.date_of_birth:
        candidate.date_of_birth = birth
        personal += 1
    add("personal_fields", personal)

    # The plan: texts blanked, goals, steps, barriers, trainings and versions removed.
    plan = db.session.scalar(sa.select(Plan).where(Plan.candidate_id == cid))
    if plan is not None:
        add("plan_texts", _blank(plan, ("wishes", "skills", "needs", "agreements"), ""))
        add("plan_goals", len(plan.goals))
        add("plan_steps", sum(len(goal.steps) for goal in plan.goals))
        add("barriers", len(plan.barriers))
        add("trainings", len(plan.trainings))
        add("plan_versions", len(plan.versions))
        plan.goals.clear()
        plan.barriers.clear()
        plan.trainings.clear()
        plan.versions.clear()
        plan.current_number, plan.agreed_number = 0, None

    for assignment in candidate.assignments:
        add("buddy_phone", _blank(assignment, ("contact_phone",)))
    for measurement in candidate.measurements:
        add("ladder_notes", _blank(measurement, ("note",)))
    for period in db.session.scalars(sa.select(BenefitPeriod).where(
            BenefitPeriod.candidate_id == cid)):
        # Benefit periods stay (the valuation reads them); any note on them goes.
        add("benefit_notes", _blank(period, tuple(n for n in ("note", "notes", "remark")
                                                  if hasattr(period, n))))

    for entry in db.session.scalars(sa.select(ContactLog).where(ContactLog.candidate_id == cid)):
        changed = _blank(entry, ("note",), "")
        changed += _blank(entry, ("signal_text", "signal_handled_note"))
        add("contact_notes", 1 if changed else 0)

    for stage in stages:
        changed = _blank(stage, ("note", "next_step_decision", "outcome_note", "care_reason"))
        changed += _blank(stage, ("decline_reason",), ANONYMOUS)
        if stage.end_reason not in (None, "", TRANSFER_REASON):
            changed += _blank(stage, ("end_reason",), ANONYMOUS)
        add("stage_notes", 1 if changed else 0)

    for row in db.session.scalars(sa.select(CohortCandidate).where(
            CohortCandidate.candidate_id == cid)):
        add("cohort_motivations", _blank(row, ("motivation",), ""))
    for agreement in db.session.scalars(sa.select(CohortAgreement).where(
            CohortAgreement.candidate_id == cid)):
        add("cohort_agreement_texts", _blank(agreement, ("support",), ANONYMOUS))

    # Claims keep every amount and frozen value; their free texts and documents go, in
    # plain SQL statements the trail does not copy (the DestructionRecord counts them).
    # The trail rows written earlier (upload-time file names, descriptions) name the
    # candidate (``Claim.audit_subject``) and are blanked below with the rest.
    files: list[Path] = []
    folder = evidence_dir()
    claim_ids = [claim.id for claim in claims]
    if claim_ids:
        texts = sum(1 for claim in claims if claim.description or claim.rejection_reason)
        db.session.execute(
            sa.update(Claim).where(Claim.id.in_(claim_ids)).values(
                description="", rejection_reason=sa.case(
                    (Claim.rejection_reason.is_(None), None), else_=ANONYMOUS)),
            execution_options={"synchronize_session": False})
        add("claim_texts", texts)
        evidence = db.session.execute(sa.select(Evidence.id, Evidence.stored_name).where(
            Evidence.claim_id.in_(claim_ids))).all()
        if evidence:
            db.session.execute(sa.delete(Evidence).where(
                Evidence.id.in_([row.id for row in evidence])),
                execution_options={"synchronize_session": False})
            files = [folder / row.stored_name for row in evidence]
            add("evidence_files", len(evidence))
        for claim in claims:
            db.session.expire(claim)
    db.session.flush()  # the trail records these changes (about the candidate) ...
    # ... and then every old and new value about the person is blanked, these included.
    add("audit_rows", redact_subject_history("Candidate", cid))
    for stored in files:
        if not stored.name or stored.parent != folder:  # pragma: no cover - stored names are hex
            raise ServiceError(_("An evidence file has an unexpected name."))
    return counts, files


def remove_files(files: list[Path]) -> list[Path]:
    """Delete the evidence files after the commit; the ones that could not be removed.
    The rendered PDFs kept by trajectory.pdf_cache go too: one may print the name."""
    from trajectory import pdf_cache

    pdf_cache.clear()
    left = []
    for path in files:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("retention: could not remove %s", path.name)
            left.append(path)
    return left
