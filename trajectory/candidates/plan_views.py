"""The personal plan pages: read, edit (texts and lists), agree, versions, Mijn plan.

Editing works without JavaScript: one form for the text sections and small
forms per goal, step, barrier and training. The klantmanager and the intaker of a
provider working with the candidate write the plan (``Visible.plan_edit``); only
the klantmanager agrees it. Saves make one version per editing session
(trajectory.candidates.plan_versions); a save on a stale ``lock_version`` gets
the conflict page (409), which shows the saved text beside the user's own input
and lets them save on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from trajectory import confirm
from trajectory import exports as kit
from trajectory.auth.access import allow, require
from trajectory.auth.roles import Role
from trajectory.candidates import mijn_plan, services
from trajectory.candidates.forms import (
    AgreeForm,
    BarrierForm,
    GoalForm,
    LockForm,
    PlanTextForm,
    StepForm,
    TrainingForm,
)
from trajectory.candidates.models import Barrier, Candidate, Goal, GoalStep, Plan, Training
from trajectory.candidates.pdf import render_pdf
from trajectory.candidates.plan_text import (
    SECTION_TITLES,
    TEXT_SECTIONS,
    compare,
    readable,
    section_lines,
    snapshot,
    summary_label,
)
from trajectory.candidates.plan_versions import EDIT_SESSION_GAP, changes_since_agreement
from trajectory.candidates.services import PlanConflict
from trajectory.candidates.views import (
    PLAN_READERS,
    apply_service_error,
    bp,
    load_candidate,
    load_for_edit,
    log_view,
)
from trajectory.extensions import db
from trajectory.i18n import day
from trajectory.security import keep_post_body, take_kept_post
from trajectory.services import ServiceError
from trajectory.timeutil import today


@dataclass(frozen=True)
class ItemKind:
    model: type
    form: type[FlaskForm]
    fields: tuple[str, ...]
    new_title: Any
    edit_title: Any
    noun: Any


KINDS: dict[str, ItemKind] = {
    "doelen": ItemKind(Goal, GoalForm, ("description", "target_date", "status"),
                       _l("Add a goal"), _l("Edit goal"), _l("goal")),
    "stappen": ItemKind(GoalStep, StepForm, ("description", "who", "due_date", "done"),
                        _l("Add a step"), _l("Edit step"), _l("step")),
    "belemmeringen": ItemKind(Barrier, BarrierForm,
                              ("category", "description", "severity", "solvable",
                               "possible_despite", "taken_up_by", "status"),
                              _l("Add a barrier"), _l("Edit barrier"), _l("barrier")),
    "opleidingen": ItemKind(Training, TrainingForm,
                            ("name", "provider", "start_date", "end_date", "status",
                             "certificate"),
                            _l("Add a training"), _l("Edit training"), _l("training")),
}

# What the klantmanager typed survives an idle logout (trajectory/security.py).
keep_post_body("candidates.plan_edit", ("lock_version", *TEXT_SECTIONS))
for _endpoint in ("candidates.plan_item_new", "candidates.plan_step_new",
                  "candidates.plan_item_edit"):
    keep_post_body(_endpoint, ("lock_version",
                               *sorted({name for k in KINDS.values() for name in k.fields})))


def _kept_form(form_class: type[FlaskForm], **kwargs: Any) -> tuple[FlaskForm, bool]:
    """The form, filled with what was typed before an idle logout if there is such input."""
    kept = take_kept_post(current_user.id) if request.method == "GET" else None
    if kept is None:
        return form_class(**kwargs), False
    flash(_("You were logged out while you were typing. What you typed is still here: "
            "check it and save it."), "warning")
    return form_class(formdata=MultiDict(kept), **kwargs), True


def _plan_of(candidate: Candidate) -> Plan:
    if candidate.plan is None:  # registered before plans existed; not expected
        candidate.plan = Plan(wishes="", skills="", needs="", agreements="")
        db.session.flush()
    return candidate.plan


def _load_plan(candidate_id: int) -> tuple[Candidate, Any, Plan]:
    """Candidate in scope (404), plan visible to this user (403), and the plan."""
    candidate, view = load_candidate(candidate_id)
    require(view.plan)
    return candidate, view, _plan_of(candidate)


# The klantmanager and the intaker of a provider working with the candidate
# (trajectory.candidates.need_to_know, ``plan_edit``).
PLAN_WRITERS = (Role.KLANTMANAGER, Role.INTAKER)


def _load_for_writing(candidate_id: int) -> tuple[Candidate, Any, Plan]:
    """Candidate in scope (404), allowed to change the plan's content (403), the plan."""
    candidate, view = load_candidate(candidate_id)
    require(view.plan_edit)
    return candidate, view, _plan_of(candidate)


