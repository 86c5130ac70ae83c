"""The number of SQL statements per request, for the benchmarks (benchmarks/, make bench).

With ``QUERY_COUNT_HEADER`` on, every response carries ``X-Query-Count``: the statements
the request ran up to the moment the response left the view and its hooks. A streamed
response (an export) runs more while it streams, so the final count is also logged at
the end of the request, as one ``query_count`` line with the request id; the bench reads
that line. Off by default: nothing is registered and nothing is counted.
"""

from __future__ import annotations

from flask import Flask, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "X-Query-Count"
_COUNTER = "query_count"
# Not work the page asks for: connection setup and nested-transaction bookkeeping
# (the same exclusions as the suite's count_queries fixture).
_NOT_COUNTED = ("PRAGMA", "SAVEPOINT", "RELEASE")


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    """Engine-wide listener; counts only inside a request that started a counter."""
    if (has_app_context() and _COUNTER in g
            and not statement.lstrip()[:9].upper().startswith(_NOT_COUNTED)):
        setattr(g, _COUNTER, getattr(g, _COUNTER) + 1)


def queries_so_far() -> int | None:
    """The statements of the current request so far, or None when not counting."""
    return g.get(_COUNTER) if has_app_context() else None


def init_app(app: Flask) -> None:
    """Count per request when the setting is on; call early so the header is set last."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    if not event.contains(Engine, "before_cursor_execute", _count):
        event.listen(Engine, "before_cursor_execute", _count)

    @app.before_request
    def start_counting() -> None:
        setattr(g, _COUNTER, 0)

    @app.after_request
    def add_header(response):
        # after_request hooks run in reverse order of registration: this one, registered
        # before the features' hooks, runs after them and counts their queries too.
        response.headers[HEADER] = str(g.get(_COUNTER, 0))
        return response

    @app.teardown_request
    def log_total(_error=None) -> None:
        if _COUNTER in g:
            app.logger.info("query_count", extra={"path": request.path,
                                                  "queries": g.get(_COUNTER)})
