"""Field types shared by the resources' schemas."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import fields


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
