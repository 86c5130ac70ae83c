"""Scenario files (FORMAT.md): worked examples checked against the engine.

Reading is strict and complete before anything is computed: the first problem
raises `ScenarioError` naming the scenario and the dotted field at fault, so a
file is either wholly checked or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .compute import Item, compute_obligation, value_item
from .model import (
    BENEFITS,
    STAGE_KINDS,
    Activity,
    Candidate,
    Contract,
    Fund,
    InputError,
    Obligation,
    Purchase,
    Stage,
    Valuation,
)
from .rulebook import Rulebook, load_rulebook, newest_rulebook

if TYPE_CHECKING:
    from .trajectory_scenarios import TrajectoryOutcome, TrajectoryScenario

ITEM_KEYS = ("stage", "purchase", "activity", "fund")
SCENARIO_KEYS = ("id", "note", "rulebook", "contract", "candidate", *ITEM_KEYS, "trajectory",
                 "expect")
FORMAT_KEYS = ("contract", "candidate", *ITEM_KEYS)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?\Z")
_EARLIEST, _LATEST = date(1900, 1, 1), date(2999, 12, 31)
_TOO_LARGE = Decimal("1e12")


class ScenarioError(ValueError):
    """An invalid scenario file; `str()` is the one line the CLI prints after "error: "."""

    def __init__(
        self, scenario_id: str | None, field: str | None, message: str, position: int | None = None
    ):
        self.scenario_id, self.field, self.message, self.position = (
            scenario_id,
            field,
            message,
            position,
        )
        where = []
        if scenario_id is not None:
            where.append(f"scenario '{scenario_id}'")
        elif position is not None:
            where.append(f"scenario #{position}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(": ".join([*where, message]))


@dataclass(frozen=True)
class Scenario:
    """One worked example, read and checked."""

    id: str
    rulebook: Rulebook
    contract: Contract | None
    candidate: Candidate | None
    item: Item | None
    expect_obligation: Decimal | None
    expect_value: Decimal | None
    has_expect: bool


@dataclass(frozen=True)
class Outcome:
    """What the engine computed for a scenario, and whether it matches `expect`."""

    scenario: Scenario
    obligation: Obligation | None
    valuation: Valuation | None

    @property
    def ok(self) -> bool | None:
        s = self.scenario
        if not s.has_expect:
            return None
        checks = []
        if s.expect_obligation is not None:
            checks.append(
                self.obligation is not None and self.obligation.amount == s.expect_obligation
            )
        if s.expect_value is not None:
            checks.append(self.valuation is not None and self.valuation.value == s.expect_value)
        return all(checks)

    def as_dict(self) -> dict[str, Any]:
        """The CLI's line, keys in FORMAT.md order, amounts as strings with two decimals."""
        line: dict[str, Any] = {"id": self.scenario.id}
        explain: list[str] = []
        if self.obligation is not None:
            line["obligation"] = f"{self.obligation.amount:.2f}"
            explain += self.obligation.explain
        if self.valuation is not None:
            line["value"] = f"{self.valuation.value:.2f}"
            explain += self.valuation.explain
        line["explain"] = explain
        line["ok"] = self.ok
        return line


class _Object:
    """One JSON object of a scenario: typed reads with dotted field names, unknown keys refused."""

    def __init__(self, sid: str, path: str, raw: Any, known: tuple[str, ...]):
        if not isinstance(raw, dict):
            raise ScenarioError(sid, path, "must be an object")
        self.sid, self.path, self.raw = sid, path, raw
        for key in raw:
            if key not in known:
                raise ScenarioError(
                    sid, self.field(key), f"unknown key; expected one of: {', '.join(known)}"
                )

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(self.sid, self.field(key), message)

    def has(self, key: str) -> bool:
        return key in self.raw

    def number(self, key: str, *, required: bool = False, cents: bool = False) -> Decimal | None:
        if key not in self.raw or (self.raw[key] is None and not required):
            if required:
                raise self.fail(key, "required")
            return None
        value = self.raw[key]
        if isinstance(value, str) and _DECIMAL.match(value.strip()):
            value = Decimal(value.strip())
        elif isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise self.fail(key, 'must be a decimal number, e.g. "1500.00" or 1500')
        if value < 0:
            raise self.fail(key, "must not be negative")
        if value >= _TOO_LARGE or value.as_tuple().exponent < -10:  # type: ignore[operator]
            raise self.fail(key, "must be below 1.000.000.000.000 with at most 10 decimals")
        if cents and value != value.quantize(Decimal("0.01")):
            raise self.fail(key, "must be an amount in whole cents")
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise self.fail(key, "required")
            return None
        try:
            if not isinstance(value, str) or not _DATE.match(value):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, 'must be a date written as "YYYY-MM-DD"') from None
        if not _EARLIEST <= day <= _LATEST:
            raise self.fail(key, f"must lie between {_EARLIEST} and {_LATEST}")
        return day

    def flag(self, key: str) -> bool:
        value = self.raw.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def choice(self, key: str, options: tuple[str, ...], *, nullable: bool = False) -> str | None:
        if key not in self.raw:
            if nullable:
                return None
            raise self.fail(key, "required")
        value = self.raw[key]
        if value is None and nullable:
            return None
        if value not in options:
            extra = "null or " if nullable else ""
            raise self.fail(key, f"must be {extra}one of {', '.join(options)}")
        return value

    def integer(self, key: str) -> int | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "must be a whole number")
        return value


