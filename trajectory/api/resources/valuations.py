"""The calculator, public: one scenario in, what ``flask sroi check`` prints for it out.

The body is one scenario of ``shared/sroi-scenarios`` (FORMAT.md: contract, candidate and
one item; TRAJECTORIES.md: a learning line), with or without ``id``, without ``expect``.
It goes through the engine's own reader and ``evaluate`` (the CLI's code path), so the
euros and the explanation are the ones the check prints, and a field the reader refuses
is named in the 400 as it would be on the command line.
"""

from __future__ import annotations

import json

from flask import request

from trajectory.api import problems
from trajectory.api.openapi import raw_schema
from trajectory.api.operations import operation
from trajectory.valuation.engine import RulebookError, ScenarioError, run_scenarios

TAG = "Rekenmachine"
ANONYMOUS_ID = "valuation"

EXPLAIN = {"type": "array", "items": {"type": "string"}}
OK = {"type": "boolean", "nullable": True, "description": "Always null: no expect is checked."}
ITEM = {
    "type": "object", "additionalProperties": False, "required": ["explain", "ok"],
    "description": "FORMAT.md: the obligation and/or the item's value, with the explanation.",
    "properties": {"id": {"type": "string"}, "obligation": {"type": "string"},
                   "value": {"type": "string"}, "explain": EXPLAIN, "ok": OK},
}
LEARNING_LINE = {
    "type": "object", "additionalProperties": False, "required": ["stages", "contracts", "ok"],
    "description": "TRAJECTORIES.md: per stage its value and contract, per contract its sum.",
    "properties": {
        "id": {"type": "string"},
        "stages": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["value", "contract", "explain"],
            "properties": {"value": {"type": "string"},
                           "contract": {"type": "string", "nullable": True},
                           "explain": EXPLAIN}}},
        "contracts": {"type": "object", "additionalProperties": {"type": "string"}},
        "ok": OK,
    },
}
OUTCOME = raw_schema("ValuationOutcome", {"oneOf": [ITEM, LEARNING_LINE]})
SCENARIO = raw_schema("Scenario", {
    "type": "object",
    "description": "One scenario as in shared/sroi-scenarios (FORMAT.md or TRAJECTORIES.md), "
                   "without expect.",
    "properties": {"id": {"type": "string"}, "note": {"type": "string"},
                   "rulebook": {"type": "string"}, "contract": {"type": "object"},
                   "candidate": {"type": "object"}, "stage": {"type": "object"},
                   "purchase": {"type": "object"}, "activity": {"type": "object"},
                   "fund": {"type": "object"}, "trajectory": {"type": "object"}},
})
BODY = {"required": True, "content": {"application/json": {
    "schema": {"$ref": f"#/components/schemas/{SCENARIO}"}}}}


@operation("POST", "/valuations", summary="Waardeer een scenario", tag=TAG, response=OUTCOME,
           request_body=BODY)
def valuations():
    """Values one scenario with the engine of the pages and of ``flask sroi check``."""
    text = request.get_data(cache=False, as_text=False).decode("utf-8-sig", errors="replace")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return problems.invalid("body", "not valid JSON")
    if not isinstance(raw, dict):
        return problems.invalid("body", "must be one scenario: a JSON object")
    if "expect" in raw:
        return problems.invalid("expect", "not taken here: the API computes, it checks nothing")
    named = "id" in raw
    if not named:  # the reader wants an id; one of our own, left out of the answer
        text = json.dumps({"id": ANONYMOUS_ID}) [:-1] + "," + text.strip()[1:] \
            if raw else json.dumps({"id": ANONYMOUS_ID})
    try:
        outcome, = run_scenarios('{"scenarios": [' + text + "]}")
    except ScenarioError as exc:
        field = exc.field or "body"
        return problems.invalid(field, exc.message)
    except RulebookError as exc:
        return problems.invalid("rulebook", str(exc))
    answer = outcome.as_dict()
    if not named:
        answer.pop("id", None)
    return answer
