"""Social Return pages: the ledger overview, contracts, claims, evidence, exports, calculator.

Who may do what (docs/valuation.md): the SROI adviser sets contract terms and
judges; the provider's own staff (role intaker for now) enter revenue, claims and
the plan of approach; the coordinator and the klantmanager read. Objects are
loaded in scope (out of scope: 404); in scope but not allowed: 403.
"""

from __future__ import annotations

import io
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory import confirm
from trajectory import exports as kit
from trajectory.audit.rendering import show_subjects
from trajectory.audit.trail import log_processing
from trajectory.auth.access import allow, any_user, get_in_scope, require
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _field_error
from trajectory.i18n import money
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.providers.paging import paginate_counted
from trajectory.services import ServiceError
from trajectory.timeutil import today
from trajectory.ui import page_number, register_nav
from trajectory.valuation import engine, labels, services
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.evidence import path_of
from trajectory.valuation.exports import ledger_xlsx
from trajectory.valuation.forms import (
    ActivityForm,
    CalculatorForm,
    ConfirmForm,
    ContractForm,
    EvaluationForm,
    ExtensionForm,
    FundForm,
    JudgeForm,
    LabourUploadForm,
    PurchaseForm,
    SubcontractorForm,
    UploadForm,
    WhatIfForm,
    YearForm,
    pso_choices,
    rulebook_choices,
    supplier_choices,
)
from trajectory.valuation.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Contract,
    ContractYear,
    Evidence,
    Remedy,
    region_of,
)
from trajectory.valuation.pdf import statement_pdf

bp = Blueprint("valuation", __name__, url_prefix="/sroi")

READERS = (Role.SROI_ADVISEUR, Role.COORDINATOR, Role.INTAKER, Role.KLANTMANAGER)
ADVISER = Role.SROI_ADVISEUR
PROVIDER_STAFF = Role.INTAKER  # a provider "SROI-contactpersoon" role may follow

register_nav("valuation.overview", _l("Social Return"), set(READERS), order=50)
register_nav("valuation.calculator", _l("Calculator"), None, order=60)

CLAIM_FORMS = {ClaimKind.PURCHASE: PurchaseForm, ClaimKind.ACTIVITY: ActivityForm,
               ClaimKind.FUND: FundForm}


def _contract(contract_id: int) -> Contract:
    return get_in_scope(Contract, contract_id)


def _is_provider_staff(contract: Contract) -> bool:
    return current_user.has_role(PROVIDER_STAFF) and \
        current_user.organisation_id == contract.provider_id


# ------------------------------------------------------------------ overviews


@bp.route("/")
@allow(*READERS)
def overview():
    """All contracts in the user's scope with % fulfilled and those at risk; per provider."""
    ledgers = ledger_mod.ledgers_for(current_user)
    return render_template("valuation/overview.html", ledgers=ledgers,
                           providers=ledger_mod.by_provider(ledgers),
                           total=ledger_mod.summarise(ledgers, _("All contracts")),
                           at_risk=[lg for lg in ledgers if lg.at_risk],
                           can_create=current_user.has_role(ADVISER))


@bp.route("/aanbieders/<int:provider_id>")
@allow(*READERS)
def provider(provider_id: int):
    """One provider: its contracts, the ledger and the yearly cycle (what is due and late)."""
    organisation = db.session.get(Organisation, provider_id)
    if organisation is None or organisation.kind is not OrganisationKind.PROVIDER:
        abort(404)
    ledgers = ledger_mod.ledgers_for(current_user, provider_id=provider_id)
    regional = current_user.has_role(ADVISER, Role.COORDINATOR) and \
        organisation.region_id == region_of(current_user)
    own = current_user.has_role(PROVIDER_STAFF) and current_user.organisation_id == provider_id
    if not (ledgers or regional or own):
        abort(404)
    dues = [due for lg in ledgers for row in lg.contract.years for due in services.cycle(row)
            if due.state != "done"]
    return render_template("valuation/provider.html", organisation=organisation, ledgers=ledgers,
                           total=ledger_mod.summarise(ledgers, organisation.name),
                           dues=sorted(dues, key=lambda d: d.due))


# ------------------------------------------------------------------ contracts


