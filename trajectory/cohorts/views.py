"""Cohorts at the overlegtafel (/cohorten), their quarterly evaluations with the meeting
pack (PDF) and figures (Excel), the comparison of cohorts, and the signals page.

Load through the scope (404 outside it), check what the user may do (403), let a
service change things, commit once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory import confirm
from trajectory.audit.rendering import show_subjects
from trajectory.audit.trail import log_processing
from trajectory.auth.access import allow, get_in_scope
from trajectory.auth.models import by_name
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.candidates.scope import visible_for_all
from trajectory.cohorts import exports, filters, loader, services, stagefacts
from trajectory.cohorts import signals as sig
from trajectory.cohorts.evaluation import compute
from trajectory.cohorts.forms import (
    AgreementForm,
    AnswersForm,
    CohortForm,
    DecisionForm,
    EvaluationNewForm,
    ProposeForm,
    ProvidersForm,
    quarter_choices,
)
from trajectory.cohorts.labels import OUTFLOW_LABELS, stage_kind_label
from trajectory.cohorts.models import (
    Cohort,
    CohortAgreement,
    CohortCandidate,
    DecisionKind,
    Evaluation,
    next_quarter,
    quarter_label,
    quarter_start,
)
from trajectory.cohorts.report import Report, benefit_label, entitled_names, stage_text
from trajectory.exports import PDF, XLSX, download
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _apply_error
from trajectory.i18n import day, money, number
from trajectory.inputs import as_int
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.providers.paging import paginate_counted
from trajectory.services import ServiceError
from trajectory.timeutil import today
from trajectory.ui import page_number, paginate, register_nav

bp = Blueprint("cohorts", __name__)

TABLE = (Role.COORDINATOR, Role.KLANTMANAGER, Role.INTAKER)
SIGNAL_READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR)
SIZE = (5, 6)

register_nav("cohorts.index", _l("Cohorts"), set(TABLE), order=30)
register_nav("cohorts.signals", _l("Signals"), set(SIGNAL_READERS), order=20)


# ------------------------------------------------------------------ helpers

@bp.app_template_filter("iso_day")
def iso_day(value: str | None) -> str:
    """An ISO date from a figures dict as 31-03-2026."""
    return day(date.fromisoformat(value)) if value else "–"


@bp.app_template_filter("dutch_number")
def dutch_number(value: str | Decimal | None, places: int = 1) -> str:
    return number(Decimal(str(value)), places) if value is not None else "–"


@bp.app_template_filter("dutch_money")
def dutch_money(value: str | Decimal | None) -> str:
    return money(Decimal(str(value))) if value is not None else "–"


def load_cohort(cohort_id: int, options: tuple[Any, ...] = ()) -> Cohort:
    """The cohort with what its pages show, or 404 outside the user's scope (``options``:
    what one page shows more, loaded in the same queries)."""
    cohort = db.session.scalars(loader.cohort_query().options(*options).where(
        Cohort.id == cohort_id, Cohort.scope_filter(current_user))).first()
    if cohort is None:
        abort(404)
    return cohort


def load_evaluation(cohort_id: int, evaluation_id: int) -> tuple[Cohort, Evaluation]:
    """The cohort and one of its evaluations, with the evaluations' decisions and who
    closed them joined to the evaluations' one query."""
    cohort = load_cohort(cohort_id, (so.selectinload(Cohort.evaluations).options(
        so.joinedload(Evaluation.decisions), by_name(Evaluation.closed_by)),))
    evaluation = next((e for e in cohort.evaluations if e.id == evaluation_id), None)
    if evaluation is None:
        abort(404)
    return cohort, evaluation


def is_coordinator() -> bool:
    return current_user.has_role(Role.COORDINATOR)


def size_warnings(cohort: Cohort) -> list[str]:
    """Not a rule, a reminder: the approach works with 5 or 6 of each at the table."""
    warnings = []
    people, providers = len(cohort.accepted), len(cohort.provider_rows)
    if not SIZE[0] <= people <= SIZE[1]:
        warnings.append(_("This cohort has %(num)d candidates at the table; the approach works "
                          "with 5 or 6.", num=people))
    if not SIZE[0] <= providers <= SIZE[1]:
        warnings.append(_("This cohort has %(num)d providers at the table; the approach works "
                          "with 5 or 6.", num=providers))
    return warnings