def _item(candidate: Candidate, kind: str, item_id: int) -> Any:
    model = KINDS[kind].model
    item = db.session.scalars(sa.select(model).where(
        model.id == item_id, model.candidate_id == candidate.id)).first()
    if item is None:
        abort(404)
    return item


def _sent_lock() -> str | None:
    """The lock the browser sent; not ``form.lock_version.data``, which a form built
    with ``obj=plan`` fills from the plan itself when the field is missing."""
    return request.form.get("lock_version")


def _values(kind: str, form: FlaskForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in KINDS[kind].fields}


def _display(field, value: Any) -> str:
    """A value as the form shows it (choice labels, Dutch dates, yes/no)."""
    if value is None or value == "":
        return "–"
    if hasattr(field, "iter_choices"):
        for choice in field.iter_choices():
            if str(choice[0]) == str(getattr(value, "value", value)):
                return str(choice[1])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "isoformat"):
        return day(value)
    return str(value)


def _conflict(candidate: Candidate, form: FlaskForm, obj: Any, *, action: str, title: str,
              kind: str | None = None):
    """The plan moved on under the user: both versions side by side, input kept."""
    db.session.rollback()
    plan = _plan_of(candidate)
    rows = []
    for field in form:
        if field.name in ("csrf_token", "lock_version"):
            continue
        theirs = getattr(obj, field.name, None)
        rows.append({"label": field.label.text, "theirs": _display(field, theirs),
                     "yours": _display(field, field.data),
                     "long": field.type == "TextAreaField",
                     "same": _display(field, theirs) == _display(field, field.data)})
    form.lock_version.data = str(plan.lock_version)
    return render_template("candidates/plan_conflict.html", candidate=candidate, form=form,
                           rows=rows, latest=plan.latest_version, action=action, title=title,
                           kind=kind), 409


# ------------------------------------------------------------------ read

@bp.route("/<int:candidate_id>/plan")
@allow(*PLAN_READERS)
def plan(candidate_id: int):
    candidate, view, plan = _load_plan(candidate_id)
    log_view(candidate, view, "Plan", plan.id)
    html = render_template("candidates/plan.html", candidate=candidate, plan=plan, view=view,
                           content=readable(snapshot(plan)), summary_label=summary_label,
                           changes=changes_since_agreement(plan))
    return html


