"""What the top of a candidate's file says now: the open signals about this person.

The signals themselves are defined once, in ``trajectory.cohorts.signals`` (who sees
which, the thresholds, the queries); here they are asked for one candidate within the
user's own signal scope, so the file shows exactly what the signals page would show
this user about this person. Two queries: the signals' hits, the buddies' signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.models import by_name
from trajectory.candidates.models import BuddyAssignment, Candidate, Goal, Plan


def file_options() -> tuple[Any, ...]:
    """What the file reads of the person, loaded with them: the plan joined (it is one
    row), its goals with their steps in one query when the file reads them (not one per
    goal), the buddies and the klantmanager by name (not their roles). The collections
    stay lazy: a role that does not see the plan or the measurements does not load them.
    (A function: options made at import would configure the mappers too early.)"""
    return (so.joinedload(Candidate.plan).defaultload(Plan.goals).joinedload(Goal.steps),
            so.defaultload(Candidate.assignments).options(by_name(BuddyAssignment.buddy)),
            by_name(Candidate.klantmanager))


@dataclass(frozen=True)
class OpenSignal:
    key: str
    label: str
    description: str
    day: date | None
    detail: str = ""


def open_signals(user: Any, candidate: Candidate) -> list[OpenSignal]:
    """The signals this user sees that this candidate trips today, and the buddy's
    signals about the candidate not yet handled (as the user's task list has them)."""
    from trajectory.cohorts import signals

    condition = sa.and_(Candidate.id == candidate.id, signals.signal_scope(user))
    seen = signals.signals_seen_by(user)
    # Every hit of every signal in one query (no limit: one person's rows are few).
    hits = signals.tops(seen, condition, None)
    found = [OpenSignal(signal.key, str(signal.label), signal.description(), hit.day, hit.detail)
             for signal in seen for hit in hits[signal.key]]
    raised = signals.open_buddy_signals(sa.and_(Candidate.id == candidate.id,
                                                signals.task_scope(user)))
    found += [OpenSignal(signals.BUDDY_SIGNAL, str(signals.BUDDY_SIGNAL_LABEL),
                         entry.signal_category.label if entry.signal_category else "",
                         entry.contact_on) for entry in raised]
    return found
