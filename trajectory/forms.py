"""Form fields shared by every feature."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import StringField
from wtforms.validators import ValidationError

from trajectory.inputs import column_problem, fits

__all__ = ["DutchDateField", "DutchDecimalField", "TrajectoryForm", "apply_service_error",
           "fits", "format_dutch_decimal", "not_blank"]


class TrajectoryForm(FlaskForm):
    """The base of every form of the application: Flask-WTF's form (CSRF), and nothing typed
    is lost to an idle logout.

    A POST made by a session that had just expired is kept on the server for its user and
    URL (``trajectory.security``); the next GET of that URL by that user builds its form
    from that input, once, and says so at the top of the page. ``form.kept`` tells a view
    not to overwrite the input with its defaults. A view that passes ``formdata`` itself
    decides alone.
    """

    kept = False

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                kept = _kept_formdata(form)
                if kept is not None:
                    form.kept = True
                    return kept
            return super().wrap_formdata(form, formdata)


# The notice above a form filled with kept input (the same words on every form).
KEPT_NOTICE = _l("You were logged out while you were typing. What you typed is still here: "
                 "check it and save it.")


def _kept_formdata(form):
    """This request's kept input (taken from the server once per request), when it is a GET
    of the user who posted it and it has a field of ``form``; else None."""
    from flask import flash, g, has_request_context, request
    from flask_login import current_user
    from werkzeug.datastructures import MultiDict

    if not has_request_context() or request.method != "GET" \
            or not current_user.is_authenticated:
        return None
    if "kept_input" not in g:
        from trajectory.security import take_kept_post

        g.kept_input = take_kept_post(current_user.id)
    kept = g.kept_input
    if not kept or not any(name in kept for name in form._fields if name != "csrf_token"):
        return None
    if not g.get("kept_input_told"):
        g.kept_input_told = True
        flash(str(KEPT_NOTICE), "warning")
    return MultiDict(kept)


class DutchDecimalField(StringField):
    """A money or number field that accepts Dutch notation ("1.500,50").

    WTForms' DecimalField rejects "1.500,00"; this one parses with Babel in
    the ``nl`` locale, strictly, and also takes a plain "1500.50" that a
    spreadsheet or a browser's number keyboard may produce.
    """

    def __init__(self, label=None, validators=None, places: int = 2, digits: int = 12,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.places = places
        # Bounded to the money column (``Numeric(12, 2)``) unless a smaller column is named
        # with ``fits(...)`` among the validators: never more than the database holds.
        self.digits = digits

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip().replace("€", "").replace("\xa0", "").replace(" ", "")
        self.raw_text = valuelist[0]
        try:
            value = parse_decimal(raw, locale="nl", strict=True)
        except NumberFormatError:
            if raw.count(".") == 1 and "," not in raw:
                try:
                    value = Decimal(raw)
                except ArithmeticError:
                    value = None
            else:
                value = None
        if value is None or not value.is_finite():
            self.data = None
            raise ValueError(_l("Enter an amount such as 1.500,50."))
        problem = column_problem(sa.Numeric(self.digits, self.places), value)
        if problem:
            raise ValueError(problem)
        quantum = Decimal(1).scaleb(-self.places)
        try:
            exact = value == value.quantize(quantum)
        except ArithmeticError:  # "0,000…1" with thousands of decimals
            exact = False
        if not exact:
            raise ValueError(_l("Use at most %(n)d decimals.", n=self.places))
        self.data = value.quantize(quantum)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_dutch_decimal(self.data, self.places)


def format_dutch_decimal(value: Decimal, places: int = 2) -> str:
    """``Decimal('1500.5')`` → ``'1.500,50'`` for prefilling inputs."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def not_blank(form, field):
    """Reject input that is only spaces (DataRequired lets '  ' through after strip?)."""
    if field.data is not None and isinstance(field.data, str) and not field.data.strip():
        raise ValidationError(_l("This field is required."))


class DutchDateField(StringField):
    """A date typed the Dutch way ("31-03-2026"), also accepting ISO ("2026-03-31").

    A text input rather than ``type=date``: the browser date pickers differ in
    format and screen-reader support, and people copy dates from letters.
    """

    FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", _l("For example 31-03-2026."))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        from datetime import datetime

        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        raw = valuelist[0].strip()
        for fmt in self.FORMATS:
            try:
                parsed = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if 1900 <= parsed.year <= 2100:
                self.data = parsed
                return
        raise ValueError(_l("Enter a date such as 31-03-2026."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return self.data.strftime("%d-%m-%Y")


def apply_service_error(form, error) -> None:
    """Show a service's refusal (``ServiceError``) next to its field, or as a message at the
    top when it names no field of the form: the one way every page does it."""
    from flask import flash

    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