@bp.route("/<int:candidate_id>/plan/versies")
@allow(*PLAN_READERS)
def plan_versions(candidate_id: int):
    candidate, view, plan = _load_plan(candidate_id)
    log_view(candidate, view, "Plan", plan.id)
    html = render_template("candidates/plan_versions.html", candidate=candidate, plan=plan,
                           versions=list(reversed(plan.versions)), summary_label=summary_label,
                           session_minutes=EDIT_SESSION_GAP // timedelta(minutes=1))
    return html


@bp.route("/<int:candidate_id>/plan/versies/<int:number>")
@allow(*PLAN_READERS)
def plan_version(candidate_id: int, number: int):
    candidate, view, plan = _load_plan(candidate_id)
    version = next((v for v in plan.versions if v.number == number), None)
    if version is None:
        abort(404)
    log_view(candidate, view, "PlanVersion", version.id)
    html = render_template("candidates/plan_version.html", candidate=candidate, plan=plan,
                           version=version, content=readable(version.snapshot),
                           summary_label=summary_label)
    return html


@bp.route("/<int:candidate_id>/plan/vergelijken")
@allow(*PLAN_READERS)
def plan_compare(candidate_id: int):
    """Two versions, line by line per section (default: the newest against the one before)."""
    candidate, view, plan = _load_plan(candidate_id)
    by_number = {v.number: v for v in plan.versions}
    if len(by_number) < 2:
        flash(_("There are fewer than two versions to compare."), "info")
        return redirect(url_for("candidates.plan_versions", candidate_id=candidate.id))
    new_number = request.args.get("naar", type=int) or plan.current_number
    old_number = request.args.get("van", type=int) or new_number - 1
    if old_number not in by_number or new_number not in by_number:
        abort(404)
    old, new = by_number[old_number], by_number[new_number]
    log_view(candidate, view, "Plan", plan.id)
    html = render_template("candidates/plan_compare.html", candidate=candidate, plan=plan,
                           old=old, new=new, sections=compare(old.snapshot, new.snapshot),
                           versions=list(reversed(plan.versions)), summary_label=summary_label)
    return html


# ------------------------------------------------------------------ edit

@bp.route("/<int:candidate_id>/plan/bewerken", methods=["GET", "POST"])
@allow(*PLAN_WRITERS)
def plan_edit(candidate_id: int):
    candidate, view, plan = _load_for_writing(candidate_id)
    form, kept = _kept_form(PlanTextForm, obj=plan)
    if request.method == "GET":
        if not kept:
            form.lock_version.data = str(plan.lock_version)
        log_view(candidate, view, "Plan", plan.id)
    if form.validate_on_submit():
        texts = {name: getattr(form, name).data for name in TEXT_SECTIONS}
        try:
            version = services.save_plan_texts(current_user, plan, texts, _sent_lock())
        except PlanConflict:
            return _conflict(candidate, form, plan,
                             action=url_for("candidates.plan_edit", candidate_id=candidate.id),
                             title=_("Edit the plan"))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            if version is None:
                flash(_("Nothing was changed."), "info")
            else:
                flash(_("The plan has been saved as version %(number)d.", number=version.number),
                      "success")
            return redirect(url_for("candidates.plan_edit", candidate_id=candidate.id))
    return render_template("candidates/plan_edit.html", candidate=candidate, plan=plan, form=form,
                           content=readable(snapshot(plan)), remove_form=LockForm(),
                           lock=plan.lock_version, view=view,
                           changes=changes_since_agreement(plan))


def _item_page(candidate: Candidate, kind: str, form: FlaskForm, *, title: str, goal=None,
               item=None):
    return render_template("candidates/plan_item.html", candidate=candidate, kind=kind,
                           form=form, title=title, goal=goal, item=item)


@bp.route("/<int:candidate_id>/plan/<any(doelen, belemmeringen, opleidingen):kind>/nieuw",
          methods=["GET", "POST"])
@allow(*PLAN_WRITERS)
def plan_item_new(candidate_id: int, kind: str):
    return _add_item(candidate_id, kind, goal_id=None)


@bp.route("/<int:candidate_id>/plan/doelen/<int:goal_id>/stappen/nieuw", methods=["GET", "POST"])
@allow(*PLAN_WRITERS)
def plan_step_new(candidate_id: int, goal_id: int):
    return _add_item(candidate_id, "stappen", goal_id=goal_id)


def _add_item(candidate_id: int, kind: str, goal_id: int | None):
    candidate, _view, plan = _load_for_writing(candidate_id)
    goal = _item(candidate, "doelen", goal_id) if goal_id is not None else None
    form, _kept = _kept_form(KINDS[kind].form)
    if form.validate_on_submit():
        try:
            services.add_plan_item(current_user, plan, kind, _values(kind, form), goal=goal)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The %(noun)s has been added to the plan.", noun=KINDS[kind].noun), "success")
            return redirect(url_for("candidates.plan_edit", candidate_id=candidate.id,
                                    _anchor=kind))
    return _item_page(candidate, kind, form, title=str(KINDS[kind].new_title), goal=goal)


@bp.route("/<int:candidate_id>/plan/<any(doelen, stappen, belemmeringen, opleidingen):kind>"
          "/<int:item_id>", methods=["GET", "POST"])
@allow(*PLAN_WRITERS)
def plan_item_edit(candidate_id: int, kind: str, item_id: int):
    candidate, _view, plan = _load_for_writing(candidate_id)
    item = _item(candidate, kind, item_id)
    form, kept = _kept_form(KINDS[kind].form, obj=item)
    if request.method == "GET" and not kept:
        form.lock_version.data = str(plan.lock_version)
    if form.validate_on_submit():
        try:
            version = services.update_plan_item(current_user, plan, kind, item,
                                                _values(kind, form), _sent_lock())
        except PlanConflict:
            return _conflict(candidate, form, item, kind=kind,
                             action=url_for("candidates.plan_item_edit", candidate_id=candidate.id,
                                            kind=kind, item_id=item_id),
                             title=str(KINDS[kind].edit_title))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Nothing was changed.") if version is None else
                  _("The plan has been saved as version %(number)d.", number=version.number),
                  "info" if version is None else "success")
            return redirect(url_for("candidates.plan_edit", candidate_id=candidate.id,
                                    _anchor=kind))
    goal = item.goal if kind == "stappen" else None
    return _item_page(candidate, kind, form, title=str(KINDS[kind].edit_title), goal=goal,
                      item=item)


