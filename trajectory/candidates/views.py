"""The candidate list, the file page and the forms around it (/kandidaten).

Load through the scope (404 outside it), check the field policy (403 when the
user may not act), let a service change things, commit once. The plan pages
live in ``plan_views`` on the same blueprint.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory import exports as kit
from trajectory.audit.rendering import show_subjects
from trajectory.audit.trail import log_processing
from trajectory.auth.access import allow, get_in_scope, require
from trajectory.auth.models import User, UserRole
from trajectory.auth.roles import Role
from trajectory.candidates import benefits, exports, services
from trajectory.candidates.forms import (
    CONSENT_SHARES,
    SITUATION,
    BuddyForm,
    CandidateFilterForm,
    CandidateForm,
    MeasurementForm,
    RegisterForm,
    StatusForm,
    ZrmForm,
)
from trajectory.candidates.models import (
    LADDER_RUNGS,
    Benefit,
    Candidate,
    CandidateStatus,
    MeasurementKind,
    OutflowReason,
    ZrmDomain,
)
from trajectory.candidates.need_to_know import stored_scope_count
from trajectory.candidates.queries import (
    ATTENTION,
    apply_filters,
    base_ids,
    base_list,
    buddies_in_scope,
    list_rows,
    municipalities_in_scope,
    searchable,
    sort_columns,
)
from trajectory.candidates.scope import Visible, list_columns, visible_fields, visible_for_all
from trajectory.candidates.services import CandidateDetails, DuplicateCandidate
from trajectory.candidates.story import file_options, open_signals
from trajectory.candidates.timeline import ladder_timeline
from trajectory.extensions import db
from trajectory.forms import apply_service_error
from trajectory.providers.paging import paginate_counted
from trajectory.services import ServiceError
from trajectory.timeutil import today
from trajectory.ui import apply_sort, link_args, page_number, register_nav

bp = Blueprint("candidates", __name__, url_prefix="/kandidaten")

READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR)
PLAN_READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY)

register_nav("candidates.index", _l("Candidates"),
             {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR}, order=10)


# ------------------------------------------------------------------ helpers

def load_candidate(candidate_id: int, options: tuple[Any, ...] = ()
                   ) -> tuple[Candidate, Visible]:
    """The candidate if in scope (else 404), with what this user sees of it (``options``:
    what the page loads with the person)."""
    candidate = get_in_scope(Candidate, candidate_id, options=options)
    return candidate, visible_fields(current_user, candidate)


def load_for_edit(candidate_id: int) -> Candidate:
    """In scope and allowed to change it (else 403)."""
    candidate, view = load_candidate(candidate_id)
    require(view.edit)
    return candidate


def log_view(candidate: Candidate, view: Visible, object_type: str = "Candidate",
             object_id: Any = None, action: str = "view") -> None:
    """One processing-log line for one look at (or export of) this person's data."""
    log_processing(action, object_type, candidate.id if object_id is None else object_id,
                   subject=("Candidate", candidate.id), categories=view.categories())


def duration_text(start: date, end: date | None = None) -> str:
    """"3 jaar en 2 maanden" (whole months, counted the way people do)."""
    end = end or today()
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if months < 1:
        return _("less than a month")
    years, months = divmod(months, 12)
    year_text = ngettext("%(num)d year", "%(num)d years", years)
    month_text = ngettext("%(num)d month", "%(num)d months", months)
    if years and months:
        return _("%(years)s and %(months)s", years=year_text, months=month_text)
    return year_text if years else month_text


def _int_or_none(value: Any) -> int | None:
    return int(value) if str(value).isdigit() else None


def _klantmanager_choices() -> list[SelectChoice]:
    colleagues = db.session.scalars(
        sa.select(User).join(User.role_rows)
        .where(UserRole.role == Role.KLANTMANAGER, User.active.is_(True),
               User.organisation_id == current_user.organisation_id)
        .order_by(User.full_name)).unique()
    return [SelectChoice(u.id, u.full_name) for u in colleagues]


def _details(form: CandidateForm) -> CandidateDetails:
    """The details from the form; the benefit only from the registration form."""
    situation = set(form.situation.data or [])
    shares = set(form.consent_shares.data or [])
    benefit = getattr(form, "benefit", None)
    since = getattr(form, "benefit_since", None)
    return CandidateDetails(
        first_name=form.first_name.data, tussenvoegsel=form.tussenvoegsel.data,
        last_name=form.last_name.data, date_of_birth=form.date_of_birth.data,
        phone=form.phone.data, email=form.email.data, street=form.street.data,
        postcode=form.postcode.data, place=form.place.data,
        benefit=Benefit(benefit.data) if benefit is not None else None,
        benefit_since=since.data if since is not None else None,
        bsn=(form.bsn.data or "").strip() or None,
        client_number=(form.client_number.data or "").strip() or None,
        klantmanager_id=form.klantmanager_id.data,
        consent_given_on=form.consent_given_on.data,
        consent_expires_on=form.consent_expires_on.data,
        **{key: key in situation for key in SITUATION},
        **{key: key in shares for key in CONSENT_SHARES},
    )


