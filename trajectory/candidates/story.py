"""What the top of a candidate's file says now: the open signals about this person.

The signals themselves are defined once, in ``trajectory.cohorts.signals`` (who sees
which, the thresholds, the queries); here they are asked for one candidate within the
user's own signal scope, so the file shows exactly what the signals page would show
this user about this person. A fixed number of queries (one or two per signal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from trajectory.candidates.models import Candidate


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
    found = [OpenSignal(signal.key, str(signal.label), signal.description(), hit.day, hit.detail)
             for signal in signals.signals_seen_by(user)
             for hit in signal.hits(condition)]
    raised = signals.open_buddy_signals(sa.and_(Candidate.id == candidate.id,
                                                signals.task_scope(user)))
    found += [OpenSignal(signals.BUDDY_SIGNAL, str(signals.BUDDY_SIGNAL_LABEL),
                         entry.signal_category.label if entry.signal_category else "",
                         entry.contact_on) for entry in raised]
    return found
