"""Proposing, answering, running, ending and transferring stages.

Each function checks the business rules, changes objects and flushes; the view
commits once. Every function that changes an existing stage takes the
``version`` the form was based on: when someone else saved the stage in the
meantime, ``ConflictError`` refuses the change (optimistic locking; the
mapper's version counter also catches a save that races in between).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User, by_name
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.providers.models import OfferItem, Vacancy, VacancyStatus
from trajectory.providers.services import mark_vacancy_filled
from trajectory.services import ServiceError
from trajectory.stages.kinds import OUTCOME_FIELDS, PLAN_FIELDS
from trajectory.stages.models import (
    TRANSFER_REASON,
    CareChoice,
    ContractType,
    Stage,
    StageKind,
    StageStatus,
)
from trajectory.timeutil import today, utcnow

ANSWER_WORKING_DAYS = 10


class ConflictError(ServiceError):
    """Someone else saved the stage after the form was opened."""

    def __init__(self) -> None:
        super().__init__(_("Someone else changed this stage after you opened the form. "
                           "The page now shows the current data; check it and save your "
                           "change again."))


def add_working_days(day: date, count: int) -> date:
    """``count`` working days (Monday to Friday) after ``day``."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def default_answer_due(day: date | None = None) -> date:
    """The provider answers a proposal within 10 working days (two weeks)."""
    return add_working_days(day or today(), ANSWER_WORKING_DAYS)


def _check_version(stage: Stage, version: int | None) -> None:
    if version is not None and version != stage.version:
        raise ConflictError()


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# When a kind requires a field (trajectory/stages/kinds.py) and it is empty.
REQUIRED_MESSAGES = {
    "level": _l("Choose the level (1 to 4)."),
    "hours": _l("Enter the number of hours."),
    "hours_per_week": _l("Enter the hours per week."),
    "job_title": _l("Enter the job title."),
    "suitable_for_care": _l("Choose whether the candidate is suitable for care work."),
    "next_step_decision": _l("Describe the decision on the next step."),
    "diploma": _l("Choose whether the diploma was obtained."),
    "contract_type": _l("Choose the type of contract."),
    "outcome_note": _l("Describe the outcome."),
}


def _required(name: str) -> ServiceError:
    return ServiceError(str(REQUIRED_MESSAGES.get(name, _l("This field is required."))),
                        field=name)


def _hours_per_week(value: Decimal, field: str) -> None:
    if not (0 < value <= 60):
        raise ServiceError(_("Enter hours per week: more than 0, at most 60."), field=field)


def _check_plan_field(name: str, value: Any) -> None:
    if name == "level" and value not in (1, 2, 3, 4):
        raise ServiceError(_("Choose the level (1 to 4)."), field="level")
    if name == "hours":
        if value <= 0:
            raise ServiceError(_("Enter the number of hours."), field="hours")
        if value > 2000:
            raise ServiceError(_("Enter at most 2,000 hours."), field="hours")
    if name == "hours_per_week":
        _hours_per_week(value, "hours_per_week")


def kind_fields(kind: StageKind, *, planned_start: date, planned_end: date | None,
                level: int | None = None, hours_per_week: Decimal | None = None,
                permanent: bool = False, job_title: str | None = None,
                hours: Decimal | None = None) -> dict[str, Any]:
    """The plan fields of a kind (its entry in ``trajectory.stages.kinds``) and the planned
    dates, checked; fields that do not belong to the kind are dropped."""
    spec = kind.spec
    given: dict[str, Any] = {"level": level, "hours_per_week": hours_per_week,
                             "permanent": bool(permanent), "job_title": _text(job_title),
                             "hours": hours}
    values: dict[str, Any] = {name: None for name in PLAN_FIELDS} | {"permanent": False}
    for name in spec.plan:
        value = given[name]
        if value is None:
            if name in spec.plan_required:
                raise _required(name)
            continue
        _check_plan_field(name, value)
        values[name] = value
    if planned_end is None:
        planned_end = spec.default_end(planned_start)
    if planned_end is None and not spec.open_ended:
        raise ServiceError(_("Enter the planned end date."), field="planned_end")
    if planned_end is not None and planned_end < planned_start:
        raise ServiceError(_("The end date lies before the start date."), field="planned_end")
    values["planned_start"] = planned_start
    values["planned_end"] = planned_end
    return values


def _check_provider(provider: Organisation | None) -> Organisation:
    if provider is None or provider.kind is not OrganisationKind.PROVIDER or not provider.active:
        raise ServiceError(_("Choose a provider."), field="provider_id")
    return provider


def offer_item_problem(provider: Organisation, kind: StageKind, item: OfferItem) -> str | None:
    """Why ``item`` cannot be the place of a stage of ``kind`` at ``provider``; None when it
    can. The one rule: the forms list only the places without a problem, the services refuse
    the others (a forged or outdated post)."""
    if item.organisation_id != provider.id:
        return _("This place belongs to another provider.")
    if item.offer_type not in kind.spec.offer_types:
        return _("This place does not fit a stage of this kind.")
    return None