# ------------------------------------------------------------------ list and export

def _filter_form(columns: Visible) -> CandidateFilterForm:
    filters = CandidateFilterForm(request.args)
    finds = searchable(current_user)  # what the search box finds besides names
    filters.q.description = (_("A name, a phone number or a BSN.") if "bsn" in finds else
                             _("A name or a phone number.") if "phone" in finds else
                             _("A name."))
    if filters.postcode.data:
        filters.postcode.validate(filters)  # a bad postcode: the message at the field
    filters.municipality.choices = [SelectChoice("", _("All municipalities"))] + [
        SelectChoice(str(o.id), o.name) for o in municipalities_in_scope(current_user)]
    filters.benefit.choices = [SelectChoice("", _("All benefits"))] + [
        SelectChoice(b.value, b.label) for b in Benefit]
    filters.status.choices = [SelectChoice("", _("All statuses")),
                              SelectChoice("open", _("All except left"))] + [
        SelectChoice(s.value, s.label) for s in CandidateStatus]
    filters.buddy.choices = [SelectChoice("", _("All buddies"))] + [
        SelectChoice(str(u.id), u.full_name) for u in buddies_in_scope(current_user)]
    filters.attention.choices = [SelectChoice("", _("Everything"))] + [
        SelectChoice(key, label) for key, (label, _condition) in ATTENTION.items()]
    return filters


def _list_args(columns: Visible) -> dict[str, str]:
    """The query arguments the list honours; attention filters are for editors."""
    args = request.args.to_dict()
    if not columns.edit:
        args.pop("attention", None)
    return args


def _ordered(stmt: sa.Select, columns: Visible) -> sa.Select:
    stmt = apply_sort(stmt, sort_columns(columns), "name")
    return stmt.order_by(Candidate.last_name, Candidate.first_name, Candidate.id)


def _list_statement(columns: Visible) -> sa.Select:
    return _ordered(apply_filters(base_list(current_user), _list_args(columns), columns,
                                  current_user), columns)


def _list_page(columns: Visible):
    """The page: counted and chosen on the candidates' ids (``base_ids``), then only the
    page's rows loaded with what a row shows."""
    base = base_ids(current_user)
    filtered = apply_filters(base, _list_args(columns), columns, current_user)
    ids = _ordered(filtered, columns)
    # Unfiltered, an intaker's count comes from the stored connections' index alone.
    total = stored_scope_count(current_user) if filtered is base else None
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            ids.order_by(None).subquery())) or 0

    def rows(offset: int, limit: int) -> list[Candidate]:
        chosen = ids.limit(limit).offset(offset)
        return list(db.session.scalars(_ordered(list_rows(Candidate.id.in_(chosen)), columns))
                    .unique())

    return paginate_counted(total, rows, page_number())


@bp.route("")
@allow(*READERS)
def index():
    """Everyone sees the candidates in their scope, with the columns every row allows."""
    columns = list_columns(current_user)
    filters = _filter_form(columns)
    page = _list_page(columns)
    visible = visible_for_all(current_user, list(page.items))
    export_args = link_args("page", "fmt")
    show_subjects(page.items, action="list", object_type="CandidateList",
                  categories=columns.categories())
    return render_template("candidates/index.html", page=page, filters=filters, columns=columns,
                           visible=visible, export_args=export_args,
                           searchable=searchable(current_user),
                           is_klantmanager=current_user.has_role(Role.KLANTMANAGER),
                           can_register=current_user.has_role(Role.KLANTMANAGER))


@bp.route("/export.<any(csv, xlsx):fmt>")
@allow(*READERS)
def export(fmt: str):
    """The filtered list (all pages), streamed; one processing-log line per candidate in
    it, all written before the first row (trajectory/candidates/exports.py)."""
    columns = list_columns(current_user)
    name = kit.filename("kandidaten", today().isoformat(), extension=fmt)
    return exports.download(current_user._get_current_object(), _list_statement(columns),
                            columns, fmt, name)


# ------------------------------------------------------------------ register and edit

@bp.route("/nieuw", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def new():
    form = RegisterForm()
    form.klantmanager_id.choices = _klantmanager_choices()
    if request.method == "GET":
        form.klantmanager_id.data = current_user.id
    duplicates, can_override = [], False
    if form.validate_on_submit():
        try:
            candidate = services.register_candidate(current_user, _details(form),
                                                    allow_similar=form.not_duplicate.data)
        except DuplicateCandidate as error:
            db.session.rollback()
            duplicates, can_override = error.matches, error.overridable
            if error.field:
                apply_service_error(form, error)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s has been registered.", name=candidate.full_name), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=None,
                           duplicates=duplicates, can_override=can_override)


