""""Mijn plan": the plan in plain Dutch (B1) for the candidate.

First person, no internal codes, no severity, no BSN: what I want, what holds
me back, what we are going to do, who helps me. Always rendered in Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from trajectory.candidates.models import (
    BarrierCategory,
    BarrierStatus,
    Candidate,
    GoalStatus,
    TrainingStatus,
)

# What the categories are called when the candidate reads them.
PLAIN_CATEGORIES = {
    BarrierCategory.SCHULDEN: _l("Money and debts"),
    BarrierCategory.MEDISCH: _l("My health"),
    BarrierCategory.PSYCHISCH: _l("How I feel"),
    BarrierCategory.SOCIAAL_GEZIN: _l("Home and family"),
    BarrierCategory.TAAL: _l("The Dutch language"),
    BarrierCategory.GEEN_WERKERVARING: _l("I have little work experience"),
    BarrierCategory.GEEN_WERKRITME: _l("Having a daily rhythm"),
    BarrierCategory.VERVOER: _l("Getting there"),
    BarrierCategory.HUISVESTING: _l("My home"),
    BarrierCategory.KINDEROPVANG: _l("Care for my children"),
    BarrierCategory.VERSLAVING: _l("Addiction"),
    BarrierCategory.JUSTITIE: _l("Police and justice"),
    BarrierCategory.OVERIG: _l("Something else"),
}


def long_date(value: date | None) -> str:
    """"12 december 2026": easier to read than 12-12-2026."""
    return format_date(value, "d MMMM yyyy") if value else ""


@dataclass(frozen=True)
class Helper:
    role: Any
    name: str
    detail: str | None


def context(candidate: Candidate) -> dict[str, Any]:
    plan = candidate.plan
    goals = [g for g in plan.goals if g.status is not GoalStatus.LOSGELATEN] if plan else []
    steps = sorted(
        ((goal, step) for goal in goals if goal.status is not GoalStatus.BEHAALD
         for step in goal.steps if not step.done),
        key=lambda pair: (pair[1].due_date is None, pair[1].due_date or date.max, pair[1].id))
    barriers = [b for b in plan.barriers if b.status is not BarrierStatus.OPGELOST] if plan else []
    trainings = [t for t in plan.trainings
                 if t.status in (TrainingStatus.GEPLAND, TrainingStatus.BEZIG)] if plan else []
    helpers = []
    assignment = candidate.current_assignment
    if assignment is not None:
        helpers.append(Helper(_l("My buddy"), assignment.buddy.full_name, assignment.contact_phone))
    helpers.append(Helper(_l("My client manager"), candidate.klantmanager.full_name,
                          str(_l("Municipality of %(name)s", name=candidate.municipality.name))))
    return {
        "candidate": candidate, "plan": plan, "goals": goals, "steps": steps,
        "barriers": barriers, "plain_categories": PLAIN_CATEGORIES, "trainings": trainings,
        "helpers": helpers, "long_date": long_date,
        "agreed": plan.agreed_version if plan else None,
        "is_agreed": bool(plan and plan.is_agreed),
    }
