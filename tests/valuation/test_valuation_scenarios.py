"""Scenario files through the `sroi check` command: the public examples and our own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trajectory.valuation.cli import sroi_cli
from trajectory.valuation.engine import Purchase, newest_rulebook, parse_scenarios, run_scenarios

HERE = Path(__file__).parent
EXAMPLES = Path(__file__).parents[3] / "shared" / "sroi-scenarios" / "examples.json"
OWN_FILES = sorted((HERE / "scenarios").glob("*.json"))


def run_check(path: Path):
    return CliRunner().invoke(sroi_cli, ["check", str(path)])


def lines_of(result) -> tuple[list[dict], str]:
    *json_lines, summary = result.stdout.splitlines()
    return [json.loads(line) for line in json_lines], summary


def test_public_examples_all_pass():
    if not EXAMPLES.is_file():
        pytest.skip(f"the shared public examples are not beside the repository: {EXAMPLES}")
    result = run_check(EXAMPLES)
    lines, summary = lines_of(result)
    assert result.stderr == ""
    assert result.exit_code == 0, result.stdout
    ids = [s["id"] for s in json.loads(EXAMPLES.read_text())["scenarios"]]
    assert [line["id"] for line in lines] == ids
    assert all(line["ok"] is True for line in lines), [line for line in lines if not line["ok"]]
    assert summary == f"{len(ids)} passed, 0 failed"


@pytest.mark.parametrize("path", OWN_FILES, ids=[p.name for p in OWN_FILES])
def test_own_scenario_files_pass(path: Path):
    result = run_check(path)
    lines, summary = lines_of(result)
    assert result.exit_code == 0, result.stdout
    failed = [line for line in lines if line["ok"] is False]
    assert not failed
    passed = sum(line["ok"] is True for line in lines)
    assert summary == f"{passed} passed, 0 failed"
    scenarios = json.loads(path.read_text())["scenarios"]
    assert len(lines) == len(scenarios)
    for scenario, line in zip(scenarios, lines, strict=True):
        assert (line["ok"] is None) == ("expect" not in scenario)


def test_own_scenarios_cover_every_block_and_supplier():
    text = (HERE / "scenarios" / "bouwblokken-2023.json").read_text()
    outcomes = run_scenarios(text)
    blocks = {o.valuation.block for o in outcomes if o.valuation}
    book = newest_rulebook()
    assert {b.key for b in book.labour} <= blocks
    suppliers = {s.item.supplier for s in parse_scenarios(text) if isinstance(s.item, Purchase)}
    assert suppliers == {s.key for s in book.suppliers}
    steps = {s.contract.pso for s in parse_scenarios(text) if s.contract}
    assert {c.key for c in book.pso_discounts} <= steps


def write(tmp_path: Path, scenarios: list[dict]) -> Path:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scenarios": scenarios}), encoding="utf-8")
    return path


def test_line_format_keys_in_order_and_amounts_as_strings(tmp_path):
    path = write(
        tmp_path,
        [
            {
                "id": "both",
                "contract": {"start": "2023-01-01", "end": "2026-12-31", "revenue": 1500000},
                "activity": {"hours": 3},
                "expect": {"obligation": "75000.00", "value": "300"},
            },
            {
                "id": "contract-only",
                "contract": {"start": "2023-01-01", "end": "2026-12-31", "revenue": "1"},
            },
            {"id": "item-only", "fund": {"amount": 5}},
        ],
    )
    result = run_check(path)
    raw_lines = result.stdout.splitlines()
    assert result.exit_code == 0
    first = json.loads(raw_lines[0])
    assert list(first) == ["id", "obligation", "value", "explain", "ok"]
    assert first["obligation"] == "75000.00" and first["value"] == "300.00" and first["ok"] is True
    assert first["explain"][-1] == "Maatschappelijke activiteit: 3 uur × € 100,00 = € 300,00"
    assert list(json.loads(raw_lines[1])) == ["id", "obligation", "explain", "ok"]
    assert list(json.loads(raw_lines[2])) == ["id", "value", "explain", "ok"]
    assert json.loads(raw_lines[2])["value"] == "5.00"
    assert raw_lines[0].startswith(
        '{"id": "both", "obligation": "75000.00", "value": "300.00", "explain": ['
    )
    assert raw_lines[-1] == "1 passed, 0 failed"


def test_failed_expectation_exits_1(tmp_path):
    path = write(
        tmp_path,
        [
            {"id": "right", "activity": {"hours": 1}, "expect": {"value": "100.00"}},
            {"id": "wrong", "activity": {"hours": 1}, "expect": {"value": "100.01"}},
            {
                "id": "half-wrong",
                "contract": {"start": "2023-01-01", "end": "2026-12-31", "revenue": "1500000.00"},
                "activity": {"hours": 1},
                "expect": {"obligation": "75000.00", "value": "99.99"},
            },
            {"id": "unchecked", "activity": {"hours": 1}},
        ],
    )
    result = run_check(path)
    lines, summary = lines_of(result)
    assert result.exit_code == 1
    assert [line["ok"] for line in lines] == [True, False, False, None]
    assert summary == "1 passed, 2 failed"
    assert result.stderr == ""