def _contract_form(form: ContractForm, contract: Contract | None = None) -> None:
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.active.is_(True))
        .order_by(Organisation.kind, Organisation.name)).all()
    form.client_id.choices = [SelectChoice(o.id, o.name, optgroup=o.kind_label)
                              for o in organisations if o.is_municipality or o.is_region]
    form.provider_id.choices = [SelectChoice(o.id, o.name) for o in organisations
                                if o.is_provider]
    # Only adopted editions for a live contract (one that has a concept edition keeps it).
    form.rulebook.choices = rulebook_choices(adopted_only=True,
                                             keep=contract.rulebook if contract else None)
    form.pso_step.choices = pso_choices()


def _terms(form: ContractForm) -> services.ContractTerms:
    def org(organisation_id: int) -> Organisation:
        found = db.session.get(Organisation, organisation_id)
        if found is None:
            raise ServiceError(_("Choose an organisation from the list."))
        return found

    return services.ContractTerms(
        name=form.name.data, reference=form.reference.data, client=org(form.client_id.data),
        provider=org(form.provider_id.data), start=form.start.data, end=form.end.data,
        rulebook=form.rulebook.data, pso_step=form.pso_step.data or None,
        pso_valid_from=form.pso_valid_from.data, pso_valid_until=form.pso_valid_until.data,
        sroi_percentage=form.sroi_percentage.data)


@bp.route("/contracten/nieuw", methods=["GET", "POST"])
@allow(ADVISER)
def new_contract():
    form = ContractForm()
    _contract_form(form)
    if request.method == "GET":
        form.rulebook.data = engine.newest_rulebook().name
    if form.validate_on_submit():
        try:
            contract = services.create_contract(_terms(form))
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The contract has been saved."), "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id))
    return render_template("valuation/contract_form.html", form=form, contract=None)


@bp.route("/contracten/<int:contract_id>")
@allow(*READERS)
def contract(contract_id: int):
    # In scope with what the ledger and the page read, in a fixed number of queries (the
    # subcontractors first, so a claim's subcontractor comes from the identity map).
    found = db.session.scalars(
        ledger_mod.ledger_query(current_user).where(Contract.id == contract_id)
        .options(so.selectinload(Contract.subcontractors))).unique().first()
    return _render_contract(found or _contract(contract_id), SubcontractorForm(formdata=None))


LINES_PER_PAGE = 50


def _line_filters(ledger: ledger_mod.ContractLedger) -> tuple[int | None, str | None]:
    """``?jaar=`` and ``?status=`` of the labour lines: a year the ledger has, a line
    status; anything else is no filter (never an error)."""
    raw_year = request.args.get("jaar", "")
    year = int(raw_year) if raw_year.isascii() and raw_year.isdigit() else None
    if year not in ledger.years:
        year = None
    status = request.args.get("status")
    return year, status if status in ledger_mod.LABOUR_STATUSES else None


def _render_contract(contract: Contract, subcontractor_form: SubcontractorForm):
    """The figures summed in SQL and one page of the labour lines: the same cost whatever
    the number of lines (the exports carry them all)."""
    ledger = ledger_mod.contract_figures(contract)
    year, status = _line_filters(ledger)
    total, rows = ledger_mod.labour_page(contract, year=year, status=status)
    lines = paginate_counted(total, rows, page_number(), LINES_PER_PAGE)
    return render_template(
        "valuation/contract.html", contract=contract, ledger=ledger, lines=lines,
        line_year=year, line_status=status, line_statuses=ledger_mod.LABOUR_STATUSES,
        cycle={row.id: services.cycle(row) for row in contract.years},
        is_adviser=current_user.has_role(ADVISER), is_provider=_is_provider_staff(contract),
        confirm=ConfirmForm(), subcontractor_form=subcontractor_form,
        can_download=current_user.has_role(ADVISER) or _is_provider_staff(contract))


