"""Editions of the building blocks, read from TOML files: every rate lives in the file.

A new edition is a new file in `trajectory/valuation/rulebooks/`; nothing in the
code changes for it, and a contract keeps the edition it was signed under.
Only editions with status "vastgesteld" (adopted) are a default; a "concept"
edition is available by name only.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import BENEFITS, LEVELS, STAGE_KINDS

RULEBOOK_DIR = Path(__file__).resolve().parent.parent / "rulebooks"
ADOPTED = "vastgesteld"
STATUSES = (ADOPTED, "concept")
TIME_UNITS = frozenset({"per_fte_year", "per_month", "per_learn_work_year"})
ONCE_UNITS = frozenset({"per_internship", "once"})
UNITS = TIME_UNITS | ONCE_UNITS | {"per_hour"}
OPEN_PERIODS = frozenset({"always", "agreed", "training", "once"})
BONUS_KEYS = ("age", "permanent", "statushouder")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


class RulebookError(ValueError):
    """A rulebook file that cannot be used, naming the file and the key at fault."""


@dataclass(frozen=True)
class LabourBlock:
    """One row of the labour table; the first block (in file order) whose conditions match applies."""

    key: str
    label: str
    kind: str
    rate: Decimal
    unit: str
    counted_for: int | str
    levels: tuple[int, ...] = ()
    benefits: tuple[str, ...] = ()
    doelgroepregister: bool | None = None
    benefit_under_months: int | None = None
    benefit_from_months: int | None = None
    under_age: int | None = None  # counts only for a person younger than this at the start

    @property
    def cap_months(self) -> int | None:
        return self.counted_for if isinstance(self.counted_for, int) else None

    @property
    def depends_on_person(self) -> bool:
        return bool(self.benefits) or self.doelgroepregister is not None or self.needs_benefit_since

    @property
    def needs_benefit_since(self) -> bool:
        return self.benefit_under_months is not None or self.benefit_from_months is not None


@dataclass(frozen=True)
class Bonus:
    """A once-only extra on a paid job, times FTE (age needs `min_age`)."""

    key: str
    label: str
    amount: Decimal
    min_age: int | None = None


@dataclass(frozen=True)
class Choice:
    """A labelled percentage: a PSO discount or a supplier type's share of an invoice."""

    key: str
    label: str
    percentage: Decimal


@dataclass(frozen=True)
class Rulebook:
    """One edition of the building blocks, immutable once loaded."""

    name: str
    title: str
    region: str
    status: str
    effective_from: date
    effective_to: date | None
    note: str
    fte_hours_per_week: Decimal
    threshold: Decimal
    threshold_strictly_above: bool
    threshold_includes_extensions: bool
    obligation_percentage: Decimal
    percentage_includes_extensions: bool
    base_period_years: int
    pso_discounts: tuple[Choice, ...]
    labour: tuple[LabourBlock, ...]
    bonus_kinds: tuple[str, ...]
    bonuses: tuple[Bonus, ...]
    purchase_unit: str
    suppliers: tuple[Choice, ...]
    activity_label: str
    activity_rate: Decimal
    activity_unit: str
    fund_label: str

    @property
    def adopted(self) -> bool:
        return self.status == ADOPTED

    def pso_discount(self, key: str) -> Choice:
        return _pick(self.pso_discounts, key)

    def supplier(self, key: str) -> Choice:
        return _pick(self.suppliers, key)

    def bonus(self, key: str) -> Bonus | None:
        return next((b for b in self.bonuses if b.key == key), None)

    def block(self, key: str) -> LabourBlock:
        return next(b for b in self.labour if b.key == key)


def _pick(choices: tuple[Choice, ...], key: str) -> Choice:
    for choice in choices:
        if choice.key == key:
            return choice
    raise KeyError(key)


