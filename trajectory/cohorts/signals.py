"""Every signal, defined once: key, label, threshold in configuration, who sees it,
and the query that finds the candidates (or stages) that trip it.

Every page that shows a signal (home panels, the signals page, the cohort
evaluation, the candidate list's signal filter) calls this module, and
tests/cohorts/test_signals.py tests each signal at its threshold and one day off.
Each signal's finder is one SELECT of the rows that trip it within a condition (the
user's scope, or a cohort); counting (``counts``: every signal in one query), the
first rows (``top``), a page, the per-cohort counts (``cohort_counts``: one grouped
query) and the filter's subquery (``candidate_ids``) are that SELECT wrapped in SQL,
so a page costs the same queries and reads no more rows however large the region.

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


# A finder gives the rows that trip a signal, as one SELECT over ``Candidate`` with the
# columns of ``_columns`` (the person, ``day``, ``stage_id``, ``provider_id``, ``kind``),
# ordered for a list; counting, the top N and a page are that SELECT wrapped in SQL.
Finder = Callable[[sa.ColumnElement[bool], int | None, date], sa.Select]


@dataclass(frozen=True)
class Signal:
    key: str
    label: Any
    explain: Any                   # "%(days)d" is the threshold
    setting: str | None
    default: int | None
    roles: frozenset[Role]
    find: Finder
    needs_stages: bool = False
    # The date a row is about (a row's ``day`` column, unless the signal computes it).
    day_of: Callable[[Any], date | None] = field(default=lambda row: row.day)

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

    def select(self, condition: sa.ColumnElement[bool], on: date | None = None
               ) -> sa.Select | None:
        """The rows that trip this signal within ``condition`` on ``on`` (today), ordered;
        None while the signal is not available."""
        if not self.available:
            return None
        return self.find(condition, self.threshold(), on or today())

    def count_select(self, condition: sa.ColumnElement[bool], on: date | None = None
                     ) -> sa.ScalarSelect:
        """The number of rows, as a scalar subquery (0 while not available)."""
        stmt = self.select(condition, on)
        if stmt is None:
            return sa.select(sa.literal(0)).scalar_subquery()
        return sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()
                                                      ).scalar_subquery()

    def count(self, condition: sa.ColumnElement[bool], on: date | None = None) -> int:
        return int(db.session.scalar(sa.select(self.count_select(condition, on))) or 0)

    def top(self, condition: sa.ColumnElement[bool], limit: int | None, offset: int = 0,
            on: date | None = None) -> list[Hit]:
        """The first ``limit`` hits after ``offset`` (all with None), in one query."""
        stmt = self.select(condition, on)
        if stmt is None:
            return []
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return self.to_hits(db.session.execute(stmt).all())

    def hits(self, condition: sa.ColumnElement[bool], on: date | None = None) -> list[Hit]:
        """Every candidate within ``condition`` that trips this signal on ``on`` (today): for
        one file or a small group; a list shows ``top`` or a page."""
        return self.top(condition, None, on=on)

    def candidate_ids(self, condition: sa.ColumnElement[bool], on: date | None = None
                      ) -> sa.Select:
        """The ids of the candidates that trip it, as a subquery for ``IN`` (the candidate
        list's signal filter): never a list of ids in Python."""
        stmt = self.select(condition, on)
        if stmt is None:
            return sa.select(Candidate.id).where(sa.false())
        rows = stmt.order_by(None).subquery()
        return sa.select(rows.c.id)

    def to_hits(self, rows: Any) -> list[Hit]:
        from trajectory.cohorts.labels import stage_kind_label

        return [Hit(self.key, row.id, _name(row.first_name, row.tussenvoegsel, row.last_name),
                    row.municipality_id, self.day_of(row), stage_id=row.stage_id,
                    provider_id=row.provider_id,
                    detail=stage_kind_label(_value(row.kind)) if row.kind is not None else "")
                for row in rows]


def _value(kind: Any) -> str:
    return getattr(kind, "value", kind)


def _name(first: str, middle: str | None, last: str) -> str:
    return " ".join(part for part in (first, middle, last) if part)


_PERSON = (Candidate.id, Candidate.first_name, Candidate.tussenvoegsel, Candidate.last_name,
           Candidate.municipality_id)
_BY_NAME = (Candidate.last_name, Candidate.first_name, Candidate.id)


def _columns(day: Any, stage: Any = None) -> tuple[Any, ...]:
    """The columns every finder selects: the person, the day, the stage (or NULLs)."""
    if stage is None:
        return (*_PERSON, day.label("day"), sa.null().label("stage_id"),
                sa.null().label("provider_id"), sa.null().label("kind"))
    return (*_PERSON, day.label("day"), stage.id.label("stage_id"),
            stage.provider_id.label("provider_id"), stage.kind.label("kind"))


def _local_day(value: Any) -> date | None:
    """A stored timestamp as the Dutch calendar day (SQLite gives it back naive, in UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(AMSTERDAM).date()
    return value


def start_of_day(day: date) -> datetime:
    """Midnight in the Netherlands, in UTC (for comparing stored timestamps with a date)."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


# ------------------------------------------------------------------ the finders

def _no_contact(condition: sa.ColumnElement[bool], days: int | None, on: date) -> sa.Select:
    """No contact made (any kind but "geen contact gelukt") for ``days`` days; a new
    buddy gets ``days`` days from the start of the assignment."""
    cutoff = on - timedelta(days=days or 0)
    assignment = so.aliased(BuddyAssignment)
    last = (sa.select(sa.func.max(ContactLog.contact_on))
            .where(ContactLog.candidate_id == Candidate.id,
                   ContactLog.kind != ContactKind.GEEN_CONTACT)
            .correlate(Candidate).scalar_subquery())
    return (sa.select(*_columns(sa.func.coalesce(last, assignment.start_date)))
            .join(assignment, sa.and_(assignment.candidate_id == Candidate.id,
                                      BuddyAssignment.active_on(on, assignment)))
            .where(condition, Candidate.status.in_(ACTIVE), assignment.start_date <= cutoff,
                   sa.or_(last.is_(None), last <= cutoff))
            .order_by(*_BY_NAME, assignment.id))


def _consent(condition: sa.ColumnElement[bool], days: int | None, on: date) -> sa.Select:
    """Consent ends within ``days`` days, or has ended, for an open trajectory."""
    return (sa.select(*_columns(Candidate.consent_expires_on))
            .where(condition, Candidate.status.in_(OPEN),
                   Candidate.consent_expires_on.is_not(None),
                   Candidate.consent_expires_on <= on + timedelta(days=days or 0))
            .order_by(Candidate.consent_expires_on, Candidate.id))


def _plan_not_agreed(condition: sa.ColumnElement[bool], days: int | None, on: date) -> sa.Select:
    """Registered ``days`` days ago or longer and the plan was never agreed."""
    # registered on or before on - days  <=>  registered before the start of the day after.
    before = start_of_day(on - timedelta(days=(days or 0) - 1))
    agreed = sa.exists().where(Plan.candidate_id == Candidate.id,
                               Plan.agreed_number.is_not(None)).correlate(Candidate)
    return (sa.select(*_columns(Candidate.registered_at))
            .where(condition, Candidate.status.in_(OPEN), Candidate.registered_at < before,
                   ~agreed)
            .order_by(Candidate.registered_at, Candidate.id))


def _stage_rows(condition: sa.ColumnElement[bool], day: Callable[[Any], Any],
                keep: Callable[[Any, Any], sa.ColumnElement[bool]],
                statuses: tuple[CandidateStatus, ...] = OPEN) -> sa.Select:
    """Stage signals: one row per stage of a candidate in ``condition`` that ``keep``
    selects (declined proposals never count), by name and then the learning line's order."""
    stages = stagefacts.sql()
    # An alias: the scope's own conditions on stages (an intaker's connections) must not
    # correlate with the stage of the row.
    stage = so.aliased(stages.Stage)
    return (sa.select(*_columns(day(stage), stage))
            .join(stage, stage.candidate_id == Candidate.id)
            .where(condition, Candidate.status.in_(statuses),
                   stage.status != stages.StageStatus.AFGEWEZEN, keep(stage, stages))
            .order_by(*_BY_NAME, stage.planned_start, stage.id))


def _stage_end(stage: Any) -> Any:
    """The end as it happened, else as planned (``Stage.end`` in SQL)."""
    return sa.func.coalesce(stage.actual_end, stage.planned_end)


def _stage_without_outcome(condition: sa.ColumnElement[bool], days: int | None,
                           on: date) -> sa.Select:
    """A completed stage whose outcome has not been recorded (the stages feature's
    "finished without an outcome")."""
    return _stage_rows(
        condition, lambda stage: sa.func.coalesce(stage.actual_end, stage.planned_end,
                                                  sa.literal(on, sa.Date)),
        lambda stage, s: sa.and_(stage.status == s.StageStatus.AFGEROND,
                                 stage.outcome_recorded_at.is_(None)))


def _wep_ending(condition: sa.ColumnElement[bool], days: int | None, on: date) -> sa.Select:
    """A planned or running werkervaringsplaats whose end is ``days`` days away or less
    (or has passed) without a decision on the next step."""
    last = on + timedelta(days=days or 0)
    return _stage_rows(
        condition, _stage_end,
        lambda stage, s: sa.and_(
            stage.kind == s.StageKind(stagefacts.WORK_EXPERIENCE),
            stage.status.in_((s.StageStatus.GEPLAND, s.StageStatus.LOPEND)),
            _stage_end(stage).is_not(None), _stage_end(stage) <= last,
            stage.next_step_decision.is_(None)))


# The moments that change a learning line (``StageFact.changed_on`` is the latest):
# dates, and timestamps compared by their Dutch calendar day.
_STAGE_DATES = ("actual_start", "actual_end")
_STAGE_TIMES = ("proposed_at", "answered_at", "outcome_recorded_at")


def _changed_after(stage: Any, cutoff: date) -> sa.ColumnElement[bool]:
    """Some moment of the stage falls after ``cutoff``."""
    after = start_of_day(cutoff + timedelta(days=1))
    return sa.or_(*[getattr(stage, name) > cutoff for name in _STAGE_DATES],
                  *[getattr(stage, name) >= after for name in _STAGE_TIMES])


def _settled_by(stage: Any, on: date) -> sa.ColumnElement[bool]:
    """Every moment of the stage falls on ``on`` or before (a stage with a later moment
    does not count: its latest change lies ahead)."""
    before = start_of_day(on + timedelta(days=1))
    column = lambda name: getattr(stage, name)  # noqa: E731
    return sa.and_(*[sa.or_(column(name).is_(None), column(name) <= on)
                     for name in _STAGE_DATES],
                   *[sa.or_(column(name).is_(None), column(name) < before)
                     for name in _STAGE_TIMES])


def _no_stage_change(condition: sa.ColumnElement[bool], days: int | None,
                     on: date) -> sa.Select:
    """The latest change in the learning line (a stage proposed, answered, started,
    ended or its outcome recorded) lies ``days`` days back or more; a candidate without
    stages counts from registration."""
    cutoff = on - timedelta(days=days or 0)
    stages = stagefacts.sql()
    stage = so.aliased(stages.Stage)
    counted = sa.and_(stage.candidate_id == Candidate.id,
                      stage.status != stages.StageStatus.AFGEWEZEN, _settled_by(stage, on))
    moved = sa.exists().where(counted, _changed_after(stage, cutoff)).correlate(Candidate)
    # The latest moment of each kind over the stages that count: the day shown.
    latest = [sa.select(sa.func.max(getattr(stage, name))).where(counted)
              .correlate(Candidate).scalar_subquery().label(f"latest_{name}")
              for name in _STAGE_DATES + _STAGE_TIMES]
    return (sa.select(*_columns(Candidate.registered_at), *latest)
            .where(condition, Candidate.status.in_(ACTIVE),
                   Candidate.registered_at < start_of_day(cutoff + timedelta(days=1)), ~moved)
            .order_by(*_BY_NAME))


def _latest_change(row: Any) -> date | None:
    moments = [_local_day(row.day)] + [_local_day(getattr(row, f"latest_{name}"))
                                       for name in _STAGE_DATES + _STAGE_TIMES]
    return max((moment for moment in moments if moment is not None), default=None)


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
           _no_stage_change, needs_stages=True, day_of=_latest_change),
    Signal("toestemming_verloopt", _l("Consent expires"),
           _l("The consent to share ends within %(days)d days or has ended."),
           "SIGNAL_CONSENT_EXPIRING_DAYS", 30, frozenset({KM, COORDINATOR}), _consent),
    Signal("plan_niet_vastgesteld", _l("Plan not agreed"),
           _l("Registered %(days)d days ago or longer and the plan has not been agreed."),
           "SIGNAL_PLAN_NOT_AGREED_DAYS", 30, frozenset({KM, COORDINATOR}), _plan_not_agreed,
           day_of=lambda row: _local_day(row.day)),
)
BY_KEY = {signal.key: signal for signal in SIGNALS}


