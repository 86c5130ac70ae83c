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
from trajectory.candidates.models import BuddyAssignment, Candidate, CandidateStatus
from trajectory.candidates.need_to_know import role_scope
from trajectory.cohorts import signal_facts, stagefacts
from trajectory.cohorts.models import CohortCandidate, CohortCandidateStatus
from trajectory.cohorts.signal_facts import SignalFact as Fact
from trajectory.contacts.models import ContactLog
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


# A signal reads its stored facts (``trajectory.cohorts.signal_facts``): the rows of its
# key whose candidate status counts and whose anchor passes the cutoff the threshold
# gives on the day asked. ``trips`` gives those conditions as one or more *branches*
# (disjoint; a branch is one index range scan); the rows are the branches' union,
# joined with the candidate (the scope's condition, the name) and for a stage signal
# the stage.
Branches = Callable[[int | None, date], list[list[sa.ColumnElement[bool]]]]


@dataclass(frozen=True)
class Signal:
    key: str
    label: Any
    explain: Any                   # "%(days)d" is the threshold
    setting: str | None
    default: int | None
    roles: frozenset[Role]
    trips: Branches
    statuses: tuple[CandidateStatus, ...] = OPEN
    needs_stages: bool = False
    per_stage: bool = False
    # The order of a list, from the candidate, the fact and (a stage signal) the stage.
    order: Callable[[Any], tuple[Any, ...]] = field(
        default=lambda stage: (*_BY_NAME, Fact.id))
    # The day shown, in SQL (a row's ``day`` fact unless the signal computes it).
    day_sql: Callable[[date], Any] = field(default=lambda on: Fact.day)
    # Extra columns of a branch (``latest_*``, ``registered_at``), by branch index.
    more_columns: Callable[[int, date], dict[str, Any]] = field(default=lambda branch, on: {})
    # The date a row is about (a row's ``day`` column, unless the signal computes it).
    day_of: Callable[[Any], date | None] = field(default=lambda row: row.day)
    by_name: bool = True  # listed in name order

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

    def _branches(self, on: date | None) -> tuple[date, list[list[sa.ColumnElement[bool]]]]:
        on = on or today()
        return on, self.trips(self.threshold(), on)

    def _facts(self, select: sa.Select, condition: Any,
               branch: list[sa.ColumnElement[bool]], rows: bool = False,
               by_candidate: bool = False) -> sa.Select:
        """``select`` over this signal's facts in ``condition`` (a scope on the candidate,
        or already on the facts) that pass ``branch``; the candidate joined only for the
        rows or a branch that reads it, so a count in a municipality is an index range."""
        scope = on_facts(condition)
        stmt = select.select_from(Fact)
        reads = _reads_candidate(sa.and_(sa.true(), *branch))
        if rows or reads:
            stmt = stmt.join(Candidate, Candidate.id == Fact.candidate_id)
        # A branch that reads the candidate checks the status there too, so its own index
        # (``until``) is the one a municipality's range is read from.
        status = (Candidate.status if reads else Fact.status).in_(self.statuses)
        # ``by_candidate``: the rows are reached from given candidates (a cohort's seats);
        # the key as an expression, so the planner does not read the region's rows of the
        # key instead.
        key = sa.func.coalesce(Fact.signal, Fact.signal) if by_candidate or scope.pinned \
            else Fact.signal
        return stmt.where(key == self.key, status, *branch, scope.where)

    def select(self, condition: sa.ColumnElement[bool], on: date | None = None,
               first: int | None = None) -> sa.Select | None:
        """The rows that trip this signal within ``condition`` on ``on`` (today), ordered;
        None while the signal is not available. ``first``: only that many are read (each
        branch reads its first rows in index order, not all of them)."""
        if not self.available:
            return None
        on, branches = self._branches(on)
        stage = so.aliased(stagefacts.sql().Stage) if self.per_stage else None
        parts = []
        for index, branch in enumerate(branches):
            if first is not None and self.by_name and on_facts(condition).direct \
                    and not _reads_candidate(sa.and_(sa.true(), *branch)):
                # The first rows in a municipality: walk the name index and stop, rather
                # than sort every hit. The dates are compared as expressions, which no
                # index reads, so the planner does not pick the anchor's range instead.
                branch = [sa.sql.visitors.replacement_traverse(term, {}, _unindexed)
                          for term in branch]
            stmt = self._facts(sa.select(*_columns(self.day_sql(on), stage,
                                                   self.more_columns(index, on))),
                               condition, branch, rows=True)
            if stage is not None:
                stmt = stmt.join(stage, stage.id == Fact.item_id)
            parts.append(stmt)
        if len(parts) == 1:
            return parts[0].order_by(*self.order(stage))
        if first is not None:
            parts = [sa.select(part.order_by(*self.order(stage)).limit(first).subquery())
                     for part in parts]
        rows = sa.union_all(*parts).subquery()
        return sa.select(rows).order_by(rows.c.last_name, rows.c.first_name, rows.c.id)

    def count_select(self, condition: sa.ColumnElement[bool], on: date | None = None
                     ) -> sa.ColumnElement[int]:
        """The number of rows, as a scalar subquery per branch (0 while not available)."""
        if not self.available:
            return sa.select(sa.literal(0)).scalar_subquery()
        _on, branches = self._branches(on)
        counts = [self._facts(sa.select(sa.func.count()), condition, branch).scalar_subquery()
                  for branch in branches]
        total = counts[0]
        for more in counts[1:]:
            total = total + more
        return total

    def count(self, condition: sa.ColumnElement[bool], on: date | None = None) -> int:
        signal_facts.settle()
        return int(db.session.scalar(sa.select(self.count_select(condition, on))) or 0)

    def top(self, condition: sa.ColumnElement[bool], limit: int | None, offset: int = 0,
            on: date | None = None) -> list[Hit]:
        """The first ``limit`` hits after ``offset`` (all with None), in one query."""
        stmt = self.select(condition, on, None if limit is None else limit + offset)
        if stmt is None:
            return []
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        signal_facts.settle()
        return self.to_hits(db.session.execute(stmt).all())

    def hits(self, condition: sa.ColumnElement[bool], on: date | None = None) -> list[Hit]:
        """Every candidate within ``condition`` that trips this signal on ``on`` (today): for
        one file or a small group; a list shows ``top`` or a page."""
        return self.top(condition, None, on=on)

    def candidate_ids(self, condition: sa.ColumnElement[bool], on: date | None = None
                      ) -> sa.Select | sa.CompoundSelect:
        """The ids of the candidates that trip it, as a subquery for ``IN`` (the candidate
        list's signal filter): never a list of ids in Python."""
        if not self.available:
            return sa.select(Candidate.id).where(sa.false())
        signal_facts.settle()
        _on, branches = self._branches(on)
        parts = [self._facts(sa.select(Fact.candidate_id), condition, branch)
                 for branch in branches]
        return parts[0] if len(parts) == 1 else sa.union_all(*parts)

    def to_hits(self, rows: Any) -> list[Hit]:
        from trajectory.cohorts.labels import stage_kind_label

        return [Hit(self.key, row.id, _name(row.first_name, row.tussenvoegsel, row.last_name),
                    row.municipality_id, self.day_of(row), stage_id=row.stage_id,
                    provider_id=row.provider_id,
                    detail=stage_kind_label(_value(row.kind)) if row.kind is not None else "")
                for row in rows]


