"""The task lists (werkvoorraad) of the intaker and the klantmanager.

The same sections for both: the intaker sees the stages at their provider, the
klantmanager the stages of their municipality's candidates. A section is a SQL
condition on the stage data, so a task appears and disappears with the data: nothing
is stored per task. Each section is one query (a page shows every section: a constant
number of queries); the home panel counts all sections in one query.

Hand-overs (klantmanager): a recorded intake outcome and a werkervaringsplaats's
decision on the next step wait for the klantmanager of the candidate's municipality
until a next stage is proposed (from that stage, or for the candidate after the outcome
was recorded), or the klantmanager marks the outcome handled
(``Stage.outcome_handled_at``); an outcome recorded again after that is new.

Every task says what to do and links to the page (and the form field) where it is
done: ``Section.action`` gives both per stage, for the user who looks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.stages.kinds import StageKind, kinds_where
from trajectory.stages.models import Stage, StageStatus
from trajectory.stages.scope import is_intaker_of
from trajectory.timeutil import today

STARTING_DAYS = 14
ENDING_DAYS = 30
# The werkervaringsplaats section shares its days with the signal "wep_eindigt"
# (``TRAJECTORY_SIGNAL_WEP_ENDING_DAYS``): one threshold, read from the signal's definition.
WEP_SIGNAL = "wep_eindigt"
DEFAULT_WEP_DECISION_DAYS = 14
DECLINED_DAYS = 30
ROWS_PER_SECTION = 50
# Kinds that end with a decision on the next step (a werkervaringsplaats).
DECISION_KINDS = kinds_where(lambda k: k.ends_with_decision)


@dataclass(frozen=True)
class Action:
    """What to do about one task, as an imperative line, and the page where it is done."""

    text: str
    url: str


def _url(endpoint: str, stage: Stage, anchor: str | None = None, **values: Any) -> str:
    if endpoint == "stages.propose":
        return url_for(endpoint, candidate_id=stage.candidate_id, _anchor=anchor, **values)
    return url_for(endpoint, stage_id=stage.id, _anchor=anchor, **values)


# The form field a page's task starts at (a radio group's first option, as the error
# summary links it).
RADIOS = {"suitable_for_care", "diploma", "contract_type"}


def _outcome_anchor(stage: Stage) -> str:
    first = stage.kind.spec.outcome_fields[0]
    return f"{first}-0" if first in RADIOS else first


def _answer(stage: Stage, runs: bool) -> Action:
    if runs:
        return Action(_("Accept or decline the proposal"),
                      _url("stages.answer", stage, "decision-0"))
    if stage.answer_overdue:
        return Action(_("Ask %(provider)s for the overdue answer", provider=stage.provider.name),
                      _url("stages.detail", stage, "overdracht"))
    return Action(_("Wait for the answer of %(provider)s", provider=stage.provider.name),
                  _url("stages.detail", stage, "overdracht"))


def _start(stage: Stage, runs: bool) -> Action:
    if runs and stage.planned_start <= today():
        return Action(_("Record the start"), _url("stages.start", stage, "actual_start"))
    return Action(_("Confirm the start date with the candidate"),
                  _url("stages.edit", stage, "planned_start"))


def _decide(stage: Stage, runs: bool) -> Action:
    if runs:
        return Action(_("Record the decision on the next step"),
                      _url("stages.outcome", stage, "next_step_decision"))
    return Action(_("Agree the next step with %(provider)s", provider=stage.provider.name),
                  _url("stages.detail", stage, "uitkomst"))


def _ending(stage: Stage, runs: bool) -> Action:
    if runs:
        if stage.planned_end is not None and stage.planned_end <= today():
            return Action(_("Record the end"), _url("stages.end", stage, "status-0"))
        return Action(_("Record the outcome before the end"),
                      _url("stages.outcome", stage, _outcome_anchor(stage)))
    return Action(_("Propose the next stage"), _url("stages.propose", stage, "soort-0",
                                                    na=stage.id))


def _running(stage: Stage, runs: bool) -> Action:
    return Action(_("Check how the stage is going"), _url("stages.detail", stage))


def _outcome(stage: Stage, runs: bool) -> Action:
    if runs:
        return Action(_("Record the outcome"),
                      _url("stages.outcome", stage, _outcome_anchor(stage)))
    return Action(_("Ask %(provider)s for the outcome", provider=stage.provider.name),
                  _url("stages.detail", stage, "uitkomst"))


def _care(stage: Stage, runs: bool) -> Action:
    return Action(_("Choose Social Return or care"), _url("stages.care", stage, "care_client"))


def _declined(stage: Stage, runs: bool) -> Action:
    return Action(_("Propose the stage to another provider"),
                  _url("stages.propose", stage, soort=stage.kind.value))


def _next_step(stage: Stage, runs: bool) -> Action:
    return Action(_("Plan the next step: propose the next stage"),
                  _url("stages.propose", stage, "soort-0", na=stage.id))


def _carry_out(stage: Stage, runs: bool) -> Action:
    return Action(_("Carry out the decision: propose the next stage"),
                  _url("stages.propose", stage, "soort-0", na=stage.id))


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    description: Any
    condition: Callable[[date], sa.ColumnElement[bool]]
    order: Callable[[], tuple]
    action: Callable[[Stage, bool], Action]  # (stage, the user runs it at the provider)
    todo: Any                                # what to do, for the home panel
    roles: frozenset[Role] = frozenset({Role.INTAKER, Role.KLANTMANAGER})
    handover: bool = False                   # the klantmanager may mark it handled
    on_home: int = 0                         # tasks the home panel lists (0: the count only)


def wep_decision_days() -> int:
    try:
        from trajectory.cohorts.signals import threshold
    except ImportError:  # pragma: no cover - the cohorts feature not installed
        return DEFAULT_WEP_DECISION_DAYS
    return threshold(WEP_SIGNAL)


def _within(column, day: date, days: int) -> sa.ColumnElement[bool]:
    return sa.and_(column.is_not(None), column <= day + timedelta(days=days))


def _handover_open() -> sa.ColumnElement[bool]:
    """An outcome recorded and not handled since: no stage follows from it (linked to it,
    or proposed for the candidate after it was recorded), and the klantmanager has not
    marked it handled after it was (last) recorded."""
    linked, later = so.aliased(Stage), so.aliased(Stage)
    # The first two terms are the WHERE of the partial index ix_stage_handover_open, word
    # for word (a planner uses it only then); the two NOT EXISTS are each one index probe
    # (one EXISTS with an OR read both indexes for every row).
    return sa.and_(
        Stage.outcome_recorded_at.is_not(None),
        sa.or_(Stage.outcome_handled_at.is_(None),
               Stage.outcome_handled_at < Stage.outcome_recorded_at),
        ~sa.exists().where(linked.previous_stage_id == Stage.id),
        ~sa.exists().where(later.candidate_id == Stage.candidate_id, later.id != Stage.id,
                           later.proposed_at >= Stage.outcome_recorded_at))


KLANTMANAGER_ONLY = frozenset({Role.KLANTMANAGER})

SECTIONS: tuple[Section, ...] = (
    Section("intake_outcome", _l("Intake outcome recorded: plan the next step"),
            _l("The provider recorded the outcome of the intake. Propose the next stage, or "
               "mark the outcome handled when nothing follows at a provider."),
            lambda d: sa.and_(Stage.kind == StageKind.INTAKE, _handover_open()),
            lambda: (Stage.outcome_recorded_at, Stage.id),
            _next_step, _l("Plan the next step"),
            roles=KLANTMANAGER_ONLY, handover=True, on_home=3),
    Section("wep_decision", _l("Decision on a work-experience place: carry it out"),
            _l("The provider recorded the decision on the next step. Propose the next stage "
               "it asks for, or mark the decision handled."),
            lambda d: sa.and_(Stage.kind.in_(sorted(DECISION_KINDS)),
                              Stage.next_step_decision.is_not(None), _handover_open()),
            lambda: (Stage.outcome_recorded_at, Stage.id),
            _carry_out, _l("Carry out the decision"),
            roles=KLANTMANAGER_ONLY, handover=True, on_home=3),
    Section("to_answer", _l("Proposals to answer"),
            _l("Proposed stages waiting for the provider's answer, by due date."),
            lambda d: Stage.status == StageStatus.VOORGESTELD,
            lambda: (Stage.answer_due, Stage.id),
            _answer, _l("Answer the proposals"), on_home=3),
    Section("starting", _l("Starting within 14 days"),
            _l("Accepted stages that start within 14 days (or should have started)."),
            lambda d: sa.and_(Stage.status == StageStatus.GEPLAND,
                              Stage.planned_start <= d + timedelta(days=STARTING_DAYS)),
            lambda: (Stage.planned_start, Stage.id),
            _start, _l("Record the start, or confirm the date")),
    Section("wep_no_decision",
            LazyString(lambda: _(
                "Work-experience places ending within %(days)d days without a decision",
                days=wep_decision_days())),
            _l("A work-experience place ends with a decision on the next step; "
               "these have none yet."),
            lambda d: sa.and_(Stage.kind.in_(sorted(DECISION_KINDS)),
                              Stage.status.in_((StageStatus.GEPLAND, StageStatus.LOPEND)),
                              _within(Stage.planned_end, d, wep_decision_days()),
                              Stage.next_step_decision.is_(None)),
            lambda: (Stage.planned_end, Stage.id),
            _decide, _l("Decide the next step")),
    Section("ending", _l("Ending within 30 days"),
            _l("Running stages whose planned end is within 30 days (or has passed)."),
            lambda d: sa.and_(Stage.status == StageStatus.LOPEND,
                              _within(Stage.planned_end, d, ENDING_DAYS)),
            lambda: (Stage.planned_end, Stage.id),
            _ending, _l("Prepare the end and the next step")),
    Section("running", _l("Running"), _l("Every running stage."),
            lambda d: Stage.status == StageStatus.LOPEND,
            lambda: (Stage.planned_end.is_(None), Stage.planned_end, Stage.id),
            _running, _l("Check how they are going")),
    Section("no_outcome", _l("Finished without an outcome"),
            _l("Completed stages whose outcome has not been recorded."),
            lambda d: sa.and_(Stage.status == StageStatus.AFGEROND,
                              Stage.outcome_recorded_at.is_(None)),
            lambda: (Stage.actual_end, Stage.id),
            _outcome, _l("Record the outcome")),
    Section("care_choice", _l("Care choice to be made"),
            _l("The candidate is a care client of the provider: record whether the stage is "
               "Social Return or care."),
            lambda d: sa.and_(Stage.care_client.is_(True), Stage.care_choice.is_(None),
                              Stage.status.in_((StageStatus.VOORGESTELD, StageStatus.GEPLAND,
                                                StageStatus.LOPEND, StageStatus.AFGEROND))),
            lambda: (Stage.planned_start, Stage.id),
            _care, _l("Choose Social Return or care")),
    Section("declined", _l("Declined in the last 30 days"),
            _l("Proposals a provider declined: look for another place."),
            lambda d: sa.and_(Stage.status == StageStatus.AFGEWEZEN,
                              Stage.answered_at >= d - timedelta(days=DECLINED_DAYS)),
            lambda: (Stage.answered_at.desc(), Stage.id),
            _declined, _l("Look for another place"),
            roles=KLANTMANAGER_ONLY),
)
SECTION_KEYS = {section.key: section for section in SECTIONS}


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
class Task:
    stage: Stage
    action: Action
    can_mark_handled: bool = False


@dataclass
class TaskList:
    section: Section
    tasks: list[Task]
    total: int


def _load(user: Any, section: Section, day: date, limit: int, offset: int = 0) -> list[Task]:
    stages = db.session.scalars(
        sa.select(Stage).join(Stage.candidate)
        .where(worklist_scope(user), section.condition(day))
        .options(so.contains_eager(Stage.candidate), so.joinedload(Stage.provider),
                 so.joinedload(Stage.offer_item),
                 # The name of who recorded it; not their roles (a query per page of users).
                 so.joinedload(Stage.outcome_recorded_by).lazyload(User.role_rows))
        .order_by(*section.order()).limit(limit).offset(offset))
    return [Task(stage, section.action(stage, is_intaker_of(user, stage)),
                 section.handover and can_mark_handled(user, stage))
            for stage in stages]


def can_mark_handled(user: Any, stage: Stage) -> bool:
    """The klantmanager of the candidate's municipality marks a hand-over handled."""
    return (user.has_role(Role.KLANTMANAGER)
            and stage.candidate.municipality_id == user.organisation_id)


