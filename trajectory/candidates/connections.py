"""Stored provider connections: who is connected to which provider, and until when, one
indexed row per provider, candidate and cause, so the intaker's scope is one index range
however large the provider's caseload.

The rule stays the registered conditions (``need_to_know.register_connection``: a buddy
of the provider, a stage there, an agreement at a cohort's table); these rows are that
rule stored per person, and the scope reads them for the causes stored here
(``STORED_CAUSES``) and the conditions for any other. A row holds dates only, never
today nor the grace period: the reader applies "since <= today", "until >= today minus
the grace period" and the consent's dates to today (``stored_connection``).

| cause | a row per | since | until |
| --- | --- | --- | --- |
| buddy | start of the provider's buddies' assignments | that start | the latest end (``RUNNING``: none) |
| stage | candidate at the provider with a planned, running or ended stage | – | the latest end of an ended stage, ``RUNNING`` while one is planned or running |
| cohort_agreement | candidate with an agreement at a table where they are accepted | – | the day the file was closed (uitgestroomd), else ``RUNNING`` |

Each row also carries the consent for providers (``consent_from``: the day given,
``consent_until``: its end or ``RUNNING``); without that consent there are no rows.

Kept as the signal facts are (``trajectory.derived``): ``after_flush`` notes the
candidates whose file, buddy assignments, stages or cohort places and agreements
changed (and the buddies of an account that moved organisation), ``settle()`` at
``before_commit`` (and by the scope first) recomputes them; ``refresh_all()`` (``flask
sroi refresh``, the demo, the generator, migration 0021) rebuilds the table.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.models import User
from trajectory.candidates.models import BuddyAssignment, Candidate, CandidateStatus
from trajectory.derived import install_session_hooks
from trajectory.extensions import db

CHUNK = 2000  # candidates recomputed per batch
PENDING = "provider_connections.candidates"
PENDING_USERS = "provider_connections.users"
# "No end": a running cause, consent without an end date. A date, so that every read is
# one range ("until >= cutoff") on the index.
RUNNING = date(9999, 12, 31)
BUDDY, STAGE, AGREEMENT = "buddy", "stage", "cohort_agreement"
STORED_CAUSES = (BUDDY, STAGE, AGREEMENT)


class ProviderConnection(db.Model):
    """One stored connection (see the module doc). Written only by this module; not
    audited: derived from audited rows and rebuilt from them at any time."""

    __tablename__ = "provider_connection"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    provider_id: so.Mapped[int] = so.mapped_column()
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"))
    cause: so.Mapped[str] = so.mapped_column(sa.String(32))
    since: so.Mapped[date | None] = so.mapped_column(sa.Date)
    until: so.Mapped[date] = so.mapped_column(sa.Date)
    consent_from: so.Mapped[date] = so.mapped_column(sa.Date)
    consent_until: so.Mapped[date] = so.mapped_column(sa.Date)

    __table_args__ = (
        # A provider's connections still in force: one range on ``until``, read from the
        # index (the scope's subquery, the intaker's count).
        sa.Index("ix_provider_connection_scope", "provider_id", "until", "cause", "since",
                 "consent_from", "consent_until", "candidate_id"),
        # A candidate's rows (the refresh).
        sa.Index("ix_provider_connection_candidate", "candidate_id"),
    )


def _module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


# ------------------------------------------------------------------ reading

def stored_connection(provider_id: int, causes: Iterable[str], since: date, day: date,
                      among: Sequence[int] | None = None) -> sa.ColumnElement[bool]:
    """The candidate has a stored connection to the provider through one of ``causes``
    that began by ``day`` and ended on or after ``since``, and consent for providers is in
    force on ``day``: an uncorrelated ``IN`` read from ``ix_provider_connection_scope``
    (only these candidates' rows when the question is about ``among``, a page's ids)."""
    causes = sorted(set(causes))
    if not causes:
        return sa.false()
    ids = connected_ids(provider_id, causes, since, day)
    if among is not None:
        ids = ids.where(ids.selected_columns[0].in_(list(among)))
    return Candidate.id.in_(ids.correlate(None))


def connected_ids(provider_id: int, causes: Iterable[str], since: date, day: date
                  ) -> sa.Select:
    """The candidate ids of ``stored_connection`` (a candidate once per cause and start:
    count them distinct)."""
    connection = so.aliased(ProviderConnection)
    return (sa.select(connection.candidate_id)
            .where(connection.provider_id == provider_id,
                   connection.until >= since,
                   connection.cause.in_(sorted(set(causes))),
                   sa.or_(connection.since.is_(None), connection.since <= day),
                   connection.consent_from <= day,
                   connection.consent_until >= day))


# ------------------------------------------------------------------ computing the rows

def rows_for(session: so.Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The connection rows of these candidates, in a handful of queries."""
    people = {row.id: row for row in session.execute(
        sa.select(Candidate.id, Candidate.status, Candidate.closed_on,
                  Candidate.consent_given_on, Candidate.consent_expires_on)
        .where(Candidate.id.in_(ids), Candidate.consent_providers.is_(True),
               Candidate.consent_given_on.is_not(None)))}
    if not people:
        return []
    found: dict[tuple[int, int, str, date | None], date] = {}

    def add(provider_id: int, candidate_id: int, cause: str, since: date | None,
            until: date | None) -> None:
        key = (provider_id, candidate_id, cause, since)
        until = until or RUNNING
        found[key] = max(found.get(key, until), until)

    chosen = list(people)
    for row in session.execute(
            sa.select(User.organisation_id, BuddyAssignment.candidate_id,
                      BuddyAssignment.start_date, BuddyAssignment.end_date)
            .join(User, User.id == BuddyAssignment.buddy_id)
            .where(BuddyAssignment.candidate_id.in_(chosen))):
        add(row.organisation_id, row.candidate_id, BUDDY, row.start_date, row.end_date)
    if _module("trajectory.stages"):
        from trajectory.stages.models import ENDED, USING_CAPACITY, Stage

        for row in session.execute(
                sa.select(Stage.provider_id, Stage.candidate_id, Stage.status, Stage.actual_end)
                .where(Stage.candidate_id.in_(chosen),
                       sa.or_(Stage.status.in_(USING_CAPACITY),
                              sa.and_(Stage.status.in_(ENDED),
                                      Stage.actual_end.is_not(None))))):
            running = row.status in USING_CAPACITY
            add(row.provider_id, row.candidate_id, STAGE, None,
                RUNNING if running else row.actual_end)
    if _module("trajectory.cohorts"):
        from trajectory.cohorts.models import (
            CohortAgreement,
            CohortCandidate,
            CohortCandidateStatus,
        )

        for row in session.execute(
                sa.select(CohortAgreement.provider_id, CohortAgreement.candidate_id)
                .join(CohortCandidate,
                      sa.and_(CohortCandidate.cohort_id == CohortAgreement.cohort_id,
                              CohortCandidate.candidate_id == CohortAgreement.candidate_id))
                .where(CohortAgreement.candidate_id.in_(chosen),
                       CohortCandidate.status == CohortCandidateStatus.ACCEPTED)):
            person = people[row.candidate_id]
            closed = (person.closed_on if person.status == CandidateStatus.UITGESTROOMD
                      else None)
            add(row.provider_id, row.candidate_id, AGREEMENT, None, closed)
    rows = []
    for (provider_id, candidate_id, cause, since), until in sorted(
            found.items(), key=lambda item: (item[0][:3], item[0][3] or date.min)):
        person = people[candidate_id]
        rows.append({"provider_id": provider_id, "candidate_id": candidate_id,
                     "cause": cause, "since": since, "until": until,
                     "consent_from": person.consent_given_on,
                     "consent_until": person.consent_expires_on or RUNNING})
    return rows


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def refresh(candidate_ids: Iterable[int], session: so.Session | None = None,
            batch_size: int = CHUNK) -> int:
    """Recompute these candidates' rows (replacing them); the number of rows."""
    session = session or db.session
    ids = sorted(set(candidate_ids))
    total = 0
    for chunk in _chunks(ids, batch_size):
        rows = rows_for(session, chunk)
        session.execute(sa.delete(ProviderConnection)
                        .where(ProviderConnection.candidate_id.in_(chunk)))
        if rows:
            session.execute(sa.insert(ProviderConnection), rows)
        total += len(rows)
    return total