def _municipality_choices() -> list[SelectChoice]:
    rows = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.active.is_(True))
        .order_by(Organisation.name))
    return [SelectChoice(o.id, o.name) for o in rows]


def _provider_choices() -> list[SelectChoice]:
    rows = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.PROVIDER, Organisation.active.is_(True))
        .order_by(Organisation.name))
    return [SelectChoice(o.id, o.name) for o in rows]


def _start_choices(current: date | None = None) -> list[SelectChoice]:
    now = quarter_start(today())
    first = date(now.year - 1, 1, 1)
    if current and current < first:
        first = current
    return quarter_choices(first, date(now.year + 1, 10, 1))


def figures_for(cohort: Cohort, evaluation: Evaluation) -> dict[str, Any]:
    """The snapshot of a closed evaluation, else the figures computed now."""
    if evaluation.is_closed and evaluation.snapshot is not None:
        return evaluation.snapshot
    rows = loader.load_rows([cohort])[cohort.id]
    return compute(rows, evaluation.quarter_start, today(), loader.benefit_amounts(),
                   loader.margin())


def report_for(figures: dict[str, Any], pseudonymised: bool = False) -> Report:
    ids = [m["id"] for m in figures["members"]]
    names = {} if pseudonymised else entitled_names(current_user, ids)
    return Report(figures, names)


# ------------------------------------------------------------------ list, create, edit

@bp.route("/cohorten")
@allow(*TABLE)
def index():
    """The cohorts, newest first, a page at a time (a region holds thousands)."""
    page = paginate(loader.cohort_query().where(Cohort.scope_filter(current_user))
                    .order_by(Cohort.start_quarter.desc(), Cohort.name, Cohort.id))
    return render_template("cohorts/index.html", cohorts=list(page.items), page=page,
                           warnings=size_warnings, can_create=is_coordinator())


