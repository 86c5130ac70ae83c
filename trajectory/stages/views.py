"""Stage pages (/trajecten): propose, answer, start, end, outcome, care choice, transfer,
the stage page and the task lists.

Load through the scope (404 outside it), check who may act (403), let a
service change things, commit once. Every page that shows a candidate's stage
writes a processing-log line about that candidate.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from trajectory.audit.rendering import show_subjects
from trajectory.audit.trail import log_processing
from trajectory.auth.access import allow, get_in_scope, require
from trajectory.auth.models import User, UserRole, by_name
from trajectory.auth.roles import Role
from trajectory.auth.views import safe_next
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _apply_error
from trajectory.i18n import day
from trajectory.i18n import hours as format_hours
from trajectory.organisations.models import Organisation
from trajectory.providers.models import (
    OfferItem,
    Vacancy,
    VacancyStatus,
    provider_filter,
)
from trajectory.services import ServiceError
from trajectory.stages import facts, filters, hooks, services, tasks
from trajectory.stages import scope as rules
from trajectory.stages.forms import (
    AnswerForm,
    CareForm,
    ChooseKindForm,
    EditForm,
    EndForm,
    OutcomeForm,
    ProposeForm,
    StartForm,
    TransferForm,
    int_or_none,
    show_outcome_fields,
    show_plan_fields,
    show_planned_end,
    yes_no,
)
from trajectory.stages.models import (
    CareChoice,
    ContractType,
    Stage,
    StageKind,
    StageStatus,
)
from trajectory.stages.timeline import layout, render_svg
from trajectory.stages.valuation import value_of
from trajectory.timeutil import today
from trajectory.ui import page_number, register_nav

bp = Blueprint("stages", __name__, url_prefix="/trajecten")

READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR)
WORKERS = (Role.KLANTMANAGER, Role.INTAKER)

register_nav("stages.worklist", _l("Task list"), set(WORKERS), order=20)


# ------------------------------------------------------------------ helpers

def load_stage(stage_id: int, options: tuple[Any, ...] = ()) -> Stage:
    return get_in_scope(Stage, stage_id, options=options)


def _detail_options() -> tuple[Any, ...]:
    """What the stage page shows of the stage, loaded with it in one query: the person,
    the provider, the offer and the vacancy, the stage it follows, and the people named
    (by name only: ``by_name``) instead of a query for each when the template asks."""
    named = (Stage.responsible_user, Stage.proposed_by, Stage.answered_by,
             Stage.outcome_recorded_by, Stage.care_decided_by, Stage.outcome_handled_by)
    return (so.joinedload(Stage.candidate), so.joinedload(Stage.provider),
            so.joinedload(Stage.offer_item), so.joinedload(Stage.vacancy),
            so.joinedload(Stage.previous_stage).options(
                so.joinedload(Stage.provider), so.joinedload(Stage.offer_item)),
            *(by_name(relationship) for relationship in named))


def log_stage_view(stage: Stage, action: str = "view") -> None:
    log_processing(action, "Stage", stage.id, subject=("Candidate", stage.candidate_id),
                   categories=("leerlijn",))


def _save(form, stage: Stage | None, action) -> bool:
    """Run ``action`` (a service call); commit, or roll back and show the error on the form.
    A conflict (someone else saved first) refreshes the stage and the form's version."""
    try:
        action()
        db.session.commit()
    except services.ConflictError as error:
        db.session.rollback()
        _conflict(form, stage, error.message)
        return False
    except StaleDataError:
        db.session.rollback()
        _conflict(form, stage, services.ConflictError().message)
        return False
    except ServiceError as error:
        db.session.rollback()
        _apply_error(form, error)
        return False
    return True


def _conflict(form, stage: Stage | None, message: str) -> None:
    flash(message, "error")
    if stage is not None:
        db.session.refresh(stage)
        if hasattr(form, "version"):
            form.version.data = str(stage.version)
            form.version.raw_data = [str(stage.version)]