@bp.route("/<int:candidate_id>/bewerken", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def edit(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = CandidateForm(obj=candidate)
    form.klantmanager_id.choices = _klantmanager_choices()
    if request.method == "GET":
        form.situation.data = [key for key in SITUATION if getattr(candidate, key)]
        form.consent_shares.data = [key for key in CONSENT_SHARES if getattr(candidate, key)]
        log_view(candidate, visible_fields(current_user, candidate))
    if form.validate_on_submit():
        try:
            services.update_candidate(current_user, candidate, _details(form))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The details of %(name)s have been saved.", name=candidate.full_name),
                  "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=candidate,
                           duplicates=[], can_override=False)


# ------------------------------------------------------------------ the file

@bp.route("/<int:candidate_id>")
@allow(*READERS)
def show(candidate_id: int):
    """The file as a story: what matters now, the plan, the learning line, the contacts;
    the details after that and the history on its own page (``history_views``)."""
    candidate, view = load_candidate(candidate_id, file_options())
    log_view(candidate, view)
    context: dict[str, Any] = {"candidate": candidate, "view": view,
                               "signals": open_signals(current_user, candidate)}
    if view.benefit:
        periods = benefits.periods_of(candidate)
        context["benefit_periods"] = periods
        context["latest_period"] = periods[-1] if periods else None
        context["benefit_duration"] = duration_text(candidate.benefit_since)
    if view.measurements:
        context["timeline"] = ladder_timeline(candidate.measurements)
        latest: dict[ZrmDomain, Any] = {}
        for score in candidate.zrm_scores:  # ordered by date: the last one wins
            latest[score.domain] = score
        context["zrm"] = [latest[d] for d in ZrmDomain if d in latest]
    return render_template("candidates/show.html", rungs=LADDER_RUNGS, **context)


@bp.route("/<int:candidate_id>/status", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def status(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = StatusForm(obj=candidate)
    if request.method == "GET":
        form.effective_on.data = candidate.closed_on
    if form.validate_on_submit():
        try:
            services.change_status(
                current_user, candidate, CandidateStatus(form.status.data),
                pause_reason=form.pause_reason.data,
                outflow_reason=OutflowReason(form.outflow_reason.data)
                if form.outflow_reason.data else None,
                outflow_note=form.outflow_note.data, effective_on=form.effective_on.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The status of %(name)s is now: %(status)s.", name=candidate.full_name,
                    status=candidate.status.label.lower()), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/status.html", form=form, candidate=candidate)


@bp.route("/<int:candidate_id>/buddy", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def buddy(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = BuddyForm()
    form.buddy_id.coerce = _int_or_none
    buddies = db.session.scalars(services.buddy_choices_query()).unique().all()
    form.buddy_id.choices = [SelectChoice("", _("Choose a buddy"))] + [
        SelectChoice(u.id, f"{u.full_name} ({u.organisation.name})") for u in buddies]
    if request.method == "GET":
        form.start_date.data = today()
    if form.validate_on_submit():
        chosen = next((u for u in buddies if u.id == form.buddy_id.data), None)
        try:
            if chosen is None:
                raise ServiceError(_("Choose a buddy."), "buddy_id")
            services.assign_buddy(current_user, candidate, chosen, form.start_date.data,
                                  form.contact_phone.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("%(buddy)s is the buddy of %(name)s from %(date)s.", buddy=chosen.full_name,
                    name=candidate.full_name, date=form.start_date.data.strftime("%d-%m-%Y")),
                  "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/buddy.html", form=form, candidate=candidate)


@bp.route("/<int:candidate_id>/metingen/nieuw", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def measurement_new(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = MeasurementForm()
    if request.method == "GET":
        form.measured_on.data = today()
        has_intake = any(m.kind is MeasurementKind.INTAKE for m in candidate.measurements)
        form.kind.data = (MeasurementKind.REVIEW if has_intake else MeasurementKind.INTAKE).value
    if form.validate_on_submit():
        try:
            services.record_measurement(current_user, candidate, measured_on=form.measured_on.data,
                                        rung=form.rung.data, kind=MeasurementKind(form.kind.data),
                                        note=form.note.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The measurement has been recorded."), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id,
                                    _anchor="ladder"))
    return render_template("candidates/measurement.html", form=form, candidate=candidate)


@bp.route("/<int:candidate_id>/zrm/nieuw", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def zrm_new(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = ZrmForm()
    if request.method == "GET":
        form.scored_on.data = today()
    if form.validate_on_submit():
        try:
            services.record_zrm(current_user, candidate, scored_on=form.scored_on.data,
                                scores=form.scores())
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The ZRM scores have been recorded."), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id, _anchor="zrm"))
    return render_template("candidates/zrm.html", form=form, candidate=candidate)


from trajectory.candidates import (  # noqa: E402,F401  (routes on ``bp``)
    benefit_views,
    history_views,
    plan_views,
)
