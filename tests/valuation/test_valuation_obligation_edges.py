"""The obligation's edges in the engine: the PSO discount pro rata to the part of the base
period a certificate covers, and a contract's own Social Return percentage (docs/valuation.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from trajectory.valuation.engine import Contract, InputError, compute_obligation, newest_rulebook

BOOK = newest_rulebook()
START, END = date(2024, 1, 1), date(2027, 12, 31)  # 1.461 days
REVENUE = Decimal("1500000.00")


def _obligation(**fields):
    return compute_obligation(Contract(START, END, fields.pop("revenue", REVENUE), **fields), BOOK)


def test_the_whole_period_is_the_default_and_explains_as_before():
    whole = _obligation(pso="step2")
    assert whole == _obligation(pso="step2", pso_share=1, pso_days=(1461, 1461))
    assert whole.amount == Decimal("56250.00")
    assert whole.explain == (
        "Omzet € 1.500.000,00 boven de drempel van € 200.000,00",
        "Verplichting: 5% van € 1.500.000,00 = € 75.000,00",
        "Korting PSO trede 2: 25%",
        "Verplichting na korting: € 56.250,00",
    )


def test_the_discount_applies_pro_rata_to_the_days_covered():
    # 5% of 1.500.000 = 75.000; discount 25% × 730/1.461 of it = 18.750 × 730 / 1.461
    # = 9.368,583...; obligation 75.000 − 9.368,583... = 65.631,416... → 65.631,42.
    result = _obligation(pso="step2", pso_share=Fraction(730, 1461), pso_days=(730, 1461))
    assert result.amount == Decimal("65631.42")
    assert result.explain == (
        "Omzet € 1.500.000,00 boven de drempel van € 200.000,00",
        "Verplichting: 5% van € 1.500.000,00 = € 75.000,00",
        "Korting PSO trede 2: 25% over 730 van 1.461 dagen van de basisperiode (pro rata) "
        "= € 9.368,58",
        "Verplichting na korting: € 65.631,42",
    )


def test_a_share_without_days_is_explained_as_a_percentage():
    result = _obligation(pso="step3", pso_share=Decimal("0.375"))
    assert result.amount == Decimal("60937.50")  # 75.000 × (1 − 50% × 0,375)
    assert ("Korting PSO trede 3: 50% over 37,5% van de basisperiode (pro rata) = € 14.062,50"
            in result.explain)


def test_no_days_covered_gives_no_discount_and_full_exemption_goes_pro_rata():
    assert _obligation(pso="step1", pso_share=0, pso_days=(0, 1461)).amount == Decimal("75000.00")
    half = _obligation(pso="step3_30plus", pso_share=Fraction(1, 2))
    assert half.amount == Decimal("37500.00")  # exempt for half the period
    assert _obligation(pso="step3_30plus").amount == Decimal("0.00")


def test_the_discount_is_rounded_once_at_the_end():
    # A certificate valid until 30-11-2025 covers 2024 (366 days) and 334 days of 2025: 700.
    # 5% of 1.234.567,89 = 61.728,3945; discount 25% × 700/1.461 of it = 7.393,887089...;
    # 61.728,3945 − 7.393,887089... = 54.334,507410... → 54.334,51.
    # Rounding each step would give 61.728,39 − 7.393,89 = 54.334,50.
    result = _obligation(revenue=Decimal("1234567.89"), pso="step2",
                         pso_share=Fraction(700, 1461), pso_days=(700, 1461))
    assert result.amount == Decimal("54334.51")
    assert result.explain[-2].endswith("(pro rata) = € 7.393,89")


def test_the_discount_covers_the_extension_revenue_too():
    # 5% of (1.500.000 + 500.000) = 100.000; less 25% × 1/2 = 87.500.
    result = _obligation(extension_revenue=Decimal("500000.00"), pso="step2",
                         pso_share=Fraction(1, 2))
    assert result.amount == Decimal("87500.00")


def test_the_contracts_own_percentage_replaces_the_editions():
    result = _obligation(percentage=Decimal("4.50"))
    assert result.amount == Decimal("67500.00")
    assert ("Verplichting: 4,5% van € 1.500.000,00 (percentage van dit contract; de editie "
            "noemt 5%) = € 67.500,00") in result.explain
    same = _obligation(percentage=Decimal("5.00"))
    assert same == _obligation()  # the edition's own 5%: explained as before
    # with a discount: 7% of 1.500.000 = 105.000, less 10% × 1/4 = 102.375
    both = _obligation(percentage=Decimal("7"), pso="step1", pso_share=Fraction(1, 4))
    assert both.amount == Decimal("102375.00")
    # the threshold stays the threshold
    assert _obligation(revenue=Decimal("200000.00"), percentage=Decimal("50")).amount == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"percentage": Decimal("0")}, "contract.percentage"),
        ({"percentage": Decimal("100.01")}, "contract.percentage"),
        ({"percentage": Decimal("-5")}, "contract.percentage"),
        ({"percentage": 5.0}, "contract.percentage"),
        ({"percentage": Decimal("NaN")}, "contract.percentage"),
        ({"pso_share": 0.5}, "contract.pso_share"),
        ({"pso_share": True}, "contract.pso_share"),
        ({"pso_share": Fraction(3, 2)}, "contract.pso_share"),
        ({"pso_share": Decimal("-0.1")}, "contract.pso_share"),
        ({"pso_share": Decimal("Infinity")}, "contract.pso_share"),
        ({"pso_share": Fraction(1, 2), "pso_days": (700, 1461)}, "contract.pso_days"),
        ({"pso_share": 0, "pso_days": (0, 0)}, "contract.pso_days"),
        ({"pso_share": 1, "pso_days": (1462, 1461)}, "contract.pso_days"),
        ({"pso_share": Fraction(1, 2), "pso_days": (1.5, 3)}, "contract.pso_days"),
    ],
)
def test_bad_shares_and_percentages_are_refused(fields, field):
    with pytest.raises(InputError) as error:
        Contract(START, END, REVENUE, **fields)
    assert error.value.field == field


def test_the_percentage_may_be_100():
    assert _obligation(percentage=Decimal("100")).amount == REVENUE