@bp.route("/cohorten/nieuw", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def new():
    form = CohortForm()
    form.start_quarter.choices = _start_choices()
    form.municipalities.choices = _municipality_choices()
    if request.method == "GET":
        form.start_quarter.data = quarter_start(today()).isoformat()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(
                current_user, name=form.name.data, start=form.start_date(),
                municipality_ids=form.municipalities.data or [],
                description=form.description.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Cohort %(name)s has been created. Now put candidates and providers at "
                    "the table.", name=cohort.name), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/cohorten/<int:cohort_id>/bewerken", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit(cohort_id: int):
    cohort = load_cohort(cohort_id)
    form = CohortForm(obj=cohort)
    form.start_quarter.choices = _start_choices(cohort.start_quarter)
    form.municipalities.choices = _municipality_choices()
    if request.method == "GET":
        form.start_quarter.data = cohort.start_quarter.isoformat()
        form.municipalities.data = [row.municipality_id for row in cohort.municipality_rows]
    if form.validate_on_submit():
        try:
            services.update_cohort(current_user, cohort, name=form.name.data,
                                   start=form.start_date(),
                                   municipality_ids=form.municipalities.data or [],
                                   description=form.description.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The cohort has been saved."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


# ------------------------------------------------------------------ the cohort page

@bp.route("/cohorten/<int:cohort_id>")
@allow(*TABLE)
def show(cohort_id: int):
    # Who proposed each candidate, by name, with the candidates' one query.
    cohort = load_cohort(cohort_id, (so.selectinload(Cohort.candidate_rows).options(
        by_name(CohortCandidate.proposed_by)),))
    candidates = [row.candidate for row in cohort.candidate_rows]
    visible = visible_for_all(current_user, candidates)
    names = loader.pseudonyms(cohort.candidate_rows)

    def person(row: CohortCandidate) -> str:
        if visible.get(row.candidate_id) and visible[row.candidate_id].name:
            return row.candidate.full_name
        return names.get(row.candidate_id) or _("Proposed candidate")

    rows = loader.load_rows([cohort], with_signals=False)[cohort.id]
    figures = compute(rows, quarter_start(today()), today(), loader.benefit_amounts(),
                      loader.margin())
    report = Report(figures)
    agreements: dict[int, list[CohortAgreement]] = {}
    for agreement in cohort.agreements:
        agreements.setdefault(agreement.candidate_id, []).append(agreement)
    return render_template(
        "cohorts/show.html", cohort=cohort, person=person, visible=visible,
        agreements=agreements, report=report, warnings=size_warnings(cohort),
        coordinator=is_coordinator(),
        can_propose=current_user.has_role(Role.KLANTMANAGER, Role.COORDINATOR),
        own_municipality=current_user.organisation_id, stage_label=stage_kind_label,
        stages_available=stagefacts.available(), margin=loader.margin(),
        evaluable=quarter_start(today()) >= cohort.start_quarter)


@bp.route("/cohorten/<int:cohort_id>/kandidaten/nieuw", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.KLANTMANAGER)
def propose(cohort_id: int):
    """A klantmanager proposes a candidate of their municipality; the coordinator puts one
    at the table directly."""
    cohort = load_cohort(cohort_id)
    choices = services.candidate_choices(current_user, cohort)
    form = ProposeForm()
    form.candidate_id.choices = _propose_choices(choices, cohort)
    if any(choice.optgroup for choice in form.candidate_id.choices):
        form.candidate_id.description = _(
            "A candidate sits at one cohort's table at a time: candidates at another table "
            "are listed at the end with that cohort's name, and cannot be chosen.")
    posted = request.form.get("candidate_id", "") if request.method == "POST" else ""
    if posted.isdigit():
        # Another municipality's candidate (or one out of scope) is a 404, as everywhere.
        get_in_scope(Candidate, int(posted))
    if form.validate_on_submit():
        candidate = get_in_scope(Candidate, form.candidate_id.data)
        try:
            row = services.propose_candidate(current_user, cohort, candidate,
                                             form.motivation.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            if row.accepted:
                flash(_("%(name)s is at the table of %(cohort)s.", name=candidate.full_name,
                        cohort=cohort.name), "success")
            else:
                flash(_("%(name)s has been proposed for %(cohort)s. The coordinator decides.",
                        name=candidate.full_name, cohort=cohort.name), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="kandidaten"))
    return render_template("cohorts/propose.html", form=form, cohort=cohort,
                           has_choices=bool(choices))


def _propose_choices(candidates: list[Candidate], cohort: Cohort) -> list[SelectChoice]:
    """The candidates to choose from; those at another cohort's table follow in their own
    group, disabled, with that cohort's name (so nobody looks for a missing candidate or
    sends a form that will be refused)."""
    elsewhere = services.other_tables([c.id for c in candidates], cohort)
    free = [SelectChoice(c.id, f"{c.full_name} ({c.municipality.name})")
            for c in candidates if c.id not in elsewhere]
    group = _("At another cohort's table (cannot be chosen)")
    taken = []
    for candidate in candidates:
        row = elsewhere.get(candidate.id)
        if row is None:
            continue
        names = {"name": candidate.full_name, "municipality": candidate.municipality.name,
                 "cohort": row.cohort.name}
        if row.accepted:
            label = _("%(name)s (%(municipality)s) – at the table of cohort '%(cohort)s'",
                      **names)
        else:
            label = _("%(name)s (%(municipality)s) – proposed for cohort '%(cohort)s'", **names)
        taken.append(SelectChoice(candidate.id, label, render_kw={"disabled": True},
                                  optgroup=group))
    return [SelectChoice("", _("Choose a candidate")), *free, *taken]


def _row(cohort: Cohort, row_id: int) -> CohortCandidate:
    row = next((r for r in cohort.candidate_rows if r.id == row_id), None)
    if row is None:
        abort(404)
    return row


@bp.route("/cohorten/<int:cohort_id>/kandidaten/<int:row_id>/besluit", methods=["POST"])
@allow(Role.COORDINATOR)
def decide(cohort_id: int, row_id: int):
    cohort = load_cohort(cohort_id)
    row = _row(cohort, row_id)
    accept = request.form.get("decision") == "accept"
    try:
        services.decide_candidate(current_user, row, accept)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The candidate is at the table.") if accept
              else _("The proposal has not been taken up."), "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="kandidaten"))


def _shown_name(cohort: Cohort, row: CohortCandidate) -> str:
    """The person as the cohort page names them: the name, or the pseudonym."""
    if visible_for_all(current_user, [row.candidate])[row.candidate_id].name:
        return row.candidate.full_name
    return loader.pseudonyms(cohort.candidate_rows).get(row.candidate_id) or \
        _("Proposed candidate")


@bp.route("/cohorten/<int:cohort_id>/kandidaten/<int:row_id>/verwijderen", methods=["POST"])
@allow(Role.COORDINATOR)
def remove_candidate(cohort_id: int, row_id: int):
    """Takes the person from the table with their agreements: confirmed first."""
    cohort = load_cohort(cohort_id)
    row = _row(cohort, row_id)
    name, cohort_name = _shown_name(cohort, row), cohort.name
    agreements = sum(1 for a in cohort.agreements if a.candidate_id == row.candidate_id)
    back = url_for("cohorts.show", cohort_id=cohort.id, _anchor="kandidaten")
    services.remove_candidate(current_user, row)
    if not confirm.confirmed():
        message = _("%(name)s will be removed from the cohort %(cohort)s.", name=name,
                    cohort=cohort_name)
        if agreements:
            message += " " + ngettext("Their %(num)d agreement is removed with them.",
                                      "Their %(num)d agreements are removed with them.",
                                      agreements)
        return confirm.ask(title=_("Remove from the cohort?"), message=message,
                           confirm_label=_("Yes, remove"), back=back,
                           details=[(_("Candidate"), name), (_("Cohort"), cohort_name)])
    db.session.commit()
    flash(_("The candidate has been removed from the cohort, with their agreements."),
          "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="kandidaten"))


@bp.route("/cohorten/<int:cohort_id>/aanbieders", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def providers(cohort_id: int):
    cohort = load_cohort(cohort_id)
    form = ProvidersForm()
    form.providers.choices = _provider_choices()
    if request.method == "GET":
        form.providers.data = [row.provider_id for row in cohort.provider_rows]
    if form.validate_on_submit():
        try:
            services.set_providers(current_user, cohort, form.providers.data or [])
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The providers at the table have been saved."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="aanbieders"))
    return render_template("cohorts/providers.html", form=form, cohort=cohort)


@bp.route("/cohorten/<int:cohort_id>/afspraken/nieuw", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def agreement_new(cohort_id: int):
    """Who does what: a provider at the table takes a stage or a support task."""
    cohort = load_cohort(cohort_id)
    names = loader.pseudonyms(cohort.candidate_rows)
    visible = visible_for_all(current_user, [row.candidate for row in cohort.accepted])
    form = AgreementForm()
    form.candidate_id.choices = [SelectChoice("", _("Choose a candidate"))] + [
        SelectChoice(row.candidate_id, row.candidate.full_name
                     if visible[row.candidate_id].name else names[row.candidate_id])
        for row in cohort.accepted]
    form.provider_id.choices = [SelectChoice("", _("Choose a provider"))] + [
        SelectChoice(p.id, p.name) for p in cohort.providers]
    form.stage_kind.choices = [SelectChoice("", _("No stage: support only"))] + [
        SelectChoice(code, label) for code, label in stagefacts.kind_choices()]
    if request.method == "GET" and request.args.get("kandidaat", "").isdigit():
        form.candidate_id.data = int(request.args["kandidaat"])
    if form.validate_on_submit():
        try:
            services.add_agreement(current_user, cohort, candidate_id=form.candidate_id.data,
                                   provider_id=form.provider_id.data,
                                   stage_kind=form.stage_kind.data, support=form.support.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The agreement has been recorded."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="afspraken"))
    return render_template("cohorts/agreement.html", form=form, cohort=cohort)


@bp.route("/cohorten/<int:cohort_id>/afspraken/<int:agreement_id>/verwijderen",
          methods=["POST"])
@allow(Role.COORDINATOR)
def agreement_remove(cohort_id: int, agreement_id: int):
    cohort = load_cohort(cohort_id)
    agreement = next((a for a in cohort.agreements if a.id == agreement_id), None)
    if agreement is None:
        abort(404)
    row = next((r for r in cohort.candidate_rows if r.candidate_id == agreement.candidate_id),
               None)
    name = _shown_name(cohort, row) if row is not None else _("Proposed candidate")
    provider = agreement.provider.name
    # As the table shows it to the coordinator (the only one who removes agreements).
    what = " · ".join(part for part in (stage_kind_label(agreement.stage_kind),
                                        agreement.support or "") if part)
    services.remove_agreement(current_user, agreement)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Remove the agreement?"),
            message=_("The agreement that %(provider)s takes on for %(name)s will be removed "
                      "from the cohort %(cohort)s.", provider=provider, name=name,
                      cohort=cohort.name),
            confirm_label=_("Yes, remove"),
            back=url_for("cohorts.show", cohort_id=cohort.id, _anchor="afspraken"),
            details=[(_("Candidate"), name), (_("Provider"), provider), (_("What"), what)])
    db.session.commit()
    flash(_("The agreement has been removed."), "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id, _anchor="afspraken"))


# ------------------------------------------------------------------ evaluations

@bp.route("/cohorten/<int:cohort_id>/evaluaties/nieuw", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def evaluation_new(cohort_id: int):
    cohort = load_cohort(cohort_id)
    done = {e.quarter_start for e in cohort.evaluations}
    form = EvaluationNewForm()
    form.quarter.choices = [c for c in quarter_choices(cohort.start_quarter,
                                                       quarter_start(today()))
                            if date.fromisoformat(c.value) not in done]
    if request.method == "GET" and form.quarter.choices:
        form.quarter.data = form.quarter.choices[-1].value
    if form.validate_on_submit():
        try:
            evaluation = services.open_evaluation(current_user, cohort,
                                                  date.fromisoformat(form.quarter.data))
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                    evaluation_id=evaluation.id))
    return render_template("cohorts/evaluation_new.html", form=form, cohort=cohort)


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>")
@allow(*TABLE)
def evaluation(cohort_id: int, evaluation_id: int):
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    report = report_for(figures_for(cohort, evaluation))
    _export_log(report, "view")
    return render_template("cohorts/evaluation.html", cohort=cohort, evaluation=evaluation,
                           report=report, coordinator=is_coordinator(), stage_text=stage_text,
                           outflow_labels=OUTFLOW_LABELS, benefit_label=benefit_label)


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/antwoorden",
          methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def evaluation_answers(cohort_id: int, evaluation_id: int):
    """The four questions of the overlegtafel."""
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    if evaluation.is_closed:
        flash(_("This evaluation is closed and can no longer be changed."), "info")
        return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                evaluation_id=evaluation.id))
    form = AnswersForm(obj=evaluation)
    saved = None
    if request.method == "GET":
        form.lock_version.data = str(evaluation.lock_version)
    if form.validate_on_submit():
        try:
            services.save_answers(current_user, evaluation, {
                "works": form.works.data, "obstacles": form.obstacles.data,
                "energy": form.energy.data, "yields": form.yields.data},
                as_int(form.lock_version.data, 0))
        except services.StaleAnswers as error:
            db.session.rollback()
            flash(error.message, "error")
            saved = db.session.get(Evaluation, evaluation.id)
            form.lock_version.data = str(saved.lock_version)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The answers have been saved."), "success")
            return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                    evaluation_id=evaluation.id, _anchor="vragen"))
    return render_template("cohorts/answers.html", form=form, cohort=cohort,
                           evaluation=evaluation, saved=saved)


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/besluiten/nieuw",
          methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def decision_new(cohort_id: int, evaluation_id: int):
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    if evaluation.is_closed:
        flash(_("This evaluation is closed and can no longer be changed."), "info")
        return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                evaluation_id=evaluation.id))
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.add_decision(current_user, evaluation, kind=DecisionKind(form.kind.data),
                                  text=form.text.data, owner=form.owner.data,
                                  due_on=form.due_on.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                    evaluation_id=evaluation.id, _anchor="besluiten"))
    return render_template("cohorts/decision.html", form=form, cohort=cohort,
                           evaluation=evaluation)


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/besluiten/"
          "<int:decision_id>/verwijderen", methods=["POST"])
