"""An invalid trajectory scenario (TRAJECTORIES.md): exit 2, one line on stderr naming the
scenario and the field, nothing on stdout, nothing computed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from trajectory.valuation.cli import sroi_cli

from .test_valuation_invalid_files import GOOD as FORMAT_GOOD
from .test_valuation_invalid_files import assert_invalid

GOOD = {
    "id": "t",
    "rulebook": "bouwblokken-2023",
    "trajectory": {
        "person": {"birth_date": "1974-05-01", "statushouder": False, "doelgroepregister": False,
                   "benefits": [{"benefit": "ww", "from": "2025-07-09", "to": "2026-01-31"}]},
        "contracts": [
            {"id": "A", "provider": "zorg-a", "start": "2024-01-01", "end": "2027-12-31",
             "extensions": [{"start": "2028-01-01", "end": "2029-12-31", "exercised": False}]},
            {"id": "B", "provider": "zorg-b", "start": "2025-01-01", "end": "2028-12-31"}],
        "stages": [
            {"id": "wep", "provider": "zorg-a", "kind": "werkervaringsplaats",
             "start": "2026-03-01", "end": "2026-05-31", "agreed_end": "2026-05-31"},
            {"id": "job", "provider": "zorg-b", "kind": "paid_job", "start": "2026-02-01",
             "end": "2027-12-31", "hours_per_week": 36, "permanent": True}]},
    "expect": {"wep": "2250.00", "job": "22500.00", "A": "2250.00", "B": "22500.00"},
}
TR, PERSON = ("trajectory",), ("trajectory", "person")
BENEFIT = ("trajectory", "person", "benefits", 0)
CONTRACT = ("trajectory", "contracts", 0)
EXTENSION = ("trajectory", "contracts", 0, "extensions", 0)
WEP, JOB = ("trajectory", "stages", 0), ("trajectory", "stages", 1)
DELETE = object()


def changed(*edits: tuple[tuple, str | int, object]) -> dict:
    """GOOD with edits (path to an object or list, key or index, new value or DELETE)."""
    result = copy.deepcopy(GOOD)
    for path, key, value in edits:
        target = result
        for part in path:
            target = target[part]
        if value is DELETE:
            del target[key]
        elif isinstance(target, list) and key == len(target):
            target.append(value)
        else:
            target[key] = value
    return result


def check(tmp_path: Path, scenarios: list) -> object:
    path = tmp_path / "trajectories.json"
    path.write_text(json.dumps({"scenarios": scenarios}), encoding="utf-8")
    return CliRunner().invoke(sroi_cli, ["check", str(path)])


def test_the_good_trajectory_is_good(tmp_path):
    result = check(tmp_path, [GOOD])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 passed, 0 failed"


SECOND_JOB = {"id": "job2", "provider": "zorg-b", "kind": "paid_job", "start": "2026-06-01",
              "end": "2026-12-31", "hours_per_week": 18}

CASES = {
    # the shape TRAJECTORIES.md forbids
    "format keys and trajectory": (changed(((), "contract", FORMAT_GOOD["contract"])),
                                   "field 'contract'", "never both"),
    "candidate with trajectory": (changed(((), "candidate", FORMAT_GOOD["candidate"])),
                                  "field 'candidate'"),
    "stage with trajectory": (changed(((), "stage", FORMAT_GOOD["stage"])), "field 'stage'"),
    "two contracts for one provider": (
        changed((("trajectory", "contracts", 1), "provider", "zorg-a")),
        "field 'trajectory.contracts[1].provider'", "at most one contract per provider"),
    "two contracts with one id": (changed((("trajectory", "contracts", 1), "id", "A")),
                                  "field 'trajectory.contracts[1].id'", "duplicate"),
    "overlapping benefit periods": (
        changed((("trajectory", "person", "benefits"), 1,
                 {"benefit": "participatiewet", "from": "2026-01-31"})),
        "field 'trajectory.person.benefits[1].from'", "overlaps"),
    "a running period overlaps a later one": (
        changed((BENEFIT, "to", DELETE), (("trajectory", "person", "benefits"), 1,
                                          {"benefit": "wsw", "from": "2030-01-01"})),
        "field 'trajectory.person.benefits[1].from'", "overlaps"),
    "a benefit period of nug": (changed((BENEFIT, "benefit", "nug")),
                                "field 'trajectory.person.benefits[0].benefit'",
                                "nug is not a period"),
    "unknown benefit": (changed((BENEFIT, "benefit", "aow")),
                        "field 'trajectory.person.benefits[0].benefit'"),
    "benefit to before from": (changed((BENEFIT, "to", "2025-07-08")),
                               "field 'trajectory.person.benefits[0].to'", "before"),
    "benefit without from": (changed((BENEFIT, "from", DELETE)),
                             "field 'trajectory.person.benefits[0].from'", "required"),
    "duplicate stage id": (changed((JOB, "id", "wep")), "field 'trajectory.stages[1].id'",
                           "duplicate"),
    "stage id equal to a contract id": (changed((WEP, "id", "A"), (("expect",), "wep", DELETE)),
                                        "field 'trajectory.stages[0].id'", "contract id"),
    # unknown keys, at every level
    "unknown scenario key": (changed(((), "colour", "blue")), "field 'colour'", "unknown key"),
    "unknown trajectory key": (changed((TR, "people", [])), "field 'trajectory.people'",
                               "unknown key"),
    "unknown person key": (changed((PERSON, "bsn", "123")), "field 'trajectory.person.bsn'",
                           "unknown key"),
    "unknown benefit key": (changed((BENEFIT, "until", "2026-01-31")),
                            "field 'trajectory.person.benefits[0].until'", "unknown key"),
    "unknown contract key": (changed((CONTRACT, "revenue", "1500000.00")),
                             "field 'trajectory.contracts[0].revenue'", "unknown key"),
    "unknown extension key": (changed((EXTENSION, "revenue", "1.00")),
                              "field 'trajectory.contracts[0].extensions[0].revenue'",
                              "unknown key"),
    "unknown stage key": (changed((JOB, "hourz", 3)), "field 'trajectory.stages[1].hourz'",
                          "unknown key"),
    "a FORMAT.md candidate key on a person": (
        changed((PERSON, "benefit_since", "2025-07-09")),
        "field 'trajectory.person.benefit_since'", "unknown key"),
    "unknown expect key": (changed((("expect",), "nobody", "1.00")), "field 'expect.nobody'",
                           "unknown key"),
    # missing and misplaced fields
    "missing stage end": (changed((WEP, "end", DELETE)), "field 'trajectory.stages[0].end'",
                          "required"),
    "missing stage start": (changed((JOB, "start", DELETE)),
                            "field 'trajectory.stages[1].start'", "required"),
    "missing provider": (changed((JOB, "provider", DELETE)),
                         "field 'trajectory.stages[1].provider'", "required"),
    "missing stage id": (changed((JOB, "id", DELETE)), "field 'trajectory.stages[1].id'",
                         "required"),
    "missing person": (changed((TR, "person", DELETE)), "field 'trajectory.person'", "required"),
    "no stages": (changed((TR, "stages", []), ((), "expect", DELETE)),
                  "field 'trajectory.stages'"),
    "agreed_end on a paid job": (changed((JOB, "agreed_end", "2026-12-31")),
                                 "field 'trajectory.stages[1].agreed_end'",
                                 "only a werkervaringsplaats"),
    "agreed_end before the start": (changed((WEP, "agreed_end", "2026-02-28")),
                                    "field 'trajectory.stages[0].agreed_end'", "before"),
    "level on a paid job": (changed((JOB, "level", 2)), "field 'trajectory.stages[1].level'"),
    "hours on a werkervaringsplaats": (changed((WEP, "hours", 10)),
                                       "field 'trajectory.stages[0].hours'"),
    "permanent on a werkervaringsplaats": (changed((WEP, "permanent", True)),
                                           "field 'trajectory.stages[0].permanent'"),
    "paid job without hours per week": (changed((JOB, "hours_per_week", DELETE)),
                                        "field 'trajectory.stages[1].hours_per_week'"),
    "unknown kind": (changed((JOB, "kind", "volunteering")), "field 'trajectory.stages[1].kind'"),
    "stage end before start": (changed((WEP, "end", "2026-02-28")),
                               "field 'trajectory.stages[0].end'", "before"),
    "contract end before start": (changed((CONTRACT, "end", "2023-12-31")),
                                  "field 'trajectory.contracts[0].end'", "before"),
    "extension end before start": (changed((EXTENSION, "end", "2027-12-31")),
                                   "field 'trajectory.contracts[0].extensions[0].end'", "before"),
    "exercised not a flag": (changed((EXTENSION, "exercised", "yes")),
                             "field 'trajectory.contracts[0].extensions[0].exercised'"),
    "register not a flag": (changed((PERSON, "doelgroepregister", 1)),
                            "field 'trajectory.person.doelgroepregister'"),
    "paid job without birth date": (changed((PERSON, "birth_date", DELETE)),
                                    "field 'trajectory.person.birth_date'", "required"),
    # expect
    "expect naming an unknown id": (changed((("expect",), "C", "0.00")), "field 'expect.C'"),
    "expect below the cent": (changed((("expect",), "job", "22500.001")), "field 'expect.job'"),
    "empty expect": (changed(((), "expect", {})), "field 'expect'"),
    # bad dates, wherever they are
    "impossible stage date": (changed((JOB, "start", "2026-02-30")),
                              "field 'trajectory.stages[1].start'", "YYYY-MM-DD"),
    "dutch benefit date": (changed((BENEFIT, "from", "09-07-2025")),
                           "field 'trajectory.person.benefits[0].from'", "YYYY-MM-DD"),
    "compact contract date": (changed((CONTRACT, "start", "20240101")),
                              "field 'trajectory.contracts[0].start'", "YYYY-MM-DD"),
    "extension date not a text": (changed((EXTENSION, "start", 20280101)),
                                  "field 'trajectory.contracts[0].extensions[0].start'"),
    "bad agreed end": (changed((WEP, "agreed_end", "2026-5-31")),
                       "field 'trajectory.stages[0].agreed_end'", "YYYY-MM-DD"),
    "bad birth date": (changed((PERSON, "birth_date", "1974-13-01")),
                       "field 'trajectory.person.birth_date'", "YYYY-MM-DD"),
    "date out of range": (changed((JOB, "end", "3027-12-31")),
                          "field 'trajectory.stages[1].end'", "between"),
    # wrong types
    "trajectory not an object": (changed(((), "trajectory", [1])), "field 'trajectory'",
                                 "object"),
    "stages not a list": (changed((TR, "stages", {})), "field 'trajectory.stages'", "list"),
    "benefits not a list": (changed((PERSON, "benefits", "ww")),
                            "field 'trajectory.person.benefits'", "list"),
    "stage not an object": (changed((("trajectory", "stages"), 1, "job")),
                            "field 'trajectory.stages[1]'", "object"),
}


@pytest.mark.parametrize(("bad", "expected"), [(c[0], c[1:]) for c in CASES.values()],
                         ids=list(CASES))
def test_invalid_trajectory(tmp_path, bad, expected):
    line = assert_invalid(check(tmp_path, [bad]), *expected)
    assert line.startswith("error: scenario 't': field '"), line


def test_a_second_job_is_fine_and_then_a_later_invalid_scenario_stops_everything(tmp_path):
    good = changed((("trajectory", "stages"), 2, SECOND_JOB), ((), "expect", DELETE))
    bad = changed(((), "id", "second"), (JOB, "end", DELETE))
    result = check(tmp_path, [good])
    assert result.exit_code == 0, result.stderr
    assert_invalid(check(tmp_path, [good, bad]), "scenario 'second'",
                   "field 'trajectory.stages[1].end'")


def test_an_error_line_is_one_line_whatever_the_message(tmp_path):
    line = assert_invalid(check(tmp_path, [changed((JOB, "id", "wep"))]))
    assert line == ("error: scenario 't': field 'trajectory.stages[1].id': duplicate: another "
                    "stage is called 'wep'")
