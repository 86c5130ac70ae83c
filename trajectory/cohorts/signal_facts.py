"""Stored signal facts: what each signal needs to know of a candidate, one indexed row per
candidate (or per stage, buddy assignment) that could trip it, so every signal is an
index range scan in its scope however large the region.

A row holds the candidate's municipality, status and name and the signal's *anchor*: the date
the signal compares with a cutoff computed from its threshold at read time (the
thresholds stay configuration; nothing here depends on today or on a setting), plus
``until`` (the end of a buddy assignment; for "no change in the learning line" the
latest moment of the line) and ``day`` (the date shown). ``trajectory.cohorts.signals``
reads them; a closed file (uitgestroomd) has only its open buddy signals. Per signal:

| signal | a row per | anchor | until | day |
| --- | --- | --- | --- | --- |
| geen_contact | buddy assignment | the later of its start and the last contact | its end | last contact, else start |
| toestemming_verloopt | candidate with a consent end | the consent's end | – | the same |
| plan_niet_vastgesteld | candidate without an agreed plan | registration (Dutch day) | – | the same |
| stap_zonder_uitkomst | completed stage without outcome | – | – | its end |
| wep_eindigt | open werkervaringsplaats with an end, no next step | its end | – | the same |
| geen_stapwijziging | candidate | the later of registration and the line's latest moment | that latest moment | – |
| buddy_signaal | contact with a signal not yet handled | the contact's day | – | – |

They are derived rows, kept as the stored stage values are
(``trajectory.stages.stored_values``): ``after_flush`` notes the candidates whose
candidate row, buddy assignments, contacts, plan or stages changed, ``settle()`` (at
``before_commit``, and by every reader first) recomputes them; ``refresh_all()``
(``flask sroi refresh``, the demo generator, the migration) rebuilds the table.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.candidates.models import (
    BuddyAssignment,
    Candidate,
    CandidateStatus,
    Plan,
    _enum,
)
from trajectory.contacts.models import ContactKind, ContactLog
from trajectory.derived import install_session_hooks
from trajectory.extensions import db
from trajectory.timeutil import AMSTERDAM

CHUNK = 2000  # candidates recomputed per batch
PENDING = "signal_facts.candidates"

NO_CONTACT, CONSENT, PLAN = "geen_contact", "toestemming_verloopt", "plan_niet_vastgesteld"
NO_OUTCOME, WEP_ENDING, NO_CHANGE = "stap_zonder_uitkomst", "wep_eindigt", "geen_stapwijziging"
BUDDY_SIGNAL = "buddy_signaal"
WORK_EXPERIENCE = "werkervaringsplaats"


class SignalFact(db.Model):
    """One row a signal reads (see the module doc). Written only by this module, never
    by hand; not audited: derived from audited rows and rebuilt from them at any time.
    No free text: dates, ids, the candidate's status and name (for the order of a list;
    anonymising changes the name, and the hook copies the new one)."""

    __tablename__ = "signal_fact"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    signal: so.Mapped[str] = so.mapped_column(sa.String(32))
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"))
    municipality_id: so.Mapped[int] = so.mapped_column()
    status: so.Mapped[CandidateStatus] = so.mapped_column(_enum(CandidateStatus, 20))
    # The stage of a stage signal, the contact of a buddy's open signal.
    item_id: so.Mapped[int | None] = so.mapped_column()
    # The name, for lists in name order read from the index (kept as the candidate's).
    last_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    first_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    anchor: so.Mapped[date | None] = so.mapped_column(sa.Date)
    until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    day: so.Mapped[date | None] = so.mapped_column(sa.Date)

    __table_args__ = (
        # A signal in a municipality: the anchor's range (or order), read from the index.
        sa.Index("ix_signal_fact_scope", "signal", "municipality_id", "anchor", "status",
                 "until"),
        # A signal of given candidates (a buddy's, a cohort's), and the refresh.
        sa.Index("ix_signal_fact_candidate", "candidate_id", "signal"),
        # A signal's rows in a municipality in name order (a list's first rows).
        sa.Index("ix_signal_fact_name", "signal", "municipality_id", "last_name",
                 "first_name", "candidate_id", "status", "anchor", "until"),
        # The rare rows whose ``until`` lies ahead (a learning line's future moment).
        sa.Index("ix_signal_fact_until", "signal", "municipality_id", "until"),
    )


def _stages() -> Any:
    if importlib.util.find_spec("trajectory.stages") is None:
        return None
    from trajectory.stages.models import Stage, StageStatus

    return Stage, StageStatus


def local_day(value: Any) -> date | None:
    """A stored timestamp as the Dutch calendar day (SQLite gives it back naive, in UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(AMSTERDAM).date()
    return value


def _latest(*days: date | None) -> date | None:
    return max((day for day in days if day is not None), default=None)


# ------------------------------------------------------------------ computing the rows

def rows_for(session: so.Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The fact rows of these candidates, in a handful of queries."""
    people = session.execute(
        sa.select(Candidate.id, Candidate.municipality_id, Candidate.status,
                  Candidate.last_name, Candidate.first_name,
                  Candidate.consent_expires_on, Candidate.registered_at)
        .where(Candidate.id.in_(ids))).all()
    if not people:
        return []
    assignments = defaultdict(list)
    for row in session.execute(
            sa.select(BuddyAssignment.id, BuddyAssignment.candidate_id,
                      BuddyAssignment.start_date, BuddyAssignment.end_date)
            .where(BuddyAssignment.candidate_id.in_(ids)).order_by(BuddyAssignment.id)):
        assignments[row.candidate_id].append(row)
    last_contact = dict(session.execute(
        sa.select(ContactLog.candidate_id, sa.func.max(ContactLog.contact_on))
        .where(ContactLog.candidate_id.in_(ids), ContactLog.kind != ContactKind.GEEN_CONTACT)
        .group_by(ContactLog.candidate_id)).all())
    raised = defaultdict(list)
    for row in session.execute(
            sa.select(ContactLog.id, ContactLog.candidate_id, ContactLog.contact_on)
            .where(ContactLog.candidate_id.in_(ids), ContactLog.open_signal())
            .order_by(ContactLog.id)):
        raised[row.candidate_id].append(row)
    agreed = set(session.scalars(sa.select(Plan.candidate_id).where(
        Plan.candidate_id.in_(ids), Plan.agreed_number.is_not(None))))
    stages = defaultdict(list)
    found = _stages()
    if found is not None:
        Stage, StageStatus = found
        for stage in session.execute(
                sa.select(Stage.id, Stage.candidate_id, Stage.kind, Stage.status,
                          Stage.actual_start, Stage.actual_end, Stage.planned_end,
                          Stage.proposed_at, Stage.answered_at, Stage.outcome_recorded_at,
                          Stage.next_step_decision.is_not(None).label("decided"))
                .where(Stage.candidate_id.in_(ids), Stage.status != StageStatus.AFGEWEZEN)
                .order_by(Stage.id)):
            stages[stage.candidate_id].append(stage)
    rows: list[dict[str, Any]] = []
    for person in people:
        def add(signal: str, anchor: date | None = None, until: date | None = None,
                day: date | None = None, item_id: int | None = None,
                person: Any = person) -> None:
            rows.append({"signal": signal, "candidate_id": person.id,
                         "municipality_id": person.municipality_id, "status": person.status,
                         "last_name": person.last_name, "first_name": person.first_name,
                         "item_id": item_id, "anchor": anchor, "until": until, "day": day})

        for entry in raised[person.id]:
            add(BUDDY_SIGNAL, entry.contact_on, item_id=entry.id)
        if person.status == CandidateStatus.UITGESTROOMD:
            continue  # a closed file trips no other signal
        last = last_contact.get(person.id)
        for assignment in assignments[person.id]:
            add(NO_CONTACT, _latest(assignment.start_date, last), assignment.end_date,
                last if last is not None else assignment.start_date)
        if person.consent_expires_on is not None:
            add(CONSENT, person.consent_expires_on, day=person.consent_expires_on)
        registered = local_day(person.registered_at)
        if person.id not in agreed and registered is not None:
            add(PLAN, registered, day=registered)
        line: date | None = None
        for stage in stages[person.id]:
            status, kind = _value(stage.status), _value(stage.kind)
            end = stage.actual_end or stage.planned_end
            if status == "afgerond" and stage.outcome_recorded_at is None:
                add(NO_OUTCOME, day=end, item_id=stage.id)
            if kind == WORK_EXPERIENCE and status in ("gepland", "lopend") \
                    and end is not None and not stage.decided:
                add(WEP_ENDING, end, day=end, item_id=stage.id)
            line = _latest(line, stage.actual_start, stage.actual_end,
                           local_day(stage.proposed_at), local_day(stage.answered_at),
                           local_day(stage.outcome_recorded_at))
        if registered is not None and found is not None:
            add(NO_CHANGE, _latest(registered, line), line)
    return rows


def _value(value: Any) -> str:
    return getattr(value, "value", value)


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# Nulls rendered, not left out: rows with and without an anchor, end or item would
# otherwise be separate INSERT groups, one statement per row (10,000 for an import).
_INSERT = sa.insert(SignalFact).execution_options(render_nulls=True)


def refresh(candidate_ids: Iterable[int], session: so.Session | None = None,
            batch_size: int = CHUNK) -> int:
    """Recompute these candidates' rows (replacing them); the number of rows."""
    session = session or db.session
    ids = sorted(set(candidate_ids))
    total = 0
    for chunk in _chunks(ids, batch_size):
        rows = rows_for(session, chunk)
        session.execute(sa.delete(SignalFact).where(SignalFact.candidate_id.in_(chunk)))
        if rows:
            session.execute(_INSERT, rows)
        total += len(rows)
    return total


def refresh_all(session: so.Session | None = None, batch_size: int = CHUNK) -> int:
    """Rebuild the whole table, ``batch_size`` candidates at a time (keyset-paged)."""
    session = session or db.session
    session.flush()
    session.info.pop(PENDING, None)
    session.execute(sa.delete(SignalFact))
    last, total = 0, 0
    while True:
        chunk = list(session.scalars(sa.select(Candidate.id).where(Candidate.id > last)
                                     .order_by(Candidate.id).limit(batch_size)))
        if not chunk:
            return total
        rows = rows_for(session, chunk)
        if rows:
            session.execute(_INSERT, rows)
        total += len(rows)
        last = chunk[-1]


# ------------------------------------------------------------------ keeping them current

CANDIDATE_FACTS = ("municipality_id", "status", "consent_expires_on", "registered_at",
                   "last_name", "first_name")


def settle(session: so.Session | None = None) -> None:
    """Recompute whoever a change of this transaction affects (before commit, and by the
    readers first, so a page in the same transaction sees its own changes)."""
    session = session or db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(PENDING, None)
    if pending:
        refresh(pending, session)


def _collect(session: so.Session, _context: Any) -> None:
    """``after_flush``: note the candidates whose facts the flushed changes touch."""
    pending: set[int] = session.info.setdefault(PENDING, set())
    found = _stages()
    watched: tuple[type, ...] = (BuddyAssignment, ContactLog, Plan)
    if found is not None:
        watched = (*watched, found[0])
    # Each ``session.new`` builds a new set: read once, not per object (a flush of an
    # import's 5,000 candidates was quadratic, 20 s).
    new, deleted = session.new, session.deleted
    for obj in (*new, *session.dirty, *deleted):
        if isinstance(obj, Candidate):
            if obj in new or obj in deleted or any(
                    sa.inspect(obj).attrs[name].history.has_changes()
                    for name in CANDIDATE_FACTS):
                pending.add(obj.id)
        elif isinstance(obj, watched):
            if obj.candidate_id is not None:
                pending.add(obj.candidate_id)
            history = sa.inspect(obj).attrs["candidate_id"].history
            pending.update(old for old in history.deleted if old is not None)


def _before_commit(session: so.Session) -> None:
    if session.info.get(PENDING) or session.new or session.dirty or session.deleted:
        settle(session)


def _new_candidates(session: so.Session, ids: set[int]) -> None:
    """Candidates inserted without a flush (the import): noted as ``_collect`` notes a new
    one."""
    session.info.setdefault(PENDING, set()).update(ids)


def install() -> None:
    """Listen to every session (once): collect after a flush, settle before a commit."""
    install_session_hooks(_collect, _before_commit, _new_candidates)
