"""Home panels: the signals and tasks in each role's scope.

* klantmanager: the buddies' unhandled signals (tasks) and every signal for the
  municipality's candidates;
* buddy: each own candidate with a "log a contact" link, the signals about them
  and the signals the buddy raised that wait for the klantmanager;
* intaker: the signals about candidates connected to the provider;
* coordinator: per cohort, the number of open signals of each kind.

Every panel costs a fixed number of queries (one per signal, one for tasks).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.audit.rendering import show_subjects
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate, CandidateStatus
from trajectory.candidates.scope import assigned_to_buddy
from trajectory.cohorts import signals as sig
from trajectory.cohorts.models import Cohort
from trajectory.extensions import db
from trajectory.main.home import register_panel

SHOWN = 5


def _results(user: Any) -> list[dict[str, Any]]:
    results = [{"signal": result.signal, "hits": result.hits[:3], "total": len(result.hits)}
               for result in sig.signals_for(user) if result.signal.available]
    # The hits shown are plain rows (a name, no model): log them here.
    show_subjects({hit.candidate_id for result in results for hit in result["hits"]},
                  object_type="Signal", categories=("naam", "signaal"))
    return results


def klantmanager_context(user: Any) -> dict[str, Any]:
    scope = sig.task_scope(user)
    tasks = sig.open_buddy_signals(scope, limit=SHOWN + 1)
    return {"tasks": tasks[:SHOWN], "more_tasks": len(tasks) > SHOWN, "signals": _results(user)}


def buddy_context(user: Any) -> dict[str, Any]:
    candidates = db.session.scalars(
        sa.select(Candidate).where(assigned_to_buddy(user.id),
                                   Candidate.status != CandidateStatus.UITGESTROOMD)
        .order_by(Candidate.first_name, Candidate.last_name)).all()
    waiting = sig.open_buddy_signals(sig.task_scope(user), limit=SHOWN)
    return {"candidates": candidates, "signals": _results(user), "waiting": waiting}


def intaker_context(user: Any) -> dict[str, Any]:
    return {"signals": _results(user)}


def coordinator_context(user: Any) -> dict[str, Any]:
    cohorts = db.session.scalars(sa.select(Cohort).where(Cohort.scope_filter(user))
                                 .order_by(Cohort.start_quarter.desc(), Cohort.name)).all()
    counts = sig.cohort_counts([c.id for c in cohorts]) if cohorts else {}
    keys = [s.key for s in sig.SIGNALS if s.available] + [sig.BUDDY_SIGNAL]
    rows = [(cohort, [(key, counts.get(cohort.id, {}).get(key, 0)) for key in keys])
            for cohort in cohorts]
    return {"rows": rows, "keys": keys, "label": sig.signal_label}


register_panel("cohorts_signals_klantmanager", {Role.KLANTMANAGER},
               "cohorts/_panel_klantmanager.html", klantmanager_context, order=10)
register_panel("cohorts_signals_buddy", {Role.BUDDY}, "cohorts/_panel_buddy.html",
               buddy_context, order=10)
register_panel("cohorts_signals_intaker", {Role.INTAKER}, "cohorts/_panel_intaker.html",
               intaker_context, order=15)
register_panel("cohorts_signals_coordinator", {Role.COORDINATOR},
               "cohorts/_panel_coordinator.html", coordinator_context, order=10)
