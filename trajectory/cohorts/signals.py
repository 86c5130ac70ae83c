"""Every signal, defined once: key, label, threshold in configuration, who sees it,
and the query that finds the candidates (or stages) that trip it.

Every page that shows a signal (home panels, the signals page, the cohort
evaluation) calls this module, and tests/cohorts/test_signals.py tests each
signal at its threshold and one day off. Each signal is one SQL query over
the candidates in a condition (the user's scope, or a cohort), so a page
costs the same number of queries however many candidates it covers.

| key | setting (default) | trips when |
| --- | --- | --- |
| geen_contact | SIGNAL_NO_CONTACT_DAYS (14) | no contact made for N days (or since the buddy started) |
| stap_zonder_uitkomst | – | a completed stage without a recorded outcome |
| wep_eindigt | SIGNAL_WEP_ENDING_DAYS (14) | a werkervaringsplaats ends within N days (or has passed its end), no next step decided |
| geen_stapwijziging | SIGNAL_NO_STAGE_CHANGE_DAYS (90) | nothing changed in the learning line for N days |
| toestemming_verloopt | SIGNAL_CONSENT_EXPIRING_DAYS (30) | consent ends within N days (or has ended) |
| plan_niet_vastgesteld | SIGNAL_PLAN_NOT_AGREED_DAYS (30) | N days after registration the plan was never agreed |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from trajectory.auth.roles import Role
from trajectory.candidates.models import (
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Plan,
)
from trajectory.candidates.need_to_know import role_scope
from trajectory.cohorts import stagefacts
from trajectory.cohorts.models import CohortCandidate, CohortCandidateStatus
from trajectory.contacts.models import ContactKind, ContactLog
from trajectory.extensions import db
from trajectory.timeutil import AMSTERDAM, today

# A paused trajectory is not expected to show contact or movement.
ACTIVE = (CandidateStatus.AANGEMELD, CandidateStatus.ACTIEF)
OPEN = (CandidateStatus.AANGEMELD, CandidateStatus.ACTIEF, CandidateStatus.GEPAUZEERD)

KM, INTAKER, BUDDY, COORDINATOR = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY,
                                   Role.COORDINATOR)


@dataclass(frozen=True)
class Hit:
    """One candidate (or stage) that trips a signal."""

    signal: str
    candidate_id: int
    name: str
    municipality_id: int
    day: date | None           # the date the signal is about
    stage_id: int | None = None
    provider_id: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Signal:
    key: str
    label: Any
    explain: Any                   # "%(days)d" is the threshold
    setting: str | None
    default: int | None
    roles: frozenset[Role]
    find: Callable[[sa.ColumnElement[bool], int | None, date], list[Hit]]
    needs_stages: bool = False

    def threshold(self) -> int | None:
        if self.setting is None:
            return None
        if has_app_context():
            return int(current_app.config.get(self.setting, self.default))
        return self.default

    @property
    def available(self) -> bool:
        return not self.needs_stages or stagefacts.available()

    def description(self) -> str:
        days = self.threshold()
        return str(self.explain) % {"days": days} if days is not None else str(self.explain)

    def hits(self, condition: sa.ColumnElement[bool], on: date | None = None) -> list[Hit]:
        """The candidates within ``condition`` that trip this signal on ``on`` (today)."""
        if not self.available:
            return []
        return self.find(condition, self.threshold(), on or today())


def _name(first: str, middle: str | None, last: str) -> str:
    return " ".join(part for part in (first, middle, last) if part)


_PERSON = (Candidate.id, Candidate.first_name, Candidate.tussenvoegsel, Candidate.last_name,
           Candidate.municipality_id)


def _hit(key: str, row: Any, day: date | None, **extra: Any) -> Hit:
    return Hit(key, row.id, _name(row.first_name, row.tussenvoegsel, row.last_name),
               row.municipality_id, day, **extra)


# ------------------------------------------------------------------ the finders

def _no_contact(condition: sa.ColumnElement[bool], days: int | None, on: date) -> list[Hit]:
    """No contact made (any kind but "geen contact gelukt") for ``days`` days; a new
    buddy gets ``days`` days from the start of the assignment."""
    cutoff = on - timedelta(days=days or 0)
    assignment = so.aliased(BuddyAssignment)
    last = (sa.select(sa.func.max(ContactLog.contact_on))
            .where(ContactLog.candidate_id == Candidate.id,
                   ContactLog.kind != ContactKind.GEEN_CONTACT)
            .correlate(Candidate).scalar_subquery())
    rows = db.session.execute(
        sa.select(*_PERSON, assignment.start_date.label("since"), last.label("last"))
        .join(assignment, sa.and_(assignment.candidate_id == Candidate.id,
                                  BuddyAssignment.active_on(on, assignment)))
        .where(condition, Candidate.status.in_(ACTIVE), assignment.start_date <= cutoff,
               sa.or_(last.is_(None), last <= cutoff))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)).all()
    return [_hit("geen_contact", row, row.last or row.since) for row in rows]


def _consent(condition: sa.ColumnElement[bool], days: int | None, on: date) -> list[Hit]:
    """Consent ends within ``days`` days, or has ended, for an open trajectory."""
    rows = db.session.execute(
        sa.select(*_PERSON, Candidate.consent_expires_on)
        .where(condition, Candidate.status.in_(OPEN), Candidate.consent_expires_on.is_not(None),
               Candidate.consent_expires_on <= on + timedelta(days=days or 0))
        .order_by(Candidate.consent_expires_on, Candidate.id)).all()
    return [_hit("toestemming_verloopt", row, row.consent_expires_on) for row in rows]


def start_of_day(day: date) -> datetime:
    """Midnight in the Netherlands, in UTC (for comparing stored timestamps with a date)."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def _plan_not_agreed(condition: sa.ColumnElement[bool], days: int | None, on: date) -> list[Hit]:
    """Registered ``days`` days ago or longer and the plan was never agreed."""
    # registered on or before on - days  <=>  registered before the start of the day after.
    before = start_of_day(on - timedelta(days=(days or 0) - 1))
    agreed = sa.exists().where(Plan.candidate_id == Candidate.id,
                               Plan.agreed_number.is_not(None)).correlate(Candidate)
    rows = db.session.execute(
        sa.select(*_PERSON, Candidate.registered_at)
        .where(condition, Candidate.status.in_(OPEN), Candidate.registered_at < before, ~agreed)
        .order_by(Candidate.registered_at, Candidate.id)).all()
    return [_hit("plan_niet_vastgesteld", row, row.registered_at.astimezone(AMSTERDAM).date()
                 if row.registered_at.tzinfo else row.registered_at.date()) for row in rows]


