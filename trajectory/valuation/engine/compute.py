"""The building-block computations (FORMAT.md rules 3-11), one function per kind of item.

Quantities (months, years, FTE, shares) stay exact fractions; each result is
rounded half-up to the cent once, at the end. Every step is also written out in
Dutch so an SROI adviser can redo the sum by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from .formatting import (
    format_date,
    format_eur,
    format_months,
    format_number,
    format_percent,
    format_quantity,
    round_half_up,
)
from .model import (
    BENEFITS,
    Activity,
    Candidate,
    Contract,
    Fund,
    InputError,
    Obligation,
    Purchase,
    Stage,
    Valuation,
)
from .periods import Period, add_months, is_before_anniversary, month_parts
from .rulebook import ONCE_UNITS, Bonus, LabourBlock, Rulebook

Item = Stage | Purchase | Activity | Fund


def _pct(value: Decimal) -> Fraction:
    return Fraction(value) / 100


def _span(period: Period) -> str:
    return f"{format_date(period.start)} t/m {format_date(period.end)}"


def compute_obligation(contract: Contract, rulebook: Rulebook) -> Obligation:
    """Rule 10: nothing unless the base revenue is above the threshold; then the percentage, less PSO.

    The percentage is the contract's own when it has one, else the edition's. The PSO
    discount applies pro rata to the share of the base period the certificate covers.
    """
    discount = None
    if contract.pso is not None:
        try:
            discount = rulebook.pso_discount(contract.pso)
        except KeyError:
            known = ", ".join(c.key for c in rulebook.pso_discounts)
            raise InputError("contract.pso", f"must be null or one of {known}") from None
    extension = contract.extension_revenue
    base = contract.revenue + (extension if rulebook.threshold_includes_extensions else 0)
    base_text = (
        "Omzet"
        if not extension or rulebook.threshold_includes_extensions
        else "Omzet basisperiode (zonder verlenging)"
    )
    above = (
        base > rulebook.threshold
        if rulebook.threshold_strictly_above
        else base >= rulebook.threshold
    )
    if not above:
        relation = "niet boven" if rulebook.threshold_strictly_above else "onder"
        line = f"{base_text} {format_eur(base)} {relation} de drempel van {format_eur(rulebook.threshold)}: geen verplichting"
        return Obligation(round_half_up(0), (line,))
    total = contract.revenue + (extension if rulebook.percentage_includes_extensions else 0)
    percentage = (
        rulebook.obligation_percentage if contract.percentage is None else contract.percentage
    )
    exact = Fraction(total) * _pct(percentage)
    of = format_eur(total)
    if total != contract.revenue:
        of = f"{of} ({format_eur(contract.revenue)} + verlenging {format_eur(extension)})"
    own = ""
    if percentage != rulebook.obligation_percentage:
        own = f" (percentage van dit contract; de editie noemt {format_percent(rulebook.obligation_percentage)})"
    explain = [
        f"{base_text} {format_eur(base)} boven de drempel van {format_eur(rulebook.threshold)}",
        f"Verplichting: {format_percent(percentage)} van {of}{own} = {format_eur(round_half_up(exact))}",
    ]
    if discount is not None:
        share = Fraction(contract.pso_share)
        if share == 1:
            exact *= 1 - _pct(discount.percentage)
            explain.append(f"Korting {discount.label}: {format_percent(discount.percentage)}")
        else:
            off = exact * _pct(discount.percentage) * share
            exact -= off
            if contract.pso_days is not None:
                covered, days = contract.pso_days
                part = f"{format_number(covered, 0)} van {format_number(days, 0)} dagen"
            else:
                part = f"{format_quantity(share * 100)}%"
            explain.append(
                f"Korting {discount.label}: {format_percent(discount.percentage)} over {part} "
                f"van de basisperiode (pro rata) = {format_eur(round_half_up(off))}"
            )
        explain.append(f"Verplichting na korting: {format_eur(round_half_up(exact))}")
    return Obligation(round_half_up(exact), tuple(explain))


def _matches(block: LabourBlock, stage: Stage, candidate: Candidate | None) -> bool:
    if block.kind != stage.kind or (block.levels and stage.level not in block.levels):
        return False
    if not block.depends_on_person:
        return True
    if candidate is None:
        raise InputError(
            "candidate", f"required to value a {stage.kind}: its block depends on the person"
        )
    if block.benefits and candidate.benefit not in block.benefits:
        return False
    if (
        block.doelgroepregister is not None
        and candidate.doelgroepregister != block.doelgroepregister
    ):
        return False
    if block.needs_benefit_since and candidate.benefit_since is None:
        raise InputError(
            "candidate.benefit_since",
            f"required for {BENEFITS[candidate.benefit]}: the block depends on how long the benefit ran",
        )
    if block.benefit_under_months is not None and not is_before_anniversary(
        stage.start, candidate.benefit_since, block.benefit_under_months
    ):
        return False
    return block.benefit_from_months is None or not is_before_anniversary(
        stage.start, candidate.benefit_since, block.benefit_from_months
    )


def select_block(stage: Stage, candidate: Candidate | None, rulebook: Rulebook) -> LabourBlock:
    """Rule 5: the first block of the edition that fits the stage and the person at the stage's start."""
    for block in rulebook.labour:
        if _matches(block, stage, candidate):
            return block
    raise InputError("stage.kind", f"no block in {rulebook.name} fits this {stage.kind}")


