"""Bad input never reaches the database: one place for every form, list and URL.

- ``clean_request`` (before every request): control characters that PostgreSQL
  refuses or that have no place in a text (NUL and the other C0 controls except
  tab and line breaks) are stripped from every form field, query argument and
  uploaded file name; query keys that could steer ``url_for`` (``endpoint``,
  ``_anchor``, ``_external`` ...) or are not plain names are dropped, and
  ``?page=`` is made a sane page number.
- ``BoundedIntConverter`` replaces the ``<int:...>`` URL converter: an id beyond
  the database's integer range is a 404, as any id that does not exist.
- ``fits(column)`` is a form validator derived from a column's type (digits of a
  ``Numeric``, range of an ``Integer``, length of a ``String``); ``DutchDecimalField``
  is bounded to the money column by default.
- ``guard_columns`` (before every flush) refuses a value its column cannot hold
  with a ``ServiceError`` naming the attribute, so a form the view re-renders shows
  the message next to the field with the typed text, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from trajectory.services import ServiceError

# PostgreSQL's ``integer``: every id column and every ``<int:...>`` in a URL.
DB_INT_MAX = 2**31 - 1
INT_RANGES = {sa.SmallInteger: 2**15 - 1, sa.BigInteger: 2**63 - 1, sa.Integer: DB_INT_MAX}
# Far beyond any list; a larger page number means the last page (``trajectory.ui.paginate``).
MAX_PAGE = 100_000

# NUL and the other C0 controls (but tab, line feed, carriage return) and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A query key a page may use: a plain lower-case name (filters, sort, page, next ...).
_QUERY_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]{1,4300}\s*\Z")
# Query keys that hold free text (a search), never an id.
TEXT_KEYS = frozenset({"q", "next"})
# Names ``url_for`` takes as its own keywords.
RESERVED_KEYS = frozenset({"endpoint", "values"})


def clean_text(value: str) -> str:
    """``value`` without the control characters no text field may hold."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def _page_value(raw: str) -> str | None:
    """A page number as the lists take it, or None (page 1) for anything else."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > 6 or int(raw) > MAX_PAGE:
        return str(MAX_PAGE)
    return str(int(raw)) if int(raw) >= 1 else None


def _clean_args(args) -> ImmutableMultiDict:
    items = []
    for key, value in args.items(multi=True):
        if key in RESERVED_KEYS or not _QUERY_KEY.match(key):
            continue
        value = clean_text(value)
        if key == "page":
            value = _page_value(value)
            if value is None:
                continue
        elif key not in TEXT_KEYS and _WHOLE_NUMBER.match(value) and \
                abs(int(value)) > DB_INT_MAX:
            # An id filter (``?municipality=``, ``?provider=`` ...) beyond the database's
            # integer: no row has it, so it becomes the first id that cannot exist, which
            # every database compares without overflowing.
            value = str(DB_INT_MAX + 1)
        items.append((key, value))
    return ImmutableMultiDict(items)


def clean_request() -> None:
    """Strip control characters from what the browser sent and drop steering query keys.
    Not the API's query (/api/): its schemas refuse an odd key or value with a 400 that
    names it (trajectory/api/operations.py), where a page forgives it."""
    if not request.path.startswith("/api/"):
        request.args = _clean_args(request.args)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        request.form = ImmutableMultiDict(
            (clean_text(key), clean_text(value)) for key, value in request.form.items(multi=True))
        for upload in request.files.values():
            if upload.filename:
                upload.filename = clean_text(upload.filename)


def as_int(value: Any, default: int | None = None) -> int | None:
    """An id, version or number sent as text, when it is a whole number the database's
    integer holds; else ``default`` (never a ``ValueError`` from ``int("abc")``)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if -DB_INT_MAX - 1 <= number <= DB_INT_MAX else default


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only what fits the database's integer (else 404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=DB_INT_MAX if max is None else max, signed=signed)


# ------------------------------------------------------------------ column bounds


def _numeric_limit(column_type: sa.Numeric) -> tuple[Decimal, int] | None:
    """(the largest absolute value, the scale) a ``Numeric(p, s)`` holds."""
    if column_type.precision is None:
        return None
    scale = column_type.scale or 0
    largest = Decimal(10) ** (column_type.precision - scale) - Decimal(1).scaleb(-scale)
    return largest, scale


def _int_limit(column_type: sa.Integer) -> int:
    for kind, limit in INT_RANGES.items():
        if isinstance(column_type, kind):
            return limit
    return DB_INT_MAX


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _format_limit(value: Decimal, scale: int) -> str:
    from trajectory.forms import format_dutch_decimal

    return format_dutch_decimal(value, scale) if scale else format_dutch_decimal(value, 0)


def column_problem(column_type: Any, value: Any) -> str | None:
    """Why ``column_type`` cannot hold ``value`` (a sentence for the user), or None."""
    if value is None:
        return None
    if isinstance(column_type, sa.Numeric) and not isinstance(value, bool):
        limit = _numeric_limit(column_type)
        number = _as_decimal(value)
        if limit is None or number is None:
            return None
        largest, scale = limit
        if not number.is_finite() or abs(number) > largest:
            return _("This number is too large: at most %(max)s.",
                     max=_format_limit(largest, scale))
    elif isinstance(column_type, sa.Integer) and isinstance(value, int) \
            and not isinstance(value, bool):
        limit = _int_limit(column_type)
        if not -limit - 1 <= value <= limit:
            return _("This number is too large: at most %(max)s.",
                     max=_format_limit(Decimal(limit), 0))
    elif isinstance(column_type, sa.String) and isinstance(value, str) \
            and column_type.length is not None and len(value) > column_type.length:
        return _("Use at most %(n)d characters.", n=column_type.length)
    return None


def fits(column: Any, message: Any = None):
    """A form validator: the field's value must fit ``column`` (a model attribute or a
    ``Column``): digits and range of a number, length of a text."""
    column_type = getattr(column, "type", None)
    if column_type is None:  # an InstrumentedAttribute before the mapper is configured
        column_type = column.property.columns[0].type

    def check(form, field) -> None:
        problem = column_problem(column_type, field.data)
        if problem:
            raise ValidationError(message or problem)

    return check


def guard_columns(session: so.Session, flush_context, instances) -> None:
    """Before a flush: strip NULs from texts and refuse a value its column cannot hold.

    The ``ServiceError`` names the attribute, which is the form field's name on the
    forms that edit it; views roll back and re-render the form with the typed text.
    """
    for obj in list(session.new) + list(session.dirty):
        guard_object(obj)


def guard_object(obj: Any) -> None:
    """``guard_columns`` for one object (also for a writer that inserts in bulk without a
    flush, the import)."""
    values = obj.__dict__  # the instance's state dict
    for key, column_type in _guarded(sa.inspect(obj).mapper):
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str) and "\x00" in value:
            value = value.replace("\x00", "")
            setattr(obj, key, value)
        problem = column_problem(column_type, value)
        if problem:
            raise ServiceError(problem, key)


@functools.cache
def _guarded(mapper: so.Mapper) -> list[tuple[str, Any]]:
    """The mapper's plain columns (attribute key, type), once per mapper."""
    return [(prop.key, prop.columns[0].type) for prop in mapper.column_attrs
            if len(prop.columns) == 1 and isinstance(prop.columns[0], sa.Column)]


def init_inputs(app: Flask) -> None:
    """Called by ``create_app`` before the blueprints add their rules."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(clean_request)
    if not sa.event.contains(so.Session, "before_flush", guard_columns):
        sa.event.listen(so.Session, "before_flush", guard_columns)