def _version(form) -> int | None:
    return int_or_none(form.version.data)


def _provider(provider_id: Any) -> Organisation | None:
    value = int_or_none(provider_id)
    if value is None:
        return None
    return db.session.scalar(sa.select(Organisation).where(Organisation.id == value,
                                                           provider_filter()))


def _provider_choices(exclude: int | None = None) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(provider_filter(), Organisation.active.is_(True)).order_by(Organisation.name)).all()
    return [SelectChoice("", _("Choose a provider")),
            *[SelectChoice(str(i), name) for i, name in rows if i != exclude]]


def _offer_choices(kind: StageKind, provider: Organisation | None) -> list[SelectChoice]:
    """The places a stage of ``kind`` at ``provider`` may use, each once, under the
    provider's name: those ``services.offer_item_problem`` finds nothing against (one query).
    Without a provider (a post that lost it) every active provider's fitting places."""
    stmt = (sa.select(OfferItem, Organisation)
            .join(Organisation, Organisation.id == OfferItem.organisation_id)
            .where(Organisation.active.is_(True))
            .order_by(Organisation.name, OfferItem.offer_type, OfferItem.title, OfferItem.id))
    if provider is not None:
        stmt = stmt.where(OfferItem.organisation_id == provider.id)
    choices = [SelectChoice("", _("No particular place"))]
    for item, owner in db.session.execute(stmt).all():
        if services.offer_item_problem(provider or owner, kind, item):
            continue
        level = _("level %(n)d", n=item.level) if item.level else None
        text = f"{item.type_label}: {item.title}" + (f" ({level})" if level else "")
        choices.append(SelectChoice(str(item.id), text, optgroup=owner.name))
    return choices


def _vacancy_choices(provider_id: int | None = None, keep: int | None = None) -> list[SelectChoice]:
    stmt = (sa.select(Vacancy, Organisation.name)
            .join(Organisation, Organisation.id == Vacancy.organisation_id)
            .where(sa.or_(Vacancy.status == VacancyStatus.OPEN, Vacancy.id == (keep or -1)))
            .order_by(Organisation.name, Vacancy.title))
    if provider_id is not None:
        stmt = stmt.where(Vacancy.organisation_id == provider_id)
    choices = [SelectChoice("", _("No vacancy"))]
    for vacancy, name in db.session.execute(stmt).all():
        hours = format_hours(vacancy.hours_per_week)
        choices.append(SelectChoice(str(vacancy.id), _("%(title)s, %(hours)s hours a week",
                                                       title=vacancy.title, hours=hours),
                                    optgroup=name))
    return choices


def _responsible_choices(provider_id: int) -> list[SelectChoice]:
    users = db.session.scalars(
        sa.select(User).where(User.organisation_id == provider_id, User.active.is_(True),
                              User.id.in_(sa.select(UserRole.user_id).where(
                                  UserRole.role.in_((Role.INTAKER, Role.BUDDY)))))
        .order_by(User.full_name)).all()
    return [SelectChoice("", _("Nobody chosen")),
            *[SelectChoice(str(u.id), u.full_name) for u in users]]


def _responsible_user(stage_provider_id: int, value: Any) -> User | None:
    user_id = int_or_none(value)
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != stage_provider_id:
        raise ServiceError(_("Choose someone of the provider."), field="responsible_user_id")
    return user


def _offer_item(value: Any) -> OfferItem | None:
    """The place picked (the service checks it fits); a value that is no place is refused."""
    if value in (None, ""):
        return None
    item_id = int_or_none(value)
    item = db.session.get(OfferItem, item_id) if item_id else None
    if item is None:
        raise ServiceError(_("Choose a place from the list."), field="offer_item_id")
    return item


def _vacancy(value: Any) -> Vacancy | None:
    vacancy_id = int_or_none(value)
    return db.session.get(Vacancy, vacancy_id) if vacancy_id else None