@dataclass(frozen=True)
class FactScope:
    """A scope as a condition on the facts (``on_facts``)."""

    where: sa.ColumnElement[bool]
    direct: bool = False  # on the facts' own columns (a municipality), not a subquery
    pinned: bool = False  # one candidate's rows (read from the candidate's index)


def _is_candidate_column(element: Any) -> bool:
    return isinstance(element, sa.ColumnClause) and getattr(element, "table", None) is \
        Candidate.__table__


def _reads_candidate(expression: sa.ColumnElement[Any]) -> bool:
    """Whether the expression (its subqueries too) reads a column of the candidate."""
    return any(_is_candidate_column(element)
               for element in sa.sql.visitors.iterate(expression))


def _swap(element: Any) -> Any:
    """The candidate's id and municipality as the fact's; subqueries left as they are."""
    if isinstance(element, sa.sql.selectable.SelectBase | sa.sql.selectable.ScalarSelect
                  | sa.sql.selectable.Exists):
        return element
    if _is_candidate_column(element):
        if element.key == "municipality_id":
            return Fact.municipality_id
        if element.key == "id":
            return Fact.candidate_id
    return None


def _unindexed(element: Any) -> Any:
    """A fact's date as an expression of itself (the same value; no index range)."""
    for column in (Fact.anchor, Fact.until):
        if isinstance(element, sa.ColumnClause) and element.key == column.key \
                and getattr(element, "table", None) is Fact.__table__:
            return sa.func.coalesce(column, column)
    return None


