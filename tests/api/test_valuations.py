"""POST /api/v1/valuations answers what ``flask sroi check`` prints, for every public example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trajectory.valuation.cli import sroi_cli

SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "sroi-scenarios"
FILES = ("examples.json", "trajectory-examples.json")


def _without_expect(name: str) -> list[dict]:
    scenarios = json.loads((SCENARIOS / name).read_text("utf-8"))["scenarios"]
    return [{k: v for k, v in s.items() if k != "expect"} for s in scenarios]


def _check_lines(tmp_path, scenarios: list[dict]) -> list[dict]:
    """What the command prints for these scenarios, line by line."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"scenarios": scenarios}), "utf-8")
    result = CliRunner().invoke(sroi_cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()[:-1]]


@pytest.mark.skipif(not SCENARIOS.is_dir(), reason="shared/sroi-scenarios is not beside the repo")
@pytest.mark.parametrize("name", FILES)
def test_every_public_example_gives_the_same_object_as_sroi_check(client, tmp_path, name):
    scenarios = _without_expect(name)
    expected = _check_lines(tmp_path, scenarios)
    for scenario, line in zip(scenarios, expected, strict=True):
        response = client.post("/api/v1/valuations", json=scenario)
        assert response.status_code == 200, (scenario["id"], response.get_json())
        assert response.get_json() == line


def test_without_id_the_answer_has_no_id(client):
    scenario = {"contract": {"start": "2023-01-01", "end": "2026-12-31",
                             "revenue": "1500000.00", "pso": None}}
    body = client.post("/api/v1/valuations", json=scenario).get_json()
    assert body == {"obligation": "75000.00", "explain": body["explain"], "ok": None}
    assert body["explain"]


@pytest.mark.parametrize("body,field", [
    ({"contract": {"start": "2023-01-01", "end": "2026-12-31", "revenue": "veel",
                   "pso": None}}, "contract.revenue"),
    ({"id": "x", "expect": {"value": "1.00"}}, "expect"),
    ({"id": "x", "onbekend": 1}, "onbekend"),
    ([1, 2], "body"),
])
def test_an_invalid_scenario_is_a_400_naming_the_field(client, body, field):
    response = client.post("/api/v1/valuations", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["title"] == "Ongeldig verzoek"
    assert problem["invalidParams"][0]["name"] == field
    assert field in problem["detail"]


def test_not_json_is_a_400(client):
    response = client.post("/api/v1/valuations", data=b"\xff{", content_type="application/json",
                           csrf=False)
    assert response.status_code == 400
    assert response.get_json()["invalidParams"][0]["name"] == "body"