def _stage_hits(key: str, condition: sa.ColumnElement[bool],
                keep: Callable[[stagefacts.StageFact], date | None],
                statuses: tuple[CandidateStatus, ...] = OPEN) -> list[Hit]:
    """Stage signals: the candidates in ``condition`` with their stages (two queries),
    one hit per stage for which ``keep`` gives a date."""
    people = db.session.execute(
        sa.select(*_PERSON).where(condition, Candidate.status.in_(statuses))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)).all()
    facts = stagefacts.facts_for(row.id for row in people)
    hits = []
    for row in people:
        for fact in facts.get(row.id, []):
            day = keep(fact)
            if day is not None:
                from trajectory.cohorts.labels import stage_kind_label

                hits.append(_hit(key, row, day, stage_id=fact.id, provider_id=fact.provider_id,
                                 detail=stage_kind_label(fact.kind)))
    return hits


def _stage_without_outcome(condition: sa.ColumnElement[bool], days: int | None,
                           on: date) -> list[Hit]:
    """A completed stage whose outcome has not been recorded (the stages feature's
    "finished without an outcome")."""
    def keep(fact: stagefacts.StageFact) -> date | None:
        if fact.status == "afgerond" and not fact.has_outcome:
            return fact.end or on
        return None

    return _stage_hits("stap_zonder_uitkomst", condition, keep)


def _wep_ending(condition: sa.ColumnElement[bool], days: int | None, on: date) -> list[Hit]:
    """A planned or running werkervaringsplaats whose end is ``days`` days away or less
    (or has passed) without a decision on the next step."""
    last = on + timedelta(days=days or 0)

    def keep(fact: stagefacts.StageFact) -> date | None:
        if (fact.kind != stagefacts.WORK_EXPERIENCE or fact.status not in ("gepland", "lopend")
                or fact.end is None or fact.next_step_decided):
            return None
        return fact.end if fact.end <= last else None

    return _stage_hits("wep_eindigt", condition, keep)