def _is_fact_column(element: Any, column: Any) -> bool:
    return getattr(element, "key", None) == column.key \
        and getattr(element, "table", None) is Fact.__table__


def _pins_candidate(condition: Any) -> bool:
    """Whether the scope names one candidate (``fact.candidate_id = :id``) at its top level."""
    terms = condition.clauses if isinstance(condition, sa.sql.elements.BooleanClauseList) \
        and condition.operator is sa.sql.operators.and_ else [condition]
    return any(isinstance(term, sa.sql.elements.BinaryExpression)
               and term.operator is sa.sql.operators.eq
               and _is_fact_column(term.left, Fact.candidate_id) for term in terms)


def _swap_unindexed(element: Any) -> Any:
    """``_swap``, with the municipality as an expression of the fact's (no index range)."""
    if _is_candidate_column(element) and element.key == "municipality_id":
        return sa.func.coalesce(Fact.municipality_id, Fact.municipality_id)
    return _swap(element)


def on_facts(condition: Any, shared: bool = False) -> FactScope:
    """A scope on the candidate (``signal_scope``, ``Candidate.id == ...``) as a condition
    on the facts: the klantmanager's municipality as the fact's (an index range); a scope
    that reads more of the candidate as "the fact's candidate among the scope's", a
    subquery (``shared``: one CTE, computed once for every signal of the statement)."""
    if isinstance(condition, FactScope):
        return condition
    swapped = sa.sql.visitors.replacement_traverse(condition, {}, _swap)
    if not _reads_candidate(swapped):
        if _pins_candidate(swapped):
            # One person's rows (the candidate file): the municipality as an expression,
            # so SQLite (no statistics) reads the candidate's index, not the municipality's.
            swapped = sa.sql.visitors.replacement_traverse(condition, {}, _swap_unindexed)
            return FactScope(swapped, direct=True, pinned=True)
        return FactScope(swapped, direct=True)
    ids = sa.select(Candidate.id).where(condition)
    if shared:
        scope = ids.cte("signal_scope")
        return FactScope(Fact.candidate_id.in_(sa.select(scope.c.id)))
    return FactScope(Fact.candidate_id.in_(ids))


def _value(kind: Any) -> str:
    return getattr(kind, "value", kind)


def _name(first: str, middle: str | None, last: str) -> str:
    return " ".join(part for part in (first, middle, last) if part)


_PERSON = (Candidate.id, Candidate.first_name, Candidate.tussenvoegsel, Candidate.last_name,
           Candidate.municipality_id)
# In name order from the facts' index (``ix_signal_fact_name``): the copy of the name.
_BY_NAME = (Fact.last_name, Fact.first_name, Fact.candidate_id)

# The moments that change a learning line: dates, and timestamps compared by their Dutch
# calendar day (``signal_facts`` stores the latest as the "no change" signal's anchor).
_STAGE_DATES = ("actual_start", "actual_end")
_STAGE_TIMES = ("proposed_at", "answered_at", "outcome_recorded_at")
# Columns only "no change in the learning line" fills (for the day it shows), typed so
# every signal's rows can stand in one UNION.
_EXTRA = {**{f"latest_{name}": sa.Date() for name in _STAGE_DATES},
          **{f"latest_{name}": sa.DateTime(timezone=True) for name in _STAGE_TIMES},
          "registered_at": sa.DateTime(timezone=True)}


