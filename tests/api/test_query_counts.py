"""The API's lists in a constant number of queries: one row or several, the same count."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.support import bearer, token_for
from tests.candidates.support import register
from tests.conftest import base_config
from tests.stages.conftest import P1, goes_candidate, make_stage
from tests.valuation.web.sample import PROVIDER, make_claim, make_contract
from trajectory.auth.roles import Role
from trajectory.stages.models import StageKind, StageStatus


@pytest.fixture
def app_config(database_uri, tmp_path):
    return {**base_config(database_uri), "EVIDENCE_DIR": str(tmp_path / "evidence"),
            "API_RATE_LIMIT": "10000/minute"}


def _count(client, count_queries, url, plain) -> tuple[int, int]:
    client.get(url, headers=bearer(plain))  # the token's last use is written at most once a minute
    with count_queries() as counter:
        response = client.get(url, headers=bearer(plain))
    assert response.status_code == 200
    return counter.count, response.get_json()["totalItems"]


def test_claims_list(client, world, count_queries):
    contract = make_contract(world)
    make_claim(contract)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    one, total = _count(client, count_queries, "/api/v1/claims", plain)
    for _ in range(4):
        make_claim(contract)
    many, more = _count(client, count_queries, "/api/v1/claims", plain)
    assert (total, more) == (1, 5) and many == one


@pytest.mark.parametrize("role,organisation", [(Role.KLANTMANAGER, "Goes"),
                                               (Role.INTAKER, P1),
                                               (Role.COORDINATOR, "Regio Oosterschelde")])
def test_stages_list(client, world, count_queries, role, organisation):
    def stage():
        make_stage(world, goes_candidate(world), P1, StageKind.WERKERVARINGSPLAATS,
                   StageStatus.LOPEND, hours_per_week=Decimal(20))

    stage()
    _row, plain = token_for(world, organisation, role, {"stages:read"})
    one, total = _count(client, count_queries, "/api/v1/stages", plain)
    for _ in range(3):
        stage()
    many, more = _count(client, count_queries, "/api/v1/stages", plain)
    assert (total, more) == (1, 4) and many == one


def test_candidates_list(client, world, count_queries):
    register(world)
    _row, plain = token_for(world, "Goes", Role.KLANTMANAGER, {"candidates:read"})
    one, total = _count(client, count_queries, "/api/v1/candidates", plain)
    for n in range(3):
        register(world, first_name=f"Persoon{n}", last_name="Anders")
    many, more = _count(client, count_queries, "/api/v1/candidates", plain)
    assert (total, more) == (1, 4) and many == one