@allow(Role.COORDINATOR)
def decision_remove(cohort_id: int, evaluation_id: int, decision_id: int):
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    decision = next((d for d in evaluation.decisions if d.id == decision_id), None)
    if decision is None:
        abort(404)
    text, quarter = decision.text, evaluation.quarter_label
    try:
        services.remove_decision(current_user, decision)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        if not confirm.confirmed():
            return confirm.ask(
                title=_("Remove the decision?"),
                message=_("The decision will be removed from the evaluation of %(quarter)s.",
                          quarter=quarter),
                confirm_label=_("Yes, remove"),
                back=url_for("cohorts.evaluation", cohort_id=cohort.id,
                             evaluation_id=evaluation.id, _anchor="besluiten"),
                details=[(_("Decision"), text)])
        db.session.commit()
        flash(_("The decision has been removed."), "success")
    return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                            evaluation_id=evaluation.id, _anchor="besluiten"))


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/afsluiten",
          methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def evaluation_close(cohort_id: int, evaluation_id: int):
    """Closing freezes the figures as they are now (a snapshot)."""
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    if evaluation.is_closed:
        flash(_("This evaluation is already closed."), "info")
        return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                evaluation_id=evaluation.id))
    if request.method == "POST":
        try:
            services.close_evaluation(current_user, evaluation, figures_for(cohort, evaluation))
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The evaluation of %(quarter)s is closed; its figures no longer change.",
                    quarter=evaluation.quarter_label), "success")
            return redirect(url_for("cohorts.evaluation", cohort_id=cohort.id,
                                    evaluation_id=evaluation.id))
    return render_template("cohorts/close.html", cohort=cohort, evaluation=evaluation)


