"""The benchmark harness's pure parts (benchmarks/, make bench) and the query-count header.

The full bench (building 100,000 candidates, gunicorn, 16 users) is not run here.
"""

from __future__ import annotations

import pytest

from tests.conftest import base_config
from trajectory import create_app
from trajectory.querycount import HEADER


@pytest.fixture
def app_config(database_uri) -> dict:
    return {**base_config(database_uri), "QUERY_COUNT_HEADER": True}


def test_query_count_header_is_the_number_of_statements(client_for, count_queries):
    klantmanager = client_for("klantmanager")
    for path in ("/", "/kandidaten", "/signalen"):
        with count_queries() as counter:
            response = klantmanager.get(path)
        assert response.status_code == 200
        assert int(response.headers[HEADER]) == counter.count > 1, path


def test_query_count_header_on_a_page_without_database(client):
    assert client.get("/healthz").headers[HEADER] == "0"


def test_query_count_header_absent_by_default(database_uri):
    app = create_app(base_config(database_uri))
    response = app.test_client().get("/inloggen")
    assert response.status_code == 200
    assert HEADER not in response.headers
