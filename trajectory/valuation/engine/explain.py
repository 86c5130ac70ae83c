"""Explanation lines in two languages, without Flask or Babel.

Every line the engine writes is a ``Line``: a ``str`` whose text is the Dutch sentence
(the canonical explanation: what ``flask sroi check`` prints, what the golden scenarios
compare, what is stored on an approved claim), which also carries the same sentence as
an English template (``%(name)s`` placeholders) and its parameters as plain values:
``Money``, ``Num``, ``Qty``, ``Pct``, ``Months``, ``Day``, ``Span``, ``Spans``,
``Names``, a nested ``Line``, or plain text and numbers. The web layer
(``trajectory.valuation.labels.explanation``) shows the Dutch text to a Dutch user and
fills the English template, with the user's number formats, for everyone else.

Both sentences of a line are written side by side where the engine makes the line, so
a change of wording changes both at once. The rulebook's own names (building blocks,
supplier types, discounts, bonuses) and the legal names of benefits are parameters and
stay as the edition writes them. See docs/valuation.md, "Explanations in two languages".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .formatting import (
    format_date,
    format_eur,
    format_months,
    format_number,
    format_percent,
    format_quantity,
)

Number = Decimal | Fraction | int


@dataclass(frozen=True)
class Money:
    """An amount in euros: "€ 1.500,00"."""

    amount: Number


@dataclass(frozen=True)
class Num:
    """A number with a fixed count of decimals: "0,83" (FTE, years)."""

    value: Number
    places: int = 2


@dataclass(frozen=True)
class Qty:
    """Hours and the like: at most two decimals, no trailing zeros: "7,5"."""

    value: Number


@dataclass(frozen=True)
class Pct:
    """A percentage as the edition gives it: "2,5%"."""

    value: Decimal


@dataclass(frozen=True)
class Months:
    """A number of months with its word: "1 maand", "1,52 maanden"."""

    value: Number


@dataclass(frozen=True)
class Day:
    value: date


@dataclass(frozen=True)
class Span:
    """From one day to another, both included: "01-01-2026 t/m 31-03-2026"."""

    start: date
    end: date


@dataclass(frozen=True)
class Spans:
    """Several spans: "…, …"."""

    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Names:
    """Names joined by "en" / "and" (the stages that keep a day)."""

    names: tuple[str, ...]


class Line(str):
    """One explanation line: the Dutch text, plus ``english`` and ``params`` to say it again
    in another language. Behaves as the Dutch ``str`` everywhere else (JSON, joins, tests)."""

    english: str
    params: dict[str, Any]

    def __new__(cls, dutch: str, english: str, **params: Any) -> Line:
        text = dutch % {key: dutch_text(value) for key, value in params.items()}
        line = super().__new__(cls, text)
        line.english = english
        line.params = params
        return line

    def __reduce__(self):  # copies and pickles keep both languages
        return (_rebuild, (str(self), self.english, self.params))


def _rebuild(text: str, english: str, params: dict[str, Any]) -> Line:
    line = str.__new__(Line, text)
    line.english, line.params = english, params
    return line


def dutch_text(value: Any) -> str:
    """A parameter in the engine's Dutch notation."""
    if isinstance(value, Line):
        return str(value)
    if isinstance(value, Money):
        return format_eur(value.amount)
    if isinstance(value, Num):
        return format_number(value.value, value.places)
    if isinstance(value, Qty):
        return format_quantity(value.value)
    if isinstance(value, Pct):
        return format_percent(value.value)
    if isinstance(value, Months):
        return format_months(value.value)
    if isinstance(value, Day):
        return format_date(value.value)
    if isinstance(value, Span):
        return f"{format_date(value.start)} t/m {format_date(value.end)}"
    if isinstance(value, Spans):
        return ", ".join(dutch_text(span) for span in value.spans)
    if isinstance(value, Names):
        return " en ".join(value.names)
    return str(value)


def span(period: Any) -> Span:
    """A period (anything with ``start`` and ``end``) as a ``Span``."""
    return Span(period.start, period.end)


def spans(periods: Sequence[Any]) -> Spans:
    """Periods (anything with ``start`` and ``end``) as ``Spans``."""
    return Spans(tuple(Span(p.start, p.end) for p in periods))


def join(parts: Sequence[Any], separator: str = "; ", english: str | None = None) -> Line:
    """Lines (or parameters) one after the other: "a; b", or "a en b" / "a and b"."""
    params = {f"part{index}": part for index, part in enumerate(parts)}
    keys = [f"%({key})s" for key in params]
    return Line(separator.join(keys), (separator if english is None else english).join(keys),
                **params)


EMPTY = Line("", "")