def _columns(day: Any, stage: Any = None, extra: dict[str, Any] | None = None
             ) -> tuple[Any, ...]:
    """The columns every signal's rows have: the person, the day, the stage (or NULLs),
    and the extra columns (or NULLs), each typed, so rows of all signals can be UNIONed."""
    extra = extra or {}
    tail = tuple((extra[name] if name in extra else sa.cast(sa.null(), kind)).label(name)
                 for name, kind in _EXTRA.items())
    if stage is None:
        return (*_PERSON, sa.type_coerce(day, sa.Date).label("day"),
                sa.cast(sa.null(), sa.Integer).label("stage_id"),
                sa.cast(sa.null(), sa.Integer).label("provider_id"),
                sa.cast(sa.null(), sa.String(40)).label("kind"), *tail)
    return (*_PERSON, sa.type_coerce(day, sa.Date).label("day"), stage.id.label("stage_id"),
            stage.provider_id.label("provider_id"), sa.cast(stage.kind, sa.String(40)
                                                            ).label("kind"), *tail)


_local_day = signal_facts.local_day


def start_of_day(day: date) -> datetime:
    """Midnight in the Netherlands, in UTC (for comparing stored timestamps with a date)."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


# ------------------------------------------------------------------ when each trips

def _no_contact(days: int | None, on: date) -> list[list[sa.ColumnElement[bool]]]:
    """No contact made (any kind but "geen contact gelukt") for ``days`` days, with a buddy
    assignment running on ``on``; a new buddy gets ``days`` days from its start. (The
    anchor is the later of the start and the last contact, so ``start <= on`` holds.)"""
    return [[Fact.anchor <= on - timedelta(days=days or 0),
             sa.or_(Fact.until.is_(None), Fact.until >= on)]]


def _ends_within(days: int | None, on: date) -> list[list[sa.ColumnElement[bool]]]:
    """Consent, or a werkervaringsplaats without a next step, ends within ``days`` days,
    or has ended."""
    return [[Fact.anchor <= on + timedelta(days=days or 0)]]


def _registered_before(days: int | None, on: date) -> list[list[sa.ColumnElement[bool]]]:
    """Registered ``days`` days ago or longer (the Dutch day) and never agreed."""
    return [[Fact.anchor <= on - timedelta(days=days or 0)]]


def _always(days: int | None, on: date) -> list[list[sa.ColumnElement[bool]]]:
    """A completed stage without a recorded outcome: no date involved."""
    return [[]]


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


def _counted(on: date) -> tuple[Any, sa.ColumnElement[bool]]:
    """The stages of the row's candidate that count on ``on``: not declined, settled."""
    stages = stagefacts.sql()
    stage = so.aliased(stages.Stage)
    return stage, sa.and_(stage.candidate_id == Candidate.id,
                          stage.status != stages.StageStatus.AFGEWEZEN, _settled_by(stage, on))


def _no_stage_change(days: int | None, on: date) -> list[list[sa.ColumnElement[bool]]]:
    """The latest change in the learning line (a stage proposed, answered, started, ended
    or its outcome recorded) lies ``days`` days back or more; a candidate without stages
    counts from registration. Two branches: the usual one, every moment on ``on`` or
    before (the anchor, the later of registration and the latest moment, is past the
    cutoff); and the rare line with a moment after ``on`` (``until``), whose stages are
    read as they count on ``on``."""
    cutoff = on - timedelta(days=days or 0)
    stage, counted = _counted(on)
    moved = sa.exists().where(counted, _changed_after(stage, cutoff)).correlate(Candidate)
    return [[Fact.anchor <= cutoff],
            [Fact.until > on,
             Candidate.registered_at < start_of_day(cutoff + timedelta(days=1)), ~moved]]


def _latest_columns(branch: int, on: date) -> dict[str, Any]:
    """The second branch's day: the latest moment of each kind over the stages that count
    (the first branch's is its anchor)."""
    if branch == 0:
        return {}
    stage, counted = _counted(on)
    columns = {f"latest_{name}": sa.select(sa.func.max(getattr(stage, name))).where(counted)
               .correlate(Candidate).scalar_subquery()
               for name in _STAGE_DATES + _STAGE_TIMES}
    return {**columns, "registered_at": Candidate.registered_at}


def _latest_change(row: Any) -> date | None:
    moments = [_local_day(row.day), _local_day(row.registered_at)] + [
        _local_day(getattr(row, f"latest_{name}")) for name in _STAGE_DATES + _STAGE_TIMES]
    return max((moment for moment in moments if moment is not None), default=None)


def _by_stage(stage: Any) -> tuple[Any, ...]:
    return (*_BY_NAME, stage.planned_start, stage.id)


