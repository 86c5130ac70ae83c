"""The building-block computations (FORMAT.md rules 3-11), one function per kind of item.

Quantities (months, years, FTE, shares) stay exact fractions; each result is
rounded half-up to the cent once, at the end. Every step is also written out in
Dutch so an SROI adviser can redo the sum by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from .explain import EMPTY, Day, Line, Money, Months, Num, Pct, Qty, join, span
from .formatting import round_half_up
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
        Line("Omzet", "Revenue")
        if not extension or rulebook.threshold_includes_extensions
        else Line("Omzet basisperiode (zonder verlenging)",
                  "Revenue of the base period (without the extension)")
    )
    facts = {"what": base_text, "base": Money(base), "threshold": Money(rulebook.threshold)}
    above = (
        base > rulebook.threshold
        if rulebook.threshold_strictly_above
        else base >= rulebook.threshold
    )
    if not above:
        if rulebook.threshold_strictly_above:
            line = Line("%(what)s %(base)s niet boven de drempel van %(threshold)s: geen verplichting",
                        "%(what)s %(base)s not above the threshold of %(threshold)s: no obligation",
                        **facts)
        else:
            line = Line("%(what)s %(base)s onder de drempel van %(threshold)s: geen verplichting",
                        "%(what)s %(base)s below the threshold of %(threshold)s: no obligation",
                        **facts)
        return Obligation(round_half_up(0), (line,))
    total = contract.revenue + (extension if rulebook.percentage_includes_extensions else 0)
    percentage = (
        rulebook.obligation_percentage if contract.percentage is None else contract.percentage
    )
    exact = Fraction(total) * _pct(percentage)
    of: Money | Line = Money(total)
    if total != contract.revenue:
        of = Line("%(total)s (%(revenue)s + verlenging %(extension)s)",
                  "%(total)s (%(revenue)s + extension %(extension)s)",
                  total=Money(total), revenue=Money(contract.revenue), extension=Money(extension))
    own = EMPTY
    if percentage != rulebook.obligation_percentage:
        own = Line(" (percentage van dit contract; de editie noemt %(edition)s)",
                   " (this contract's percentage; the edition says %(edition)s)",
                   edition=Pct(rulebook.obligation_percentage))
    explain = [
        Line("%(what)s %(base)s boven de drempel van %(threshold)s",
             "%(what)s %(base)s above the threshold of %(threshold)s", **facts),
        Line("Verplichting: %(pct)s van %(of)s%(own)s = %(amount)s",
             "Obligation: %(pct)s of %(of)s%(own)s = %(amount)s",
             pct=Pct(percentage), of=of, own=own, amount=Money(round_half_up(exact))),
    ]
    if discount is not None:
        share = Fraction(contract.pso_share)
        if share == 1:
            exact *= 1 - _pct(discount.percentage)
            explain.append(Line("Korting %(discount)s: %(pct)s", "Discount %(discount)s: %(pct)s",
                                discount=discount.label, pct=Pct(discount.percentage)))
        else:
            off = exact * _pct(discount.percentage) * share
            exact -= off
            if contract.pso_days is not None:
                covered, days = contract.pso_days
                part = Line("%(covered)s van %(days)s dagen", "%(covered)s of %(days)s days",
                            covered=Num(covered, 0), days=Num(days, 0))
            else:
                part = Line("%(share)s%%", "%(share)s%%", share=Qty(share * 100))
            explain.append(Line(
                "Korting %(discount)s: %(pct)s over %(part)s van de basisperiode (pro rata) = %(off)s",
                "Discount %(discount)s: %(pct)s over %(part)s of the base period (pro rata) = %(off)s",
                discount=discount.label, pct=Pct(discount.percentage), part=part,
                off=Money(round_half_up(off))))
        explain.append(Line("Verplichting na korting: %(amount)s",
                            "Obligation after the discount: %(amount)s",
                            amount=Money(round_half_up(exact))))
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
    since = register = EMPTY
    if candidate.benefit_since is not None and block.needs_benefit_since:
        since = Line(" sinds %(day)s", " since %(day)s", day=Day(candidate.benefit_since))
    if candidate.doelgroepregister and block.doelgroepregister:
        register = IN_REGISTER
    return [Line("Uitkering bij de start op %(start)s: %(benefit)s%(since)s%(register)s",
                 "Benefit at the start on %(start)s: %(benefit)s%(since)s%(register)s",
                 start=Day(stage.start), benefit=BENEFITS[candidate.benefit], since=since,
                 register=register)]


IN_REGISTER = Line(", in het doelgroepregister", ", in the doelgroepregister")


def _counted_period(
    block: LabourBlock, stage: Stage, contract: Contract | None
) -> tuple[Period | None, list[str]]:
    """Rule 4: the stage, at most the block's cap from its start, and only the part inside the contract."""
    whole = Period(stage.start, stage.end)
    window = whole if block.cap_months is None else whole.first_months(block.cap_months)
    contract_period = Period(contract.start, contract.end) if contract else None
    counted = window.clip(contract_period)
    if counted is None:
        return None, [Line(
            "Fase %(stage)s valt buiten de contractperiode %(contract)s: niets geteld",
            "Stage %(stage)s falls outside the contract period %(contract)s: nothing counted",
            stage=span(whole), contract=span(contract_period))]
    reasons = []
    if window != whole:
        reasons.append(Line("ten hoogste %(cap)s maanden vanaf de start",
                            "at most %(cap)s months from the start", cap=block.cap_months))
    if counted != window:
        reasons.append(Line("alleen binnen de contractperiode %(contract)s",
                            "only inside the contract period %(contract)s",
                            contract=span(contract_period)))
    suffix = Line(" (%(reasons)s)", " (%(reasons)s)", reasons=join(reasons)) if reasons else EMPTY
    whole_months, days, step_days = month_parts(counted.start, counted.end)
    months: Months | Line = Months(counted.months)
    if days:
        part = Line("%(days)s van de %(of)s dagen", "%(days)s of the %(of)s days",
                    days=days, of=step_days)
        months = (
            Line("%(whole)s en %(part)s = %(months)s", "%(whole)s and %(part)s = %(months)s",
                 whole=Months(whole_months), part=part, months=months)
            if whole_months
            else Line("%(part)s = %(months)s", "%(part)s = %(months)s", part=part, months=months)
        )
    return counted, [Line("Geteld: %(span)s = %(months)s%(suffix)s",
                          "Counted: %(span)s = %(months)s%(suffix)s",
                          span=span(counted), months=months, suffix=suffix)]