def _kind_values(form) -> dict[str, Any]:
    return {"level": int_or_none(form.level.data), "hours": form.hours.data,
            "hours_per_week": form.hours_per_week.data, "job_title": form.job_title.data,
            "permanent": bool(form.permanent.data)}


def _back(stage: Stage):
    return redirect(url_for("stages.detail", stage_id=stage.id))


# ------------------------------------------------------------------ task lists

@bp.route("/werkvoorraad")
@allow(*WORKERS)
def worklist():
    """The intaker's and the klantmanager's task list: what needs doing about stages, every
    section with its first tasks; ``?sectie=<key>`` pages through one section."""
    chosen = tasks.SECTION_KEYS.get(request.args.get("sectie") or "")
    page = None
    if chosen is not None and chosen in tasks.sections_for(current_user):
        page = tasks.section_page(current_user, chosen, page_number())
        lists = [tasks.TaskList(chosen, list(page.items), page.total or 0)]
    else:
        lists = tasks.task_lists(current_user)
    show_subjects({t.stage.candidate_id for tl in lists for t in tl.tasks},
                  object_type="Stage", categories=("naam", "leerlijn"))
    return render_template("stages/worklist.html", lists=lists, today=today(), page=page)


@bp.route("/<int:stage_id>/afgehandeld", methods=["POST"])
@allow(Role.KLANTMANAGER)
def mark_handled(stage_id: int):
    """The hand-over task "act on this outcome" is done without a next stage from it."""
    stage = load_stage(stage_id)
    require(tasks.can_mark_handled(current_user, stage))
    back = safe_next(request.form.get("next")) or url_for("stages.worklist")
    section = tasks.open_handover(stage)
    if section is None:
        flash(_("There is nothing to handle for this stage."), "info")
        return redirect(back)
    version = int_or_none(request.form.get("version"))
    try:
        services.mark_outcome_handled(stage, actor=current_user, version=version)
        db.session.commit()
    except (ServiceError, StaleDataError) as error:
        db.session.rollback()
        flash(error.message if isinstance(error, ServiceError)
              else services.ConflictError().message, "error")
        return redirect(back)
    flash(_("Marked handled: %(task)s (%(name)s).", task=section.todo,
            name=stage.candidate.full_name), "success")
    return redirect(back)


# ------------------------------------------------------------------ one stage

@bp.route("/<int:stage_id>")
@allow(*READERS)
def detail(stage_id: int):
    stage = load_stage(stage_id, _detail_options())
    # The value never depends on who looks: every stage of the candidate takes part.
    value = value_of(stage)
    follow_ups = [s for s in services.stages_of(stage.candidate_id, current_user)
                  if s.previous_stage_id == stage.id]
    log_stage_view(stage)
    html = render_template(
        "stages/detail.html", stage=stage, value=value, follow_ups=follow_ups,
        differences=facts.plan_differences(stage), **_labour_of(stage, value),
        candidate_visible=db.session.scalar(
            sa.select(Candidate.id).where(Candidate.id == stage.candidate_id,
                                          Candidate.scope_filter(current_user))) is not None,
        can_run=rules.can_run(current_user, stage), can_edit=rules.can_edit(current_user, stage),
        can_transfer=rules.can_transfer(current_user, stage),
        can_propose=rules.can_propose(current_user, stage.candidate),
        handover_task=(tasks.open_handover(stage)
                  if tasks.can_mark_handled(current_user, stage) else None))
    db.session.commit()
    return html


def _log_candidate_view(candidate: Candidate) -> None:
    log_processing("view", "Candidate", candidate.id, subject=("Candidate", candidate.id),
                   categories=("naam",))


def _kind(value: Any) -> StageKind | None:
    try:
        return StageKind(value) if value else None
    except ValueError:
        return None


