"""Month counting (FORMAT.md rule 2) and periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from trajectory.valuation.engine import Period, add_months, exact_months_between, months_between
from trajectory.valuation.engine.periods import month_parts


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2023, 3, 15), date(2023, 6, 14), Fraction(3)),  # the FORMAT.md example
        (date(2023, 3, 15), date(2023, 3, 14), Fraction(0)),  # empty
        (date(2023, 3, 15), date(2023, 3, 1), Fraction(0)),  # end before start: nothing
        (date(2023, 3, 15), date(2023, 3, 15), Fraction(1, 31)),  # 1 day of 15 Mar -> 15 Apr
        (date(2024, 1, 15), date(2024, 2, 29), 1 + Fraction(15, 29)),  # leap year
        (date(2023, 1, 15), date(2023, 2, 28), 1 + Fraction(14, 28)),
        (date(2023, 1, 31), date(2023, 2, 27), Fraction(1)),  # 31 Jan + 1 month = 28 Feb
        (date(2023, 1, 31), date(2023, 2, 28), 1 + Fraction(1, 31)),
        (date(2024, 1, 31), date(2024, 2, 28), Fraction(1)),  # 31 Jan + 1 month = 29 Feb
        (date(2023, 1, 31), date(2023, 3, 30), Fraction(2)),
        (date(2023, 1, 1), date(2026, 12, 31), Fraction(48)),
        (date(2023, 12, 15), date(2024, 1, 14), Fraction(1)),  # over the year end
    ],
)
def test_months(start, end, months):
    assert exact_months_between(start, end) == months
    assert Period(start, end).months == months if end >= start else True


def test_months_between_is_a_precise_decimal():
    value = months_between(date(2024, 1, 15), date(2024, 2, 29))
    assert isinstance(value, Decimal)
    assert value.quantize(Decimal("1e-20")) == Decimal("1.51724137931034482759")


def test_month_parts_name_the_step():
    assert month_parts(date(2024, 1, 15), date(2024, 2, 29)) == (1, 15, 29)
    assert month_parts(date(2023, 4, 1), date(2023, 4, 30)) == (1, 0, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 2, date(2023, 3, 31)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 5, 10), 24, date(2025, 5, 10)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_period_clip_and_cap():
    stage = Period(date(2022, 7, 1), date(2027, 6, 30))
    contract = Period(date(2023, 1, 1), date(2026, 12, 31))
    assert stage.clip(contract) == contract
    assert stage.clip(None) == stage
    assert Period(date(2027, 1, 1), date(2027, 2, 1)).clip(contract) is None
    assert stage.first_months(24) == Period(date(2022, 7, 1), date(2024, 6, 30))
    assert Period(date(2023, 1, 1), date(2023, 3, 1)).first_months(24).end == date(2023, 3, 1)
    assert contract.days == 1461
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2023, 1, 2), date(2023, 1, 1))
