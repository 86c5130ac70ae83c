"""Trajectory scenario files (TRAJECTORIES.md) through `sroi check` and through `run_scenarios`:
our own file (a scenario per rule T1-T9 and per reading we chose) and the shared examples."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from trajectory.valuation.cli import sroi_cli
from trajectory.valuation.engine import run_scenarios

HERE = Path(__file__).parent
OWN = HERE / "scenarios" / "trajectories.json"
SHARED = Path(__file__).parents[3] / "shared" / "sroi-scenarios"
SHARED_FILES = ("examples.json", "trajectory-examples.json")


def check(path: Path):
    result = CliRunner().invoke(sroi_cli, ["check", str(path)])
    *lines, summary = result.stdout.splitlines()
    return result, [json.loads(line) for line in lines], summary


def scenarios_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["scenarios"]


def test_own_trajectory_file_through_the_cli():
    result, lines, summary = check(OWN)
    scenarios = scenarios_of(OWN)
    assert result.stderr == ""
    assert result.exit_code == 0, [line for line in lines if not line["ok"]]
    assert [line["id"] for line in lines] == [s["id"] for s in scenarios]
    assert all("expect" in s for s in scenarios)
    assert summary == f"{len(scenarios)} passed, 0 failed"
    for scenario, line in zip(scenarios, lines, strict=True):
        assert list(line) == ["id", "stages", "contracts", "ok"]
        assert line["ok"] is True, line
        trajectory = scenario["trajectory"]
        assert list(line["stages"]) == [s["id"] for s in trajectory["stages"]]
        assert list(line["contracts"]) == [c["id"] for c in trajectory["contracts"]]
        printed = {**{k: v["value"] for k, v in line["stages"].items()}, **line["contracts"]}
        assert {k: printed[k] for k in scenario["expect"]} == scenario["expect"]


def test_own_trajectory_file_through_run_scenarios():
    outcomes = run_scenarios(OWN.read_text(encoding="utf-8"))
    assert len(outcomes) == len(scenarios_of(OWN))
    assert [o.scenario.id for o in outcomes if o.ok is not True] == []


def test_every_rule_has_its_scenarios_with_the_hand_computation():
    scenarios = scenarios_of(OWN)
    for rule in range(1, 10):
        assert any(s["id"].startswith(f"t{rule}-") for s in scenarios), f"no scenario for T{rule}"
    for s in scenarios:
        assert len(s.get("note", "")) > 60, s["id"]


@pytest.mark.parametrize("path", [OWN, *(SHARED / name for name in SHARED_FILES)],
                         ids=["own", *SHARED_FILES])
def test_credits_and_contract_sums_in_the_printed_lines(path: Path):
    """T1: a stage at a provider without a contract prints "contract": null and is in no sum;
    a contract's figure is the sum of its stages' rounded values."""
    if not path.is_file():
        pytest.skip(f"the shared scenarios are not beside the repository: {path}")
    _result, lines, _summary = check(path)
    by_id = {s["id"]: s for s in scenarios_of(path)}
    for line in lines:
        trajectory = by_id[line["id"]].get("trajectory")
        if trajectory is None:
            continue
        own = {c["provider"]: c["id"] for c in trajectory["contracts"]}
        for stage in trajectory["stages"]:
            assert line["stages"][stage["id"]]["contract"] == own.get(stage["provider"])
        for cid, amount in line["contracts"].items():
            credited = [Decimal(v["value"]) for v in line["stages"].values()
                        if v["contract"] == cid]
            assert Decimal(amount) == sum(credited, Decimal("0.00")), (line["id"], cid)


def test_some_stages_print_null_for_their_contract():
    _result, lines, _summary = check(OWN)
    nulls = {(line["id"], sid) for line in lines
             for sid, stage in line["stages"].items() if stage["contract"] is None}
    assert ("t1-provider-without-contract-is-credited-to-none", "wep") in nulls
    assert ("t5-statushouder-once-and-a-bonus-without-contract", "job1") in nulls


@pytest.mark.parametrize(("scenario", "stage", "words"), [
    ("t4-closed-placement-without-new-benefit-is-zero", "job2",
     "Telperiode van deze plaatsing is voorbij"),
    ("t4-register-placement-never-closes", "job2", "zonder einde"),
    ("t6-cut-counting-more-than-uncut-is-capped", "job",
     "Ten hoogste de waarde zonder onderbreking"),
    ("t6-wep-recorded-before-a-job", "job", "Telt niet op 01-04-2025 t/m 30-06-2025"),
    ("t6-three-paid-jobs-share-the-day-by-fte", "job2", "alleen de fte die daarnaast vrij is telt"),
    ("t5-bonus-lost-outside-the-contract-does-not-pass-on", "job1",
     "Bonus vast contract: niet geteld, de baan begint niet binnen het contract"),
    ("t7-wep-counts-to-the-earlier-of-end-and-agreed-end", "wep1", "tot en met 15-04-2025 (T7)"),
    ("t8-coaching-absorbed-by-the-same-providers-bbl", "coaching", "61 van de 120 dagen telt nul"),
    ("t9-vso-workplace-from-the-18th-birthday", "vso", "leg het vast als betaalde baan"),
    ("t1-provider-without-contract-is-credited-to-none", "wep", "telt voor geen verplichting"),
    ("t2-no-benefit-in-force-is-nug", "job", "Geen uitkering op 31-12-2023 of 01-01-2024: NUG"),
])
def test_the_explanation_says_why(scenario, stage, words):
    _result, lines, _summary = check(OWN)
    explain = next(line for line in lines if line["id"] == scenario)["stages"][stage]["explain"]
    assert any(words in text for text in explain), explain


@pytest.mark.parametrize("name", SHARED_FILES)
def test_shared_scenario_files_all_pass(name: str):
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"the shared scenarios are not beside the repository: {path}")
    result, lines, summary = check(path)
    ids = [s["id"] for s in scenarios_of(path)]
    assert result.stderr == ""
    assert result.exit_code == 0, [line for line in lines if not line["ok"]]
    assert [line["id"] for line in lines] == ids
    assert all(line["ok"] is True for line in lines)
    assert summary == f"{len(ids)} passed, 0 failed"
    outcomes = run_scenarios(path.read_text(encoding="utf-8-sig"))
    assert [o.ok for o in outcomes] == [True] * len(ids)
