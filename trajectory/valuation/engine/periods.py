"""Counting months the project's way (FORMAT.md rule 2) and clipping periods.

Months are counted as calendar months from the start date; what remains counts as
its days divided by the days of that month-long step. Quantities are exact
fractions, so the single rounding at the end of a valuation is exact too.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last day (31 Jan -> 28/29 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def month_parts(start: date, end_inclusive: date) -> tuple[int, int, int]:
    """(whole months, days left over, days of the month-long step holding those days).

    Each step is counted from the start date itself (not from the previous step), so
    31 Jan + 1 month is 28/29 Feb and + 2 months is 31 Mar. An empty period is (0, 0, 1).
    """
    stop = end_inclusive + ONE_DAY
    if stop <= start:
        return 0, 0, 1
    whole = (stop.year - start.year) * 12 + stop.month - start.month
    while whole > 0 and add_months(start, whole) > stop:
        whole -= 1
    while add_months(start, whole + 1) <= stop:
        whole += 1
    step_start, step_end = add_months(start, whole), add_months(start, whole + 1)
    return whole, (stop - step_start).days, (step_end - step_start).days


def exact_months_between(start: date, end_inclusive: date) -> Fraction:
    """Months from `start` up to and including `end_inclusive`, exactly; 0 when the period is empty."""
    whole, days, step_days = month_parts(start, end_inclusive)
    return whole + Fraction(days, step_days)


def months_between(start: date, end_inclusive: date) -> Decimal:
    """`exact_months_between` as a Decimal with 40 significant digits, for display and reports."""
    exact = exact_months_between(start, end_inclusive)
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(exact.numerator) / Decimal(exact.denominator)


def is_before_anniversary(day: date, since: date, months: int) -> bool:
    """True when `day` lies before `since` + `months` (e.g. "on benefit for less than 2 years")."""
    return day < add_months(since, months)


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> Fraction:
        return exact_months_between(self.start, self.end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def clip(self, other: Period | None) -> Period | None:
        """The part of this period inside `other` (no `other`: no clipping); None when nothing is left."""
        if other is None:
            return self
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start <= end else None

    def first_months(self, months: int) -> Period:
        """The first `months` months of this period (a "counted for" cap from the start)."""
        return Period(self.start, min(self.end, add_months(self.start, months) - ONE_DAY))
