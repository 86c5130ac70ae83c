"""The task lists (werkvoorraad) of the intaker and the klantmanager.

The same sections for both: the intaker sees the stages at their provider, the
klantmanager the stages of their municipality's candidates. Each section is
one query (a page shows every section: a constant number of queries); the home
panel counts all sections in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.stages.kinds import kinds_where
from trajectory.stages.models import Stage, StageStatus
from trajectory.timeutil import today

STARTING_DAYS = 14
ENDING_DAYS = 30
WEP_DECISION_DAYS = 14
DECLINED_DAYS = 30
ROWS_PER_SECTION = 50
# Kinds that end with a decision on the next step (a werkervaringsplaats).
DECISION_KINDS = kinds_where(lambda k: k.ends_with_decision)


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    description: Any
    condition: Callable[[date], sa.ColumnElement[bool]]
    order: Callable[[], tuple]
    roles: frozenset[Role] = frozenset({Role.INTAKER, Role.KLANTMANAGER})


def _within(column, day: date, days: int) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), column <= day + timedelta(days=days))


SECTIONS: tuple[Section, ...] = (
    Section("to_answer", _l("Proposals to answer"),
            _l("Proposed stages waiting for the provider's answer, by due date."),
            lambda d: Stage.status == StageStatus.VOORGESTELD,
            lambda: (Stage.answer_due, Stage.id)),
    Section("starting", _l("Starting within 14 days"),
            _l("Accepted stages that start within 14 days (or should have started)."),
            lambda d: sa.and_(Stage.status == StageStatus.GEPLAND,
                              Stage.planned_start <= d + timedelta(days=STARTING_DAYS)),
            lambda: (Stage.planned_start, Stage.id)),
    Section("wep_no_decision",
            _l("Work-experience places ending within 14 days without a decision"),
            _l("A work-experience place ends with a decision on the next step; "
               "these have none yet."),
            lambda d: sa.and_(Stage.kind.in_(sorted(DECISION_KINDS)),
                              Stage.status.in_((StageStatus.GEPLAND, StageStatus.LOPEND)),
                              _within(Stage.planned_end, d, WEP_DECISION_DAYS),
                              Stage.next_step_decision.is_(None)),
            lambda: (Stage.planned_end, Stage.id)),
    Section("ending", _l("Ending within 30 days"),
            _l("Running stages whose planned end is within 30 days (or has passed)."),
            lambda d: sa.and_(Stage.status == StageStatus.LOPEND,
                              _within(Stage.planned_end, d, ENDING_DAYS)),
            lambda: (Stage.planned_end, Stage.id)),
    Section("running", _l("Running"), _l("Every running stage."),
            lambda d: Stage.status == StageStatus.LOPEND,
            lambda: (Stage.planned_end.is_(None), Stage.planned_end, Stage.id)),
    Section("no_outcome", _l("Finished without an outcome"),
            _l("Completed stages whose outcome has not been recorded."),
            lambda d: sa.and_(Stage.status == StageStatus.AFGEROND,
                              Stage.outcome_recorded_at.is_(None)),
            lambda: (Stage.actual_end, Stage.id)),
    Section("care_choice", _l("Care choice to be made"),
            _l("The candidate is a care client of the provider: record whether the stage is "
               "Social Return or care."),
            lambda d: sa.and_(Stage.care_client.is_(True), Stage.care_choice.is_(None),
                              Stage.status.in_((StageStatus.VOORGESTELD, StageStatus.GEPLAND,
                                                StageStatus.LOPEND, StageStatus.AFGEROND))),
            lambda: (Stage.planned_start, Stage.id)),
    Section("declined", _l("Declined in the last 30 days"),
            _l("Proposals a provider declined: look for another place."),
            lambda d: sa.and_(Stage.status == StageStatus.AFGEWEZEN,
                              Stage.answered_at >= d - timedelta(days=DECLINED_DAYS)),
            lambda: (Stage.answered_at.desc(), Stage.id),
            roles=frozenset({Role.KLANTMANAGER})),
)


def worklist_scope(user: Any) -> sa.ColumnElement[bool]:
    """Intaker: the stages at their provider; klantmanager: their municipality's candidates."""
    conditions = []
    if user.has_role(Role.INTAKER):
        conditions.append(Stage.provider_id == user.organisation_id)
    if user.has_role(Role.KLANTMANAGER):
        conditions.append(Candidate.municipality_id == user.organisation_id)
    return sa.or_(*conditions) if conditions else sa.false()


def sections_for(user: Any) -> list[Section]:
    return [s for s in SECTIONS if user.has_role(*s.roles)]


@dataclass
class TaskList:
    section: Section
    stages: list[Stage]
    total: int


def task_lists(user: Any, day: date | None = None) -> list[TaskList]:
    """Every section with its stages: one query for the counts, one per section."""
    day = day or today()
    sections = sections_for(user)
    counts = count_tasks(user, day)
    lists = []
    for section in sections:
        stages = list(db.session.scalars(
            sa.select(Stage).join(Stage.candidate)
            .where(worklist_scope(user), section.condition(day))
            .options(so.contains_eager(Stage.candidate), so.joinedload(Stage.provider),
                     so.joinedload(Stage.offer_item))
            .order_by(*section.order()).limit(ROWS_PER_SECTION)))
        lists.append(TaskList(section, stages, counts[section.key]))
    return lists


def count_tasks(user: Any, day: date | None = None) -> dict[str, int]:
    """The number of stages in each section, in one query."""
    day = day or today()
    sections = sections_for(user)
    if not sections:
        return {}
    row = db.session.execute(
        sa.select(*[sa.func.count(Stage.id).filter(s.condition(day)).label(s.key)
                    for s in sections])
        .select_from(Stage).join(Stage.candidate).where(worklist_scope(user))).one()
    return {s.key: int(row[i] or 0) for i, s in enumerate(sections)}
