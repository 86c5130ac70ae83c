"""Route × role matrix, built from ``app.url_map``.

Every GET endpoint is requested anonymously and as one account per role,
with URL arguments pointing at an object in that account's reach where the
endpoint takes an id. POST endpoints are checked for the refusals (a role
without access gets 403 before anything happens). Features extend
``URL_ARGS`` and tests/auth/policy.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import url_for

from tests.auth.policy import ANY_USER, POLICY, PUBLIC, ROLE_USERS
from tests.conftest import login
from trajectory.auth.roles import Role

# endpoint -> function(world) returning the URL arguments of an object
# that the allowed role can reach.
URL_ARGS: dict[str, Callable] = {
    "admin.user_detail": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.edit_user": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.toggle_user": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.reset_password": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.edit_organisation": lambda w: {"organisation_id": w.org("Goes").id},
    "admin.toggle_organisation": lambda w: {"organisation_id": w.org("Goes").id},
}

SKIP = {"static"}


def _rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or method not in rule.methods:
            continue
        yield rule


def _url(app, world, rule) -> str:
    args = URL_ARGS[rule.endpoint](world) if rule.arguments else {}
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _allowed(endpoint: str, role: Role) -> bool:
    expected = POLICY[endpoint]
    return expected in (PUBLIC, ANY_USER) or role in expected


def test_every_endpoint_with_arguments_has_sample_arguments(app):
    missing = sorted(r.endpoint for r in app.url_map.iter_rules()
                     if r.arguments and r.endpoint not in SKIP and r.endpoint not in URL_ARGS)
    assert missing == [], f"add URL_ARGS for: {missing}"


def test_anonymous_visitors_are_sent_to_login(app, world, client):
    for rule in _rules(app, "GET"):
        response = client.get(_url(app, world, rule))
        if POLICY[rule.endpoint] == PUBLIC:
            assert response.status_code in (200, 302, 503), rule.endpoint
        else:
            assert response.status_code == 302, rule.endpoint
            assert "/inloggen" in response.headers["Location"], rule.endpoint


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_get_pages_answer_by_role(app, world, role):
    client = app.test_client()
    assert login(client, ROLE_USERS[role]).status_code == 302
    for rule in _rules(app, "GET"):
        if rule.endpoint in ("main.set_language",):
            continue
        response = client.get(_url(app, world, rule))
        if _allowed(rule.endpoint, role):
            assert response.status_code in (200, 302), (rule.endpoint, response.status_code)
        else:
            assert response.status_code == 403, (rule.endpoint, response.status_code)
            assert "<h1" in response.text  # the Dutch error page, not a bare body


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_post_endpoints_refuse_roles_without_access(app, world, role):
    client = app.test_client()
    assert login(client, ROLE_USERS[role]).status_code == 302
    for rule in _rules(app, "POST"):
        if _allowed(rule.endpoint, role):
            continue
        response = client.post(_url(app, world, rule), data={})
        assert response.status_code == 403, (rule.endpoint, response.status_code)
