"""/metrics (trajectory/metrics.py): off without a token, 401 with a wrong one, and the
figures Prometheus scrapes: requests by endpoint and status class, latency, the pool."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import base_config
from trajectory import create_app

TOKEN = "metrics-token-for-the-tests-0123456789"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(database_uri) -> dict:
    return {**base_config(database_uri), "METRICS_TOKEN": TOKEN}


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_without_a_configured_token_there_is_no_such_page(database_uri):
    app = create_app(base_config(database_uri))
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer()).status_code == 404


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer \u00e9\u00e9n"},  # not ASCII: refused, not a 500
], ids=["missing", "wrong", "longer", "basic", "empty", "non-ascii"])
def test_a_missing_or_wrong_token_gets_401(client, headers):
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "trajectory_http_requests_total" not in response.text


def test_requests_latency_and_pool_are_exposed(client):
    before = REGISTRY.get_sample_value(
        "trajectory_http_requests_total", {"endpoint": "auth.login", "status": "2xx"}) or 0
    assert client.get("/inloggen").status_code == 200
    assert client.get("/inloggen").status_code == 200
    assert client.get("/bestaat-niet").status_code == 404

    response = client.get("/metrics", headers=bearer())
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    found = samples(response.text)
    login_2xx = ("trajectory_http_requests_total",
                 (("endpoint", "auth.login"), ("status", "2xx")))
    assert found[login_2xx] == before + 2
    # An unknown URL counts under one label, never its path (bounded label values).
    assert found[("trajectory_http_requests_total",
                  (("endpoint", "unmatched"), ("status", "4xx")))] >= 1
    assert not any("bestaat" in str(labels) for _, labels in found)
    buckets = [value for (name, labels), value in found.items()
               if name == "trajectory_http_request_duration_seconds_bucket"
               and ("endpoint", "auth.login") in labels]
    assert buckets and max(buckets) >= 2
    assert ("trajectory_db_pool_size", ()) in found
    assert ("trajectory_db_pool_checked_out", ()) in found
    # The scrapes themselves are not counted.
    assert not any(("endpoint", "metrics.metrics") in labels for _, labels in found)


def test_the_token_may_come_from_the_environment(database_uri, monkeypatch):
    monkeypatch.setenv("TRAJECTORY_METRICS_TOKEN", TOKEN)
    config = base_config(database_uri)
    app = create_app(config)
    assert app.test_client().get("/metrics", headers=bearer()).status_code == 200


def test_multiprocess_mode_sums_the_workers(tmp_path, database_uri):
    """With PROMETHEUS_MULTIPROC_DIR (the image, several gunicorn workers) two processes'
    requests both show in one scrape."""
    script = textwrap.dedent(f"""
        import sys
        from tests.conftest import base_config
        from trajectory import create_app
        config = {{**base_config({database_uri!r}), "METRICS_TOKEN": {TOKEN!r}}}
        client = create_app(config).test_client()
        assert client.get("/healthz").status_code == 200
        if sys.argv[1] == "scrape":
            print(client.get("/metrics", headers={{"Authorization": "Bearer {TOKEN}"}}).text)
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for role in ("worker", "scrape"):
        result = subprocess.run([sys.executable, "-c", script, role], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
    found = samples(result.stdout)
    assert found[("trajectory_http_requests_total",
                  (("endpoint", "main.healthz"), ("status", "2xx")))] == 2
    assert list(tmp_path.glob("*.db")), "no per-process files written"


def test_the_queue_of_e_mails_waiting_is_exposed(client, world):
    """A message queued (not yet sent, or to retry after a temporary failure) counts; a
    sent one does not."""
    from trajectory.extensions import db
    from trajectory.notify.models import OutboxMessage, OutboxStatus

    def queued() -> float:
        return samples(client.get("/metrics", headers=bearer()).text)[("trajectory_email_queued",
                                                                       ())]

    before = queued()
    user = world.user("klantmanager")
    for n, status in enumerate((OutboxStatus.QUEUED, OutboxStatus.QUEUED, OutboxStatus.SENT)):
        db.session.add(OutboxMessage(key=f"metrics-test-{n}", kind="digest", user_id=user.id,
                                     email="km@example.org", language="nl", subject="Signalen",
                                     body="Hallo", link="/signalen", status=status))
    db.session.commit()
    assert queued() == before + 2


def test_a_gauge_that_cannot_be_read_is_left_out_of_the_scrape(client, monkeypatch):
    """The database down for the e-mail queue: the scrape still answers with the rest."""
    from trajectory import metrics

    def broken() -> float:
        raise RuntimeError("database unavailable")

    monkeypatch.setitem(metrics._SCRAPED, "trajectory_test_broken", ("A broken gauge.", broken))
    response = client.get("/metrics", headers=bearer())
    assert response.status_code == 200
    found = samples(response.text)
    assert ("trajectory_test_broken", ()) not in found
    assert ("trajectory_email_queued", ()) in found