class _Table:
    """Reads one TOML table, tracking its dotted path and refusing unknown keys."""

    def __init__(self, source: str, path: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise RulebookError(f"{source}: '{path}' must be a table")
        self.source, self.path, self.raw, self.seen = source, path, raw, set()

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> RulebookError:
        return RulebookError(f"{self.source}: '{self._where(key)}': {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        self.seen.add(key)
        if key not in self.raw:
            if default is ...:
                raise self.fail(key, "missing")
            return default
        value = self.raw[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wrong_bool = isinstance(value, bool) and bool not in kinds
        wrong_date = isinstance(value, datetime) and datetime not in kinds
        if wrong_bool or wrong_date or not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self.fail(key, f"must be a {names}")
        return value

    def amount(self, key: str) -> Decimal:
        value = self.get(key, (str, int))
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(
                key, 'must be a decimal amount written as a string, e.g. "1234.50"'
            ) from None
        if not amount.is_finite() or amount < 0:
            raise self.fail(key, "must be a finite amount, not negative")
        return amount

    def table(self, key: str) -> _Table:
        self.seen.add(key)
        if key not in self.raw:
            raise self.fail(key, "missing")
        return _Table(self.source, self._where(key), self.raw[key])

    def subtables(self) -> list[tuple[str, _Table]]:
        """Every key not read yet, each as a table (in file order)."""
        rest = [
            (k, _Table(self.source, self._where(k), v))
            for k, v in self.raw.items()
            if k not in self.seen
        ]
        self.seen.update(k for k, _ in rest)
        return rest

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            raise self.fail(unknown[0], "unknown key")


def _block(key: str, t: _Table) -> LabourBlock:
    kind = t.get("kind", str)
    if kind not in STAGE_KINDS:
        raise t.fail("kind", f"must be one of {', '.join(STAGE_KINDS)}")
    unit = t.get("unit", str)
    if unit not in UNITS:
        raise t.fail("unit", f"must be one of {', '.join(sorted(UNITS))}")
    counted_for = t.get("counted_for", (int, str))
    if (
        isinstance(counted_for, int)
        and counted_for < 1
        or isinstance(counted_for, str)
        and counted_for not in OPEN_PERIODS
    ):
        raise t.fail(
            "counted_for",
            f"must be a number of months (1 or more) or one of {', '.join(sorted(OPEN_PERIODS))}",
        )
    levels = tuple(t.get("levels", list, []))
    if any(isinstance(x, bool) or x not in LEVELS for x in levels):
        raise t.fail("levels", "must hold only the levels 1-4")
    benefits = tuple(t.get("benefits", list, []))
    if any(b not in BENEFITS for b in benefits):
        raise t.fail("benefits", f"must hold only {', '.join(BENEFITS)}")
    months = [t.get(k, int, None) for k in ("benefit_under_months", "benefit_from_months")]
    block = LabourBlock(
        key=key,
        label=t.get("label", str),
        kind=kind,
        rate=t.amount("rate"),
        unit=unit,
        counted_for=counted_for,
        levels=levels,
        benefits=benefits,
        doelgroepregister=t.get("doelgroepregister", bool, None),
        benefit_under_months=months[0],
        benefit_from_months=months[1],
        under_age=t.get("under_age", int, None),
    )
    if block.under_age is not None and block.under_age < 1:
        raise t.fail("under_age", "must be an age of 1 or more")
    t.done()
    return block


def _choices(t: _Table, name: str) -> tuple[Choice, ...]:
    result = []
    for key, sub in t.subtables():
        result.append(Choice(key, sub.get("label", str), sub.amount(name)))
        sub.done()
        if result[-1].percentage > 100:
            raise sub.fail(name, "must be at most 100")
    return tuple(result)


def parse_rulebook(data: dict[str, Any], source: str) -> Rulebook:
    """Build a Rulebook from parsed TOML, refusing missing, unknown or mistyped keys."""
    top = _Table(source, "", data)
    obligation = top.table("obligation")
    comparison = obligation.get("threshold_comparison", str)
    if comparison not in ("above", "at_least"):
        raise obligation.fail("threshold_comparison", "must be 'above' (strictly) or 'at_least'")
    labour = top.table("labour")
    bonuses_table = top.table("bonuses")
    bonus_kinds = tuple(bonuses_table.get("applies_to", list))
    if any(kind not in STAGE_KINDS for kind in bonus_kinds):
        raise bonuses_table.fail("applies_to", f"must hold only {', '.join(STAGE_KINDS)}")
    bonuses = []
    for key, sub in bonuses_table.subtables():
        if key not in BONUS_KEYS:
            raise bonuses_table.fail(key, f"unknown bonus; known: {', '.join(BONUS_KEYS)}")
        min_age = sub.get("min_age", int) if key == "age" else None
        bonuses.append(Bonus(key, sub.get("label", str), sub.amount("amount"), min_age))
        sub.done()
    bonuses_table.done()
    purchase = top.table("purchase")
    activity = top.table("activity")
    fund = top.table("fund")
    book = Rulebook(
        name=top.get("name", str),
        title=top.get("title", str),
        region=top.get("region", str),
        status=top.get("status", str),
        effective_from=top.get("effective_from", date),
        effective_to=top.get("effective_to", date, None),
        note=top.get("note", str, ""),
        fte_hours_per_week=top.amount("fte_hours_per_week"),
        threshold=obligation.amount("threshold"),
        threshold_strictly_above=comparison == "above",
        threshold_includes_extensions=obligation.get("threshold_includes_extensions", bool),
        obligation_percentage=obligation.amount("percentage"),
        percentage_includes_extensions=obligation.get("percentage_includes_extensions", bool),
        base_period_years=obligation.get("base_period_years", int),
        pso_discounts=_choices(top.table("pso_discount"), "percentage"),
        labour=tuple(_block(key, sub) for key, sub in labour.subtables()),
        bonus_kinds=bonus_kinds,
        bonuses=tuple(bonuses),
        purchase_unit=purchase.get("unit", str),
        suppliers=_choices(purchase.table("suppliers"), "percentage"),
        activity_label=activity.get("label", str),
        activity_rate=activity.amount("rate"),
        activity_unit=activity.get("unit", str),
        fund_label=fund.get("label", str),
    )
    for table in (top, obligation, purchase, activity, fund):
        table.done()
    _check_consistency(book, top)
    return book


def _check_consistency(book: Rulebook, top: _Table) -> None:
    if book.status not in STATUSES:
        raise top.fail("status", f"must be one of {', '.join(STATUSES)}")
    if not _NAME.match(book.name):
        raise top.fail("name", "must be lower case letters, digits, '-', '.' or '_'")
    if book.fte_hours_per_week <= 0:
        raise top.fail("fte_hours_per_week", "must be more than 0")
    if book.effective_to is not None and book.effective_to < book.effective_from:
        raise top.fail("effective_to", "is before effective_from")
    if book.purchase_unit != "invoice_value" or book.activity_unit != "per_hour":
        raise top.fail("purchase", "purchases are valued by invoice_value, activities per_hour")
    for block in book.labour:
        if block.unit == "per_hour" and block.kind not in ("intake", "coaching"):
            raise top.fail(f"labour.{block.key}.unit", "per_hour is for intake and coaching")
    missing = [kind for kind in STAGE_KINDS if not any(b.kind == kind for b in book.labour)]
    if missing:
        raise top.fail("labour", f"no block for stage kind {missing[0]}")


def load_rulebook_file(path: str | Path) -> Rulebook:
    """Load one edition from a TOML file (used for the shipped editions and for drafts in tests)."""
    # One stat per call: the cache key is the absolute path (no symlink walk: a valuation
    # asks for its editions thousands of times per refresh), its mtime and size.
    name = os.path.abspath(path)
    stat = os.stat(name)
    return _load_cached(name, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Rulebook:
    source = Path(path).name
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(f"{source}: not valid TOML: {exc}") from None
    book = parse_rulebook(data, source)
    if book.name != Path(path).stem:
        raise RulebookError(f"{source}: 'name': must equal the file name without .toml")
    return book


def _editions(directory: Path | None) -> list[Rulebook]:
    folder = directory or RULEBOOK_DIR
    books = [load_rulebook_file(p) for p in _edition_files(str(folder),
                                                           os.stat(folder).st_mtime_ns)]
    return sorted(books, key=lambda b: (b.effective_from, b.name))


@lru_cache(maxsize=16)
def _edition_files(folder: str, _mtime_ns: int) -> tuple[str, ...]:
    """The folder's editions; listed again when a file is added or removed (the folder's
    mtime changes), each file checked by ``load_rulebook_file`` on every call."""
    return tuple(sorted(str(p) for p in Path(folder).glob("*.toml")))


def available_rulebooks(directory: Path | None = None) -> tuple[str, ...]:
    """Names of every edition shipped, oldest first (by effective_from)."""
    return tuple(b.name for b in _editions(directory))


def load_rulebook(name: str, directory: Path | None = None) -> Rulebook:
    """The edition called `name`; KeyError naming the available ones when there is none."""
    folder = directory or RULEBOOK_DIR
    path = folder / f"{name}.toml"
    if not _NAME.match(name) or not path.is_file():
        raise KeyError(
            f"unknown rulebook '{name}'; available: {', '.join(available_rulebooks(directory))}"
        )
    return load_rulebook_file(path)


def newest_rulebook(directory: Path | None = None) -> Rulebook:
    """The adopted edition with the latest effective_from: the default when none is named."""
    adopted = [b for b in _editions(directory) if b.adopted]
    if not adopted:
        raise LookupError("no adopted (vastgesteld) rulebook is shipped")
    return adopted[-1]


def rulebook_in_force(on: date, directory: Path | None = None) -> Rulebook | None:
    """The adopted edition in force on a day (e.g. a contract's signing date), or None."""
    books = [
        b
        for b in _editions(directory)
        if b.adopted and b.effective_from <= on and (b.effective_to is None or on <= b.effective_to)
    ]
    return books[-1] if books else None