def _fte(stage: Stage, rulebook: Rulebook) -> tuple[Fraction, Line]:
    """Rule 3: hours per week over the edition's full week, at most 1."""
    hours, full = Fraction(stage.hours_per_week or 0), Fraction(rulebook.fte_hours_per_week)
    if hours > full:
        return Fraction(1), Line(
            "FTE: %(hours)s uur per week, meer dan %(full)s: ten hoogste %(one)s fte",
            "FTE: %(hours)s hours a week, more than %(full)s: at most %(one)s FTE",
            hours=Qty(hours), full=Qty(full), one=Num(1))
    fte = hours / full
    return fte, Line("FTE: %(hours)s uur per week / %(full)s = %(fte)s fte",
                     "FTE: %(hours)s hours a week / %(full)s = %(fte)s FTE",
                     hours=Qty(hours), full=Qty(full), fte=Num(fte))


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
    earned: list[tuple[Bonus, Line]] = []
    age = rulebook.bonus("age")
    if age is not None:
        if candidate.birth_date is None:
            raise InputError(
                "candidate.birth_date", "required for a paid job: the age bonus depends on it"
            )
        years = _age_on(candidate.birth_date, stage.start)
        if years >= (age.min_age or 0):
            earned.append((age, Line(" (%(years)s jaar bij de start)",
                                     " (%(years)s years old at the start)", years=years)))
    for key, applies in (("permanent", stage.permanent), ("statushouder", candidate.statushouder)):
        bonus = rulebook.bonus(key)
        if bonus is not None and applies:
            earned.append((bonus, EMPTY))
    if not earned:
        return Fraction(0), []
    if not _starts_inside(stage, contract):
        names = ", ".join(b.label for b, _ in earned)
        return Fraction(0), [Line(
            "Niet geteld (%(names)s): de baan begint niet binnen de contractperiode",
            "Not counted (%(names)s): the job does not start inside the contract period",
            names=names)]
    total, lines = Fraction(0), []
    for bonus, why in earned:
        part = Fraction(bonus.amount) * fte
        total += part
        lines.append(Line("%(bonus)s%(why)s: %(amount)s × %(fte)s fte = %(part)s",
                          "%(bonus)s%(why)s: %(amount)s × %(fte)s FTE = %(part)s",
                          bonus=bonus.label, why=why, amount=Money(bonus.amount), fte=Num(fte),
                          part=Money(round_half_up(part))))
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
    return too_old_line(block.label, years, block.under_age)


