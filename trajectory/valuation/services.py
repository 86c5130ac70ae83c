"""Contracts, yearly figures, claims and their judgement: the business rules.

Each function checks, changes objects and flushes; the view commits once. A
refused action raises ``ServiceError(message, field)``. The audit trail
follows from the models' ``__audit__``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import exc as so_exc

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError
from trajectory.timeutil import today, utcnow
from trajectory.valuation import engine
from trajectory.valuation.adapters import day_text, value_claim
from trajectory.valuation.evidence import store_upload
from trajectory.valuation.ledger import ContractLedger
from trajectory.valuation.models import (
    EVIDENCE_BENEFIT,
    EVIDENCE_CLAIM,
    EVIDENCE_EMPLOYMENT,
    EVIDENCE_PLAN,
    EVIDENCE_PSO,
    LABOUR_EVIDENCE,
    Claim,
    ClaimKind,
    ClaimStatus,
    Contract,
    ContractYear,
    Extension,
    FinalEvaluation,
    Remedy,
    Subcontractor,
)

# ------------------------------------------------------------------ optimistic locks


class Conflict(ServiceError):
    """Someone else saved the object since the form was loaded (optimistic lock)."""

    def __init__(self, obj=None, message: str | None = None) -> None:
        super().__init__(message or _("Someone else saved this while you had it open. Nothing "
                                      "of yours has been saved."))
        self.obj = obj


class ClaimConflict(Conflict):
    """Someone else changed or judged the claim since the form was loaded."""

    def __init__(self, claim: Claim | None = None) -> None:
        super().__init__(claim, _("Someone else changed this claim while you had it open. "
                                  "Nothing of yours has been saved."))
        self.claim = claim


def check_version(obj, lock_version: Any, conflict: type[Conflict] = Conflict) -> None:
    """Refuse a form loaded with another version of ``obj`` than the saved one; ``obj`` None
    (nothing saved yet) is version 0.

    ``lock_version`` None means the caller loaded no form (the command line, the demo); a web
    form always sends its version. The UPDATE checks the version as well (``version_id_col``),
    so two saves at the same moment cannot both pass: see ``flush_locked``.
    """
    if lock_version is None:
        return
    try:
        sent = int(str(lock_version).strip())
    except ValueError:
        sent = -1
    if sent != (obj.lock_version if obj is not None else 0):
        raise conflict(obj)


def check_claim_version(claim: Claim, lock_version: Any) -> None:
    check_version(claim, lock_version, ClaimConflict)


def flush_locked(obj, conflict: type[Conflict] = Conflict) -> None:
    """Flush; a concurrent save of the same version (or a second first one) loses."""
    try:
        db.session.flush()
    except (so_exc.StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        raise conflict(obj) from None


# ------------------------------------------------------------------ contracts


@dataclass
class ContractTerms:
    """What the adviser sets on a contract (the form's data, checked here)."""

    name: str
    reference: str
    client: Organisation
    provider: Organisation
    start: date
    end: date
    rulebook: str
    pso_step: str | None = None
    pso_valid_from: date | None = None
    pso_valid_until: date | None = None
    sroi_percentage: Decimal | None = Decimal("5.00")


def default_rulebook(start: date) -> str:
    """The adopted edition in force when the contract starts, else the newest adopted one."""
    book = engine.rulebook_in_force(start) or engine.newest_rulebook()
    return book.name


def _check_terms(terms: ContractTerms, contract: Contract | None) -> None:
    if not (terms.client.is_municipality or terms.client.is_region):
        raise ServiceError(_("The client must be a municipality or the region."), "client_id")
    if not terms.provider.is_provider:
        raise ServiceError(_("The provider must be a care provider."), "provider_id")
    if terms.end <= terms.start:
        raise ServiceError(_("The end must lie after the start."), "end")
    if terms.rulebook not in engine.available_rulebooks():
        raise ServiceError(_("Choose an edition of the building blocks."), "rulebook")
    edition = engine.load_rulebook(terms.rulebook)
    # A live contract takes an adopted edition; one that already has a concept keeps it.
    if not edition.adopted and (contract is None or contract.rulebook != terms.rulebook):
        raise ServiceError(_("%(edition)s is a concept edition: a contract takes an adopted "
                             "edition.", edition=edition.title), "rulebook")
    _check_percentage(terms.sroi_percentage)
    if terms.pso_step:
        book = engine.load_rulebook(terms.rulebook)
        if terms.pso_step not in {c.key for c in book.pso_discounts}:
            raise ServiceError(_("This PSO step is not in the chosen edition."), "pso_step")
        if terms.pso_valid_from is None:
            raise ServiceError(_("Give the date the certificate is valid from."), "pso_valid_from")
        if terms.pso_valid_until is None:
            raise ServiceError(_("Give the date the certificate is valid until."),
                               "pso_valid_until")
        if terms.pso_valid_until < terms.pso_valid_from:
            raise ServiceError(_("The certificate cannot end before it starts."), "pso_valid_until")
    taken = sa.select(Contract.id).where(sa.func.lower(Contract.reference)
                                         == terms.reference.strip().lower())
    if contract is not None:
        taken = taken.where(Contract.id != contract.id)
    if db.session.scalar(taken) is not None:
        raise ServiceError(_("Another contract already has this reference."), "reference")


def _check_percentage(percentage: Decimal | None) -> None:
    """The contract's Social Return percentage: more than 0, at most 100, in cents of a percent."""
    if percentage is None or not percentage.is_finite() or not 0 < percentage <= 100:
        raise ServiceError(_("The Social Return percentage must be more than 0 and at most 100."),
                           "sroi_percentage")
    if (percentage * 100) % 1:
        raise ServiceError(_("Give the percentage with at most two decimals."), "sroi_percentage")


def _apply_terms(contract: Contract, terms: ContractTerms) -> None:
    contract.name = terms.name.strip()
    contract.reference = terms.reference.strip()
    contract.client = terms.client
    contract.provider = terms.provider
    contract.start, contract.end = terms.start, terms.end
    contract.rulebook = terms.rulebook
    contract.pso_step = terms.pso_step or None
    contract.pso_valid_from = terms.pso_valid_from if terms.pso_step else None
    contract.pso_valid_until = terms.pso_valid_until if terms.pso_step else None
    contract.sroi_percentage = terms.sroi_percentage


def create_contract(terms: ContractTerms) -> Contract:
    _check_terms(terms, None)
    contract = Contract()
    _apply_terms(contract, terms)
    db.session.add(contract)
    sync_years(contract)
    db.session.flush()
    return contract


def update_contract(contract: Contract, terms: ContractTerms, *,
                    lock_version: Any = None) -> None:
    """Change the terms; approved claims keep their frozen value whatever changes here.
    ``lock_version``: the version the adviser's form was loaded with (``Conflict``)."""
    check_version(contract, lock_version)
    _check_terms(terms, contract)
    _apply_terms(contract, terms)
    sync_years(contract)
    flush_locked(contract)


def _new_year(contract: Contract, year: int, extension: Extension | None) -> ContractYear:
    row = ContractYear(extension=extension, year=year, forecast_due=date(year, 6, 1),
                       actual_due=date(year + 1, 3, 1))
    contract.years.append(row)
    return row


def sync_years(contract: Contract) -> None:
    """One revenue row per calendar year of the base period and of exercised extensions.

    A year shared by the base period and an extension belongs to the base period.
    A year that falls out of the period is removed only when it has no figures.
    """
    wanted: dict[int, Extension | None] = {
        y: None for y in range(contract.start.year, contract.end.year + 1)}
    for extension in contract.extensions:
        if extension.exercised:
            for y in range(extension.start.year, extension.end.year + 1):
                wanted.setdefault(y, extension)
    present = {row.year: row for row in contract.years}
    for year, row in present.items():
        if year not in wanted:
            if row.forecast is not None or row.actual is not None:
                raise ServiceError(_("The revenue of %(year)d has been reported; it cannot fall "
                                     "outside the contract period.", year=year), "end")
            contract.years.remove(row)
        else:
            row.extension = wanted[year]
    for year, extension in wanted.items():
        if year not in present:
            _new_year(contract, year, extension)


def save_extension(contract: Contract, extension: Extension | None, *, start: date, end: date,
                   exercised: bool) -> Extension:
    if end <= start:
        raise ServiceError(_("The end must lie after the start."), "end")
    if start <= contract.end:
        raise ServiceError(_("An extension starts after the base period (which ends on %(day)s).",
                             day=day_text(contract.end)), "start")
    for other in contract.extensions:
        if other is not extension and start <= other.end and other.start <= end:
            raise ServiceError(_("This period overlaps another extension."), "start")
    if extension is None:
        extension = Extension()
        contract.extensions.append(extension)
    extension.start, extension.end, extension.exercised = start, end, exercised
    sync_years(contract)
    db.session.flush()
    return extension


def add_subcontractor(contract: Contract, name: str) -> Subcontractor:
    name = name.strip()
    if any(s.name.lower() == name.lower() for s in contract.subcontractors):
        raise ServiceError(_("This subcontractor is already listed."), "name")
    subcontractor = Subcontractor(name=name)
    contract.subcontractors.append(subcontractor)
    db.session.flush()
    return subcontractor


def upload_plan(contract: Contract, upload, user: User):
    return store_upload(upload, contract=contract, user=user, kind=EVIDENCE_PLAN)


def upload_pso_certificate(contract: Contract, upload, user: User):
    """The adviser attaches the PSO certificate; the newest upload is the current one."""
    return store_upload(upload, contract=contract, user=user, kind=EVIDENCE_PSO)


# ------------------------------------------------------------------ the yearly cycle


def save_year_figures(row: ContractYear, *, forecast: Decimal | None, actual: Decimal | None,
                      on: date | None = None) -> None:
    """The provider reports its forecast and, once the year is over, its actual revenue.

    A change after the adviser's review reopens the review.
    """
    on = on or today()
    if actual is not None and on <= date(row.year, 12, 31):
        raise ServiceError(_("The actual revenue of %(year)d can be given once the year is over.",
                             year=row.year), "actual")
    changed = False
    if forecast != row.forecast:
        row.forecast = forecast
        row.forecast_submitted_at = utcnow() if forecast is not None else None
        changed = True
    if actual != row.actual:
        row.actual = actual
        row.actual_submitted_at = utcnow() if actual is not None else None
        changed = True
    if changed:
        row.reviewed_on, row.reviewed_by = None, None
    db.session.flush()


def review_year(row: ContractYear, adviser: User, on: date | None = None, *,
                lock_version: Any = None) -> None:
    """The adviser marks the figures seen as reviewed: figures changed since are refused."""
    check_version(row, lock_version, YearChanged)
    if row.actual is None:
        raise ServiceError(_("The actual revenue of %(year)d has not been given yet.",
                             year=row.year))
    row.reviewed_on = on or today()
    row.reviewed_by = adviser
    flush_locked(row, YearChanged)


class YearChanged(Conflict):
    def __init__(self, row: ContractYear | None = None) -> None:
        super().__init__(row, _("The figures of %(year)d changed after you opened the page. "
                                "Look at them again before you mark them as reviewed.",
                                year=row.year) if row is not None else None)


@dataclass(frozen=True)
class Due:
    """One thing of the yearly cycle: what, for which year, due when, and its state."""

    what: str
    row: ContractYear
    due: date
    state: str  # done, open, late

    @property
    def late(self) -> bool:
        return self.state == "late"


def cycle(row: ContractYear, on: date | None = None) -> list[Due]:
    """Forecast (due 1 June), actual (due 1 March the year after), the adviser's review."""
    on = on or today()
    items = []

    def state(done: bool, due: date) -> str:
        return "done" if done else ("late" if on > due else "open")

    items.append(Due("forecast", row, row.forecast_due,
                     state(row.forecast is not None or row.actual is not None, row.forecast_due)))
    if on > date(row.year, 12, 31):
        items.append(Due("actual", row, row.actual_due, state(row.actual is not None,
                                                               row.actual_due)))
        if row.actual is not None:
            items.append(Due("review", row, row.review_due, state(row.reviewed_on is not None,
                                                                   row.review_due)))
    return items


# ------------------------------------------------------------------ claims


def flush_claim(claim: Claim) -> None:
    """Flush a changed claim; a concurrent save of the same version loses (``ClaimConflict``)."""
    try:
        db.session.flush()
    except so_exc.StaleDataError:
        raise ClaimConflict(claim) from None



@dataclass
class ClaimData:
    """What the provider enters on a claim (the form's data, checked here)."""

    description: str = ""
    day: date | None = None
    subcontractor_id: int | None = None
    supplier_name: str | None = None
    supplier_type: str | None = None
    amount: Decimal | None = None
    hours: Decimal | None = None
    custom_value: Decimal | None = None


def _in_period(contract: Contract, day: date) -> bool:
    if contract.start <= day <= contract.end:
        return True
    return any(e.exercised and e.start <= day <= e.end for e in contract.extensions)


def _check_claim(contract: Contract, kind: ClaimKind, data: ClaimData) -> None:
    if data.day is not None and not _in_period(contract, data.day):
        raise ServiceError(_("The date lies outside the contract period (%(start)s to %(end)s); "
                             "only what happens inside it counts.",
                             start=day_text(contract.start), end=day_text(contract.period_end)),
                           "day")
    if data.subcontractor_id is not None and data.subcontractor_id not in {
            s.id for s in contract.subcontractors}:
        raise ServiceError(_("Choose a subcontractor of this contract."), "subcontractor_id")
    if kind is ClaimKind.PURCHASE:
        suppliers = {c.key for c in engine.load_rulebook(contract.rulebook).suppliers}
        if data.supplier_type not in suppliers:
            raise ServiceError(_("Choose the kind of supplier."), "supplier_type")
        if data.amount is None or data.amount <= 0:
            raise ServiceError(_("Give the invoice amount excluding VAT."), "amount")
    elif kind is ClaimKind.FUND:
        if data.amount is None or data.amount <= 0:
            raise ServiceError(_("Give the amount paid into the fund."), "amount")
    elif not data.description.strip():
        raise ServiceError(_("Describe the activity."), "description")


def _apply_claim(claim: Claim, data: ClaimData) -> None:
    claim.description = data.description.strip()
    claim.day = data.day
    claim.subcontractor_id = data.subcontractor_id
    if claim.kind is ClaimKind.PURCHASE:
        claim.supplier_name = (data.supplier_name or "").strip() or None
        claim.supplier_type = data.supplier_type
    if claim.kind in (ClaimKind.PURCHASE, ClaimKind.FUND):
        claim.amount = data.amount
    if claim.kind is ClaimKind.ACTIVITY:
        claim.hours, claim.custom_value = data.hours, data.custom_value


def create_claim(contract: Contract, kind: ClaimKind, data: ClaimData, user: User | None,
                 upload=None) -> Claim:
    _check_claim(contract, kind, data)
    claim = Claim(kind=kind, status=ClaimStatus.CONCEPT, created_by=user)
    _apply_claim(claim, data)
    contract.claims.append(claim)
    db.session.flush()
    if upload:
        store_upload(upload, contract=contract, user=user, claim=claim)
    return claim


def update_claim(claim: Claim, data: ClaimData, user: User, upload=None, *,
                 lock_version: Any = None) -> None:
    """The provider changes its own work in progress only (concept, or an agreed proposal)."""
    check_claim_version(claim, lock_version)
    if not claim.editable:
        raise ServiceError(_("This claim has been %(status)s and can no longer be changed.",
                             status=claim.status.label))
    _check_claim(claim.contract, claim.kind, data)
    _apply_claim(claim, data)
    flush_claim(claim)
    if upload:
        store_upload(upload, contract=claim.contract, user=user, claim=claim)


def add_claim_evidence(claim: Claim, upload, user: User, kind: str = EVIDENCE_CLAIM, *,
                       lock_version: Any = None):
    check_claim_version(claim, lock_version)
    if not claim.editable:
        raise ServiceError(_("This claim has been %(status)s and can no longer be changed.",
                             status=claim.status.label), "file")
    if claim.kind is ClaimKind.LABOUR and kind not in LABOUR_EVIDENCE:
        raise ServiceError(_("Choose what the file proves."), "kind")
    return store_upload(upload, contract=claim.contract, user=user, claim=claim, kind=kind)


def submit_claim(claim: Claim, user: User | None, on: date | None = None, *,
                 lock_version: Any = None) -> None:
    """concept (or an agreed proposal, now accounted) → ingediend."""
    check_claim_version(claim, lock_version)
    on = on or today()
    if claim.status not in (ClaimStatus.CONCEPT, ClaimStatus.AGREED):
        raise ServiceError(_("Only a draft or an agreed proposal can be submitted; this claim is "
                             "%(status)s.", status=claim.status.label))
    if claim.kind is ClaimKind.LABOUR:
        _check_labour_submission(claim, on)
    if claim.day is None:
        raise ServiceError(_("Give the date before you submit."), "day")
    if claim.day > on:
        raise ServiceError(_("The date lies in the future. Submit the claim once it has happened"
                             "; an activity can be proposed first."), "day")
    if claim.kind is ClaimKind.ACTIVITY and claim.hours is None and claim.custom_value is None:
        raise ServiceError(_("Give the hours spent (or a value) before you submit."), "hours")
    if claim.kind is ClaimKind.PURCHASE and not claim.evidence:
        raise ServiceError(_("Attach the invoice before you submit."), "file")
    try:
        value_claim(claim, engine.load_rulebook(claim.contract.rulebook))
    except engine.InputError:
        raise ServiceError(_("This claim is incomplete: fill in every field first.")) from None
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_at = utcnow()
    flush_claim(claim)


def _check_labour_submission(claim: Claim, on: date) -> None:
    """A labour line is submitted for a period that has passed, with its evidence: the
    employment, learn-work or placement contract always, the benefit background for a paid
    job (its block depends on it). See docs/valuation.md, "Labour lines as claims"."""
    if claim.stage is None or claim.period_start is None or claim.period_end is None:
        raise ServiceError(_("This labour line has no stage or period."))
    if claim.period_end > on:
        raise ServiceError(_("The period runs until %(day)s: submit it once it has passed.",
                             day=day_text(claim.period_end)), "period_end")
    kinds = {e.kind for e in claim.evidence}
    if EVIDENCE_EMPLOYMENT not in kinds:
        raise ServiceError(_("Attach the employment, learn-work or placement contract before you "
                             "submit."), "file")
    if claim.stage.kind.value == "paid_job" and EVIDENCE_BENEFIT not in kinds:
        raise ServiceError(_("Attach the proof of the benefit background before you submit: "
                             "the value of a paid job depends on it."), "file")


def propose_claim(claim: Claim, user: User, *, lock_version: Any = None) -> None:
    """An activity proposed before it is carried out: the hours/value become the plan."""
    check_claim_version(claim, lock_version)
    if claim.kind is not ClaimKind.ACTIVITY:
        raise ServiceError(_("Only a social activity can be proposed first."))
    if claim.status is not ClaimStatus.CONCEPT:
        raise ServiceError(_("Only a draft can be proposed; this claim is %(status)s.",
                             status=claim.status.label))
    if claim.hours is None and claim.custom_value is None:
        raise ServiceError(_("Give the planned hours or a planned value."), "hours")
    claim.planned_hours, claim.planned_value = claim.hours, claim.custom_value
    claim.hours = claim.custom_value = None
    claim.status = ClaimStatus.PROPOSED
    claim.submitted_at = utcnow()
    flush_claim(claim)


def judge_claim(claim: Claim, adviser: User, *, approve: bool, reason: str | None = None,
                custom_value: Decimal | None = None, on: date | None = None,
                lock_version: Any = None) -> None:
    """The adviser judges a submitted claim or a proposal, in order; approval freezes the value.

    ``lock_version`` is the version the adviser's form was loaded with: a claim judged or
    changed since is refused (``ClaimConflict``), and of two judgements at the same moment
    only the first is written (the UPDATE checks the version)."""
    check_claim_version(claim, lock_version)
    reason = (reason or "").strip()
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.PROPOSED):
        raise ServiceError(_("This claim is %(status)s: only a submitted claim or a proposal can "
                             "be judged. The provider submits it first.",
                             status=claim.status.label))
    if not approve and not reason:
        raise ServiceError(_("Give the reason for rejecting, so the provider knows what to "
                             "change."), "reason")
    if custom_value is not None and claim.kind is not ClaimKind.ACTIVITY:
        raise ServiceError(_("Only a social activity can get a value set by the adviser."),
                           "custom_value")
    with db.session.no_autoflush:  # the whole judgement in one UPDATE, checked once
        claim.judged_by, claim.judged_at = adviser, utcnow()
        if not approve:
            claim.status, claim.rejection_reason = ClaimStatus.REJECTED, reason
        elif claim.status is ClaimStatus.PROPOSED:
            if custom_value is not None:
                claim.planned_value = custom_value
            claim.status, claim.proposal_judged_at = ClaimStatus.AGREED, utcnow()
            claim.rejection_reason = None
        else:
            rulebook = engine.load_rulebook(claim.contract.rulebook)
            if custom_value is not None:
                claim.custom_value = custom_value
            valuation = value_claim(claim, rulebook)
            claim.status = ClaimStatus.APPROVED
            claim.approved_value = valuation.value
            claim.approved_explain = list(valuation.explain)
            claim.approved_rulebook = rulebook.name
            claim.approved_on = on or today()
            claim.rejection_reason = None
    flush_claim(claim)