@bp.route("/<int:candidate_id>/plan/<any(doelen, stappen, belemmeringen, opleidingen):kind>"
          "/<int:item_id>/verwijderen", methods=["POST"])
@allow(Role.KLANTMANAGER)
def plan_item_remove(candidate_id: int, kind: str, item_id: int):
    candidate = load_for_edit(candidate_id)
    plan = _plan_of(candidate)
    item = _item(candidate, kind, item_id)
    form = LockForm()
    back = url_for("candidates.plan_edit", candidate_id=candidate.id, _anchor=kind)
    if not form.validate_on_submit():
        flash(_("The form has expired. Submit it again."), "error")
        return redirect(back)
    what = getattr(item, "description", None) or getattr(item, "name", "")
    steps = len(item.steps) if kind == "doelen" else 0
    try:
        services.remove_plan_item(current_user, plan, kind, item, _sent_lock())
    except PlanConflict:
        db.session.rollback()
        flash(_("Someone else changed the plan in the meantime. Check the plan below and "
                "remove the %(noun)s again if it is still needed.", noun=KINDS[kind].noun),
              "warning")
    else:
        if not confirm.confirmed():
            message = _("“%(what)s” will be removed from the plan of %(name)s.", what=what,
                        name=candidate.full_name)
            if steps:
                message += " " + ngettext("The %(num)d step of this goal is removed with it.",
                                          "The %(num)d steps of this goal are removed with it.",
                                          steps)
            return confirm.ask(title=_("Remove from the plan?"), message=message,
                               confirm_label=_("Yes, remove"), back=back,
                               details=[(_("What"), str(KINDS[kind].noun).capitalize()),
                                        (_("Description"), what)])
        db.session.commit()
        flash(_("The %(noun)s has been removed from the plan.", noun=KINDS[kind].noun), "success")
    return redirect(back)


@bp.route("/<int:candidate_id>/plan/vaststellen", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def plan_agree(candidate_id: int):
    """Klantmanager and candidate agree on the newest version: "vastgesteld"."""
    candidate = load_for_edit(candidate_id)
    plan = _plan_of(candidate)
    if plan.is_empty:
        flash(_("Write the plan first; there is nothing to agree on yet."), "info")
        return redirect(url_for("candidates.plan_edit", candidate_id=candidate.id))
    form = AgreeForm()
    if request.method == "GET":
        form.agreed_on.data = today()
        form.version_number.data = str(plan.current_number)
    if form.validate_on_submit():
        try:
            version = services.agree_plan(current_user, plan, form.version_number.data,
                                          form.agreed_on.data,
                                          lock_version=_sent_lock() or "")
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            plan = _plan_of(candidate)
            form.version_number.data = str(plan.current_number)
        else:
            db.session.commit()
            flash(_("Version %(number)d of the plan has been agreed on.", number=version.number),
                  "success")
            return redirect(url_for("candidates.plan", candidate_id=candidate.id))
    latest = plan.latest_version
    sections = [(SECTION_TITLES[key], section_lines(latest.snapshot, key))
                for key in ("wishes", "goals", "barriers", "skills", "trainings", "needs",
                            "agreements")]
    return render_template("candidates/plan_agree.html", candidate=candidate, plan=plan,
                           form=form, latest=latest, sections=sections,
                           changes=changes_since_agreement(plan))


# ------------------------------------------------------------------ Mijn plan

@bp.route("/<int:candidate_id>/mijn-plan")
@allow(*PLAN_READERS)
def mijn_plan_page(candidate_id: int):
    """The candidate's own version, printable from the browser; always Dutch."""
    candidate, view, plan = _load_plan(candidate_id)
    log_view(candidate, view, "Plan", plan.id)
    with force_locale("nl"):
        html = render_template("candidates/mijn_plan.html", **mijn_plan.context(candidate))
    return html


@bp.route("/<int:candidate_id>/mijn-plan.pdf")
@allow(*PLAN_READERS)
def mijn_plan_pdf(candidate_id: int):
    candidate, view, plan = _load_plan(candidate_id)
    with force_locale("nl"):
        html = render_template("candidates/mijn_plan_document.html",
                               **mijn_plan.context(candidate))
    pdf = render_pdf(html)
    log_view(candidate, view, "Plan", plan.id, action="export")
    name = kit.filename("mijn-plan", kit.slug(candidate.first_name) or "kandidaat",
                        extension="pdf")
    return kit.download(pdf, name, kit.PDF)
