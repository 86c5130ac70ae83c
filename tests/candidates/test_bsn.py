"""The elfproef: known vectors and properties (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trajectory.candidates.bsn import WEIGHTS, elfproef_sum, is_valid_bsn, normalise_bsn

digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def _valid_bsns():
    """Build valid numbers: choose eight digits, derive the ninth, keep those that fit."""
    def complete(first8: str) -> str | None:
        partial = sum(int(d) * w for d, w in zip(first8, WEIGHTS[:8], strict=True))
        last = partial % 11
        return first8 + str(last) if last < 10 else None

    return (st.text(alphabet="0123456789", min_size=8, max_size=8).map(complete)
            .filter(lambda v: v is not None and v != "000000000"))


def test_documented_test_number_is_valid():
    assert elfproef_sum("111222333") == 66
    assert is_valid_bsn("111222333")


def test_obvious_wrong_numbers_are_refused():
    for value in ("000000000", "123456789", "11122233", "1112223334", "11122233a", "",
                  "١١١٢٢٢٣٣٣"):  # Arabic-Indic digits are digits to Python, not to us
        assert not is_valid_bsn(value), value


def test_spaces_dots_and_hyphens_are_dropped():
    assert normalise_bsn(" 1112.22-333 ") == "111222333"


@given(digits)
def test_the_rule_is_the_weighted_sum(value):
    expected = value != "000000000" and elfproef_sum(value) % 11 == 0
    assert is_valid_bsn(value) is expected


@given(_valid_bsns())
def test_generated_numbers_pass(value):
    assert is_valid_bsn(value)


@given(_valid_bsns(), st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_every_single_digit_change_fails(value, position, delta):
    changed = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1:]
    assert not is_valid_bsn(changed)


@given(st.text(max_size=12).filter(lambda v: len(v) != 9))
def test_other_lengths_never_pass(value):
    assert not is_valid_bsn(value)