def _no_stage_change(condition: sa.ColumnElement[bool], days: int | None,
                     on: date) -> list[Hit]:
    """The latest change in the learning line (a stage proposed, answered, started,
    ended or its outcome recorded) lies ``days`` days back or more; a candidate without
    stages counts from registration."""
    cutoff = on - timedelta(days=days or 0)
    people = db.session.execute(
        sa.select(*_PERSON, Candidate.registered_at).where(condition, Candidate.status.in_(ACTIVE))
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)).all()
    facts = stagefacts.facts_for(row.id for row in people)
    hits = []
    for row in people:
        registered = (row.registered_at.astimezone(AMSTERDAM).date()
                      if row.registered_at.tzinfo else row.registered_at.date())
        moments = [registered] + [fact.changed_on for fact in facts.get(row.id, [])
                                  if fact.changed_on and fact.changed_on <= on]
        latest = max(moments)
        if latest <= cutoff:
            hits.append(_hit("geen_stapwijziging", row, latest))
    return hits


SIGNALS: tuple[Signal, ...] = (
    Signal("geen_contact", _l("No contact"),
           _l("No contact with the buddy for %(days)d days or more."),
           "SIGNAL_NO_CONTACT_DAYS", 14, frozenset({KM, BUDDY, COORDINATOR}), _no_contact),
    Signal("stap_zonder_uitkomst", _l("Stage ended without an outcome"),
           _l("A stage has been completed but its outcome has not been recorded."),
           None, None, frozenset({KM, INTAKER, COORDINATOR}), _stage_without_outcome,
           needs_stages=True),
    Signal("wep_eindigt", _l("Work-experience place ends, no next step"),
           _l("A work-experience place ends within %(days)d days and the next step has not "
              "been decided."),
           "SIGNAL_WEP_ENDING_DAYS", 14, frozenset({KM, INTAKER, BUDDY, COORDINATOR}),
           _wep_ending, needs_stages=True),
    Signal("geen_stapwijziging", _l("No change in the learning line"),
           _l("Nothing has changed in the learning line for %(days)d days or more."),
           "SIGNAL_NO_STAGE_CHANGE_DAYS", 90, frozenset({KM, INTAKER, COORDINATOR}),
           _no_stage_change, needs_stages=True),
    Signal("toestemming_verloopt", _l("Consent expires"),
           _l("The consent to share ends within %(days)d days or has ended."),
           "SIGNAL_CONSENT_EXPIRING_DAYS", 30, frozenset({KM, COORDINATOR}), _consent),
    Signal("plan_niet_vastgesteld", _l("Plan not agreed"),
           _l("Registered %(days)d days ago or longer and the plan has not been agreed."),
           "SIGNAL_PLAN_NOT_AGREED_DAYS", 30, frozenset({KM, COORDINATOR}), _plan_not_agreed),
)
BY_KEY = {signal.key: signal for signal in SIGNALS}


# ------------------------------------------------------------------ scopes

def in_cohorts(cohort_ids: list[int] | None = None) -> sa.ColumnElement[bool]:
    """Candidates at the table of a cohort (all cohorts, or these)."""
    rows = sa.select(CohortCandidate.candidate_id).where(
        CohortCandidate.status == CohortCandidateStatus.ACCEPTED)
    if cohort_ids is not None:
        rows = rows.where(CohortCandidate.cohort_id.in_(cohort_ids))
    return Candidate.id.in_(rows)


def signal_scope(user: Any) -> sa.ColumnElement[bool]:
    """The candidates whose signals ``user`` sees, per role the scope of the access model
    (trajectory.candidates.need_to_know): the klantmanager their municipality,
    the buddy their own candidates, the intaker those connected to their provider
    under consent for providers,
    the coordinator the candidates at the table of a cohort whose consent for the
    overlegtafel is in force (the home panel shows the coordinator counts per cohort)."""
    roles = user.roles
    conditions: list[sa.ColumnElement[bool]] = [
        role_scope(user, role) for role in (KM, INTAKER, BUDDY) if role in roles]
    if COORDINATOR in roles:
        conditions.append(sa.and_(in_cohorts(), role_scope(user, COORDINATOR)))
    return sa.or_(*conditions) if conditions else sa.false()