def task_lists(user: Any, day: date | None = None) -> list[TaskList]:
    """Every section with its tasks: one query for the counts, one per section."""
    day = day or today()
    counts = count_tasks(user, day)
    return [TaskList(section, _load(user, section, day, ROWS_PER_SECTION), counts[section.key])
            for section in sections_for(user)]


def section_page(user: Any, section: Section, page: int, day: date | None = None) -> Any:
    """One section a page at a time (``?sectie=<key>&page=N``): its count and the page's
    tasks, two queries, for a section of any length."""
    from trajectory.providers.paging import paginate_counted

    day = day or today()
    total = count_tasks(user, day)[section.key]
    return paginate_counted(total, lambda offset, limit: _load(user, section, day, limit,
                                                               offset), page)


def home_lists(user: Any, day: date | None = None) -> list[TaskList]:
    """What the home panel shows: every section's count and todo line, and the first
    tasks of the sections that list some there (one query each, only when not empty)."""
    day = day or today()
    counts = count_tasks(user, day)
    return [TaskList(section, _load(user, section, day, section.on_home)
                     if section.on_home and counts[section.key] else [], counts[section.key])
            for section in sections_for(user)]


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


def open_handover(stage: Stage) -> Section | None:
    """The hand-over section this stage is a task in now, if any (one query)."""
    sections = [s for s in SECTIONS if s.handover]
    row = db.session.execute(
        sa.select(*[sa.func.count(Stage.id).filter(s.condition(today())) for s in sections])
        .where(Stage.id == stage.id)).one()
    return next((s for s, hit in zip(sections, row, strict=True) if hit), None)