@bp.route("/contracten/<int:contract_id>/bewerken", methods=["GET", "POST"])
@allow(ADVISER)
def edit_contract(contract_id: int):
    contract = _contract(contract_id)
    form = ContractForm(obj=contract)
    _contract_form(form, contract)
    if form.validate_on_submit():
        try:
            services.update_contract(contract, _terms(form), lock_version=_sent_lock())
        except services.Conflict:
            return _saved_by_other(form, _contract(contract_id), "valuation/contract_form.html",
                                   contract=_contract(contract_id))
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The contract has been saved."), "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id))
    return render_template("valuation/contract_form.html", form=form, contract=contract,
                           lock_version=_sent_lock() or contract.lock_version)


@bp.route("/contracten/<int:contract_id>/verlengingen/nieuw", methods=["GET", "POST"],
          defaults={"extension_id": None})
@bp.route("/contracten/<int:contract_id>/verlengingen/<int:extension_id>",
          methods=["GET", "POST"])
@allow(ADVISER)
def extension(contract_id: int, extension_id: int | None):
    contract = _contract(contract_id)
    existing = None
    if extension_id is not None:
        existing = next((e for e in contract.extensions if e.id == extension_id), None)
        if existing is None:
            abort(404)
    form = ExtensionForm(obj=existing)
    if form.validate_on_submit():
        try:
            services.save_extension(contract, existing, start=form.start.data,
                                    end=form.end.data, exercised=form.exercised.data)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The extension has been saved."), "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id))
    return render_template("valuation/extension_form.html", form=form, contract=contract,
                           extension=existing)


@bp.route("/contracten/<int:contract_id>/onderaannemers", methods=["POST"])
@allow(ADVISER, PROVIDER_STAFF)
def add_subcontractor(contract_id: int):
    contract = _contract(contract_id)
    require(current_user.has_role(ADVISER) or _is_provider_staff(contract))
    form = SubcontractorForm()
    if form.validate_on_submit():
        try:
            services.add_subcontractor(contract, form.name.data)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The subcontractor has been added."), "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id,
                                    _anchor="onderaannemers"))
    return _render_contract(_contract(contract_id), form)


def _contract_file(contract: Contract, store, saved: str, template: str, anchor=None):
    """One file on the contract (plan of approach, PSO certificate): stored through the
    evidence service, the newest counts; a refused file leaves nothing behind."""
    form = UploadForm()
    if form.validate_on_submit():
        try:
            store(contract, form.file.data, current_user)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(saved, "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id,
                                    _anchor=anchor))
    return render_template(template, form=form, contract=contract)