def _person_line(block: LabourBlock, stage: Stage, candidate: Candidate | None) -> list[str]:
    if candidate is None or not block.depends_on_person:
        return []
    text = f"Uitkering bij de start op {format_date(stage.start)}: {BENEFITS[candidate.benefit]}"
    if candidate.benefit_since is not None and block.needs_benefit_since:
        text += f" sinds {format_date(candidate.benefit_since)}"
    if candidate.doelgroepregister and block.doelgroepregister:
        text += ", in het doelgroepregister"
    return [text]


def _counted_period(
    block: LabourBlock, stage: Stage, contract: Contract | None
) -> tuple[Period | None, list[str]]:
    """Rule 4: the stage, at most the block's cap from its start, and only the part inside the contract."""
    whole = Period(stage.start, stage.end)
    window = whole if block.cap_months is None else whole.first_months(block.cap_months)
    contract_period = Period(contract.start, contract.end) if contract else None
    counted = window.clip(contract_period)
    if counted is None:
        return None, [
            f"Fase {_span(whole)} valt buiten de contractperiode {_span(contract_period)}: niets geteld"
        ]
    reasons = []
    if window != whole:
        reasons.append(f"ten hoogste {block.cap_months} maanden vanaf de start")
    if counted != window:
        reasons.append(f"alleen binnen de contractperiode {_span(contract_period)}")
    suffix = f" ({'; '.join(reasons)})" if reasons else ""
    whole_months, days, step_days = month_parts(counted.start, counted.end)
    months = format_months(counted.months)
    if days:
        part = f"{days} van de {step_days} dagen"
        months = (
            f"{format_months(whole_months)} en {part} = {months}"
            if whole_months
            else f"{part} = {months}"
        )
    return counted, [f"Geteld: {_span(counted)} = {months}{suffix}"]


def _fte(stage: Stage, rulebook: Rulebook) -> tuple[Fraction, str]:
    """Rule 3: hours per week over the edition's full week, at most 1."""
    hours, full = Fraction(stage.hours_per_week or 0), Fraction(rulebook.fte_hours_per_week)
    hours_text, full_text = format_quantity(hours), format_quantity(full)
    if hours > full:
        return Fraction(
            1
        ), f"FTE: {hours_text} uur per week, meer dan {full_text}: ten hoogste 1,00 fte"
    fte = hours / full
    return fte, f"FTE: {hours_text} uur per week / {full_text} = {format_number(fte)} fte"


def _starts_inside(stage: Stage, contract: Contract | None) -> bool:
    return contract is None or contract.start <= stage.start <= contract.end


