"""Every token operation × every role a token may act as, from the declarations: no token
401, a token without the scope 403, an allowed role with the scope never 401/403, a role
not allowed 403; every answer problem+json or JSON, never a 500."""

from __future__ import annotations

import pytest

from tests.api.support import bearer, token_for
from tests.stages.matrix import matrix_stage
from tests.valuation.web.sample import PROVIDER, valuation_sample
from trajectory.api import views  # noqa: F401  (registers the operations)
from trajectory.api.models import TOKEN_ROLES, Scope
from trajectory.api.operations import OPERATIONS

ORGANISATION = {"intaker": PROVIDER, "sroi_adviseur": "Regio Oosterschelde",
                "coordinator": "Regio Oosterschelde", "klantmanager": "Goes",
                "buddy": "Stichting Welzijn De Bevelanden"}  # the demo buddy's, with its account


def _url(op, world) -> str:
    sample = valuation_sample(world)
    ids = {"claims": sample.claim.id, "contracts": sample.contract.id,
           "stages": matrix_stage(world).id}
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", str(ids.get(path.split("/")[1], sample.contract.id)))
    return "/api/v1" + path


def _call(client, op, url, headers):
    return client.open(url, method=op.method, headers=headers,
                       **({"json": {}} if op.method == "POST" else {}))


@pytest.mark.parametrize("op", [op for op in OPERATIONS if not op.public],
                         ids=lambda op: op.endpoint)
def test_token_operations_by_role(client, world, op):
    url = _url(op, world)
    assert _call(client, op, url, {}).status_code == 401
    other_scopes = {s.value for s in Scope} - {s.value for s in op.scopes}
    for role in TOKEN_ROLES:
        _row, without = token_for(world, ORGANISATION[role.value], role, other_scopes)
        refused = _call(client, op, url, bearer(without))
        assert refused.status_code == 403, (role, refused.status_code)
        for scope in op.scopes:  # any one of the operation's scopes will do
            _row, plain = token_for(world, ORGANISATION[role.value], role, {scope.value})
            response = _call(client, op, url, bearer(plain))
            assert response.status_code < 500
            assert response.mimetype in ("application/json", "application/problem+json")
            if role in op.roles:
                assert response.status_code not in (401, 403), (role, scope,
                                                                 response.status_code)
            else:
                assert response.status_code == 403, (role, scope, response.status_code)
