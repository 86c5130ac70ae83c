"""The benefit history pages: add, change, end and remove a benefit period.

Only the klantmanager of the candidate's municipality changes the history (403
for others in scope, 404 outside it); the file shows it to everyone who may see
the benefit. The rules live in ``trajectory.candidates.benefits``.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trajectory import confirm
from trajectory.auth.access import allow
from trajectory.auth.roles import Role
from trajectory.candidates import benefits
from trajectory.candidates.forms import BenefitEndForm, BenefitPeriodForm
from trajectory.candidates.models import Benefit, BenefitPeriod, Candidate
from trajectory.candidates.scope import Visible
from trajectory.candidates.views import apply_service_error, bp, load_for_edit, log_view
from trajectory.extensions import db
from trajectory.i18n import day
from trajectory.services import ServiceError
from trajectory.timeutil import today

# What these pages show of the person: the name and the benefit.
BENEFIT_PAGE = Visible(name=True, benefit=True)


def _period(candidate: Candidate, period_id: int) -> BenefitPeriod:
    period = db.session.scalars(sa.select(BenefitPeriod).where(
        BenefitPeriod.id == period_id, BenefitPeriod.candidate_id == candidate.id)).first()
    if period is None:
        abort(404)
    return period


def _benefit(form: BenefitPeriodForm) -> Benefit:
    try:
        return Benefit(form.benefit.data)
    except ValueError:
        raise ServiceError(_("Choose the benefit."), "benefit") from None


def _back(candidate: Candidate):
    return redirect(url_for("candidates.show", candidate_id=candidate.id, _anchor="uitkeringen"))


def _page(candidate: Candidate, form, title: str, period: BenefitPeriod | None = None,
          template: str = "candidates/benefit_form.html"):
    return render_template(template, candidate=candidate, form=form, title=title, period=period,
                           periods=benefits.periods_of(candidate),
                           running=benefits.running_period(candidate))


@bp.route("/<int:candidate_id>/uitkeringen/nieuw", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def benefit_new(candidate_id: int):
    candidate = load_for_edit(candidate_id)
    form = BenefitPeriodForm()
    if request.method == "GET":
        form.start.data = today()
        log_view(candidate, BENEFIT_PAGE)
    if form.validate_on_submit():
        running = benefits.running_period(candidate)
        try:
            period = benefits.add_benefit_period(candidate, current_user, _benefit(form),
                                                 form.start.data, form.end.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            message = _("The %(benefit)s period from %(start)s has been added.",
                        benefit=period.benefit.label, start=day(period.start))
            if running is not None and running.end is not None:
                message += " " + _("The %(benefit)s period that ran since %(start)s ends on "
                                   "%(end)s.", benefit=running.benefit.label,
                                   start=day(running.start), end=day(running.end))
            db.session.commit()
            flash(message, "success")
            return _back(candidate)
    return _page(candidate, form, _("Add a benefit period"))


@bp.route("/<int:candidate_id>/uitkeringen/<int:period_id>", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def benefit_edit(candidate_id: int, period_id: int):
    candidate = load_for_edit(candidate_id)
    period = _period(candidate, period_id)
    form = BenefitPeriodForm(obj=period)
    if request.method == "GET":
        form.benefit.data = period.benefit.value
        log_view(candidate, BENEFIT_PAGE, "BenefitPeriod", period.id)
    if form.validate_on_submit():
        try:
            benefits.update_benefit_period(period, _benefit(form), form.start.data,
                                           form.end.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The benefit period has been saved."), "success")
            return _back(candidate)
    return _page(candidate, form, _("Change a benefit period"), period)


@bp.route("/<int:candidate_id>/uitkeringen/<int:period_id>/beeindigen", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def benefit_end(candidate_id: int, period_id: int):
    candidate = load_for_edit(candidate_id)
    period = _period(candidate, period_id)
    form = BenefitEndForm()
    if request.method == "GET":
        form.end.data = period.end or today()
        log_view(candidate, BENEFIT_PAGE, "BenefitPeriod", period.id)
    if form.validate_on_submit():
        try:
            benefits.end_benefit_period(period, form.end.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The %(benefit)s period ends on %(end)s.", benefit=period.benefit.label,
                    end=day(period.end)), "success")
            return _back(candidate)
    return _page(candidate, form, _("End a benefit period"), period,
                 template="candidates/benefit_end.html")


@bp.route("/<int:candidate_id>/uitkeringen/<int:period_id>/verwijderen", methods=["POST"])
@allow(Role.KLANTMANAGER)
def benefit_remove(candidate_id: int, period_id: int):
    """Remove a period entered by mistake (CSRF is checked for every POST)."""
    candidate = load_for_edit(candidate_id)
    period = _period(candidate, period_id)
    label, start = period.benefit.label, period.start
    before = next((p for p in benefits.periods_of(candidate)
                   if p.end == start - timedelta(days=1)), None)
    message = _("The %(benefit)s period from %(start)s has been removed.", benefit=label,
                start=day(start))
    if before is not None:
        message += " " + _("The %(benefit)s period before it still ends on %(end)s; change it "
                           "if that benefit is in fact still running.",
                           benefit=before.benefit.label, end=day(before.end))
    name, end = candidate.full_name, period.end
    back = url_for("candidates.benefit_edit", candidate_id=candidate.id, period_id=period_id)
    benefits.remove_benefit_period(period)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Remove the benefit period?"),
            message=_("The %(benefit)s period from %(start)s will be removed from the file of "
                      "%(name)s. Remove a period only when it was entered by mistake; a benefit "
                      "that stopped gets an end date instead.", benefit=label, start=day(start),
                      name=name),
            confirm_label=_("Yes, remove"), back=back,
            details=[(_("Benefit"), label),
                     (_("Period"), f"{day(start)} – {day(end)}" if end else
                      _("from %(start)s", start=day(start)))])
    db.session.commit()
    flash(message, "success")
    return _back(candidate)