def refresh_all(session: so.Session | None = None, batch_size: int = CHUNK) -> int:
    """Rebuild the whole table, ``batch_size`` candidates at a time (keyset-paged)."""
    session = session or db.session
    session.flush()
    session.info.pop(PENDING, None)
    session.info.pop(PENDING_USERS, None)
    session.execute(sa.delete(ProviderConnection))
    last, total = 0, 0
    while True:
        chunk = list(session.scalars(sa.select(Candidate.id).where(Candidate.id > last)
                                     .order_by(Candidate.id).limit(batch_size)))
        if not chunk:
            return total
        rows = rows_for(session, chunk)
        if rows:
            session.execute(sa.insert(ProviderConnection), rows)
        total += len(rows)
        last = chunk[-1]


# ------------------------------------------------------------------ keeping them current

CANDIDATE_FACTS = ("status", "closed_on", "consent_given_on", "consent_providers",
                   "consent_expires_on")


def settle(session: so.Session | None = None) -> None:
    """Recompute whoever a change of this transaction affects (before commit, and by the
    scope first, so a page in the same transaction sees its own changes)."""
    session = session or db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    users = session.info.pop(PENDING_USERS, None)
    pending = session.info.pop(PENDING, None) or set()
    if users:
        pending |= set(session.scalars(sa.select(BuddyAssignment.candidate_id)
                                       .where(BuddyAssignment.buddy_id.in_(sorted(users)))))
    if pending:
        refresh(pending, session)


def _watched() -> tuple[type, ...]:
    watched: list[type] = [BuddyAssignment]
    if _module("trajectory.stages"):
        from trajectory.stages.models import Stage

        watched.append(Stage)
    if _module("trajectory.cohorts"):
        from trajectory.cohorts.models import CohortAgreement, CohortCandidate

        watched += [CohortAgreement, CohortCandidate]
    return tuple(watched)


def _collect(session: so.Session, _context: Any) -> None:
    """``after_flush``: note the candidates whose connections the flushed changes touch."""
    pending: set[int] = session.info.setdefault(PENDING, set())
    watched = _watched()
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
        elif isinstance(obj, User) and obj not in new and (
                sa.inspect(obj).attrs["organisation_id"].history.has_changes()):
            session.info.setdefault(PENDING_USERS, set()).add(obj.id)


def _before_commit(session: so.Session) -> None:
    if (session.info.get(PENDING) or session.info.get(PENDING_USERS)
            or session.new or session.dirty or session.deleted):
        settle(session)


def _new_candidates(session: so.Session, ids: set[int]) -> None:
    """Candidates inserted without a flush (the import): noted as ``_collect`` notes a new
    one."""
    session.info.setdefault(PENDING, set()).update(ids)


def install() -> None:
    """Listen to every session (once): collect after a flush, settle before a commit."""
    install_session_hooks(_collect, _before_commit, _new_candidates)
