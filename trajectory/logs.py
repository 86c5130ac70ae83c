"""JSON logs on stdout, one line per event, each with the request id.

Never log note text, BSN, passwords or tokens: log ids and outcomes only.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


def _user_id() -> int | None:
    """The id of the request's user, read without a query: the request's last commit (the
    processing log's) expired the user object, and asking it ``is_authenticated`` would
    load the account and its roles again just for this line."""
    user = g.get("_login_user")
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stdout)
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level"},
        ))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])
    app.logger.propagate = False

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        # fullmatch: "$" would let a trailing newline through into the header and log.
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.path not in QUIET_PATHS and not request.path.startswith("/static/"):
            app.logger.info("request", extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("request_started", 0)) * 1000, 1),
                "user_id": _user_id(),
            })
        return response
