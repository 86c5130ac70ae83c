"""The engine's functions directly: results, explanations in Dutch, rounding, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from trajectory.valuation.engine import (
    Activity,
    Candidate,
    Contract,
    Fund,
    InputError,
    Purchase,
    Stage,
    compute_obligation,
    format_eur,
    format_number,
    load_rulebook,
    newest_rulebook,
    round_half_up,
    value_activity,
    value_fund,
    value_item,
    value_purchase,
    value_stage,
)

BOOK = newest_rulebook()
CONTRACT = Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000.00"))
LONG_TERM = Candidate(
    "participatiewet", benefit_since=date(2019, 1, 1), birth_date=date(1990, 1, 1)
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0"), "€ 0,00"),
        (Decimal("1500000"), "€ 1.500.000,00"),
        (Decimal("73333.333"), "€ 73.333,33"),
        (Decimal("0.005"), "€ 0,01"),
        (Decimal("999.995"), "€ 1.000,00"),
        (Decimal("-1234.5"), "-€ 1.234,50"),
        (Fraction(1, 3), "€ 0,33"),
    ],
)
def test_format_eur(amount, text):
    assert format_eur(amount) == text


def test_round_half_up_is_exact():
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert round_half_up(Decimal("2.665")) == Decimal("2.67")  # half-up, not half-even
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")
    assert round_half_up(Fraction(2, 3)).as_tuple().exponent == -2
    assert str(round_half_up(0)) == "0.00"
    assert format_number(Fraction(11, 6)) == "1,83"


def test_obligation_explained():
    result = compute_obligation(CONTRACT, BOOK)
    assert result.amount == Decimal("75000.00")
    assert "Verplichting: 5% van € 1.500.000,00 = € 75.000,00" in result.explain


def test_obligation_pso_and_threshold_explained():
    step2 = compute_obligation(
        Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000"), pso="step2"), BOOK
    )
    assert step2.amount == Decimal("56250.00")
    assert "Korting PSO trede 2: 25%" in step2.explain
    at = compute_obligation(
        Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("200000.00")), BOOK
    )
    assert at.explain == (
        "Omzet € 200.000,00 niet boven de drempel van € 200.000,00: geen verplichting",
    )
    exempt = compute_obligation(
        Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1500000"), pso="step3_30plus"), BOOK
    )
    assert exempt.amount == Decimal("0.00")


def test_obligation_unknown_pso_is_refused():
    with pytest.raises(InputError) as error:
        compute_obligation(
            Contract(date(2023, 1, 1), date(2026, 12, 31), Decimal("1"), pso="gold"), BOOK
        )
    assert error.value.field == "contract.pso"


def test_werkervaringsplaats_explained():
    stage = Stage("werkervaringsplaats", date(2023, 3, 15), date(2023, 6, 14), hours_per_week=24)
    result = value_stage(stage, None, BOOK, CONTRACT)
    assert result.value == Decimal("2250.00")
    assert result.explain[-1] == "Werkervaringsplaats: 3 maanden × € 750,00 = € 2.250,00"
    assert result.block == "werkervaringsplaats"


def test_paid_job_explained_with_fte_years_and_bonus():
    stage = Stage("paid_job", date(2023, 3, 1), date(2024, 12, 31), hours_per_week=36)
    result = value_stage(stage, LONG_TERM, BOOK, CONTRACT)
    assert result.value == Decimal("73333.33")
    assert (
        "Participatiewet, langer dan 2 jaar uitkering: € 40.000,00 × 1,00 fte × 1,83 jaar = € 73.333,33"
        in result.explain
    )
    assert result.block == "participatiewet_long"
    older = Candidate("participatiewet", date(2019, 1, 1), birth_date=date(1960, 1, 1))
    with_bonus = value_stage(stage, older, BOOK, CONTRACT)
    assert with_bonus.value == Decimal("78333.33")
    assert any(
        line.startswith("Bonus 50+") and "€ 5.000,00 × 1,00 fte" in line
        for line in with_bonus.explain
    )
    assert with_bonus.explain[-1] == "Totaal: € 78.333,33"


def test_the_whole_product_works_without_a_contract():
    stage = Stage("paid_job", date(2030, 1, 1), date(2030, 12, 31), hours_per_week=18)
    assert value_stage(stage, LONG_TERM, BOOK).value == Decimal("20000.00")
    assert value_item(stage, BOOK, LONG_TERM).value == Decimal("20000.00")


def test_rounded_once_at_the_end():
    """Parts shown rounded (6.666,67 + 3.333,33 + 6.666,67) but the total comes from the exact sum."""
    person = Candidate("nug", birth_date=date(1990, 1, 1), statushouder=True)
    stage = Stage(
        "paid_job", date(2023, 1, 1), date(2023, 12, 31), hours_per_week=24, permanent=True
    )
    assert value_stage(stage, person, BOOK, CONTRACT).value == Decimal("16666.67")
    one_third = Stage("paid_job", date(2023, 1, 1), date(2023, 12, 31), hours_per_week=12)
    parts = value_stage(one_third, Candidate("nug", birth_date=date(1990, 1, 1)), BOOK, CONTRACT)
    assert parts.value == Decimal("3333.33")


def test_purchase_activity_fund():
    assert value_purchase(
        Purchase("social_enterprise_nl", Decimal("10000.00")), BOOK
    ).value == Decimal("5000.00")
    assert value_activity(Activity(hours=12), BOOK).value == Decimal("1200.00")
    custom = value_activity(Activity(hours=3, custom_value=Decimal("999.999")), BOOK)
    assert custom.value == Decimal("1000.00")
    assert "SROI-adviseur" in custom.explain[0]
    assert value_fund(Fund(Decimal("12.345")), BOOK).value == Decimal("12.35")
    with pytest.raises(InputError) as error:
        value_purchase(Purchase("friend", Decimal("1")), BOOK)
    assert error.value.field == "purchase.supplier"


def test_money_is_never_float():
    with pytest.raises(InputError, match="never a float"):
        Contract(date(2023, 1, 1), date(2026, 12, 31), 1500000.0)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        Fund(Decimal("NaN"))
    with pytest.raises(InputError):
        Stage("paid_job", date(2023, 1, 1), date(2023, 2, 1), hours_per_week=36.0)  # type: ignore[arg-type]


def test_results_are_frozen():
    result = value_fund(Fund(Decimal("1")), BOOK)
    with pytest.raises(AttributeError):
        result.value = Decimal("2")  # type: ignore[misc]


def test_named_edition_values_differently():
    demo = load_rulebook("bouwblokken-2025")
    assert value_activity(Activity(hours=12), demo).value == Decimal("1320.00")
    assert value_activity(Activity(hours=12), BOOK).value == Decimal("1200.00")


@pytest.mark.parametrize("benefit", ["ww", "nug", "participatiewet", "wajong"])
def test_doelgroepregister_gives_the_register_block_whatever_the_benefit(benefit):
    """Rule 5 / T3: a person in the register is valued at 40.000 always, WW and NUG included."""
    person = Candidate(benefit, benefit_since=date(2023, 1, 1), doelgroepregister=True,
                       birth_date=date(1990, 1, 1))
    stage = Stage("paid_job", date(2023, 6, 1), date(2026, 5, 31), hours_per_week=36)
    valuation = value_stage(stage, person, BOOK, CONTRACT)
    assert valuation.block == "doelgroepregister"
    assert valuation.value == Decimal("120000.00")  # 36 months x 40.000 / 12, never capped


def test_vso_workplace_counts_only_under_18():
    """Rule 7 / T9: 25.000 once under 18 at the start; from 18 it is worth 0 (a paid job)."""
    stage = Stage("vso_workplace", date(2024, 8, 1), date(2025, 7, 31))
    young = Candidate("nug", birth_date=date(2006, 8, 2))   # 17 on 01-08-2024
    adult = Candidate("nug", birth_date=date(2006, 8, 1))   # 18 that day
    assert value_stage(stage, young, BOOK, CONTRACT).value == Decimal("25000.00")
    too_old = value_stage(stage, adult, BOOK, CONTRACT)
    assert too_old.value == Decimal("0.00")
    assert "betaalde baan" in too_old.explain[-1]
    with pytest.raises(InputError) as error:
        value_stage(stage, None, BOOK, CONTRACT)
    assert error.value.field == "candidate.birth_date"


def test_nug_needs_no_benefit_since():
    stage = Stage("paid_job", date(2023, 1, 1), date(2023, 12, 31), hours_per_week=36)
    assert value_stage(stage, Candidate("nug", birth_date=date(1990, 1, 1)), BOOK).value == Decimal(
        "10000.00"
    )


def test_birthday_on_29_february():
    """Born 29 Feb 1976: 50 on 28 Feb 2026 (the anniversary falls on the last day of February)."""
    person = Candidate("nug", birth_date=date(1976, 2, 29))
    on_28 = Stage("paid_job", date(2026, 2, 28), date(2026, 3, 27), hours_per_week=36)
    on_27 = Stage("paid_job", date(2026, 2, 27), date(2026, 3, 26), hours_per_week=36)
    assert value_stage(on_28, person, BOOK).value - value_stage(
        on_27, person, BOOK
    ).value == Decimal("5000.00")
