"""Properties that must hold for any input, checked with Hypothesis."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from trajectory.valuation.engine import (
    BENEFITS,
    STAGE_KINDS,
    Candidate,
    Contract,
    Stage,
    add_months,
    compute_obligation,
    exact_months_between,
    newest_rulebook,
    select_block,
    value_stage,
)

BOOK = newest_rulebook()
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
amounts = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
hours = st.decimals(min_value=0, max_value=60, places=1, allow_nan=False, allow_infinity=False)
pso = st.sampled_from([None, *(c.key for c in BOOK.pso_discounts)])


@st.composite
def periods(draw, min_days: int = 0, max_days: int = 2000) -> tuple[date, date]:
    start = draw(days)
    return start, start + timedelta(days=draw(st.integers(min_days, max_days)))


@st.composite
def contracts(draw) -> Contract:
    start, end = draw(periods(max_days=3000))
    return Contract(start, end, draw(amounts), draw(amounts), draw(pso))


@st.composite
def candidates(draw, bonuses: bool = True) -> Candidate:
    return Candidate(
        benefit=draw(st.sampled_from(list(BENEFITS))),
        benefit_since=draw(days),
        doelgroepregister=draw(st.booleans()),
        birth_date=draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)))
        if bonuses
        else date(2000, 1, 1),
        statushouder=draw(st.booleans()) if bonuses else False,
    )


@st.composite
def stages(draw, kinds=STAGE_KINDS, start=None, end=None, bonuses: bool = True) -> Stage:
    kind = draw(st.sampled_from(kinds))
    if start is None:
        start, end = draw(periods())
    return Stage(
        kind=kind,
        start=start,
        end=end,
        hours_per_week=draw(st.decimals(min_value=Decimal("0.5"), max_value=60, places=1))
        if kind == "paid_job"
        else None,
        level=draw(st.integers(1, 4)) if kind in ("bbl", "bol") else None,
        permanent=draw(st.booleans()) if kind == "paid_job" and bonuses else False,
        hours=draw(hours) if kind in ("intake", "coaching") else None,
    )


def with_end(stage: Stage, end: date) -> Stage:
    return Stage(
        stage.kind,
        stage.start,
        end,
        stage.hours_per_week,
        stage.level,
        stage.permanent,
        stage.hours,
    )


@given(stages(), candidates(), st.none() | contracts())
def test_value_is_never_negative_and_in_cents(stage, candidate, contract):
    result = value_stage(stage, candidate, BOOK, contract)
    assert result.value >= 0
    assert result.value.as_tuple().exponent == -2
    assert result.explain and all(isinstance(line, str) and line for line in result.explain)


TIME_KINDS = tuple(k for k in STAGE_KINDS if k not in ("intake", "coaching"))


@given(stages(kinds=TIME_KINDS), candidates(), st.none() | contracts(), st.integers(0, 2000))
def test_a_shorter_stage_is_never_worth_more(stage, candidate, contract, shorten_by):
    """Same start, earlier end. (Intake and coaching are valued by their hours, not by their dates.)"""
    shorter_end = max(stage.start, stage.end - timedelta(days=shorten_by))
    shorter = with_end(stage, shorter_end)
    assert (
        value_stage(shorter, candidate, BOOK, contract).value
        <= value_stage(stage, candidate, BOOK, contract).value
    )


@given(
    stages(kinds=("paid_job",), bonuses=False), candidates(bonuses=False), st.none() | contracts()
)
def test_per_fte_blocks_stay_under_rate_times_one_fte_times_cap(stage, candidate, contract):
    block = select_block(stage, candidate, BOOK)
    result = value_stage(stage, candidate, BOOK, contract)
    months = (
        block.cap_months
        if block.cap_months is not None
        else exact_months_between(stage.start, stage.end)
    )
    assert Fraction(result.value) <= Fraction(block.rate) * Fraction(months) / 12 + Fraction(1, 200)


@given(st.data(), contracts(), candidates())
def test_nothing_outside_the_contract_counts(data, contract, candidate):
    if data.draw(st.booleans()):
        start = contract.end + timedelta(days=data.draw(st.integers(1, 1000)))
    else:
        start = contract.start - timedelta(days=data.draw(st.integers(1, 3000)))
    latest = (
        contract.start - timedelta(days=1)
        if start < contract.start
        else start + timedelta(days=2000)
    )
    end = start + timedelta(days=data.draw(st.integers(0, (latest - start).days)))
    stage = data.draw(stages(start=start, end=end))
    result = value_stage(stage, candidate, BOOK, contract)
    assert result.value == 0, result.explain


@given(contracts(), amounts, amounts)
def test_obligation_never_negative_and_monotone_in_revenue(contract, a, b):
    low, high = sorted((a, b))
    at = {
        r: compute_obligation(
            Contract(contract.start, contract.end, r, contract.extension_revenue, contract.pso),
            BOOK,
        )
        for r in (low, high)
    }
    assert at[low].amount >= 0
    assert at[low].amount <= at[high].amount
    if low > BOOK.threshold and contract.pso is None:
        expected = (high - low) * BOOK.obligation_percentage / 100
        assert abs(at[high].amount - at[low].amount - expected) <= Decimal("0.01")


@given(days, st.integers(0, 400))
def test_whole_months_count_whole(start, months):
    end = add_months(start, months) - timedelta(days=1)
    assert exact_months_between(start, end) == months


@given(days, st.integers(0, 800), st.integers(0, 800))
def test_months_grow_with_the_end(start, a, b):
    early, late = sorted((a, b))
    one = exact_months_between(start, start + timedelta(days=early))
    two = exact_months_between(start, start + timedelta(days=late))
    assert 0 < one <= two
    assert two <= Fraction(late + 1, 28)