def _check_links(provider: Organisation, kind: StageKind, offer_item: OfferItem | None,
                 vacancy: Vacancy | None) -> None:
    if offer_item is not None:
        problem = offer_item_problem(provider, kind, offer_item)
        if problem:
            raise ServiceError(problem, field="offer_item_id")
    if vacancy is not None:
        if vacancy.organisation_id != provider.id:
            raise ServiceError(_("This vacancy belongs to another provider."), field="vacancy_id")
        if not kind.spec.fills_vacancy:
            raise ServiceError(_("A stage of this kind does not fill a vacancy."),
                               field="vacancy_id")
        if vacancy.status is VacancyStatus.WITHDRAWN:
            raise ServiceError(_("This vacancy has been withdrawn."), field="vacancy_id")


def _check_responsible(provider_id: int, user: User | None) -> None:
    if user is not None and user.organisation_id != provider_id:
        raise ServiceError(_("The responsible person works for another organisation."),
                           field="responsible_user_id")


def _set_responsible(stage: Stage, user: User | None, name: str | None) -> None:
    """The responsible person: someone of the provider from the list, or another person by
    name. A name typed now wins over the list, which always holds a choice (the intaker
    themself on an answer, the person so far on an edit): typing is never silently dropped.
    The name the stage already had loses to a new pick from the list."""
    name = _text(name)
    if name is not None and name != stage.responsible_name:
        user = None
    _check_responsible(stage.provider_id, user)
    stage.responsible_user_id = user.id if user else None
    stage.responsible_name = None if user else name


# ------------------------------------------------------------------ proposing

def propose_stage(candidate: Candidate, *, provider: Organisation | None, kind: StageKind,
                  planned_start: date, planned_end: date | None, actor: User,
                  level: int | None = None, hours_per_week: Decimal | None = None,
                  permanent: bool = False, job_title: str | None = None,
                  hours: Decimal | None = None, answer_due: date | None = None,
                  note: str | None = None, care_client: bool = False,
                  offer_item: OfferItem | None = None, vacancy: Vacancy | None = None,
                  previous_stage: Stage | None = None, via_transfer: bool = False) -> Stage:
    """The hand-over: a klantmanager proposes a stage; the provider answers before ``answer_due``."""
    if candidate.is_closed:
        raise ServiceError(_("This candidate has left the programme; reopen the file first."))
    provider = _check_provider(provider)
    values = kind_fields(kind, planned_start=planned_start, planned_end=planned_end,
                         level=level, hours_per_week=hours_per_week, permanent=permanent,
                         job_title=job_title, hours=hours)
    _check_links(provider, kind, offer_item, vacancy)
    due = answer_due or default_answer_due()
    if due < today():
        raise ServiceError(_("The answer date lies in the past."), field="answer_due")
    if previous_stage is not None and previous_stage.candidate_id != candidate.id:
        raise ServiceError(_("The previous stage belongs to another candidate."))
    stage = Stage(candidate_id=candidate.id, provider_id=provider.id, kind=kind,
                  status=StageStatus.VOORGESTELD, proposed_by_id=actor.id, proposed_at=utcnow(),
                  answer_due=due, note=_text(note), care_client=bool(care_client),
                  offer_item_id=offer_item.id if offer_item else None,
                  vacancy_id=vacancy.id if vacancy else None,
                  previous_stage_id=previous_stage.id if previous_stage else None,
                  via_transfer=via_transfer, **values)
    db.session.add(stage)
    db.session.flush()
    return stage


def answer_stage(stage: Stage, *, accept: bool, actor: User, version: int | None,
                 responsible_user: User | None = None, responsible_name: str | None = None,
                 reason: str | None = None) -> None:
    """The provider's intaker accepts (→ gepland) or declines (with a reason) a proposal."""
    _check_version(stage, version)
    if stage.status is not StageStatus.VOORGESTELD:
        raise ServiceError(_("This stage is not waiting for an answer."))
    stage.answered_by_id = actor.id
    stage.answered_at = utcnow()
    if accept:
        _set_responsible(stage, responsible_user, responsible_name)
        stage.status = StageStatus.GEPLAND
        stage.decline_reason = None
    else:
        if not _text(reason):
            raise ServiceError(_("Give the reason for declining."), field="reason")
        stage.status = StageStatus.AFGEWEZEN
        stage.decline_reason = _text(reason)
    db.session.flush()


