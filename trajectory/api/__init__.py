"""The public API at /api/v1 (docs/api.md): NL API Design Rules, OpenAPI, bearer tokens.

``init_app`` wires what the blueprint alone cannot: no CSRF (token auth, no cookies), no
session (nobody until a token says otherwise), the ``API-Version`` header and
problem+json errors on every /api response, also those no view of the API answered
(an unknown path, a wrong method).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

PREFIX = "/api/"


def _is_api() -> bool:
    return request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/")


def init_app(app: Flask) -> None:
    from trajectory.api import auth, problems
    from trajectory.api.openapi import API_VERSION
    from trajectory.api.views import bp
    from trajectory.extensions import csrf
    from trajectory.main.errors import register_error_responder

    csrf.exempt(bp)
    app.config.setdefault("API_RATE_LIMIT", "120/minute")
    app.config.setdefault("API_CONTACT_NAME", "The Trajectory maintainers")
    app.config.setdefault("API_CONTACT_EMAIL", "api@trajectory.example")
    app.config.setdefault("API_CONTACT_URL", "https://code.example.nl/trajectory/trajectory")

    @app.before_request
    def api_nobody():
        if _is_api():
            auth.anonymous()

    @app.after_request
    def api_headers(response):
        if _is_api():
            response.headers["API-Version"] = API_VERSION
        return response

    def api_error(error: Exception, code: int):
        if not _is_api():
            return None
        headers = {}
        if isinstance(error, HTTPException) and code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if code == 429:
            headers["Retry-After"] = "60"
        detail = None
        if code == 400 and isinstance(error, HTTPException) and error.description \
                and error.description != type(error).description:
            detail = error.description
        return problems.problem(code, detail, headers=headers)

    register_error_responder(app, api_error)
