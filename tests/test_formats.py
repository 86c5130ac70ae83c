"""Dutch formats: money, dates, quarters, and Dutch decimal input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from trajectory.forms import DutchDecimalField, format_dutch_decimal
from trajectory.i18n import day, moment, money, quarter


def test_money_dates_and_quarters_in_dutch(app):
    with app.test_request_context():
        assert money(Decimal("1500000")) == "€\xa01.500.000,00"
        assert money(Decimal("-1234.5")) == "€\xa0-1.234,50"
        assert money(None) == "–"
        assert day(date(2026, 3, 31)) == "31-03-2026"
        # 23:30 UTC on 31 March is already 1 April in Amsterdam (summer time).
        assert moment(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == "01-04-2026 00:30"
        assert quarter(date(2026, 2, 1)) == "K1 2026"


def test_money_in_english_after_switching(app):
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert money(Decimal("1500000")) == "€1,500,000.00"


class AmountForm(FlaskForm):
    class Meta:
        csrf = False

    amount = DutchDecimalField("Bedrag")


@pytest.mark.parametrize(("typed", "expected"), [
    ("1.500,50", Decimal("1500.50")),
    ("1500,5", Decimal("1500.50")),
    ("€ 1.500.000,00", Decimal("1500000.00")),
    ("250", Decimal("250.00")),
    ("1500.50", Decimal("1500.50")),  # a number keyboard or spreadsheet paste
])
def test_dutch_amounts_are_accepted(app, typed, expected):
    with app.test_request_context():
        form = AmountForm(MultiDict({"amount": typed}))
        assert form.validate(), form.errors
        assert form.amount.data == expected


@pytest.mark.parametrize("typed", ["abc", "1,500.00", "1.500,505", "12,3,4", "NaN"])
def test_wrong_amounts_are_refused_and_kept(app, typed):
    with app.test_request_context():
        form = AmountForm(MultiDict({"amount": typed}))
        assert not form.validate()
        assert form.amount.errors
        assert form.amount._value() == typed  # the user's input stays in the field


def test_prefill_is_dutch():
    assert format_dutch_decimal(Decimal("1500.5")) == "1.500,50"
