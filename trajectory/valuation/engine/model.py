"""Inputs and results of the engine: plain frozen dataclasses, money as Decimal.

Inputs check themselves on construction and raise `InputError(field, message)`
with the dotted field name a person would fix (the scenario file and the web
forms both use those names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

BENEFITS: dict[str, str] = {
    "participatiewet": "Participatiewet",
    "ww": "WW",
    "wajong": "Wajong",
    "wia_wao": "WIA/WAO",
    "wsw": "WSW",
    "nug": "NUG (geen recht op uitkering)",
}
STAGE_KINDS: tuple[str, ...] = (
    "intake",
    "coaching",
    "werkervaringsplaats",
    "bbl",
    "bol",
    "vso_internship",
    "vso_workplace",
    "paid_job",
)
HOUR_KINDS = frozenset({"intake", "coaching"})
LEVEL_KINDS = frozenset({"bbl", "bol"})
LEVELS = (1, 2, 3, 4)


class InputError(ValueError):
    """An input the engine cannot value; `field` is dotted, e.g. "stage.level"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _money(field: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise InputError(field, "must be a Decimal (money is never a float)")
    if not value.is_finite():
        raise InputError(field, "must be a finite amount")
    if value < 0:
        raise InputError(field, "must not be negative")


def _quantity(field: str, value: Decimal | int) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InputError(field, "must be a Decimal or an int")
    _money(field, Decimal(value))


def _period(prefix: str, start: date, end: date) -> None:
    if end < start:
        raise InputError(
            f"{prefix}.end", f"{end.isoformat()} is before {prefix}.start {start.isoformat()}"
        )


@dataclass(frozen=True)
class Contract:
    """A contract under Social Return: base-period revenue (extensions apart) and PSO step.

    `pso_share` is the part of the base period a valid PSO certificate covers (exact, 0-1;
    default 1, the whole period): the discount applies pro rata to it. `pso_days`, when
    given, is that share as (covered days, days of the base period), for the explanation.
    `percentage` is the contract's own Social Return percentage; None takes the edition's.
    """

    start: date
    end: date
    revenue: Decimal
    extension_revenue: Decimal = Decimal("0")
    pso: str | None = None
    pso_share: Fraction | Decimal | int = 1
    pso_days: tuple[int, int] | None = None
    percentage: Decimal | None = None

    def __post_init__(self) -> None:
        _period("contract", self.start, self.end)
        _money("contract.revenue", self.revenue)
        _money("contract.extension_revenue", self.extension_revenue)
        share = self.pso_share
        if isinstance(share, bool) or not isinstance(share, Fraction | Decimal | int):
            raise InputError("contract.pso_share", "must be an exact Fraction, Decimal or int")
        if isinstance(share, Decimal) and not share.is_finite():
            raise InputError("contract.pso_share", "must be a finite number")
        if not 0 <= share <= 1:
            raise InputError("contract.pso_share", "must lie between 0 and 1")
        if self.pso_days is not None:
            covered, total = self.pso_days
            if any(isinstance(n, bool) or not isinstance(n, int) for n in (covered, total)):
                raise InputError("contract.pso_days", "must be two whole numbers of days")
            if not 0 <= covered <= total or total == 0:
                raise InputError("contract.pso_days", "covered days must lie between 0 and the "
                                 "days of the base period (more than 0)")
            if Fraction(covered, total) != Fraction(share):
                raise InputError("contract.pso_days", "must equal contract.pso_share")
        if self.percentage is not None:
            _money("contract.percentage", self.percentage)
            if not 0 < self.percentage <= 100:
                raise InputError("contract.percentage", "must be more than 0 and at most 100")


@dataclass(frozen=True)
class Candidate:
    """What the blocks need to know about the person; the category is read at a stage's start."""

    benefit: str
    benefit_since: date | None = None
    doelgroepregister: bool = False
    birth_date: date | None = None
    statushouder: bool = False

    def __post_init__(self) -> None:
        if self.benefit not in BENEFITS:
            raise InputError("candidate.benefit", f"must be one of {', '.join(BENEFITS)}")


@dataclass(frozen=True)
class Stage:
    """One stage of a learning line; `end` is inclusive.

    `hours` values intake and coaching, `level` BBL and BOL, `hours_per_week` and
    `permanent` a paid job (other kinds may carry `hours_per_week` as information).
    """

    kind: str
    start: date
    end: date
    hours_per_week: Decimal | int | None = None
    level: int | None = None
    permanent: bool = False
    hours: Decimal | int | None = None

    def __post_init__(self) -> None:
        if self.kind not in STAGE_KINDS:
            raise InputError("stage.kind", f"must be one of {', '.join(STAGE_KINDS)}")
        _period("stage", self.start, self.end)
        if self.kind in LEVEL_KINDS:
            if self.level is None:
                raise InputError("stage.level", f"required for {self.kind}: 1-4")
            if isinstance(self.level, bool) or self.level not in LEVELS:
                raise InputError("stage.level", "must be 1-4")
        elif self.level is not None:
            raise InputError("stage.level", "only bbl and bol have a level")
        if self.kind in HOUR_KINDS:
            if self.hours is None:
                raise InputError(
                    "stage.hours", f"required for {self.kind}: it is valued by the hour"
                )
            _quantity("stage.hours", self.hours)
        elif self.hours is not None:
            raise InputError("stage.hours", "only intake and coaching are valued by hours")
        if self.hours_per_week is not None:
            _quantity("stage.hours_per_week", self.hours_per_week)
            if self.hours_per_week > 168:
                raise InputError("stage.hours_per_week", "a week has at most 168 hours")
        if self.kind == "paid_job" and not self.hours_per_week:
            raise InputError("stage.hours_per_week", "required for a paid job, more than 0")
        if self.permanent and self.kind != "paid_job":
            raise InputError("stage.permanent", "only a paid job has a permanent contract bonus")


@dataclass(frozen=True)
class Purchase:
    """Social purchasing: an invoice excluding VAT from a supplier of a given type."""

    supplier: str
    invoice_excl_vat: Decimal

    def __post_init__(self) -> None:
        _money("purchase.invoice_excl_vat", self.invoice_excl_vat)


@dataclass(frozen=True)
class Activity:
    """A social activity: hours, or a custom value set by the SROI adviser (which then wins)."""

    hours: Decimal | int | None = None
    custom_value: Decimal | None = None

    def __post_init__(self) -> None:
        if self.hours is None and self.custom_value is None:
            raise InputError("activity.hours", "give hours or a custom_value")
        if self.hours is not None:
            _quantity("activity.hours", self.hours)
        if self.custom_value is not None:
            _money("activity.custom_value", self.custom_value)


@dataclass(frozen=True)
class Fund:
    """A payment into a municipality's Social Return fund."""

    amount: Decimal

    def __post_init__(self) -> None:
        _money("fund.amount", self.amount)


@dataclass(frozen=True)
class Valuation:
    """The value of one item, rounded once to the cent, with the steps a person can check."""

    value: Decimal
    explain: tuple[str, ...]
    block: str


@dataclass(frozen=True)
class Obligation:
    """What a contract owes in Social Return, rounded once to the cent, with its steps."""

    amount: Decimal
    explain: tuple[str, ...]