@bp.route("/contracten/<int:contract_id>/plan", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def upload_plan(contract_id: int):
    contract = _contract(contract_id)
    require(_is_provider_staff(contract))
    return _contract_file(contract, services.upload_plan,
                          _("The plan of approach has been saved."), "valuation/plan_form.html")


@bp.route("/contracten/<int:contract_id>/pso-certificaat", methods=["GET", "POST"])
@allow(ADVISER)
def upload_pso_certificate(contract_id: int):
    """The adviser, who sets the PSO terms, attaches the certificate; the newest file counts."""
    return _contract_file(_contract(contract_id), services.upload_pso_certificate,
                          _("The PSO certificate has been saved."), "valuation/pso_form.html",
                          anchor="pso")


# ------------------------------------------------------------------ the yearly figures


def _year(contract_id: int, year: int) -> ContractYear:
    contract = _contract(contract_id)
    row = next((y for y in contract.years if y.year == year), None)
    if row is None:
        abort(404)
    return row


@bp.route("/contracten/<int:contract_id>/omzet/<int:year>", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def edit_year(contract_id: int, year: int):
    row = _year(contract_id, year)
    require(_is_provider_staff(row.contract))
    form = YearForm(obj=row)
    if form.validate_on_submit():
        try:
            services.save_year_figures(row, forecast=form.forecast.data, actual=form.actual.data)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The revenue of %(year)d has been saved.", year=row.year), "success")
            return redirect(url_for("valuation.contract", contract_id=contract_id,
                                    _anchor="omzet"))
    return render_template("valuation/year_form.html", form=form, row=row, contract=row.contract,
                           cycle=services.cycle(row))


@bp.route("/contracten/<int:contract_id>/omzet/<int:year>/beoordelen", methods=["POST"])
@allow(ADVISER)
def review_year(contract_id: int, year: int):
    row = _year(contract_id, year)
    if ConfirmForm().validate_on_submit():
        try:
            services.review_year(row, current_user, lock_version=_sent_lock())
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            if not confirm.confirmed():
                return _confirm_review(row)
            db.session.commit()
            flash(_("The figures of %(year)d have been reviewed.", year=row.year), "success")
    return redirect(url_for("valuation.contract", contract_id=contract_id, _anchor="omzet"))


def _confirm_review(row) -> str:
    """After a successful dry run of the review: the adviser's judgement of the figures,
    asked once more (figures changed later are refused, not silently re-reviewed)."""
    contract = row.contract
    details = [(_("Contract"), f"{contract.name} ({contract.reference})"),
               (_("Year"), str(row.year))]
    return confirm.ask(
        title=_("Mark the figures of %(year)d as reviewed?", year=row.year),
        message=_("You record that you have reviewed the revenue figures of this year as "
                  "they are now. The review is saved with your name and today's date."),
        confirm_label=_("Yes, mark as reviewed"),
        back=url_for("valuation.contract", contract_id=contract.id, _anchor="omzet"),
        details=details)


# ------------------------------------------------------------------ claims


def _claim(claim_id: int) -> Claim:
    return db.session.scalars(
        sa.select(Claim).where(Claim.id == claim_id, Claim.scope_filter(current_user))
        .options(so.selectinload(Claim.evidence), so.joinedload(Claim.contract))
    ).first() or abort(404)


def _sent_lock() -> str | None:
    """The claim version the browser's form was loaded with (None: no form sent one)."""
    return request.form.get("lock_version")


def claim_conflict(claim_id: int, form=None, *, judging: bool = False):
    """Someone else changed or judged the claim first: what is saved now beside what this
    user sent (not saved), nothing of theirs written."""
    db.session.rollback()
    claim = _claim(claim_id)
    rows = []
    if form is not None:
        for name, field in form._fields.items():
            if name in ("csrf_token", "lock_version") or field.type in ("FileField",):
                continue
            theirs = getattr(claim, name, None)
            if name == "decision":
                theirs = claim.status.label
            elif name == "reason":
                theirs = claim.rejection_reason
            rows.append({"label": field.label.text, "theirs": _shown(field, theirs),
                         "yours": _shown(field, field.data)})
    return render_template("valuation/claim_conflict.html", claim=claim, rows=rows,
                           judging=judging), 409


def _saved_by_other(form, saved, template: str, **context):
    """A form saved by someone else meanwhile: shown again with the user's input, what is
    saved now beside it (``saved_rows``), and the saved version, so saving again is a
    deliberate choice after seeing the other person's decision (409)."""
    db.session.rollback()
    rows = []
    if saved is not None:
        for name, field in form._fields.items():
            if name in ("csrf_token", "lock_version") or field.type == "FileField":
                continue
            theirs = getattr(saved, name, None)
            if name.endswith("_id") and hasattr(saved, name[:-3]):
                theirs = getattr(getattr(saved, name[:-3]), "id", theirs)
            row = {"label": field.label.text, "theirs": _shown(field, theirs),
                   "yours": _shown(field, field.data)}
            if row["theirs"] != row["yours"]:
                rows.append(row)
    who = getattr(saved, "decided_by_name", None)
    flash(_("%(name)s saved this while you had it open. Nothing of yours has been saved yet: "
            "compare below, then save again or go back.", name=who) if who else
          _("Someone else saved this while you had it open. Nothing of yours has been saved "
            "yet: compare below, then save again or go back."), "error")
    return render_template(template, form=form, saved_rows=rows,
                           lock_version=saved.lock_version if saved is not None else 0,
                           **context), 409


def _shown(field, value) -> str:
    """A value as the form shows it (choice labels, Dutch dates and amounts)."""
    from trajectory.forms import format_dutch_decimal
    from trajectory.i18n import day

    if value is None or value == "":
        return "–"
    if hasattr(field, "iter_choices"):
        for choice in field.iter_choices():
            if str(choice[0]) == str(getattr(value, "value", value)):
                return str(choice[1])
    if hasattr(value, "isoformat"):
        return day(value)
    if isinstance(value, Decimal):
        return format_dutch_decimal(value)
    return str(value)


def _claim_form(kind: ClaimKind, contract: Contract, claim: Claim | None = None):
    form = CLAIM_FORMS[kind](obj=claim)
    form.subcontractor_id.choices = [
        SelectChoice("", _("%(provider)s itself", provider=contract.provider.name)),
        *[SelectChoice(s.id, _("Subcontractor %(name)s", name=s.name))
          for s in contract.subcontractors]]
    if kind is ClaimKind.PURCHASE:
        form.supplier_type.choices = supplier_choices(contract.rulebook)
    return form


def _claim_data(form) -> services.ClaimData:
    return services.ClaimData(
        description=form.description.data or "", day=form.day.data,
        subcontractor_id=form.subcontractor_id.data,
        supplier_name=getattr(form, "supplier_name", None) and form.supplier_name.data,
        supplier_type=getattr(form, "supplier_type", None) and form.supplier_type.data,
        amount=getattr(form, "amount", None) and form.amount.data,
        hours=getattr(form, "hours", None) and form.hours.data,
        custom_value=getattr(form, "custom_value", None) and form.custom_value.data)


def _kind(value: str) -> ClaimKind:
    """A purchase, activity or fund payment; labour lines have their own pages (labour.new)."""
    try:
        kind = ClaimKind(value)
    except ValueError:
        abort(404)
    if kind is ClaimKind.LABOUR:
        abort(404)
    return kind


@bp.route("/contracten/<int:contract_id>/claims/nieuw/<kind>", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def new_claim(contract_id: int, kind: str):
    contract = _contract(contract_id)
    require(_is_provider_staff(contract))
    claim_kind = _kind(kind)
    form = _claim_form(claim_kind, contract)
    if form.validate_on_submit():
        try:
            claim = services.create_claim(contract, claim_kind, _claim_data(form), current_user,
                                          upload=form.file.data or None)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The claim has been saved as a draft. Submit it when it is complete."),
                  "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return render_template("valuation/claim_form.html", form=form, contract=contract,
                           kind=claim_kind, claim=None)


@bp.route("/claims/<int:claim_id>")
@allow(*READERS)
def claim(claim_id: int):
    claim = _claim(claim_id)
    return _render_claim(claim, JudgeForm(formdata=None))


def _upload_form(claim: Claim, formdata=...) -> UploadForm:
    """A labour line's evidence says what it proves; other claims take a plain file."""
    form_class = LabourUploadForm if claim.kind is ClaimKind.LABOUR else UploadForm
    return form_class() if formdata is ... else form_class(formdata=formdata)


def _render_claim(claim: Claim, judge_form: JudgeForm, upload_form: UploadForm | None = None):
    contract = claim.contract
    line = ledger_mod.claim_line(claim)
    now = None
    if claim.kind is ClaimKind.LABOUR and claim.status is ClaimStatus.APPROVED:
        # Later changes to the facts show as a "what if": the frozen value still counts.
        now = ledger_mod.what_if(claim, line, contract.rulebook)
    what_if_form = WhatIfForm(request.args)
    what_if_form.editie.choices = rulebook_choices()
    chosen = request.args.get("editie")
    if chosen not in engine.available_rulebooks():
        frozen = claim.approved_rulebook or contract.rulebook
        others = [n for n in engine.available_rulebooks() if n != frozen]
        chosen = contract.rulebook if contract.rulebook != frozen else (others[-1] if others
                                                                        else frozen)
    what_if_form.editie.data = chosen
    if claim.stage is not None:  # a labour claim is about one person's stage
        show_subjects([claim.stage.candidate_id], object_type="Claim", object_id=claim.id,
                      categories=("initialen", "claim"), activity="social-return")
    return render_template(
        "valuation/claim.html", claim=claim, contract=contract, line=line,
        what_if=ledger_mod.what_if(claim, line, chosen), what_if_form=what_if_form,
        judge_form=judge_form, confirm=ConfirmForm(), now=now,
        person=labels.initials(claim.stage.candidate) if claim.stage else None,
        upload_form=upload_form or _upload_form(claim, None),
        is_adviser=current_user.has_role(ADVISER), is_provider=_is_provider_staff(contract),
        can_download=current_user.has_role(ADVISER) or _is_provider_staff(contract))


@bp.route("/claims/<int:claim_id>/bewerken", methods=["GET", "POST"])
@allow(PROVIDER_STAFF)
def edit_claim(claim_id: int):
    claim = _claim(claim_id)
    require(_is_provider_staff(claim.contract))
    if not claim.editable:
        flash(_("This claim has been %(status)s and can no longer be changed.",
                status=claim.status.label), "error")
        return redirect(url_for("valuation.claim", claim_id=claim.id))
    if claim.kind is ClaimKind.LABOUR:
        return redirect(url_for("labour.edit", claim_id=claim.id))
    form = _claim_form(claim.kind, claim.contract, claim)
    if request.method == "POST":
        try:
            services.check_claim_version(claim, _sent_lock())
        except services.ClaimConflict:
            form.validate()
            return claim_conflict(claim_id, form)
    if form.validate_on_submit():
        try:
            services.update_claim(claim, _claim_data(form), current_user,
                                  upload=form.file.data or None, lock_version=_sent_lock())
        except services.ClaimConflict:
            return claim_conflict(claim_id, form)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The claim has been saved."), "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return render_template("valuation/claim_form.html", form=form, contract=claim.contract,
                           kind=claim.kind, claim=claim)


@bp.route("/claims/<int:claim_id>/bewijs", methods=["POST"])
@allow(PROVIDER_STAFF)
def add_evidence(claim_id: int):
    claim = _claim(claim_id)
    require(_is_provider_staff(claim.contract))
    form = _upload_form(claim)
    if form.validate_on_submit():
        kind = getattr(form, "kind", None)
        try:
            services.add_claim_evidence(claim, form.file.data, current_user,
                                        **({"kind": kind.data} if kind else {}),
                                        lock_version=_sent_lock())
        except services.ClaimConflict:
            return claim_conflict(claim_id)
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The file has been added."), "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return _render_claim(_claim(claim_id), JudgeForm(formdata=None), form)


@bp.route("/claims/<int:claim_id>/indienen", methods=["POST"])
@allow(PROVIDER_STAFF)
def submit_claim(claim_id: int):
    claim = _claim(claim_id)
    require(_is_provider_staff(claim.contract))
    proposal = request.form.get("voorstel") == "1"
    if ConfirmForm().validate_on_submit():
        try:
            if proposal:
                services.propose_claim(claim, current_user, lock_version=_sent_lock())
            else:
                services.submit_claim(claim, current_user, lock_version=_sent_lock())
        except services.ClaimConflict:
            return claim_conflict(claim_id)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            if not confirm.confirmed():
                return _confirm_submit(claim, proposal)
            db.session.commit()
            flash(_("The proposal has been sent to the SROI adviser.") if proposal
                  else _("The claim has been submitted to the SROI adviser."), "success")
    return redirect(url_for("valuation.claim", claim_id=claim_id))


def _claim_details(claim: Claim) -> list[tuple[str, str]]:
    return [(_("Contract"), f"{claim.contract.name} ({claim.contract.reference})"),
            (_("Claim"), f"{claim.kind.label}: {claim.title}")]


def _confirm_submit(claim: Claim, proposal: bool) -> str:
    """After a successful dry run of the submission: ask before it goes to the adviser."""
    if proposal:
        title, label = _("Send the proposal to the SROI adviser?"), _("Yes, send the proposal")
        message = _("The SROI adviser judges the planned hours or value before the activity "
                    "is carried out. Until then you cannot change the claim.")
    else:
        title, label = _("Submit the claim to the SROI adviser?"), _("Yes, submit")
        message = _("The SROI adviser judges the claim as it is now. After submitting you "
                    "can no longer change it.")
    return confirm.ask(title=title, message=message, confirm_label=label,
                       back=url_for("valuation.claim", claim_id=claim.id),
                       details=_claim_details(claim))


def _confirm_judgement(claim: Claim, approve: bool, reason: str | None) -> str:
    """After a successful dry run of the judgement: what it will record, asked once more."""
    details = _claim_details(claim)
    if not approve:
        title, label = _("Reject the claim?"), _("Yes, reject")
        message = _("The claim is rejected with your reason. The provider sees the reason and "
                    "the claim no longer counts towards the obligation.")
        details.append((_("Reason for rejection"), (reason or "").strip()))
    elif claim.status is ClaimStatus.AGREED:
        title, label = _("Agree to the proposal?"), _("Yes, agree")
        message = _("The proposal is agreed: the provider carries out the activity and submits "
                    "the claim afterwards.")
        if claim.planned_value is not None:
            details.append((_("Planned value"), money(claim.planned_value)))
    else:
        title, label = _("Approve the claim?"), _("Yes, approve")
        message = _("The claim is approved and its value is frozen under the edition "
                    "%(edition)s: a later edition or change does not alter it.",
                    edition=claim.approved_rulebook)
        details.append((_("Approved value"), money(claim.approved_value)))
    return confirm.ask(title=title, message=message, confirm_label=label,
                       back=url_for("valuation.claim", claim_id=claim.id), details=details)


@bp.route("/claims/<int:claim_id>/beoordelen", methods=["POST"])
@allow(ADVISER)
def judge_claim(claim_id: int):
    claim = _claim(claim_id)
    form = JudgeForm()
    try:  # a judgement on what the adviser saw, or none: first the version the form had
        services.check_claim_version(claim, _sent_lock())
    except services.ClaimConflict:
        form.validate()
        return claim_conflict(claim_id, form, judging=True)
    if form.validate_on_submit():
        try:
            services.judge_claim(claim, current_user, approve=form.decision.data == "approve",
                                 reason=form.reason.data, custom_value=form.custom_value.data,
                                 lock_version=_sent_lock())
        except services.ClaimConflict:
            return claim_conflict(claim_id, form, judging=True)
        except ServiceError as error:
            db.session.rollback()
            if not error.field:
                flash(error.message, "error")
                return redirect(url_for("valuation.claim", claim_id=claim_id))
            claim = _claim(claim_id)
            _field_error(form, error)
        else:
            if not confirm.confirmed():
                return _confirm_judgement(claim, form.decision.data == "approve",
                                          form.reason.data)
            db.session.commit()
            flash(_("Your judgement has been saved."), "success")
            return redirect(url_for("valuation.claim", claim_id=claim.id))
    return _render_claim(claim, form)


@bp.route("/bewijs/<int:evidence_id>")
@allow(ADVISER, PROVIDER_STAFF)
def download_evidence(evidence_id: int):
    """Only the provider's own staff and the region's adviser; always as an attachment."""
    evidence = get_in_scope(Evidence, evidence_id)
    path = path_of(evidence)
    if not path.is_file():
        abort(404)
    log_processing("download", "Evidence", evidence.id, activity="social-return",
                   categories=("bewijsstuk",))
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=evidence.content_type,
                         as_attachment=True, download_name=evidence.original_name, max_age=0,
                         etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ------------------------------------------------------------------ final evaluation


@bp.route("/contracten/<int:contract_id>/eindevaluatie", methods=["GET", "POST"])
@allow(ADVISER)
def final_evaluation(contract_id: int):
    contract = _contract(contract_id)
    ledger = ledger_mod.contract_figures(contract)
    form = EvaluationForm(obj=contract.evaluation)
    if request.method == "GET" and contract.evaluation is None:
        form.decided_on.data = today()
        if ledger.shortfall <= 0:
            form.remedy.data = Remedy.NONE.value
    if form.validate_on_submit():
        try:
            services.record_final_evaluation(ledger, current_user,
                                             remedy=Remedy(form.remedy.data),
                                             decision=form.decision.data,
                                             decided_on=form.decided_on.data,
                                             lock_version=_sent_lock())
        except services.Conflict:
            saved = _contract(contract_id)
            return _saved_by_other(form, saved.evaluation, "valuation/evaluation_form.html",
                                   contract=saved, ledger=ledger_mod.contract_figures(saved))
        except ServiceError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The final evaluation has been saved."), "success")
            return redirect(url_for("valuation.contract", contract_id=contract.id,
                                    _anchor="eindevaluatie"))
    return render_template("valuation/evaluation_form.html", form=form, contract=contract,
                           ledger=ledger, lock_version=_sent_lock() or (
                               contract.evaluation.lock_version if contract.evaluation else 0))


# ------------------------------------------------------------------ exports


def _export_name(contract: Contract, extension: str) -> str:
    return kit.filename("sroi-verantwoording", contract.reference, today().isoformat(),
                        extension=extension)


@bp.route("/contracten/<int:contract_id>/verantwoording.xlsx")
@allow(*READERS)
def export_xlsx(contract_id: int):
    contract = _contract(contract_id)
    data = ledger_xlsx(ledger_mod.contract_ledger(contract))
    return kit.download(data, _export_name(contract, "xlsx"), kit.XLSX)


@bp.route("/contracten/<int:contract_id>/verantwoording.pdf")
@allow(*READERS)
def export_pdf(contract_id: int):
    contract = _contract(contract_id)
    data = statement_pdf(contract)  # grouped in SQL above the detail limit
    return kit.download(data, _export_name(contract, "pdf"), kit.PDF)


# ------------------------------------------------------------------ calculator

CALCULATOR_FIELDS = {
    "stage.kind": "kind", "stage.start": "start", "stage.end": "end", "stage.hours": "hours",
    "stage.hours_per_week": "hours_per_week", "stage.level": "level",
    "stage.permanent": "permanent", "candidate": "benefit", "candidate.benefit": "benefit",
    "candidate.benefit_since": "benefit_since", "candidate.birth_date": "birth_date",
}


def _calculator_messages() -> dict[str, str]:
    return {
        "stage.end": _("The end lies before the start."),
        "stage.hours": _("Give the hours: intake and coaching are valued by the hour. Other "
                         "stages have no hours here."),
        "stage.hours_per_week": _("Give the hours per week of the paid job (more than 0, at most "
                                  "168)."),
        "stage.level": _("Choose a level 1-4 for a BBL or BOL stage; other stages have no level."),
        "stage.permanent": _("Only a paid job has a permanent contract bonus."),
        "candidate": _("Choose the benefit: the value of this stage depends on the person."),
        "candidate.benefit": _("Choose the benefit."),
        "candidate.benefit_since": _("Give the date the benefit started: the block depends on "
                                     "how long it ran."),
        "candidate.birth_date": _("Give the date of birth: a paid job can earn the 50+ bonus."),
    }


@bp.route("/rekenhulp")
@any_user
def calculator():
    """"What is this stage worth?": the engine's value and explanation for any logged-in user."""
    form = CalculatorForm(request.args)
    form.rulebook.choices = rulebook_choices(include_default=_("Newest adopted edition"))
    result, rulebook = None, None
    if request.args and form.validate():
        rulebook = (engine.load_rulebook(form.rulebook.data) if form.rulebook.data
                    else engine.newest_rulebook())
        try:
            stage = engine.Stage(
                kind=form.kind.data, start=form.start.data, end=form.end.data,
                hours=form.hours.data, hours_per_week=form.hours_per_week.data,
                level=int(form.level.data) if form.level.data else None,
                permanent=form.permanent.data)
            candidate = engine.Candidate(
                benefit=form.benefit.data, benefit_since=form.benefit_since.data,
                doelgroepregister=form.doelgroepregister.data, birth_date=form.birth_date.data,
                statushouder=form.statushouder.data) if form.benefit.data else None
            result = engine.value_stage(stage, candidate, rulebook)
        except engine.InputError as error:
            name = CALCULATOR_FIELDS.get(error.field, "kind")
            target = getattr(form, name)
            target.errors = [*target.errors,
                             _calculator_messages().get(error.field, error.message)]
            result = None
    return render_template("valuation/calculator.html", form=form, result=result,
                           rulebook=rulebook, submitted=bool(request.args))


@bp.record_once
def _template_helpers(state) -> None:
    """The ledger's words and the percentage format, for every template (and the PDF)."""
    env = state.app.jinja_env
    env.filters["percent"] = labels.percent
    env.filters["quantity"] = labels.quantity
    env.filters["explanation"] = labels.explanation
    env.globals.update(block_label=labels.block_label, due_label=labels.due_label,
                       labour_status_label=labels.labour_status_label,
                       labour_status_tone=labels.labour_status_tone,
                       provisional_note=labels.provisional_note,
                       provisional_text=labels.provisional_text,
                       supplier_label=labels.supplier_label)
