"""Database rows → the engine's plain dataclasses; no euros are computed here.

The web side stores contracts, years and claims; the engine only knows
``Contract``, ``Purchase``, ``Activity`` and ``Fund``. This module translates,
including the product's PSO rule (see docs/valuation.md): the certificate's
discount applies pro rata to the days of the base period its validity covers,
and the rule for a provisional obligation (years of the base period without
revenue figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import has_request_context
from flask_babel import format_decimal, gettext

from trajectory.valuation import engine
from trajectory.valuation.models import Claim, ClaimKind, Contract


def _(message: str, **variables: object) -> str:
    """gettext in a request; the msgid itself outside one (the demo loader, a CLI command)."""
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message


@dataclass(frozen=True)
class PsoStatus:
    """Whether the contract's PSO certificate gives a discount, over how many days of the base
    period, and the sentence that says why."""

    step: str | None
    applies: bool
    message: str | None
    covered_days: int = 0
    base_days: int = 0

    @property
    def share(self) -> Fraction:
        """The part of the base period the certificate covers (0 without a valid certificate)."""
        if not self.applies or not self.base_days:
            return Fraction(0)
        return Fraction(self.covered_days, self.base_days)


def rulebook_of(contract: Contract) -> engine.Rulebook:
    return engine.load_rulebook(contract.rulebook)


def day_text(day: date) -> str:
    return engine.format_date(day)


def _days_text(days: int) -> str:
    return format_decimal(days) if has_request_context() else engine.format_number(days, 0)


def covered_days(valid_from: date | None, valid_until: date | None, start: date,
                 end: date) -> int:
    """The days of ``start``-``end`` (both inclusive) that a certificate valid from
    ``valid_from`` until ``valid_until`` (inclusive) covers; 0 without both dates."""
    if valid_from is None or valid_until is None:
        return 0
    first, last = max(valid_from, start), min(valid_until, end)
    return max((last - first).days + 1, 0)


def pso_status(contract: Contract, rulebook: engine.Rulebook) -> PsoStatus:
    """The discount applies pro rata to the days of the base period the certificate covers."""
    step = contract.pso_step
    if not step:
        return PsoStatus(None, False, None)
    try:
        label = rulebook.pso_discount(step).label
    except KeyError:
        return PsoStatus(step, False, _("The PSO step %(step)s is not known in %(edition)s: no "
                                        "discount.", step=step, edition=rulebook.title))
    start, until = contract.pso_valid_from, contract.pso_valid_until
    if start is None or until is None:
        return PsoStatus(step, False, _("%(label)s without validity dates: no discount until the "
                                        "dates are recorded.", label=label))
    period = _("%(start)s to %(end)s", start=day_text(contract.start), end=day_text(contract.end))
    base = (contract.end - contract.start).days + 1
    covered = covered_days(start, until, contract.start, contract.end)
    texts = {"label": label, "start": day_text(start), "until": day_text(until),
             "period": period}
    if covered == base:
        return PsoStatus(step, True, _(
            "%(label)s valid from %(start)s until %(until)s: the discount applies, the "
            "certificate covers the whole base period (%(period)s).", **texts), covered, base)
    if covered:
        return PsoStatus(step, True, _(
            "%(label)s valid from %(start)s until %(until)s: the discount applies pro rata, the "
            "certificate covers %(covered)s of the %(days)s days of the base period "
            "(%(period)s).", covered=_days_text(covered), days=_days_text(base), **texts),
            covered, base)
    return PsoStatus(step, False, _(
        "%(label)s valid from %(start)s until %(until)s: the discount does not apply, the "
        "certificate covers no day of the base period (%(period)s).", **texts), 0, base)


def missing_revenue_years(contract: Contract) -> list[int]:
    """The years of the base period without a revenue figure (neither forecast nor actual).

    While there are any, the obligation is provisional: it grows as the figures come in.
    """
    rows = {row.year: row for row in contract.years}
    return [year for year in range(contract.start.year, contract.end.year + 1)
            if year not in rows or (rows[year].forecast is None and rows[year].actual is None)]


def revenue_of(contract: Contract) -> tuple[Decimal, Decimal]:
    """(base revenue, extension revenue): per year the actual figure where given, else the forecast.

    Plain sums of the figures the provider reported; the obligation itself comes from the engine.
    """
    exercised = {e.id for e in contract.extensions if e.exercised}
    base = sum((y.revenue for y in contract.years if y.extension_id is None), Decimal("0.00"))
    extension = sum((y.revenue for y in contract.years if y.extension_id in exercised),
                    Decimal("0.00"))
    return base, extension


def contract_input(contract: Contract, rulebook: engine.Rulebook) -> engine.Contract:
    """The contract for the engine: revenue, the PSO step with the share of the base period its
    certificate covers, and the contract's own Social Return percentage."""
    base, extension = revenue_of(contract)
    pso = pso_status(contract, rulebook)
    if not pso.applies:
        return engine.Contract(start=contract.start, end=contract.period_end, revenue=base,
                               extension_revenue=extension, percentage=contract.sroi_percentage)
    return engine.Contract(start=contract.start, end=contract.period_end, revenue=base,
                           extension_revenue=extension, pso=pso.step, pso_share=pso.share,
                           pso_days=(pso.covered_days, pso.base_days),
                           percentage=contract.sroi_percentage)


def claim_item(claim: Claim, *, custom_value: Decimal | None = None,
               planned: bool = False) -> engine.Purchase | engine.Activity | engine.Fund:
    """The engine input for a claim; ``planned`` values a proposal by its planned hours/value.

    Raises ``engine.InputError`` when the claim lacks what its block needs.
    """
    if claim.kind is ClaimKind.PURCHASE:
        if claim.amount is None or not claim.supplier_type:
            raise engine.InputError("purchase.invoice_excl_vat", "incomplete purchase")
        return engine.Purchase(supplier=claim.supplier_type, invoice_excl_vat=claim.amount)
    if claim.kind is ClaimKind.FUND:
        if claim.amount is None:
            raise engine.InputError("fund.amount", "incomplete fund payment")
        return engine.Fund(amount=claim.amount)
    if planned:
        return engine.Activity(hours=claim.planned_hours, custom_value=claim.planned_value)
    value = custom_value if custom_value is not None else claim.custom_value
    return engine.Activity(hours=claim.hours, custom_value=value)


LabourValuer = Callable[[Claim, engine.Rulebook], engine.Valuation]
_LABOUR_VALUERS: list[LabourValuer] = []


def register_labour_valuer(valuer: LabourValuer) -> None:
    """The labour feature values a labour claim: the person's whole learning line takes part."""
    _LABOUR_VALUERS[:] = [valuer]


def value_claim(claim: Claim, rulebook: engine.Rulebook, *, custom_value: Decimal | None = None,
                planned: bool = False) -> engine.Valuation:
    """The engine's value of a claim under ``rulebook`` (the one door for claims)."""
    if claim.kind is ClaimKind.LABOUR:
        if not _LABOUR_VALUERS:
            raise engine.InputError("stage", "labour participation is not installed")
        return _LABOUR_VALUERS[0](claim, rulebook)
    return engine.value_item(claim_item(claim, custom_value=custom_value, planned=planned),
                             rulebook)
