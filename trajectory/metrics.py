"""/metrics in the Prometheus text format, for the municipality's monitoring.

Off until ``TRAJECTORY_METRICS_TOKEN`` is set: then 404, as if there were no such page.
With a token, a scrape must send ``Authorization: Bearer <token>``; a missing or wrong
token gets 401 (compared in constant time). What is measured: requests per endpoint and
status class, their duration (histogram), and the database pool (its size and the
connections checked out), and the gauges features add with ``register_gauge`` (the e-mails
waiting to be sent: ``trajectory.notify``), read from the database at each scrape.

gunicorn runs several worker processes; with ``PROMETHEUS_MULTIPROC_DIR`` set (the
image does, gunicorn.conf.py empties it at start and marks dead workers) every worker
writes its figures there and a scrape of any worker sums them all.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from trajectory.auth.access import public
from trajectory.extensions import db

bp = Blueprint("metrics", __name__)

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # A one-off command in the container (db upgrade) may come before gunicorn made it.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUESTS = Counter("trajectory_http_requests_total",
                   "Requests answered, by endpoint and status class.", ["endpoint", "status"])
LATENCY = Histogram("trajectory_http_request_duration_seconds",
                    "Time from the request's start to the response, by endpoint.", ["endpoint"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
# Per process; summed over the live workers in multiprocess mode.
POOL_SIZE = Gauge("trajectory_db_pool_size", "Connections the database pool keeps.",
                  multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge("trajectory_db_pool_checked_out",
                         "Database connections in use by a request.",
                         multiprocess_mode="livesum")


# Gauges read from the database when scraped (one query each), added by the features in
# their ``init_app``: the same figure for every worker, so not kept per process.
_SCRAPED: dict[str, tuple[str, Callable[[], float]]] = {}


def register_gauge(name: str, documentation: str, read: Callable[[], float]) -> None:
    """A gauge whose value ``read()`` gives at each scrape (``trajectory_<name>``)."""
    _SCRAPED[f"trajectory_{name}"] = (documentation, read)


class _ScrapedCollector:
    """A gauge whose read fails (the database is down) is left out of the scrape, with a
    log line: the process's own figures still reach Prometheus."""

    def collect(self):
        for name, (documentation, read) in sorted(_SCRAPED.items()):
            try:
                value = float(read())
            except Exception:  # noqa: BLE001 - any failure of one gauge
                current_app.logger.warning("metrics: %s could not be read", name, exc_info=True)
                db.session.rollback()
                continue
            yield GaugeMetricFamily(name, documentation, value=value)


def _endpoint() -> str:
    """The rule's endpoint, never the raw path: unknown URLs all count as one label."""
    return request.url_rule.endpoint if request.url_rule is not None else "unmatched"


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None and request.endpoint != "metrics.metrics":
        endpoint = _endpoint()
        REQUESTS.labels(endpoint, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def _sample_pool() -> None:
    pool = db.engine.pool
    size, checked_out = getattr(pool, "size", None), getattr(pool, "checkedout", None)
    if callable(size) and callable(checked_out):  # QueuePool; SQLite's may be a NullPool
        POOL_SIZE.set(size())
        POOL_CHECKED_OUT.set(checked_out())


def _authorised() -> bool:
    expected = str(current_app.config["METRICS_TOKEN"])
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode())


@bp.route("/metrics")
@public  # not a person's page: the token below decides
def metrics():
    if not current_app.config.get("METRICS_TOKEN"):
        abort(404)
    if not _authorised():
        return Response("token required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    _sample_pool()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scraped = CollectorRegistry()
    scraped.register(_ScrapedCollector())
    response = Response(generate_latest(registry) + generate_latest(scraped),
                        mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_timer)
    app.after_request(_record)
    app.after_request(_pool_after_request)


def _pool_after_request(response: Response) -> Response:
    """Keep the pool gauges current in every worker, not only the one scraped."""
    _sample_pool()
    return response