def _export_log(report: Report, action: str) -> None:
    """One processing-log line per candidate whose name is in the document."""
    for candidate_id in report.names:
        log_processing(action, "CohortEvaluation", candidate_id,
                       subject=("Candidate", candidate_id), activity="overlegtafel",
                       categories=("naam", "traject"))


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/pakket.pdf")
@allow(*TABLE)
def pack_pdf(cohort_id: int, evaluation_id: int):
    """The meeting pack; ``?versie=pseudoniem`` gives the version without any name."""
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    pseudonymised = request.args.get("versie") == "pseudoniem"
    report = report_for(figures_for(cohort, evaluation), pseudonymised)
    body = exports.pack_pdf(cohort, evaluation, report)
    _export_log(report, "export")
    return download(body, exports.pack_name(cohort, evaluation, report, "pdf"), PDF)


@bp.route("/cohorten/<int:cohort_id>/evaluaties/<int:evaluation_id>/cijfers.xlsx")
@allow(*TABLE)
def figures_xlsx(cohort_id: int, evaluation_id: int):
    cohort, evaluation = load_evaluation(cohort_id, evaluation_id)
    pseudonymised = request.args.get("versie") == "pseudoniem"
    report = report_for(figures_for(cohort, evaluation), pseudonymised)
    body = exports.figures_xlsx(cohort, evaluation, report)
    _export_log(report, "export")
    return download(body, exports.pack_name(cohort, evaluation, report, "xlsx"), XLSX)


