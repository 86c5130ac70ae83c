"""Property-based run of the OpenAPI document (schemathesis) against the app with a demo
world, one sample contract and a valid token with every scope: no 500, every answer's
status, content type, headers and body as the document says.

Schemathesis' pytest plugin (``from_fixture``) does not run under this pytest, so each
operation's strategy is driven by hypothesis here, with the same checks.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.support import bearer, token_for
from tests.stages.matrix import matrix_stage
from tests.valuation.web.sample import PROVIDER, valuation_sample
from trajectory.api.operations import OPERATIONS
from trajectory.auth.roles import Role

EXAMPLES = 30
# The scenario's document describes its keys, not FORMAT.md's every rule (dates in order,
# known block kinds ...): a body valid by the document may still be refused with a 400
# naming the field, which is the point of that operation. The same for the writes whose
# pages' rules refuse a well-formed body with a 422 naming the field (a date outside the
# contract, no invoice yet, a claim already submitted: 409).
ENGINE_CHECKED = {"POST /valuations", "POST /claims", "POST /claims/{id}/evidence",
                  "POST /claims/{id}/submit", "POST /candidates/{id}/contacts",
                  "POST /stages/{id}/outcome"}
# A token per role (each with every scope); an operation is run with the first of its
# roles here, so that it is explored past the role check.
ROLES = ((Role.INTAKER, PROVIDER), (Role.BUDDY, "Stichting Welzijn De Bevelanden"),
         (Role.COORDINATOR, "Regio Oosterschelde"))


def _explore(operation, headers: dict[str, str]) -> None:
    """Up to EXAMPLES generated requests for one operation, each checked against the document."""
    excluded = [positive_data_acceptance] if operation.label in ENGINE_CHECKED else []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    run()


def test_every_operation_keeps_its_document(app, world):
    valuation_sample(world)
    matrix_stage(world)  # the Goes file (buddy Kees Dekker, consent) with an intake at P1
    tokens = {role: token_for(world, org, role)[1] for role, org in ROLES}
    app.config["API_RATE_LIMIT"] = "100000/minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /contracts", "POST /valuations",
                                               "GET /rulebook-editions/{id}"}
    declared = {f"{op.method} {op.path}": op for op in OPERATIONS}
    for operation in operations:
        roles = declared[operation.label].roles if operation.label in declared else ()
        role = next((r for r, _org in ROLES if r in roles), Role.INTAKER)
        _explore(operation, bearer(tokens[role]))