def too_old_line(label: str, years: int, under: int) -> Line:
    return Line("%(block)s: %(years)s jaar bij de start, telt alleen onder %(under)s jaar; "
                "leg het vast als betaalde baan: %(zero)s",
                "%(block)s: %(years)s years old at the start, counts only under %(under)s; "
                "record it as a paid job: %(zero)s",
                block=label, years=years, under=under, zero=Money(0))


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
            line = (once_line(label, block.rate) if block.unit == "once" else
                    Line("%(block)s: %(rate)s per stage", "%(block)s: %(rate)s per internship",
                         block=label, rate=Money(block.rate)))
            return Valuation(round_half_up(rate), (*explain, line), block.key)
        line = Line("%(block)s: de start op %(start)s valt buiten de contractperiode: %(zero)s",
                    "%(block)s: the start on %(start)s falls outside the contract period: %(zero)s",
                    block=label, start=Day(stage.start), zero=Money(0))
        return Valuation(round_half_up(0), (*explain, line), block.key)
    if block.unit == "per_hour":
        return _value_hours(stage, block, contract, explain)
    counted, lines = _counted_period(block, stage, contract)
    explain += lines
    months = counted.months if counted else Fraction(0)
    years = months / 12
    if block.unit == "per_month":
        value = rate * months
        explain.append(Line("%(block)s: %(months)s × %(rate)s = %(value)s",
                            "%(block)s: %(months)s × %(rate)s = %(value)s", block=label,
                            months=Months(months), rate=Money(block.rate),
                            value=Money(round_half_up(value))))
    elif block.unit == "per_learn_work_year":
        value = rate * years
        explain.append(Line("%(block)s: %(rate)s × %(years)s leerwerkjaar = %(value)s",
                            "%(block)s: %(rate)s × %(years)s learning-working years = %(value)s",
                            block=label, rate=Money(block.rate), years=Num(years),
                            value=Money(round_half_up(value))))
    else:  # per_fte_year
        fte, fte_line = _fte(stage, rulebook)
        value = rate * fte * years
        explain += [
            fte_line,
            Line("%(block)s: %(rate)s × %(fte)s fte × %(years)s jaar = %(value)s",
                 "%(block)s: %(rate)s × %(fte)s FTE × %(years)s years = %(value)s",
                 block=label, rate=Money(block.rate), fte=Num(fte), years=Num(years),
                 value=Money(round_half_up(value))),
        ]
        bonus, bonus_lines = _bonuses(stage, candidate, rulebook, contract, fte)
        explain += bonus_lines
        if bonus:
            value += bonus
            explain.append(total_line(round_half_up(value)))
    return Valuation(round_half_up(value), tuple(explain), block.key)