def start_stage(stage: Stage, *, actual_start: date, version: int | None) -> None:
    _check_version(stage, version)
    if stage.status is not StageStatus.GEPLAND:
        raise ServiceError(_("Only a planned stage can start."))
    if actual_start > today():
        raise ServiceError(_("A stage cannot start in the future; record the start on the "
                             "day itself."), field="actual_start")
    stage.actual_start = actual_start
    stage.status = StageStatus.LOPEND
    if stage.vacancy is not None:
        mark_vacancy_filled(stage.vacancy)
    db.session.flush()


def end_stage(stage: Stage, *, status: StageStatus, actual_end: date, reason: str | None,
              version: int | None) -> None:
    """Completed (afgerond) or stopped (afgebroken, with a reason); a planned stage can only be
    stopped (it is cancelled before it started)."""
    _check_version(stage, version)
    if status not in (StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
        raise ServiceError(_("Choose how the stage ended."), field="status")
    if stage.status is StageStatus.GEPLAND and status is StageStatus.AFGEROND:
        raise ServiceError(_("A stage that never started cannot be completed; stop it instead."),
                           field="status")
    if stage.status not in (StageStatus.GEPLAND, StageStatus.LOPEND):
        raise ServiceError(_("Only a planned or running stage can end."))
    if status is StageStatus.AFGEBROKEN and not _text(reason):
        raise ServiceError(_("Give the reason for stopping."), field="reason")
    if actual_end > today():
        raise ServiceError(_("Record the end on the day itself, not in advance."),
                           field="actual_end")
    if stage.actual_start is not None and actual_end < stage.actual_start:
        raise ServiceError(_("The end date lies before the start date."), field="actual_end")
    # A planned stage that is stopped never ran: it keeps no actual dates.
    stage.actual_end = actual_end if stage.actual_start is not None else None
    stage.status = status
    stage.end_reason = _text(reason)
    db.session.flush()


def _check_outcome_field(stage: Stage, name: str, value: Any) -> Any:
    """One outcome field, checked; returns what is stored."""
    if name == "suitable_level" and value is not None and value not in (1, 2, 3, 4):
        raise ServiceError(_("Choose a level from 1 to 4."), field="suitable_level")
    if name == "next_step_decided_on":
        value = value or today()
        if value > today():
            raise ServiceError(_("The decision date lies in the future."),
                               field="next_step_decided_on")
    if name == "agreed_end" and value is not None:
        if value < stage.start:
            raise ServiceError(_("The agreed end lies before the start of the stage."),
                               field="agreed_end")
        if value == stage.planned_end:
            value = None  # None: the planned end is the agreement
    if name == "contract_hours" and value is not None:
        _hours_per_week(value, "contract_hours")
    return value


def record_outcome(stage: Stage, *, actor: User, version: int | None,
                   suitable_for_care: bool | None = None, suitable_level: int | None = None,
                   suitable_function: str | None = None, next_step_decision: str | None = None,
                   next_step_decided_on: date | None = None, agreed_end: date | None = None,
                   diploma: bool | None = None, contract_type: ContractType | None = None,
                   contract_hours: Decimal | None = None, contract_start: date | None = None,
                   outcome_note: str | None = None) -> None:
    """The outcome of a stage: the outcome fields of its kind (``trajectory.stages.kinds``),
    e.g. a werkervaringsplaats's decision on the next step and the end agreed with the
    candidate (None when it is the planned end). Fields of other kinds are cleared."""
    _check_version(stage, version)
    if stage.status not in (StageStatus.LOPEND, StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
        raise ServiceError(_("An outcome is recorded once the stage is running or has ended."))
    spec = stage.kind.spec
    given: dict[str, Any] = {
        "suitable_for_care": suitable_for_care, "suitable_level": suitable_level,
        "suitable_function": _text(suitable_function),
        "next_step_decision": _text(next_step_decision),
        "next_step_decided_on": next_step_decided_on, "agreed_end": agreed_end,
        "diploma": diploma, "contract_type": contract_type, "contract_hours": contract_hours,
        "contract_start": contract_start, "outcome_note": _text(outcome_note)}
    values: dict[str, Any] = dict.fromkeys(OUTCOME_FIELDS)
    for name in spec.outcome_fields:
        if given[name] is None and name in spec.outcome_required:
            raise _required(name)
        values[name] = _check_outcome_field(stage, name, given[name])
    if values["suitable_for_care"] is False:  # level and function only for who is suitable
        values.update(suitable_level=None, suitable_function=None)
    for key, value in values.items():
        setattr(stage, key, value)
    stage.outcome_recorded_at = utcnow()
    stage.outcome_recorded_by_id = actor.id
    db.session.flush()


def mark_outcome_handled(stage: Stage, *, actor: User, version: int | None) -> None:
    """The klantmanager has acted on the recorded outcome (an intake's, a werkervaringsplaats's
    decision) without proposing a stage from it: it leaves their task list
    (``trajectory.stages.tasks``) until an outcome is recorded again."""
    _check_version(stage, version)
    if stage.outcome_recorded_at is None:
        raise ServiceError(_("No outcome has been recorded for this stage yet."))
    stage.outcome_handled_at = utcnow()
    stage.outcome_handled_by_id = actor.id
    db.session.flush()


def update_stage(stage: Stage, *, version: int | None, planned_start: date,
                 planned_end: date | None, level: int | None = None,
                 hours_per_week: Decimal | None = None, permanent: bool = False,
                 job_title: str | None = None, hours: Decimal | None = None,
                 responsible_user: User | None = None, responsible_name: str | None = None,
                 offer_item: OfferItem | None = None, vacancy: Vacancy | None = None,
                 note: str | None = None) -> None:
    """Change the plan of an open stage (dates, kind fields, responsible person, links)."""
    _check_version(stage, version)
    if not stage.is_open:
        raise ServiceError(_("This stage has ended; its plan can no longer change."))
    values = kind_fields(stage.kind, planned_start=planned_start, planned_end=planned_end,
                         level=level, hours_per_week=hours_per_week, permanent=permanent,
                         job_title=job_title, hours=hours)
    _check_links(stage.provider, stage.kind, offer_item, vacancy)
    _set_responsible(stage, responsible_user, responsible_name)
    for key, value in values.items():
        setattr(stage, key, value)
    stage.offer_item_id = offer_item.id if offer_item else None
    stage.vacancy_id = vacancy.id if vacancy else None
    stage.note = _text(note)
    db.session.flush()


def record_care_choice(stage: Stage, *, care_client: bool, choice: CareChoice | None,
                       reason: str | None, actor: User, version: int | None) -> None:
    """The candidate is (or is not) a care client of the provider; if so, the choice and why.

    A stage recorded as care (``zorg``) is never valued as Social Return.
    """
    _check_version(stage, version)
    if stage.status is StageStatus.AFGEWEZEN:
        raise ServiceError(_("This proposal was declined."))
    if care_client:
        if choice is None:
            raise ServiceError(_("Choose Social Return or care."), field="care_choice")
        if not _text(reason):
            raise ServiceError(_("Give the reason for this choice."), field="care_reason")
    stage.care_client = care_client
    stage.care_choice = choice if care_client else None
    stage.care_reason = _text(reason) if care_client else None
    stage.care_decided_by_id = actor.id
    stage.care_decided_at = utcnow()
    db.session.flush()


def transfer_stage(stage: Stage, *, new_provider: Organisation | None, end_on: date,
                   end_status: StageStatus, planned_start: date, planned_end: date | None,
                   actor: User, version: int | None, note: str | None = None,
                   answer_due: date | None = None) -> Stage:
    """Doorplaatsing: end the current stage with the reason "doorplaatsing" and propose the
    same kind of stage at another provider, linked to it; the history stays."""
    _check_version(stage, version)
    if stage.status not in (StageStatus.GEPLAND, StageStatus.LOPEND):
        raise ServiceError(_("Only a planned or running stage can be transferred."))
    new_provider = _check_provider(new_provider)
    if new_provider.id == stage.provider_id:
        raise ServiceError(_("Choose another provider."), field="provider_id")
    if planned_start < end_on and stage.status is StageStatus.LOPEND:
        raise ServiceError(_("The new stage starts after the current one ends."),
                           field="planned_start")
    if stage.status is StageStatus.GEPLAND:
        end_status = StageStatus.AFGEBROKEN
    reason = TRANSFER_REASON + (f": {_text(note)}" if _text(note) else "")
    end_stage(stage, status=end_status, actual_end=end_on, reason=reason, version=None)
    return propose_stage(
        stage.candidate, provider=new_provider, kind=stage.kind, planned_start=planned_start,
        planned_end=planned_end, actor=actor, level=stage.level,
        hours_per_week=stage.hours_per_week, permanent=stage.permanent,
        job_title=stage.job_title, hours=stage.hours, answer_due=answer_due, note=note,
        previous_stage=stage, via_transfer=True)


# ------------------------------------------------------------------ lookups

def stages_of(candidate_id: int, user: Any) -> list[Stage]:
    """The candidate's stages the user may see, oldest first, in one query."""
    return list(db.session.scalars(
        sa.select(Stage)
        .where(Stage.candidate_id == candidate_id, Stage.scope_filter(user))
        .options(so.joinedload(Stage.provider), so.joinedload(Stage.offer_item),
                 by_name(Stage.responsible_user))
        .order_by(Stage.planned_start, Stage.id)))


def all_stages_of(candidate_id: int) -> list[Stage]:
    """Every stage of the candidate, whoever asks: for valuing, never for showing."""
    return list(db.session.scalars(
        sa.select(Stage).where(Stage.candidate_id == candidate_id)
        .options(so.joinedload(Stage.provider)).order_by(Stage.planned_start, Stage.id)))
