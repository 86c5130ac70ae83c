"""Throttled per token (Flask-Limiter); JSON answers are searched by the processing log."""

from __future__ import annotations

import pytest
from flask import Response, json

from tests.api.support import bearer, token_for
from tests.conftest import base_config
from tests.valuation.web.sample import PROVIDER
from trajectory.audit.rendering import _response_text
from trajectory.auth.roles import Role


@pytest.fixture
def app_config(database_uri):
    return {**base_config(database_uri), "API_RATE_LIMIT": "3/minute"}


def test_each_token_has_its_own_budget(client, world):
    _a, first = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    _b, second = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    answers = [client.get("/api/v1/contracts", headers=bearer(first)).status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/contracts", headers=bearer(first))
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["title"] == "Te veel verzoeken"
    assert refused.headers["API-Version"]
    assert client.get("/api/v1/contracts", headers=bearer(second)).status_code == 200


def test_the_processing_log_safety_net_reads_json_answers(app):
    """A JSON answer that shows a loaded person's data gets its line like a page does."""
    with app.test_request_context("/api/v1/x"):
        body = Response(json.dumps({"items": [{"name": "Jantje Beton", "notes": ["schuld"]}]}),
                        mimetype="application/json")
        assert "Jantje Beton" in _response_text(body)
        assert "schuld" in _response_text(body)