# ------------------------------------------------------------------ final evaluation


def record_final_evaluation(ledger: ContractLedger, adviser: User, *, remedy: Remedy,
                            decision: str, decided_on: date,
                            lock_version: Any = None) -> FinalEvaluation:
    """At the contract's end: obligation against approved; on a shortfall the agreed remedy.
    ``lock_version``: the evaluation's version the form was loaded with (0: none yet)."""
    contract = ledger.contract
    check_version(contract.evaluation, lock_version)
    if ledger.on <= contract.period_end:
        raise ServiceError(_("The final evaluation follows the contract's end (%(day)s).",
                             day=day_text(contract.period_end)))
    if ledger.shortfall > 0 and remedy is Remedy.NONE:
        raise ServiceError(_("There is a shortfall: choose the agreed measure."), "remedy")
    if not decision.strip():
        raise ServiceError(_("Write down the decision."), "decision")
    if contract.evaluation is None:
        contract.evaluation = FinalEvaluation()
    evaluation = contract.evaluation
    evaluation.obligation, evaluation.approved = ledger.required, ledger.approved
    evaluation.shortfall = ledger.shortfall
    evaluation.remedy, evaluation.decision = remedy, decision.strip()
    evaluation.decided_on = decided_on
    evaluation.decided_by, evaluation.decided_by_name = adviser, adviser.full_name
    flush_locked(evaluation)
    return evaluation