def threshold(key: str) -> int:
    """A signal's threshold in days, for the pages that share it (the candidate list's
    attention filter, the task lists): one setting, read where the signal is defined."""
    days = BY_KEY[key].threshold()
    return int(days if days is not None else 0)


# ------------------------------------------------------------------ scopes

def in_cohorts(cohort_ids: list[int] | sa.Select | None = None) -> sa.ColumnElement[bool]:
    """Candidates at the table of a cohort (all cohorts, or these: a few ids or a
    SELECT of cohort ids)."""
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
    """A signal with the number of rows that trip it and the first of them."""

    signal: Signal
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


def counts(signals: list[Signal], condition: sa.ColumnElement[bool], on: date | None = None
           ) -> dict[str, int]:
    """The number of hits of each signal within ``condition``: one query for all."""
    if not signals:
        return {}
    row = db.session.execute(sa.select(*[signal.count_select(condition, on).label(signal.key)
                                         for signal in signals])).one()
    return {signal.key: int(row[index] or 0) for index, signal in enumerate(signals)}


def signals_for(user: Any, shown: int | None = 3, on: date | None = None
                ) -> list[SignalResult]:
    """Every signal the user's roles see with its count and its first ``shown`` hits in
    the user's scope: one query for the counts, one per signal."""
    condition = signal_scope(user)
    seen = [signal for signal in signals_seen_by(user) if signal.available]
    totals = counts(seen, condition, on)
    # The top rows are asked even when the count is 0: the same queries at every size.
    return [SignalResult(signal, signal.top(condition, shown, on=on) if shown != 0 else [],
                         totals[signal.key])
            for signal in seen]