SIGNALS: tuple[Signal, ...] = (
    Signal("geen_contact", _l("No contact"),
           _l("No contact with the buddy for %(days)d days or more."),
           "SIGNAL_NO_CONTACT_DAYS", 14, frozenset({KM, BUDDY, COORDINATOR}), _no_contact,
           statuses=ACTIVE),
    Signal("stap_zonder_uitkomst", _l("Stage ended without an outcome"),
           _l("A stage has been completed but its outcome has not been recorded."),
           None, None, frozenset({KM, INTAKER, COORDINATOR}), _always,
           needs_stages=True, per_stage=True, order=_by_stage,
           day_sql=lambda on: sa.func.coalesce(Fact.day, sa.literal(on, sa.Date))),
    Signal("wep_eindigt", _l("Work-experience place ends, no next step"),
           _l("A work-experience place ends within %(days)d days and the next step has not "
              "been decided."),
           "SIGNAL_WEP_ENDING_DAYS", 14, frozenset({KM, INTAKER, BUDDY, COORDINATOR}),
           _ends_within, needs_stages=True, per_stage=True, order=_by_stage),
    Signal("geen_stapwijziging", _l("No change in the learning line"),
           _l("Nothing has changed in the learning line for %(days)d days or more."),
           "SIGNAL_NO_STAGE_CHANGE_DAYS", 90, frozenset({KM, INTAKER, COORDINATOR}),
           _no_stage_change, statuses=ACTIVE, needs_stages=True,
           day_sql=lambda on: sa.case((Fact.until > on, sa.null()), else_=Fact.anchor),
           more_columns=_latest_columns, day_of=_latest_change),
    Signal("toestemming_verloopt", _l("Consent expires"),
           _l("The consent to share ends within %(days)d days or has ended."),
           "SIGNAL_CONSENT_EXPIRING_DAYS", 30, frozenset({KM, COORDINATOR}), _ends_within,
           order=lambda stage: (Fact.anchor, Fact.candidate_id), by_name=False),
    Signal("plan_niet_vastgesteld", _l("Plan not agreed"),
           _l("Registered %(days)d days ago or longer and the plan has not been agreed."),
           "SIGNAL_PLAN_NOT_AGREED_DAYS", 30, frozenset({KM, COORDINATOR}), _registered_before,
           order=lambda stage: (Fact.anchor, Candidate.registered_at, Candidate.id),
           by_name=False),
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
        role_scope(user, role) for role in (KM, INTAKER) if role in roles]
    if BUDDY in roles:
        # The buddy's scope asks for an assignment of theirs in EXISTS, which no index
        # reaches; the candidates ever assigned to them, first, narrow it to a few.
        theirs = sa.select(BuddyAssignment.candidate_id).where(
            BuddyAssignment.buddy_id == user.id)
        conditions.append(sa.and_(Candidate.id.in_(theirs), role_scope(user, BUDDY)))
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
    signal_facts.settle()
    scope = on_facts(condition, shared=True)
    row = db.session.execute(sa.select(*[signal.count_select(scope, on).label(signal.key)
                                         for signal in signals])).one()
    return {signal.key: int(row[index] or 0) for index, signal in enumerate(signals)}


def tops(signals: list[Signal], condition: sa.ColumnElement[bool], limit: int,
         on: date | None = None) -> dict[str, list[Hit]]:
    """The first ``limit`` hits of each signal within ``condition``: one query for all
    (a UNION ALL of each signal's first rows)."""
    parts = []
    scope = on_facts(condition, shared=True)
    for signal in signals:
        stmt = signal.select(scope, on, limit)
        if stmt is not None:
            rows = stmt.limit(limit).subquery()
            parts.append(sa.select(sa.literal(signal.key).label("signal"), rows))
    found: dict[str, list[Hit]] = {signal.key: [] for signal in signals}
    if not parts:
        return found
    signal_facts.settle()
    for row in db.session.execute(sa.union_all(*parts) if len(parts) > 1 else parts[0]):
        found[row.signal] += BY_KEY[row.signal].to_hits([row])
    return found