# ------------------------------------------------------------------ comparison

COMPARED = ("candidates", "inflow", "in_stage", "moves", "outflow_paid_work",
            "outflow_training", "outflow_stopped", "ladder_up", "paid_work_or_bbl",
            "credited_total", "benefit_estimate", "open_signals")


@bp.route("/cohorten/vergelijken")
@allow(*TABLE)
def compare():
    """Cohorts side by side over quarters: closed evaluations as frozen, the rest as now."""
    cohorts = db.session.scalars(loader.cohort_query().where(Cohort.scope_filter(current_user))
                                 .order_by(Cohort.start_quarter, Cohort.name)).all()
    rows = loader.load_rows(cohorts)
    now = quarter_start(today())
    columns = []
    for cohort in cohorts:
        closed = {e.quarter_start: e for e in cohort.evaluations if e.is_closed}
        quarter = cohort.start_quarter
        while quarter <= now:
            if quarter in closed and closed[quarter].snapshot:
                figures, frozen = closed[quarter].snapshot, True
            else:
                figures = compute(rows[cohort.id], quarter, today(), loader.benefit_amounts(),
                                  loader.margin())
                frozen = False
            columns.append({"cohort": cohort, "quarter": quarter_label(quarter),
                            "frozen": frozen, "report": Report(figures)})
            quarter = next_quarter(quarter)
    labels = {}
    table = []
    for column in columns:
        for key, label, text in column["report"].key_figures():
            labels[key] = label
            column[key] = text
    for key in COMPARED:
        table.append((labels.get(key, key), [column.get(key, "–") for column in columns]))
    chart = None
    if columns:
        from trajectory.cohorts.charts import bar_chart

        chart = bar_chart(
            "compare", _("Reached paid work or BBL, per cohort and quarter"),
            _("One bar per cohort and quarter; the table above has the same numbers."),
            [(f"{c['cohort'].name} · {c['quarter']}", c["report"].counts["paid_work_or_bbl"],
              str(c["report"].counts["paid_work_or_bbl"])) for c in columns])
    return render_template("cohorts/compare.html", columns=columns, table=table, chart=chart)