# ------------------------------------------------------------------ buddies' signals (tasks)

def open_buddy_signals(condition: sa.ColumnElement[bool], limit: int | None = None,
                       offset: int = 0) -> list[ContactLog]:
    """Signals buddies raised that no klantmanager has handled yet, oldest first."""
    stmt = open_buddy_signals_select(condition)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(db.session.scalars(stmt))


def open_buddy_signals_select(condition: sa.ColumnElement[bool]) -> sa.Select:
    return (sa.select(ContactLog).join(ContactLog.candidate)
            .where(condition, ContactLog.open_signal())
            .options(so.contains_eager(ContactLog.candidate), so.joinedload(ContactLog.buddy))
            .order_by(ContactLog.contact_on, ContactLog.id))


def count_open_buddy_signals(condition: sa.ColumnElement[bool]) -> int:
    return int(db.session.scalar(
        sa.select(sa.func.count(ContactLog.id)).join(ContactLog.candidate)
        .where(condition, ContactLog.open_signal())) or 0)


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


def cohort_keys() -> list[str]:
    return [signal.key for signal in SIGNALS if signal.available] + [BUDDY_SIGNAL]


def cohort_counts(cohort_ids: list[int] | sa.Select | None = None, on: date | None = None
                  ) -> dict[int, dict[str, int]]:
    """Open signals per cohort and signal key (plus the buddies' unhandled signals),
    over the candidates at each cohort's table, in one grouped query (a UNION of one
    count per signal) whatever the number of cohorts. ``cohort_ids``: a few ids, a
    SELECT of ids, or None for every cohort (then only cohorts with a signal appear)."""
    keys = cohort_keys()
    result: dict[int, dict[str, int]] = {}
    if isinstance(cohort_ids, list):
        if not cohort_ids:
            return result
        result = {cohort_id: dict.fromkeys(keys, 0) for cohort_id in cohort_ids}
    seat = so.aliased(CohortCandidate)
    seated = seat.status == CohortCandidateStatus.ACCEPTED
    if cohort_ids is not None:
        seated = sa.and_(seated, seat.cohort_id.in_(cohort_ids))
    condition = in_cohorts(cohort_ids)
    parts = []
    for signal in SIGNALS:
        stmt = signal.select(condition, on)
        if stmt is None:
            continue
        rows = stmt.order_by(None).subquery()
        parts.append(sa.select(sa.literal_column(f"'{signal.key}'").label("key"),
                               seat.cohort_id.label("cohort_id"), sa.func.count().label("n"))
                     .select_from(rows).join(seat, seat.candidate_id == rows.c.id)
                     .where(seated).group_by(seat.cohort_id))
    parts.append(sa.select(sa.literal_column(f"'{BUDDY_SIGNAL}'").label("key"),
                           seat.cohort_id.label("cohort_id"), sa.func.count().label("n"))
                 .select_from(ContactLog).join(seat, seat.candidate_id == ContactLog.candidate_id)
                 .where(seated, ContactLog.open_signal()).group_by(seat.cohort_id))
    for key, cohort_id, number in db.session.execute(sa.union_all(*parts)).all():
        result.setdefault(cohort_id, dict.fromkeys(keys, 0))[key] = int(number)
    return result


def signal_label(key: str) -> str:
    if key == BUDDY_SIGNAL:
        return str(BUDDY_SIGNAL_LABEL)
    return str(BY_KEY[key].label) if key in BY_KEY else key
