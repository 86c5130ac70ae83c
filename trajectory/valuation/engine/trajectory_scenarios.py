"""Trajectory scenarios (TRAJECTORIES.md): one person's stages and the providers' contracts.

Read as strictly as FORMAT.md scenarios (``scenarios.py``): unknown keys, bad
types and the combinations TRAJECTORIES.md forbids (two contracts for one
provider, overlapping benefit periods, a ``nug`` period, a duplicate stage id)
raise ``ScenarioError`` naming the scenario and the dotted field, before
anything is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import STAGE_KINDS, InputError, Stage
from .periods import Period
from .rulebook import Rulebook
from .scenarios import ScenarioError, _Object
from .trajectory import (
    PERIOD_BENEFITS,
    BenefitPeriod,
    ContractPeriods,
    Person,
    Step,
    TrajectoryValuation,
    value_trajectory,
)

ROOT = "trajectory"


@dataclass(frozen=True)
class TrajectoryScenario:
    """One person's learning line, read and checked."""

    id: str
    rulebook: Rulebook
    person: Person
    contracts: tuple[ContractPeriods, ...]
    steps: tuple[Step, ...]
    expect: dict[str, Decimal]
    has_expect: bool


@dataclass(frozen=True)
class TrajectoryOutcome:
    scenario: TrajectoryScenario
    result: TrajectoryValuation

    @property
    def ok(self) -> bool | None:
        s = self.scenario
        if not s.has_expect:
            return None
        values = {**self.result.contracts,
                  **{sid: c.value for sid, c in self.result.credits.items()}}
        return all(values.get(key) == amount for key, amount in s.expect.items())

    def as_dict(self) -> dict[str, Any]:
        """The CLI's line (TRAJECTORIES.md): per stage value, contract and explanation."""
        return {
            "id": self.scenario.id,
            "stages": {sid: {"value": f"{c.value:.2f}", "contract": c.contract,
                             "explain": list(c.valuation.explain)}
                       for sid, c in self.result.credits.items()},
            "contracts": {cid: f"{amount:.2f}" for cid, amount in self.result.contracts.items()},
            "ok": self.ok,
        }


def _mapped(sid: str, prefix: str, error: InputError) -> ScenarioError:
    """An engine field ("stage.level", "person.benefits[1].from") under its place in the file."""
    head, _, rest = error.field.partition(".")
    if head == "stage" and prefix:
        return ScenarioError(sid, f"{prefix}.{rest}" if rest else prefix, error.message)
    return ScenarioError(sid, f"{ROOT}.{error.field}", error.message)


def _text(o: _Object, key: str) -> str:
    value = o.raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise o.fail(key, "required: a non-empty text")
    return value


def _list(o: _Object, key: str, *, required: bool = True) -> list[Any]:
    if key not in o.raw:
        if required:
            raise o.fail(key, "required")
        return []
    value = o.raw[key]
    if not isinstance(value, list):
        raise o.fail(key, "must be a list")
    return value


def _person(sid: str, raw: Any) -> Person:
    o = _Object(sid, f"{ROOT}.person", raw,
                ("birth_date", "statushouder", "doelgroepregister", "benefits"))
    periods = []
    for n, item in enumerate(_list(o, "benefits", required=False)):
        b = _Object(sid, f"{ROOT}.person.benefits[{n}]", item, ("benefit", "from", "to"))
        if b.raw.get("benefit") == "nug":
            raise b.fail("benefit", "nug is not a period: a person without a period is NUG")
        benefit = b.choice("benefit", PERIOD_BENEFITS)
        start, end = b.date("from", required=True), b.date("to")
        if end is not None and end < start:
            raise b.fail("to", f"{end.isoformat()} is before from {start.isoformat()}")
        periods.append(BenefitPeriod(benefit, start, end))
    try:
        return Person(birth_date=o.date("birth_date"), statushouder=o.flag("statushouder"),
                      doelgroepregister=o.flag("doelgroepregister"), benefits=tuple(periods))
    except InputError as error:
        raise _mapped(sid, "", error) from None


