"""Language choice and the Dutch formats for money, dates and numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, has_app_context, has_request_context, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale

from trajectory.timeutil import as_utc


def select_locale() -> str:
    """Dutch unless the user chose another offered language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI, demo loader
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class LabelOutsideAppError(RuntimeError):
    """A lazy label was turned into text outside the application (see ``label_text``)."""


def label_text(label) -> str:
    """An enum's lazy label (``_l("Paid jobs")``) as text, in the user's language.

    The ``.label`` of every enum goes through here. Outside the application - in a form's
    class body or a module constant, evaluated once at import - the text would be the
    English msgid for good, on every Dutch page ("Care (not Social Return)" in a Dutch
    form). That refuses loudly instead: give the form a callable (``choices=my_choices``)
    or the lazy table value itself (``OFFER_TYPE_LABELS[t]``)."""
    if not has_app_context():
        raise LabelOutsideAppError(
            f"label {label!s} read outside the application: it would stay English; "
            "pass a callable or the lazy table value (trajectory/i18n.py, label_text)")
    return str(label)


def money(value: Decimal | int | None) -> str:
    """``€ 1.500.000,00`` (with a no-break space, as CLDR writes it)."""
    if value is None:
        return "–"
    return format_currency(Decimal(value), "EUR")


def day(value: date | datetime | None) -> str:
    """``31-03-2026``."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return format_datetime(as_utc(value), "dd-MM-yyyy")
    return format_date(value, "dd-MM-yyyy")


def moment(value: datetime | None) -> str:
    """``31-03-2026 14:05`` in Europe/Amsterdam."""
    if value is None:
        return "–"
    return format_datetime(as_utc(value), "dd-MM-yyyy HH:mm")


def quarter(value: date) -> str:
    """``K1 2026``."""
    return format_date(value, "QQQ yyyy")


def number(value, places: int = 2) -> str:
    return format_decimal(value, format="#,##0." + "0" * places if places else "#,##0")


def hours(value: Decimal | int | str | None) -> str:
    """Hours (and other quantities) as a person writes them: ``24``, ``24,5``, ``1.500``
    (``24.5`` in English): at most two decimals, never trailing zeros, never ``24.00``.
    Accepts the text a stored snapshot keeps (``"24.00"``)."""
    if value is None or value == "":
        return "–"
    return format_decimal(Decimal(str(value)), format="#,##0.##")


def init_i18n(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, day=day, moment=moment, quarter=quarter,
                                 number=number, hours=hours)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