def _labour_of(stage: Stage, value) -> dict[str, Any]:
    """The stage's labour lines (claims) for those who follow Social Return, and whether the
    provider's intaker can submit it now; links only to claims in the user's scope."""
    from trajectory.labour.lines import labour_claims
    from trajectory.labour.services import CLAIMABLE_STATUSES
    from trajectory.valuation.models import Claim

    if not current_user.has_role(Role.SROI_ADVISEUR, Role.COORDINATOR, Role.KLANTMANAGER,
                                 Role.INTAKER):
        return {"labour_claims": [], "labour_links": set(), "can_claim": False}
    claims = labour_claims([stage.candidate_id]).get(stage.id, [])
    links = set(db.session.scalars(sa.select(Claim.id).where(
        Claim.id.in_([c.id for c in claims]), Claim.scope_filter(current_user)))) if claims \
        else set()
    can_claim = (rules.can_run(current_user, stage) and value.contract_id is not None
                 and stage.status in CLAIMABLE_STATUSES and bool(value.value))
    return {"labour_claims": claims, "labour_links": links, "can_claim": can_claim}


@bp.route("/kandidaat/<int:candidate_id>/nieuw", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def propose(candidate_id: int):
    """The hand-over: the klantmanager proposes a stage at a provider. First the kind
    (``?soort=``), then the form with that kind's fields."""
    candidate = get_in_scope(Candidate, candidate_id)
    require(rules.can_propose(current_user, candidate))
    form = ProposeForm()
    previous = None
    previous_id = int_or_none(form.previous_stage_id.data or request.args.get("na"))
    if previous_id:
        previous = db.session.scalar(sa.select(Stage).where(
            Stage.id == previous_id, Stage.candidate_id == candidate.id,
            Stage.scope_filter(current_user)))
        if previous is None:
            abort(404)
    posted = request.method == "POST"
    kind = _kind(form.kind.data if posted else request.args.get("soort"))
    provider = _provider(form.provider_id.data if posted else request.args.get("aanbieder"))
    if kind is None or (not posted and (provider is None or not provider.active)):
        choose = ChooseKindForm(request.args)
        choose.aanbieder.choices = _provider_choices()
        if posted or "soort" in request.args or "verder" in request.args:
            choose.validate()
        _log_candidate_view(candidate)
        return render_template("stages/propose.html", choose=choose, candidate=candidate,
                               previous=previous, provider=request.args.get("aanbieder"))
    # The provider comes from step one, so the places listed are its own that fit the kind:
    # a place that would be refused is never offered (services.offer_item_problem).
    form.provider_id.choices = _provider_choices()
    form.offer_item_id.choices = _offer_choices(kind, provider)
    form.vacancy_id.choices = _vacancy_choices(provider.id if provider else None)
    plan_fields = show_plan_fields(form, kind)
    if request.method == "GET" and not form.kept:
        form.kind.data = kind.value
        form.provider_id.data = str(provider.id)
        form.previous_stage_id.data = str(previous.id) if previous else ""
        form.answer_due.data = services.default_answer_due()
        form.planned_start.data = today() + timedelta(days=14)
    if form.validate_on_submit():
        created: list[Stage] = []

        def action() -> None:
            created.append(services.propose_stage(
                candidate, provider=_provider(form.provider_id.data), kind=kind,
                planned_start=form.planned_start.data, planned_end=form.planned_end.data,
                actor=current_user, answer_due=form.answer_due.data, note=form.note.data,
                care_client=bool(form.care_client.data),
                offer_item=_offer_item(form.offer_item_id.data),
                vacancy=_vacancy(form.vacancy_id.data) if kind.spec.fills_vacancy else None,
                previous_stage=previous, **_kind_values(form)))

        if _save(form, None, action):
            stage = created[0]
            flash(_("The stage has been proposed to %(provider)s. They answer by %(date)s.",
                    provider=stage.provider.name, date=day(stage.answer_due)),
                  "success")
            return _back(stage)
    _log_candidate_view(candidate)
    return render_template("stages/propose.html", form=form, kind=kind, plan_fields=plan_fields,
                           candidate=candidate, previous=previous,
                           chosen_provider=provider if provider and provider.active else None,
                           provider=str(provider.id) if provider else None)


@bp.route("/<int:stage_id>/beantwoorden", methods=["GET", "POST"])
@allow(Role.INTAKER)
def answer(stage_id: int):
    stage = load_stage(stage_id)
    require(rules.can_run(current_user, stage))
    if stage.status is not StageStatus.VOORGESTELD and request.method == "GET":
        flash(_("This stage is not waiting for an answer."), "warning")
        return _back(stage)
    form = AnswerForm()
    form.responsible_user_id.choices = _responsible_choices(stage.provider_id)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.responsible_user_id.data = str(current_user.id)
    if form.validate_on_submit():
        accept = form.decision.data == "accept"

        def action() -> None:
            services.answer_stage(
                stage, accept=accept, actor=current_user, version=_version(form),
                responsible_user=_responsible_user(stage.provider_id,
                                                   form.responsible_user_id.data),
                responsible_name=form.responsible_name.data, reason=form.reason.data)

        if _save(form, stage, action):
            flash(_("You accepted the stage. Responsible person: %(name)s.",
                    name=stage.responsible or _("nobody chosen")) if accept
                  else _("You declined the stage."), "success")
            return _back(stage)
    log_stage_view(stage)
    db.session.commit()
    return render_template("stages/answer.html", form=form, stage=stage)


@bp.route("/<int:stage_id>/starten", methods=["GET", "POST"])
@allow(Role.INTAKER)
def start(stage_id: int):
    stage = load_stage(stage_id)
    require(rules.can_run(current_user, stage))
    form = StartForm()
    if request.method == "GET" and stage.status is not StageStatus.GEPLAND:
        flash(_("Only a planned stage can start."), "warning")
        return _back(stage)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.actual_start.data = min(stage.planned_start, today())
    if form.validate_on_submit() and _save(form, stage, lambda: services.start_stage(
            stage, actual_start=form.actual_start.data, version=_version(form))):
        flash(_("The stage has started."), "success")
        return _back(stage)
    return render_template("stages/action.html", form=form, stage=stage,
                           title=_("Record the start"), fields=["actual_start"],
                           submit=_("Start the stage"))


@bp.route("/<int:stage_id>/beeindigen", methods=["GET", "POST"])
@allow(Role.INTAKER)
def end(stage_id: int):
    stage = load_stage(stage_id)
    require(rules.can_run(current_user, stage))
    form = EndForm()
    if request.method == "GET" and stage.status not in (StageStatus.GEPLAND,
                                                        StageStatus.LOPEND):
        flash(_("Only a planned or running stage can end."), "warning")
        return _back(stage)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.actual_end.data = min(stage.planned_end or today(), today())
        if stage.status is StageStatus.GEPLAND:
            form.status.data = StageStatus.AFGEBROKEN.value
    if form.validate_on_submit() and _save(form, stage, lambda: services.end_stage(
            stage, status=StageStatus(form.status.data), actual_end=form.actual_end.data,
            reason=form.reason.data, version=_version(form))):
        flash(_("The end of the stage has been recorded."), "success")
        return _back(stage)
    return render_template("stages/action.html", form=form, stage=stage,
                           title=_("Record the end"), fields=["status", "actual_end", "reason"],
                           submit=_("Save"))


def _outcome_defaults(form, stage: Stage, fields: list[str]) -> None:
    """What the outcome form proposes for a field not recorded yet."""
    if "next_step_decided_on" in fields and not stage.next_step_decided_on:
        form.next_step_decided_on.data = today()
    if "agreed_end" in fields and not stage.agreed_end:
        form.agreed_end.data = stage.planned_end  # the planned end is the agreement
    if "contract_type" in fields and not stage.contract_type:
        form.contract_hours.data = stage.hours_per_week
        form.contract_start.data = stage.start
        form.contract_type.data = (ContractType.PERMANENT.value if stage.permanent
                                   else ContractType.TEMPORARY.value)


@bp.route("/<int:stage_id>/uitkomst", methods=["GET", "POST"])
@allow(Role.INTAKER)
def outcome(stage_id: int):
    stage = load_stage(stage_id)
    require(rules.can_run(current_user, stage))
    form = OutcomeForm(obj=stage if request.method == "GET" else None)
    fields = show_outcome_fields(form, stage.kind)
    if request.method == "GET" and stage.status not in (
            StageStatus.LOPEND, StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
        flash(_("An outcome is recorded once the stage is running or has ended."), "warning")
        return _back(stage)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.suitable_for_care.data = {True: "ja", False: "nee"}.get(stage.suitable_for_care)
        form.diploma.data = {True: "ja", False: "nee"}.get(stage.diploma)
        form.suitable_level.data = str(stage.suitable_level) if stage.suitable_level else ""
        form.contract_type.data = stage.contract_type.value if stage.contract_type else None
        _outcome_defaults(form, stage, fields)
    if form.validate_on_submit():
        def action() -> None:
            services.record_outcome(
                stage, actor=current_user, version=_version(form),
                suitable_for_care=yes_no(form.suitable_for_care.data),
                suitable_level=int_or_none(form.suitable_level.data),
                suitable_function=form.suitable_function.data,
                next_step_decision=form.next_step_decision.data,
                next_step_decided_on=form.next_step_decided_on.data,
                agreed_end=form.agreed_end.data,
                diploma=yes_no(form.diploma.data),
                contract_type=(ContractType(form.contract_type.data)
                               if form.contract_type.data else None),
                contract_hours=form.contract_hours.data, contract_start=form.contract_start.data,
                outcome_note=form.outcome_note.data)

        if _save(form, stage, action):
            flash(_("The outcome has been recorded."), "success")
            return _back(stage)
    log_stage_view(stage)
    db.session.commit()
    return render_template("stages/action.html", form=form, stage=stage,
                           title=_("Record the outcome"), fields=fields,
                           submit=_("Save the outcome"))


@bp.route("/<int:stage_id>/bewerken", methods=["GET", "POST"])
@allow(*WORKERS)
def edit(stage_id: int):
    stage = load_stage(stage_id)
    require(rules.can_edit(current_user, stage))
    if not stage.is_open and request.method == "GET":
        flash(_("This stage has ended; its plan can no longer change."), "warning")
        return _back(stage)
    form = EditForm(obj=stage if request.method == "GET" else None)
    form.responsible_user_id.choices = _responsible_choices(stage.provider_id)
    form.offer_item_id.choices = _offer_choices(stage.kind, stage.provider)
    form.vacancy_id.choices = _vacancy_choices(stage.provider_id, keep=stage.vacancy_id)
    plan_fields = show_plan_fields(form, stage.kind)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.level.data = str(stage.level) if stage.level else ""
        form.responsible_user_id.data = str(stage.responsible_user_id or "")
        form.offer_item_id.data = str(stage.offer_item_id or "")
        form.vacancy_id.data = str(stage.vacancy_id or "")
    if form.validate_on_submit():
        def action() -> None:
            services.update_stage(
                stage, version=_version(form), planned_start=form.planned_start.data,
                planned_end=form.planned_end.data,
                responsible_user=_responsible_user(stage.provider_id,
                                                   form.responsible_user_id.data),
                responsible_name=form.responsible_name.data,
                offer_item=_offer_item(form.offer_item_id.data),
                vacancy=(_vacancy(form.vacancy_id.data) if stage.kind.spec.fills_vacancy
                         else None),
                note=form.note.data, **_kind_values(form))

        if _save(form, stage, action):
            flash(_("The stage has been saved."), "success")
            return _back(stage)
    log_stage_view(stage)
    db.session.commit()
    return render_template("stages/edit.html", form=form, stage=stage, plan_fields=plan_fields)


@bp.route("/<int:stage_id>/zorg", methods=["GET", "POST"])
@allow(*WORKERS)
def care(stage_id: int):
    """Care-client overlap: record whether the stage is Social Return or care, and why."""
    stage = load_stage(stage_id)
    require(rules.can_edit(current_user, stage))
    form = CareForm(obj=stage if request.method == "GET" else None)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.care_choice.data = stage.care_choice.value if stage.care_choice else None
    if form.validate_on_submit():
        def action() -> None:
            services.record_care_choice(
                stage, care_client=bool(form.care_client.data),
                choice=CareChoice(form.care_choice.data) if form.care_choice.data else None,
                reason=form.care_reason.data, actor=current_user, version=_version(form))

        if _save(form, stage, action):
            flash(_("The choice has been recorded."), "success")
            return _back(stage)
    log_stage_view(stage)
    db.session.commit()
    return render_template("stages/action.html", form=form, stage=stage,
                           title=_("Care client of this provider?"),
                           intro=_("Support given as care, paid through the contract, is not "
                                   "Social Return. When the candidate is a care client of this "
                                   "provider, record whether this stage counts as Social Return "
                                   "or as care, and why. A stage recorded as care is never "
                                   "valued."),
                           fields=["care_client", "care_choice", "care_reason"],
                           submit=_("Save the choice"))


@bp.route("/<int:stage_id>/doorplaatsen", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def transfer(stage_id: int):
    """Doorplaatsing: end this stage and propose the same kind at another provider."""
    stage = load_stage(stage_id)
    require(rules.can_transfer(current_user, stage))
    if stage.status not in (StageStatus.GEPLAND, StageStatus.LOPEND) and request.method == "GET":
        flash(_("Only a planned or running stage can be transferred."), "warning")
        return _back(stage)
    form = TransferForm()
    form.provider_id.choices = _provider_choices(exclude=stage.provider_id)
    show_planned_end(form, stage.kind)
    if request.method == "GET" and not form.kept:
        form.version.data = str(stage.version)
        form.end_on.data = today()
        form.end_status.data = StageStatus.AFGEROND.value
        form.planned_start.data = today() + timedelta(days=1)
        if stage.planned_end and stage.planned_end > today() + timedelta(days=1):
            form.planned_end.data = stage.planned_end
        form.answer_due.data = services.default_answer_due()
    if form.validate_on_submit():
        created: list[Stage] = []

        def action() -> None:
            created.append(services.transfer_stage(
                stage, new_provider=_provider(form.provider_id.data), end_on=form.end_on.data,
                end_status=StageStatus(form.end_status.data),
                planned_start=form.planned_start.data, planned_end=form.planned_end.data,
                actor=current_user, version=_version(form), note=form.note.data,
                answer_due=form.answer_due.data))

        if _save(form, stage, action):
            new = created[0]
            flash(_("The stage has been ended and proposed to %(provider)s.",
                    provider=new.provider.name), "success")
            return _back(new)
    log_stage_view(stage)
    db.session.commit()
    return render_template("stages/action.html", form=form, stage=stage,
                           title=_("Transfer to another provider"),
                           intro=_("The current stage ends with the reason “doorplaatsing” and "
                                   "the same kind of stage is proposed to the new provider, "
                                   "linked to this one. The history stays."),
                           fields=["provider_id", "end_on", "end_status", "planned_start",
                                   "planned_end", "answer_due", "note"],
                           submit=_("Transfer"))


# ------------------------------------------------------------------ the candidate file

@bp.app_template_global("learning_line")
def learning_line(candidate: Candidate) -> dict[str, Any]:
    """What the learning-line partial on the candidate file shows: the stages this user may
    see, the timeline SVG and whether they may propose a stage (one query)."""
    stages = services.stages_of(candidate.id, current_user)
    timeline = layout(stages, today())
    svg = (render_svg(timeline, f"leerlijn-{candidate.id}",
                      _("Learning line of %(name)s", name=candidate.full_name))
           if timeline else None)
    return {"stages": stages, "svg": svg, "can_propose": rules.can_propose(current_user, candidate)}


@bp.app_template_global("stage_filters")
def stage_filters():
    """The stage filters of the candidate list (``stages/_candidate_filters.html``)."""
    return filters.stage_filter_form()


hooks.install()