def _value_hours(
    stage: Stage, block: LabourBlock, contract: Contract | None, explain: list[str]
) -> Valuation:
    """Intake and coaching: hours × rate; with a contract, the share of the stage's days inside it."""
    hours = Fraction(stage.hours or 0)
    value = hours * Fraction(block.rate)
    facts = {"block": block.label, "hours": Qty(hours), "rate": Money(block.rate)}
    whole = Period(stage.start, stage.end)
    inside = whole.clip(Period(contract.start, contract.end)) if contract else whole
    if inside != whole:
        days_in = inside.days if inside else 0
        value *= Fraction(days_in, whole.days)
        explain.append(Line(
            "%(block)s: %(hours)s uur × %(rate)s × %(inside)s/%(days)s dagen binnen de "
            "contractperiode = %(value)s",
            "%(block)s: %(hours)s hours × %(rate)s × %(inside)s/%(days)s days inside the "
            "contract period = %(value)s",
            **facts, inside=days_in, days=whole.days, value=Money(round_half_up(value))))
    else:
        explain.append(hours_line(**facts, value=Money(round_half_up(value))))
    return Valuation(round_half_up(value), tuple(explain), block.key)


def value_purchase(purchase: Purchase, rulebook: Rulebook) -> Valuation:
    """Rule 11: the supplier type's share of the invoice excluding VAT."""
    try:
        supplier = rulebook.supplier(purchase.supplier)
    except KeyError:
        known = ", ".join(s.key for s in rulebook.suppliers)
        raise InputError("purchase.supplier", f"must be one of {known}") from None
    value = Fraction(purchase.invoice_excl_vat) * _pct(supplier.percentage)
    line = Line("Inkoop bij %(supplier)s: %(pct)s van %(invoice)s (excl. btw) = %(value)s",
                "Purchase from %(supplier)s: %(pct)s of %(invoice)s (excl. VAT) = %(value)s",
                supplier=supplier.label, pct=Pct(supplier.percentage),
                invoice=Money(purchase.invoice_excl_vat), value=Money(round_half_up(value)))
    return Valuation(round_half_up(value), (line,), "purchase")


def value_activity(activity: Activity, rulebook: Rulebook) -> Valuation:
    """Rule 11: hours × the edition's rate, unless the SROI adviser set a custom value (which wins)."""
    label = rulebook.activity_label
    if activity.custom_value is not None:
        instead = EMPTY
        if activity.hours is not None:
            instead = Line(" (in plaats van %(hours)s uur × %(rate)s)",
                           " (instead of %(hours)s hours × %(rate)s)",
                           hours=Qty(activity.hours), rate=Money(rulebook.activity_rate))
        line = Line("%(label)s: waarde vastgesteld door de SROI-adviseur: %(value)s%(instead)s",
                    "%(label)s: value set by the SROI adviser: %(value)s%(instead)s",
                    label=label, value=Money(activity.custom_value), instead=instead)
        return Valuation(round_half_up(activity.custom_value), (line,), "activity")
    value = Fraction(activity.hours or 0) * Fraction(rulebook.activity_rate)
    line = hours_line(block=label, hours=Qty(activity.hours or 0),
                      rate=Money(rulebook.activity_rate), value=Money(round_half_up(value)))
    return Valuation(round_half_up(value), (line,), "activity")


def value_fund(fund: Fund, rulebook: Rulebook) -> Valuation:
    """Rule 11: a payment into the fund counts at its amount."""
    line = Line("%(label)s: %(amount)s", "%(label)s: %(amount)s", label=rulebook.fund_label,
                amount=Money(fund.amount))
    return Valuation(round_half_up(fund.amount), (line,), "fund")


def hours_line(**facts) -> Line:
    """"Maatschappelijke activiteit: 3 uur × € 100,00 = € 300,00" (block, hours, rate, value)."""
    return Line("%(block)s: %(hours)s uur × %(rate)s = %(value)s",
                "%(block)s: %(hours)s hours × %(rate)s = %(value)s", **facts)


def once_line(label: str, rate: Decimal) -> Line:
    return Line("%(block)s: %(rate)s eenmalig", "%(block)s: %(rate)s once",
                block=label, rate=Money(rate))


def total_line(value: Decimal) -> Line:
    return Line("Totaal: %(value)s", "Total: %(value)s", value=Money(value))


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