def signals_for(user: Any, shown: int | None = 3, on: date | None = None
                ) -> list[SignalResult]:
    """Every signal the user's roles see with its count and its first ``shown`` hits in
    the user's scope: one query for the counts, one for the first hits of all."""
    condition = signal_scope(user)
    seen = [signal for signal in signals_seen_by(user) if signal.available]
    totals = counts(seen, condition, on)
    # The top rows are asked even when the count is 0: the same queries at every size.
    if shown is None:
        first = {signal.key: signal.top(condition, None, on=on) for signal in seen}
    elif shown:
        first = tops(seen, condition, shown, on)
    else:
        first = {}
    return [SignalResult(signal, first.get(signal.key, []), totals[signal.key])
            for signal in seen]


# ------------------------------------------------------------------ buddies' signals (tasks)

def open_buddy_signals(condition: sa.ColumnElement[bool], limit: int | None = None,
                       offset: int = 0) -> list[ContactLog]:
    """Signals buddies raised that no klantmanager has handled yet, oldest first."""
    signal_facts.settle()
    stmt = open_buddy_signals_select(condition)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(db.session.scalars(stmt))


def open_buddy_signals_select(condition: sa.ColumnElement[bool]) -> sa.Select:
    # Oldest first; through the facts the same order is their anchor (the contact's day)
    # and item (the contact), read from the index in a municipality.
    order = ((ContactLog.contact_on, ContactLog.id) if _reads_contacts(condition)
             else (Fact.anchor, Fact.item_id))
    return (_open_buddy_signals(sa.select(ContactLog), condition, rows=True)
            .options(so.contains_eager(ContactLog.candidate), so.joinedload(ContactLog.buddy))
            .order_by(*order))


def _reads_contacts(expression: sa.ColumnElement[Any]) -> bool:
    return any(isinstance(element, sa.ColumnClause)
               and getattr(element, "table", None) is ContactLog.__table__
               for element in sa.sql.visitors.iterate(expression))


def _open_buddy_signals(select: sa.Select, condition: sa.ColumnElement[bool],
                        rows: bool = False) -> sa.Select:
    """The contacts with an open signal in ``condition``. A scope on the contacts (the
    buddy's own) reads them by their index; any other through the stored facts: in a
    municipality a count is an index range, without a join."""
    if _reads_contacts(condition):
        return (select.select_from(ContactLog).join(ContactLog.candidate)
                .where(condition, ContactLog.open_signal()))
    stmt = select.select_from(Fact)
    if rows:
        stmt = (stmt.join(ContactLog, ContactLog.id == Fact.item_id)
                .join(Candidate, Candidate.id == Fact.candidate_id))
    return stmt.where(Fact.signal == BUDDY_SIGNAL, on_facts(condition).where)


def count_open_buddy_signals(condition: sa.ColumnElement[bool]) -> int:
    signal_facts.settle()
    return int(db.session.scalar(_open_buddy_signals(sa.select(sa.func.count()), condition))
               or 0)


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

BUDDY_SIGNAL = signal_facts.BUDDY_SIGNAL
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
    parts = []
    for signal in SIGNALS:
        if not signal.available:
            continue
        _on, branches = signal._branches(on)
        for branch in branches:
            parts.append(signal._facts(
                sa.select(sa.literal_column(f"'{signal.key}'").label("key"),
                          seat.cohort_id.label("cohort_id"), sa.func.count().label("n")),
                seated, branch, by_candidate=True)
                .join(seat, seat.candidate_id == Fact.candidate_id).group_by(seat.cohort_id))
    parts.append(sa.select(sa.literal_column(f"'{BUDDY_SIGNAL}'").label("key"),
                           seat.cohort_id.label("cohort_id"), sa.func.count().label("n"))
                 .select_from(ContactLog).join(seat, seat.candidate_id == ContactLog.candidate_id)
                 .where(seated, ContactLog.open_signal()).group_by(seat.cohort_id))
    signal_facts.settle()
    for key, cohort_id, number in db.session.execute(sa.union_all(*parts)).all():
        result.setdefault(cohort_id, dict.fromkeys(keys, 0))[key] += int(number)
    return result


def signal_label(key: str) -> str:
    if key == BUDDY_SIGNAL:
        return str(BUDDY_SIGNAL_LABEL)
    return str(BY_KEY[key].label) if key in BY_KEY else key