def _contracts(sid: str, raws: list[Any]) -> tuple[ContractPeriods, ...]:
    found: list[ContractPeriods] = []
    for n, raw in enumerate(raws):
        path = f"{ROOT}.contracts[{n}]"
        o = _Object(sid, path, raw, ("id", "provider", "start", "end", "extensions"))
        cid, provider = _text(o, "id"), _text(o, "provider")
        if any(c.id == cid for c in found):
            raise o.fail("id", f"duplicate: another contract is called '{cid}'")
        if any(c.provider == provider for c in found):
            raise o.fail("provider", f"'{provider}' has another contract already: at most one "
                                     "contract per provider")
        start, end = o.date("start", required=True), o.date("end", required=True)
        if end < start:
            raise o.fail("end", f"{end.isoformat()} is before start {start.isoformat()}")
        periods = [Period(start, end)]
        for m, item in enumerate(_list(o, "extensions", required=False)):
            e = _Object(sid, f"{path}.extensions[{m}]", item, ("start", "end", "exercised"))
            e_start, e_end = e.date("start", required=True), e.date("end", required=True)
            if e_end < e_start:
                raise e.fail("end", f"{e_end.isoformat()} is before start {e_start.isoformat()}")
            if e.flag("exercised"):
                periods.append(Period(e_start, e_end))
        found.append(ContractPeriods(cid, provider, tuple(periods)))
    return tuple(found)


STAGE_KEYS = ("id", "provider", "kind", "start", "end", "hours_per_week", "level", "permanent",
              "hours", "agreed_end")


def _steps(sid: str, raws: list[Any], contract_ids: set[str]) -> tuple[Step, ...]:
    if not raws:
        raise ScenarioError(sid, f"{ROOT}.stages", "must be a list of at least one stage")
    steps: list[Step] = []
    for n, raw in enumerate(raws):
        path = f"{ROOT}.stages[{n}]"
        o = _Object(sid, path, raw, STAGE_KEYS)
        stage_id, provider = _text(o, "id"), _text(o, "provider")
        if any(s.id == stage_id for s in steps):
            raise o.fail("id", f"duplicate: another stage is called '{stage_id}'")
        if stage_id in contract_ids:
            raise o.fail("id", f"'{stage_id}' is a contract id too; expect could not tell them "
                               "apart")
        kind = o.choice("kind", STAGE_KINDS)
        try:
            stage = Stage(kind=kind, start=o.date("start", required=True),
                          end=o.date("end", required=True),
                          hours_per_week=o.number("hours_per_week"), level=o.integer("level"),
                          permanent=o.flag("permanent"), hours=o.number("hours"))
            steps.append(Step(stage_id, provider, stage, agreed_end=o.date("agreed_end")))
        except InputError as error:
            raise _mapped(sid, path, error) from None
    return tuple(steps)


def parse_trajectory(raw: dict[str, Any], sid: str, rulebook: Rulebook,
                     top: _Object) -> TrajectoryScenario:
    """The ``trajectory`` part of a scenario, and its ``expect`` (stage and contract ids)."""
    o = _Object(sid, ROOT, raw["trajectory"], ("person", "contracts", "stages"))
    if not o.has("person"):
        raise o.fail("person", "required")
    person = _person(sid, o.raw["person"])
    contracts = _contracts(sid, _list(o, "contracts", required=False))
    steps = _steps(sid, _list(o, "stages"), {c.id for c in contracts})
    expect: dict[str, Decimal] = {}
    has_expect = top.has("expect")
    if has_expect:
        known = tuple(s.id for s in steps) + tuple(c.id for c in contracts)
        e = _Object(sid, "expect", raw["expect"], known)
        for key in e.raw:
            expect[key] = e.number(key, required=True, cents=True)
        if not expect:
            raise top.fail("expect", "give the value of at least one stage or contract")
    return TrajectoryScenario(sid, rulebook, person, contracts, steps, expect, has_expect)


def evaluate_trajectory(scenario: TrajectoryScenario) -> TrajectoryOutcome:
    try:
        result = value_trajectory(scenario.person, scenario.steps, scenario.contracts,
                                  scenario.rulebook)
    except InputError as error:
        raise _mapped(scenario.id, "", error) from None
    return TrajectoryOutcome(scenario, result)