# ------------------------------------------------------------------ signals

TASKS = "taken"  # ``?signaal=taken``: the buddies' signals, page by page


@bp.route("/signalen")
@allow(*SIGNAL_READERS)
def signals():
    """Every signal and task in the user's scope (the coordinator: per cohort): each with
    its count and first rows; ``?signaal=<key>`` pages through one of them. A constant
    number of queries: the counts in one, a page per list."""
    from trajectory.cohorts.panels import cohort_rows, coordinator_cohorts

    per_page = current_app.config["PER_PAGE"]
    chosen = request.args.get("signaal") or ""
    seen = [s for s in sig.signals_seen_by(current_user) if s.available]
    if chosen not in {s.key for s in seen} | {TASKS}:
        chosen = ""
    condition = sig.signal_scope(current_user)
    scope = sig.task_scope(current_user)
    totals = sig.counts(seen, condition)
    tasks_total = sig.count_open_buddy_signals(scope)
    page_number_ = page_number() if chosen else 1
    results, paged = [], None
    for signal in seen:
        if chosen and signal.key != chosen:
            continue
        pager = paginate_counted(
            totals[signal.key],
            lambda offset, limit, signal=signal: signal.top(condition, limit, offset),
            page_number_, per_page)
        if chosen:
            paged = pager
        results.append(sig.SignalResult(signal, list(pager.items), totals[signal.key]))
    tasks: list[Any] = []
    if not chosen or chosen == TASKS:
        pager = paginate_counted(
            tasks_total, lambda offset, limit: sig.open_buddy_signals(scope, limit, offset),
            page_number_, per_page)
        tasks = list(pager.items)
        if chosen:
            paged = pager
    hidden = [s for s in sig.signals_seen_by(current_user) if not s.available]
    context: dict[str, Any] = {"results": results, "tasks": tasks, "tasks_total": tasks_total,
                               "hidden": hidden, "chosen": chosen, "paged": paged,
                               "tasks_key": TASKS,
                               "can_handle": current_user.has_role(Role.KLANTMANAGER)}
    if is_coordinator() and not chosen:
        cohorts = paginate(coordinator_cohorts(current_user))
        context["cohorts"] = {"rows": cohort_rows(list(cohorts.items)), "page": cohorts,
                              "keys": sig.cohort_keys(), "label": sig.signal_label}
    # Hits are plain rows (a name, no model): the page names them in the log itself.
    show_subjects({hit.candidate_id for result in results for hit in result.hits},
                  object_type="Signal", categories=("naam", "signaal"))
    return render_template("cohorts/signals.html", **context)


@bp.app_template_global("cohort_filters")
def cohort_filters():
    """The cohort and signal filters of the candidate list (``cohorts/_candidate_filters.html``)."""
    return filters.cohort_filter_form()


filters.install()