def _built(sid: str, build: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return build(*args, **kwargs)
    except InputError as exc:
        raise ScenarioError(sid, exc.field, exc.message) from None


def _contract(sid: str, raw: Any, rulebook: Rulebook) -> Contract:
    o = _Object(sid, "contract", raw, ("start", "end", "revenue", "extension_revenue", "pso"))
    pso = o.choice("pso", tuple(c.key for c in rulebook.pso_discounts), nullable=True)
    return _built(
        sid,
        Contract,
        start=o.date("start", required=True),
        end=o.date("end", required=True),
        revenue=o.number("revenue", required=True),
        extension_revenue=o.number("extension_revenue") or Decimal("0"),
        pso=pso,
    )


def _candidate(sid: str, raw: Any) -> Candidate:
    o = _Object(
        sid,
        "candidate",
        raw,
        ("benefit", "benefit_since", "doelgroepregister", "birth_date", "statushouder"),
    )
    return _built(
        sid,
        Candidate,
        benefit=o.choice("benefit", tuple(BENEFITS)),
        benefit_since=o.date("benefit_since"),
        doelgroepregister=o.flag("doelgroepregister"),
        birth_date=o.date("birth_date"),
        statushouder=o.flag("statushouder"),
    )


def _stage(sid: str, raw: Any) -> Stage:
    keys = ("kind", "start", "end", "hours_per_week", "level", "permanent", "hours")
    o = _Object(sid, "stage", raw, keys)
    kind = o.choice("kind", STAGE_KINDS)
    return _built(
        sid,
        Stage,
        kind=kind,
        start=o.date("start", required=True),
        end=o.date("end", required=True),
        hours_per_week=o.number("hours_per_week"),
        level=o.integer("level"),
        permanent=o.flag("permanent"),
        hours=o.number("hours"),
    )


def _item(sid: str, key: str, raw: Any, rulebook: Rulebook) -> Item:
    if key == "stage":
        return _stage(sid, raw)
    if key == "purchase":
        o = _Object(sid, key, raw, ("supplier", "invoice_excl_vat"))
        supplier = o.choice("supplier", tuple(s.key for s in rulebook.suppliers))
        return _built(sid, Purchase, supplier, o.number("invoice_excl_vat", required=True))
    if key == "activity":
        o = _Object(sid, key, raw, ("hours", "custom_value"))
        return _built(sid, Activity, o.number("hours"), o.number("custom_value"))
    o = _Object(sid, key, raw, ("amount",))
    return _built(sid, Fund, o.number("amount", required=True))


def _scenario_id(raw: Any, position: int, seen: dict[str, int]) -> str:
    if not isinstance(raw, dict):
        raise ScenarioError(None, None, "must be an object", position)
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid.strip():
        raise ScenarioError(None, "id", "required: a non-empty text", position)
    if any(ord(c) < 32 or ord(c) == 127 for c in sid):
        raise ScenarioError(None, "id", "must not hold control characters", position)
    if sid in seen:
        raise ScenarioError(sid, "id", f"duplicate: scenario #{seen[sid]} has the same id")
    seen[sid] = position
    return sid


def _scenario(raw: dict[str, Any], sid: str) -> Scenario | TrajectoryScenario:
    o = _Object(sid, "", raw, SCENARIO_KEYS)
    if o.has("note") and not isinstance(raw["note"], str):
        raise o.fail("note", "must be a text")
    name = raw.get("rulebook")
    if name is None:
        rulebook = newest_rulebook()
    elif not isinstance(name, str):
        raise o.fail("rulebook", "must be the name of an edition")
    else:
        try:
            rulebook = load_rulebook(name)
        except KeyError as exc:
            raise o.fail("rulebook", exc.args[0]) from None
    if o.has("trajectory"):
        from .trajectory_scenarios import parse_trajectory

        mixed = next((key for key in FORMAT_KEYS if o.has(key)), None)
        if mixed is not None:
            raise o.fail(mixed, "a scenario has either the keys of FORMAT.md or 'trajectory', "
                                "never both")
        return parse_trajectory(raw, sid, rulebook, o)
    contract = _contract(sid, raw["contract"], rulebook) if o.has("contract") else None
    present = [key for key in ITEM_KEYS if o.has(key)]
    if len(present) > 1:
        raise o.fail(
            present[1], f"a scenario values at most one item; it already has '{present[0]}'"
        )
    item = _item(sid, present[0], raw[present[0]], rulebook) if present else None
    candidate = _candidate(sid, raw["candidate"]) if o.has("candidate") else None
    if candidate is not None and not isinstance(item, Stage):
        raise o.fail("candidate", "only used with a stage")
    if contract is None and item is None:
        raise o.fail(
            "contract",
            "a scenario needs a contract or a valued item (stage, purchase, activity, fund)",
        )
    has_expect = o.has("expect")
    expect_obligation = expect_value = None
    if has_expect:
        e = _Object(sid, "expect", raw["expect"], ("obligation", "value"))
        expect_obligation = e.number("obligation", cents=True)
        expect_value = e.number("value", cents=True)
        if expect_obligation is None and expect_value is None:
            raise o.fail("expect", "give obligation and/or value")
        if expect_obligation is not None and contract is None:
            raise e.fail("obligation", "the scenario has no contract")
        if expect_value is not None and item is None:
            raise e.fail("value", "the scenario has no valued item")
    return Scenario(
        sid, rulebook, contract, candidate, item, expect_obligation, expect_value, has_expect
    )


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ScenarioError(None, None, f"not valid JSON: {name} is not a number")


def parse_scenarios(text: str) -> tuple[Scenario | TrajectoryScenario, ...]:
    """Read a whole scenario file; the first problem raises ScenarioError."""
    try:
        data = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        raise ScenarioError(None, None, f"not valid JSON: {exc}") from None
    except _DuplicateKey as exc:
        raise ScenarioError(
            None, None, f"not valid: the key '{exc.args[0]}' appears twice in one object"
        ) from None
    except (InvalidOperation, RecursionError):
        raise ScenarioError(None, None, "not valid JSON: a number cannot be read") from None
    if not isinstance(data, dict) or set(data) != {"scenarios"}:
        raise ScenarioError(
            None, "scenarios", 'the file must be an object with only the key "scenarios"'
        )
    raws = data["scenarios"]
    if not isinstance(raws, list) or not raws:
        raise ScenarioError(None, "scenarios", "must be a list of at least one scenario")
    seen: dict[str, int] = {}
    return tuple(_scenario(raw, _scenario_id(raw, n, seen)) for n, raw in enumerate(raws, start=1))


def evaluate(scenario: Scenario | TrajectoryScenario) -> Outcome | TrajectoryOutcome:
    """Compute a scenario; an input the engine refuses becomes a ScenarioError."""
    if not isinstance(scenario, Scenario):
        from .trajectory_scenarios import evaluate_trajectory

        return evaluate_trajectory(scenario)
    s = scenario
    try:
        obligation = compute_obligation(s.contract, s.rulebook) if s.contract else None
        valuation = value_item(s.item, s.rulebook, s.candidate, s.contract) if s.item else None
    except InputError as exc:
        raise ScenarioError(s.id, exc.field, exc.message) from None
    return Outcome(s, obligation, valuation)


def run_scenarios(text: str) -> tuple[Outcome | TrajectoryOutcome, ...]:
    """Read and compute a whole file; on any problem nothing is returned, only the error raised."""
    return tuple(evaluate(s) for s in parse_scenarios(text))
