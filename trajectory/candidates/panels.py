"""Home panels: what needs a klantmanager's attention, a buddy's candidates
with their next step, and a count for intakers and the overlegtafel."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate, CandidateStatus, Goal, Plan
from trajectory.candidates.queries import ATTENTION, is_open
from trajectory.candidates.scope import assigned_to_buddy, visible_for_all
from trajectory.extensions import db
from trajectory.main.home import register_panel


def klantmanager_context(user: Any) -> dict[str, Any]:
    """Counts per attention rule over the municipality's open files, in one query."""
    own = Candidate.municipality_id == user.organisation_id
    columns = [sa.func.count(Candidate.id)] + [
        sa.func.count(Candidate.id).filter(condition()) for _label, condition in ATTENTION.values()]
    row = db.session.execute(sa.select(*columns).where(own, is_open())).one()
    attention = [(key, label, count) for (key, (label, _c)), count in zip(ATTENTION.items(), row[1:],
                                                                          strict=True)]
    return {"open": row[0], "attention": attention, "municipality": user.organisation.name}


# The buddy's candidates on the home page (the rest: the candidate list).
BUDDY_SHOWN = 20


def buddy_context(user: Any) -> dict[str, Any]:
    """The buddy's first ``BUDDY_SHOWN`` current candidates with the earliest open step of
    their plan, the number of them, and what the buddy sees of each (one query for all):
    a fixed number of queries however long the caseload."""
    mine = sa.and_(assigned_to_buddy(user.id), is_open())
    total = db.session.scalar(sa.select(sa.func.count(Candidate.id)).where(mine)) or 0
    candidates = db.session.scalars(
        sa.select(Candidate).where(mine)
        .order_by(Candidate.first_name, Candidate.last_name, Candidate.id).limit(BUDDY_SHOWN)
        .options(so.selectinload(Candidate.plan).selectinload(Plan.goals)
                 .selectinload(Goal.steps))).all()
    visible = visible_for_all(user, list(candidates)) if candidates else {}
    return {"rows": [(c, c.plan.next_open_step() if c.plan else None,
                      bool(visible.get(c.id) and visible[c.id].plan)) for c in candidates],
            "total": total}


def overview_context(user: Any) -> dict[str, Any]:
    rows = dict(db.session.execute(
        sa.select(Candidate.status, sa.func.count(Candidate.id))
        .where(Candidate.scope_filter(user)).group_by(Candidate.status)).all())
    return {"counts": [(status.label, rows.get(status, 0)) for status in CandidateStatus]}


register_panel("candidates_attention", {Role.KLANTMANAGER}, "candidates/_panel_klantmanager.html",
               klantmanager_context, order=20)
register_panel("candidates_buddy", {Role.BUDDY}, "candidates/_panel_buddy.html", buddy_context,
               order=20)
register_panel("candidates_overview", {Role.INTAKER, Role.COORDINATOR},
               "candidates/_panel_overview.html", overview_context, order=30)
