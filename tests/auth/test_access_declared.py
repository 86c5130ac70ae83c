"""Deny by default: every endpoint declares who may use it."""

from __future__ import annotations

from flask import Blueprint

from tests.auth.policy import POLICY
from trajectory import create_app
from trajectory.auth.access import ANY_USER, BUILTIN_PUBLIC_ENDPOINTS, PUBLIC


def undeclared_endpoints(app) -> list[str]:
    return sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint not in BUILTIN_PUBLIC_ENDPOINTS and getattr(view, "__access__", None) is None
    )


def test_every_endpoint_declares_its_access(app):
    assert undeclared_endpoints(app) == []


def test_every_endpoint_is_in_the_test_policy(app):
    missing = sorted(set(app.view_functions) - set(POLICY))
    assert missing == [], f"add these endpoints to tests/auth/policy.py: {missing}"
    stale = sorted(set(POLICY) - set(app.view_functions))
    assert stale == [], f"these POLICY rows have no endpoint any more: {stale}"


def test_declarations_match_the_policy(app):
    for endpoint, expected in POLICY.items():
        if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
            continue
        declared = app.view_functions[endpoint].__access__
        if expected in (PUBLIC, ANY_USER):
            assert declared == expected, endpoint
        else:
            assert set(declared) == set(expected), endpoint


def test_a_view_without_declaration_is_caught_and_refused(app_config, world):
    """The check finds it, and at run time it answers 403 even when logged in."""
    app = create_app(app_config)
    from tests.conftest import CsrfClient, login

    app.test_client_class = CsrfClient
    extra = Blueprint("forgotten", __name__)

    @extra.route("/vergeten")
    def forgotten():
        return "geheim"

    app.register_blueprint(extra)
    assert undeclared_endpoints(app) == ["forgotten.forgotten"]
    client = app.test_client()
    assert client.get("/vergeten").status_code == 403
    login(client, "beheer")
    response = client.get("/vergeten")
    assert response.status_code == 403
    assert "geheim" not in response.text