def signals_seen_by(user: Any) -> list[Signal]:
    return [signal for signal in SIGNALS if signal.roles & user.roles]


@dataclass
class SignalResult:
    signal: Signal
    hits: list[Hit] = field(default_factory=list)


def signals_for(user: Any, on: date | None = None) -> list[SignalResult]:
    """Every signal the user's roles see, with the hits in the user's scope."""
    condition = signal_scope(user)
    return [SignalResult(signal, signal.hits(condition, on)) for signal in signals_seen_by(user)]


# ------------------------------------------------------------------ buddies' signals (tasks)

def open_buddy_signals(condition: sa.ColumnElement[bool], limit: int | None = None
                       ) -> list[ContactLog]:
    """Signals buddies raised that no klantmanager has handled yet, oldest first."""
    stmt = (sa.select(ContactLog).join(ContactLog.candidate)
            .where(condition, ContactLog.open_signal())
            .options(so.contains_eager(ContactLog.candidate), so.joinedload(ContactLog.buddy))
            .order_by(ContactLog.contact_on, ContactLog.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def task_scope(user: Any) -> sa.ColumnElement[bool]:
    """Whose raised signals a user sees: the klantmanager their municipality's (to handle),
    a buddy the ones they raised themselves (to follow)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if KM in user.roles:
        conditions.append(Candidate.municipality_id == user.organisation_id)
    if BUDDY in user.roles:
        conditions.append(ContactLog.buddy_id == user.id)
    return sa.or_(*conditions) if conditions else sa.false()


# ------------------------------------------------------------------ per cohort

BUDDY_SIGNAL = "buddy_signaal"
BUDDY_SIGNAL_LABEL = _l("Signal from the buddy, not yet handled")


def cohort_counts(cohort_ids: list[int] | None = None, on: date | None = None
                  ) -> dict[int, dict[str, int]]:
    """Open signals per cohort and signal key (plus the buddies' unhandled signals),
    over the candidates at each cohort's table: one query per signal, whatever the
    number of cohorts."""
    stmt = sa.select(CohortCandidate.cohort_id, CohortCandidate.candidate_id).where(
        CohortCandidate.status == CohortCandidateStatus.ACCEPTED)
    if cohort_ids is not None:
        stmt = stmt.where(CohortCandidate.cohort_id.in_(cohort_ids))
    cohorts_of: dict[int, list[int]] = {}
    counts: dict[int, dict[str, int]] = {}
    for cohort_id, candidate_id in db.session.execute(stmt).all():
        cohorts_of.setdefault(candidate_id, []).append(cohort_id)
        counts.setdefault(cohort_id, {})
    for cohort_id in cohort_ids or []:
        counts.setdefault(cohort_id, {})
    keys = [signal.key for signal in SIGNALS if signal.available] + [BUDDY_SIGNAL]
    for per_cohort in counts.values():
        per_cohort.update({key: 0 for key in keys})
    if not cohorts_of:
        return counts
    condition = Candidate.id.in_(list(cohorts_of))
    for signal in SIGNALS:
        for hit in signal.hits(condition, on):
            for cohort_id in cohorts_of[hit.candidate_id]:
                counts[cohort_id][signal.key] += 1
    raised = db.session.execute(
        sa.select(ContactLog.candidate_id, sa.func.count(ContactLog.id))
        .where(ContactLog.candidate_id.in_(list(cohorts_of)), ContactLog.open_signal())
        .group_by(ContactLog.candidate_id)).all()
    for candidate_id, number in raised:
        for cohort_id in cohorts_of[candidate_id]:
            counts[cohort_id][BUDDY_SIGNAL] += number
    return counts


def signal_label(key: str) -> str:
    if key == BUDDY_SIGNAL:
        return str(BUDDY_SIGNAL_LABEL)
    return str(BY_KEY[key].label) if key in BY_KEY else key