def _age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day` (a 29 February birthday falls on 28 February in other years)."""
    years = day.year - birth_date.year
    return years - 1 if add_months(birth_date, 12 * years) > day else years


def _bonuses(
    stage: Stage,
    candidate: Candidate | None,
    rulebook: Rulebook,
    contract: Contract | None,
    fte: Fraction,
) -> tuple[Fraction, list[str]]:
    """Rule 8: each bonus once, times FTE, when the job starts inside the contract period."""
    if stage.kind not in rulebook.bonus_kinds or candidate is None:
        return Fraction(0), []
    earned: list[tuple[Bonus, str]] = []
    age = rulebook.bonus("age")
    if age is not None:
        if candidate.birth_date is None:
            raise InputError(
                "candidate.birth_date", "required for a paid job: the age bonus depends on it"
            )
        years = _age_on(candidate.birth_date, stage.start)
        if years >= (age.min_age or 0):
            earned.append((age, f" ({years} jaar bij de start)"))
    for key, applies in (("permanent", stage.permanent), ("statushouder", candidate.statushouder)):
        bonus = rulebook.bonus(key)
        if bonus is not None and applies:
            earned.append((bonus, ""))
    if not earned:
        return Fraction(0), []
    if not _starts_inside(stage, contract):
        names = ", ".join(b.label for b, _ in earned)
        return Fraction(0), [
            f"Niet geteld ({names}): de baan begint niet binnen de contractperiode"
        ]
    total, lines = Fraction(0), []
    for bonus, why in earned:
        part = Fraction(bonus.amount) * fte
        total += part
        lines.append(
            f"{bonus.label}{why}: {format_eur(bonus.amount)} × {format_number(fte)} fte = {format_eur(round_half_up(part))}"
        )
    return total, lines


def _too_old(block: LabourBlock, stage: Stage, candidate: Candidate | None) -> str | None:
    """Rule 7 / T9: a block with an age limit (the VSO workplace) is worth 0 from that age."""
    if candidate is None or candidate.birth_date is None:
        raise InputError(
            "candidate.birth_date",
            f"required for a {stage.kind}: it counts only under {block.under_age}",
        )
    years = _age_on(candidate.birth_date, stage.start)
    if years < block.under_age:
        return None
    return (
        f"{block.label}: {years} jaar bij de start, telt alleen onder {block.under_age} jaar; "
        f"leg het vast als betaalde baan: {format_eur(0)}"
    )


def value_stage(
    stage: Stage, candidate: Candidate | None, rulebook: Rulebook, contract: Contract | None = None
) -> Valuation:
    """Value one stage with the edition's block; without a contract nothing is clipped."""
    block = select_block(stage, candidate, rulebook)
    explain = _person_line(block, stage, candidate)
    rate, label = Fraction(block.rate), block.label
    if block.under_age is not None:
        too_old = _too_old(block, stage, candidate)
        if too_old:
            return Valuation(round_half_up(0), (*explain, too_old), block.key)
    if block.unit in ONCE_UNITS:
        if _starts_inside(stage, contract):
            each = "eenmalig" if block.unit == "once" else "per stage"
            return Valuation(
                round_half_up(rate),
                (*explain, f"{label}: {format_eur(block.rate)} {each}"),
                block.key,
            )
        line = f"{label}: de start op {format_date(stage.start)} valt buiten de contractperiode: {format_eur(0)}"
        return Valuation(round_half_up(0), (*explain, line), block.key)
    if block.unit == "per_hour":
        return _value_hours(stage, block, contract, explain)
    counted, lines = _counted_period(block, stage, contract)
    explain += lines
    months = counted.months if counted else Fraction(0)
    years = months / 12
    if block.unit == "per_month":
        value = rate * months
        explain.append(
            f"{label}: {format_months(months)} × {format_eur(block.rate)} = {format_eur(round_half_up(value))}"
        )
    elif block.unit == "per_learn_work_year":
        value = rate * years
        explain.append(
            f"{label}: {format_eur(block.rate)} × {format_number(years)} leerwerkjaar = {format_eur(round_half_up(value))}"
        )
    else:  # per_fte_year
        fte, fte_line = _fte(stage, rulebook)
        value = rate * fte * years
        explain += [
            fte_line,
            f"{label}: {format_eur(block.rate)} × {format_number(fte)} fte × {format_number(years)} jaar = {format_eur(round_half_up(value))}",
        ]
        bonus, bonus_lines = _bonuses(stage, candidate, rulebook, contract, fte)
        explain += bonus_lines
        if bonus:
            value += bonus
            explain.append(f"Totaal: {format_eur(round_half_up(value))}")
    return Valuation(round_half_up(value), tuple(explain), block.key)


def _value_hours(
    stage: Stage, block: LabourBlock, contract: Contract | None, explain: list[str]
) -> Valuation:
    """Intake and coaching: hours × rate; with a contract, the share of the stage's days inside it."""
    hours = Fraction(stage.hours or 0)
    value = hours * Fraction(block.rate)
    text = f"{block.label}: {format_quantity(hours)} uur × {format_eur(block.rate)}"
    whole = Period(stage.start, stage.end)
    inside = whole.clip(Period(contract.start, contract.end)) if contract else whole
    if inside != whole:
        days_in = inside.days if inside else 0
        value *= Fraction(days_in, whole.days)
        text += f" × {days_in}/{whole.days} dagen binnen de contractperiode"
    explain.append(f"{text} = {format_eur(round_half_up(value))}")
    return Valuation(round_half_up(value), tuple(explain), block.key)


def value_purchase(purchase: Purchase, rulebook: Rulebook) -> Valuation:
    """Rule 11: the supplier type's share of the invoice excluding VAT."""
    try:
        supplier = rulebook.supplier(purchase.supplier)
    except KeyError:
        known = ", ".join(s.key for s in rulebook.suppliers)
        raise InputError("purchase.supplier", f"must be one of {known}") from None
    value = Fraction(purchase.invoice_excl_vat) * _pct(supplier.percentage)
    line = (
        f"Inkoop bij {supplier.label}: {format_percent(supplier.percentage)} van "
        f"{format_eur(purchase.invoice_excl_vat)} (excl. btw) = {format_eur(round_half_up(value))}"
    )
    return Valuation(round_half_up(value), (line,), "purchase")


def value_activity(activity: Activity, rulebook: Rulebook) -> Valuation:
    """Rule 11: hours × the edition's rate, unless the SROI adviser set a custom value (which wins)."""
    label = rulebook.activity_label
    if activity.custom_value is not None:
        line = f"{label}: waarde vastgesteld door de SROI-adviseur: {format_eur(activity.custom_value)}"
        if activity.hours is not None:
            line += f" (in plaats van {format_quantity(activity.hours)} uur × {format_eur(rulebook.activity_rate)})"
        return Valuation(round_half_up(activity.custom_value), (line,), "activity")
    value = Fraction(activity.hours or 0) * Fraction(rulebook.activity_rate)
    line = f"{label}: {format_quantity(activity.hours or 0)} uur × {format_eur(rulebook.activity_rate)} = {format_eur(round_half_up(value))}"
    return Valuation(round_half_up(value), (line,), "activity")


def value_fund(fund: Fund, rulebook: Rulebook) -> Valuation:
    """Rule 11: a payment into the fund counts at its amount."""
    return Valuation(
        round_half_up(fund.amount), (f"{rulebook.fund_label}: {format_eur(fund.amount)}",), "fund"
    )


def value_item(
    item: Item,
    rulebook: Rulebook,
    candidate: Candidate | None = None,
    contract: Contract | None = None,
) -> Valuation:
    """One door for every kind of item; the contract only matters for stages."""
    if isinstance(item, Stage):
        return value_stage(item, candidate, rulebook, contract)
    if isinstance(item, Purchase):
        return value_purchase(item, rulebook)
    if isinstance(item, Activity):
        return value_activity(item, rulebook)
    if isinstance(item, Fund):
        return value_fund(item, rulebook)
    raise TypeError(f"cannot value {type(item).__name__}")
