"""Pages for labour lines: new and edit. The claim page, submitting and judging are the
claims' own (``trajectory.valuation.views``), so a labour line reads and flows like any
other claim."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from trajectory.auth.access import allow, require
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _error
from trajectory.i18n import day as format_day
from trajectory.labour import services
from trajectory.labour.forms import LabourClaimForm
from trajectory.services import ServiceError
from trajectory.stages.models import Stage
from trajectory.valuation import services as claim_services
from trajectory.valuation.models import Claim, ClaimKind, Contract
from trajectory.valuation.views import claim_conflict

bp = Blueprint("labour", __name__, url_prefix="/sroi/arbeid")
PROVIDER_STAFF = Role.INTAKER


def _contract(contract_id: int) -> Contract:
    contract = db.session.scalar(sa.select(Contract).where(
        Contract.id == contract_id, Contract.scope_filter(current_user))) or abort(404)
    require(current_user.has_role(PROVIDER_STAFF)
            and current_user.organisation_id == contract.provider_id)
    return contract


def _choices(form: LabourClaimForm, contract: Contract, options: list[services.Claimable],
             current: Stage | None = None) -> None:
    stages = [o.stage for o in options]
    if current is not None and current not in stages:
        stages.insert(0, current)
    form.stage_id.choices = [SelectChoice("", _("Choose a stage"))] + [
        SelectChoice(s.id, f"{s.title} · {s.candidate.first_name} {s.candidate.last_name[:1]}. · "
                           f"{format_day(s.start)}") for s in stages]
    form.subcontractor_id.choices = [
        SelectChoice("", _("%(provider)s itself", provider=contract.provider.name)),
        *[SelectChoice(s.id, _("Subcontractor %(name)s", name=s.name))
          for s in contract.subcontractors]]


def _data(form: LabourClaimForm, contract: Contract) -> services.LabourClaimData:
    stage = None
    if form.stage_id.data is not None:
        stage = db.session.scalar(sa.select(Stage).where(
            Stage.id == form.stage_id.data, Stage.provider_id == contract.provider_id))
    if stage is None:
        raise ServiceError(_("Choose a stage at %(provider)s.", provider=contract.provider.name),
                           "stage_id")
    return services.LabourClaimData(
        stage=stage, period_start=form.period_start.data, period_end=form.period_end.data,
        subcontractor_id=form.subcontractor_id.data, description=form.description.data or "")


def _uploads(form: LabourClaimForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.EVIDENCE_FIELDS}


@bp.route("/contracten/<int:contract_id>/nieuw", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def new(contract_id: int):
    """A draft labour line for one of the contract's stages (``?fase=`` picks it)."""
    contract = _contract(contract_id)
    options = services.claimable(contract)
    form = LabourClaimForm()
    _choices(form, contract, options)
    if request.method == "GET":
        wanted = request.args.get("fase", type=int)
        chosen = next((o for o in options if o.stage.id == wanted), None)
        if chosen is None and len(options) == 1:
            chosen = options[0]
        if chosen is not None:
            form.stage_id.data = chosen.stage.id
            form.period_start.data = chosen.periods[0].start
            form.period_end.data = chosen.periods[0].end
    if form.validate_on_submit():
        try:
            claim = services.create_labour_claim(contract, _data(form, contract), current_user,
                                                 _uploads(form))
        except ServiceError as error:
            db.session.rollback()
            _error(form, error)
        else:
            db.session.commit()
            flash(_("The labour line has been saved as a draft. Check the evidence and submit "
                    "it to the SROI adviser."), "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return render_template("labour/claim_form.html", form=form, contract=contract,
                           options=options, claim=None)


@bp.route("/claims/<int:claim_id>/bewerken", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def edit(claim_id: int):
    claim = db.session.scalar(sa.select(Claim).where(
        Claim.id == claim_id, Claim.scope_filter(current_user))) or abort(404)
    if claim.kind is not ClaimKind.LABOUR:
        return redirect(url_for("valuation.edit_claim", claim_id=claim.id))
    contract = _contract(claim.contract_id)
    if not claim.editable:
        flash(_("This claim has been %(status)s and can no longer be changed.",
                status=claim.status.label), "error")
        return redirect(url_for("valuation.claim", claim_id=claim.id))
    options = services.claimable(contract)
    form = LabourClaimForm(obj=claim)
    _choices(form, contract, options, claim.stage)
    if request.method == "POST":  # the version the form was loaded with (optimistic lock)
        try:
            claim_services.check_claim_version(claim, request.form.get("lock_version"))
        except claim_services.ClaimConflict:
            form.validate()
            return claim_conflict(claim.id, form)
    if form.validate_on_submit():
        try:
            services.update_labour_claim(claim, _data(form, contract), current_user,
                                         _uploads(form))
            claim_services.flush_claim(claim)
        except (claim_services.ClaimConflict, StaleDataError):
            return claim_conflict(claim.id, form)
        except ServiceError as error:
            db.session.rollback()
            _error(form, error)
        else:
            db.session.commit()
            flash(_("The claim has been saved."), "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return render_template("labour/claim_form.html", form=form, contract=contract,
                           options=options, claim=claim)
