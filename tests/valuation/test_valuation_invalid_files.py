"""An invalid scenario file: exit 2, one line on stderr naming scenario and field, nothing on stdout."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trajectory.valuation.cli import sroi_cli

CONTRACT = {"start": "2023-01-01", "end": "2026-12-31", "revenue": "1500000.00", "pso": None}
CANDIDATE = {
    "benefit": "participatiewet",
    "benefit_since": "2021-01-01",
    "birth_date": "1971-05-01",
}
JOB = {"kind": "paid_job", "start": "2023-03-01", "end": "2024-02-29", "hours_per_week": 36}
GOOD = {
    "id": "x",
    "contract": CONTRACT,
    "candidate": CANDIDATE,
    "stage": JOB,
    "expect": {"value": "45000.00"},
}


def scenario(**changes) -> dict:
    """GOOD with changes; a dotted key changes a nested field, the value None removes it."""
    result = copy.deepcopy(GOOD)
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = result
        for part in path:
            target = target[part]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return result


def check(tmp_path: Path, content: str | bytes):
    path = tmp_path / "scenarios.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return CliRunner().invoke(sroi_cli, ["check", str(path)])


def assert_invalid(result, *expected: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_the_good_scenario_is_good(tmp_path):
    result = check(tmp_path, json.dumps({"scenarios": [GOOD]}))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 passed, 0 failed"


def test_the_format_md_example_line(tmp_path):
    bad = scenario(stage={"kind": "bbl", "level": 5, "start": "2023-09-01", "end": "2024-08-31"})
    line = assert_invalid(check(tmp_path, json.dumps({"scenarios": [bad]})))
    assert line == "error: scenario 'x': field 'stage.level': must be 1-4"


CASES = {
    "unknown rulebook": (
        scenario(rulebook="bouwblokken-1999"),
        "field 'rulebook'",
        "bouwblokken-2023",
    ),
    "rulebook path": (scenario(rulebook="../rulebooks/bouwblokken-2023"), "field 'rulebook'"),
    "unknown kind": (scenario(stage__kind="volunteering"), "field 'stage.kind'"),
    "impossible date": (scenario(stage__start="2023-02-30"), "field 'stage.start'"),
    "dutch date": (scenario(stage__end="29-02-2024"), "field 'stage.end'"),
    "compact iso date": (scenario(contract__start="20230101"), "field 'contract.start'"),
    "stage end before start": (scenario(stage__end="2023-02-28"), "field 'stage.end'", "before"),
    "contract end before start": (scenario(contract__end="2022-12-31"), "field 'contract.end'"),
    "negative revenue": (
        scenario(contract__revenue="-1.00"),
        "field 'contract.revenue'",
        "negative",
    ),
    "negative extension": (
        scenario(contract__extension_revenue=-5),
        "field 'contract.extension_revenue'",
    ),
    "negative hours per week": (scenario(stage__hours_per_week=-1), "field 'stage.hours_per_week'"),
    "dutch amount": (scenario(contract__revenue="1.500.000,00"), "field 'contract.revenue'"),
    "boolean amount": (scenario(contract__revenue=True), "field 'contract.revenue'"),
    "missing revenue": (scenario(contract__revenue=None), "field 'contract.revenue'", "required"),
    "unknown scenario key": (scenario(colour="blue"), "field 'colour'", "unknown key"),
    "unknown stage key": (scenario(stage__hourz=3), "field 'stage.hourz'", "unknown key"),
    "unknown expect key": (scenario(expect={"valeu": "1.00"}), "field 'expect.valeu'"),
    "unknown candidate key": (scenario(candidate__bsn="123"), "field 'candidate.bsn'"),
    "unknown pso": (scenario(contract__pso="step4"), "field 'contract.pso'"),
    "unknown benefit": (scenario(candidate__benefit="aow"), "field 'candidate.benefit'"),
    "flag not boolean": (scenario(candidate__statushouder="yes"), "field 'candidate.statushouder'"),
    "level on paid job": (scenario(stage__level=2), "field 'stage.level'"),
    "bbl without level": (
        scenario(stage={"kind": "bbl", "start": "2023-09-01", "end": "2024-08-31"}),
        "field 'stage.level'",
    ),
    "level not a whole number": (
        scenario(stage={"kind": "bol", "level": "2", "start": "2023-09-01", "end": "2024-08-31"}),
        "field 'stage.level'",
    ),
    "permanent on bbl": (
        scenario(
            stage={
                "kind": "bbl",
                "level": 2,
                "permanent": True,
                "start": "2023-09-01",
                "end": "2024-08-31",
            }
        ),
        "field 'stage.permanent'",
    ),
    "intake without hours": (
        scenario(
            stage={"kind": "intake", "start": "2023-09-01", "end": "2023-09-08"}, candidate=None
        ),
        "field 'stage.hours'",
    ),
    "paid job without hours per week": (
        scenario(stage__hours_per_week=None),
        "field 'stage.hours_per_week'",
    ),
    "paid job without candidate": (scenario(candidate=None), "field 'candidate'", "required"),
    "participatiewet without benefit_since": (
        scenario(candidate__benefit_since=None),
        "field 'candidate.benefit_since'",
    ),
    "paid job without birth date": (
        scenario(candidate__birth_date=None),
        "field 'candidate.birth_date'",
    ),
    "candidate with a purchase": (
        scenario(stage=None, purchase={"supplier": "sw_bedrijf", "invoice_excl_vat": "1.00"}),
        "field 'candidate'",
    ),
    "two valued items": (scenario(fund={"amount": "1.00"}), "field 'fund'", "at most one item"),
    "nothing to compute": ({"id": "x", "expect": {"value": "1.00"}}, "field 'contract'"),
    "expect obligation without contract": (
        {"id": "x", "fund": {"amount": "1"}, "expect": {"obligation": "0.00"}},
        "field 'expect.obligation'",
    ),
    "expect value without item": (
        {"id": "x", "contract": CONTRACT, "expect": {"value": "0.00"}},
        "field 'expect.value'",
    ),
    "expect below the cent": (scenario(expect={"value": "45000.001"}), "field 'expect.value'"),
    "empty expect": (scenario(expect={}), "field 'expect'"),
    "unknown supplier": (
        {"id": "x", "purchase": {"supplier": "friend", "invoice_excl_vat": "1.00"}},
        "field 'purchase.supplier'",
    ),
    "negative invoice": (
        {"id": "x", "purchase": {"supplier": "sw_bedrijf", "invoice_excl_vat": "-1"}},
        "field 'purchase.invoice_excl_vat'",
    ),
    "activity with neither hours nor value": (
        {"id": "x", "activity": {}},
        "field 'activity.hours'",
    ),
    "negative activity hours": ({"id": "x", "activity": {"hours": -2}}, "field 'activity.hours'"),
    "fund without amount": ({"id": "x", "fund": {}}, "field 'fund.amount'"),
    "absurd amount": ({"id": "x", "fund": {"amount": "1e400"}}, "field 'fund.amount'"),
    "stage not an object": (scenario(stage=[1]), "field 'stage'"),
    "date out of range": (scenario(stage__end="3024-01-01"), "field 'stage.end'"),
}


@pytest.mark.parametrize(
    ("bad", "expected"), [(c[0], c[1:]) for c in CASES.values()], ids=list(CASES)
)
def test_invalid_scenario(tmp_path, bad, expected):
    line = assert_invalid(check(tmp_path, json.dumps({"scenarios": [bad]})), *expected)
    assert line.startswith("error: scenario 'x': field '"), line


def test_nothing_is_printed_when_a_later_scenario_is_invalid(tmp_path):
    good = scenario(id="first")
    bad = scenario(id="second", stage__kind="nap")
    assert_invalid(
        check(tmp_path, json.dumps({"scenarios": [good, bad]})), "scenario 'second'", "'stage.kind'"
    )


def test_duplicate_ids(tmp_path):
    content = json.dumps({"scenarios": [GOOD, GOOD]})
    assert_invalid(check(tmp_path, content), "scenario 'x'", "field 'id'", "duplicate", "#1")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"expect": {"value": "1.00"}, "fund": {"amount": 1}}, "scenario #1: field 'id': required"),
        ({"id": "", "fund": {"amount": 1}}, "scenario #1: field 'id'"),
        ({"id": 7, "fund": {"amount": 1}}, "scenario #1: field 'id'"),
        ({"id": "a\nb", "fund": {"amount": 1}}, "control characters"),
        ("not an object", "scenario #1: must be an object"),
    ],
)
def test_scenario_without_a_usable_id_is_named_by_position(tmp_path, raw, expected):
    assert_invalid(check(tmp_path, json.dumps({"scenarios": [raw]})), expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"scenarios": [', "not valid JSON"),
        ("", "not valid JSON"),
        ('{"scenarios": [{"id": "x", "fund": {"amount": NaN}}]}', "not valid JSON"),
        (
            '{"scenarios": [{"id": "x", "id": "y", "fund": {"amount": 1}}]}',
            "key 'id' appears twice",
        ),
        ('{"scenarios": []}', "field 'scenarios'"),
        ('{"scenarios": {}}', "field 'scenarios'"),
        ("[]", "field 'scenarios'"),
        ('{"scenarios": [], "extra": 1}', "field 'scenarios'"),
        (b'{"scenarios": ["\xff"]}', "not valid UTF-8"),
    ],
)
def test_invalid_file(tmp_path, content, expected):
    assert_invalid(check(tmp_path, content), "file '", expected)


def test_missing_file(tmp_path):
    result = CliRunner().invoke(sroi_cli, ["check", str(tmp_path / "nope.json")])
    assert_invalid(result, "nope.json", "cannot be read")


def test_directory_instead_of_file(tmp_path):
    result = CliRunner().invoke(sroi_cli, ["check", str(tmp_path)])
    assert_invalid(result, "cannot be read")


def test_byte_order_mark_is_accepted(tmp_path):
    result = check(tmp_path, "\ufeff" + json.dumps({"scenarios": [GOOD]}))
    assert result.exit_code == 0, result.stderr


def test_absurd_json_number(tmp_path):
    content = '{"scenarios": [{"id": "x", "fund": {"amount": 1e400}}]}'
    assert_invalid(check(tmp_path, content), "scenario 'x': field 'fund.amount'", "below")


def test_too_many_decimals(tmp_path):
    content = '{"scenarios": [{"id": "x", "fund": {"amount": 1.00000000001}}]}'
    assert_invalid(check(tmp_path, content), "scenario 'x': field 'fund.amount'")
