"""Field types shared by the resources' schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields

from trajectory.timeutil import as_utc


class Amount(fields.String):
    """A Decimal as text with two decimals ("1500.00"), as ``sroi check`` and the ledger
    print amounts: exact, no binary floating point in between."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{Decimal(value):.2f}"


class Number(fields.String):
    """A Decimal as text as it stands (a percentage "5.00", hours "36")."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class Moment(fields.DateTime):
    """A moment in RFC 3339 with its offset, UTC ("2026-12-04T17:58:45+00:00"): SQLite
    hands back naive datetimes, which are UTC here (timeutil.as_utc)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return as_utc(value).isoformat(timespec="seconds")
