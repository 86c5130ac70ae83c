"""CSRF protection is on everywhere, in the tests too."""

from __future__ import annotations

from flask import url_for

from tests.auth.test_matrix import URL_ARGS


def test_every_post_endpoint_refuses_a_request_without_token(app, world, beheer_client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        args = URL_ARGS[rule.endpoint](world) if rule.arguments else {}
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        response = beheer_client.post(url, data={}, csrf=False)
        if rule.endpoint.startswith("api."):
            # The API takes no CSRF token: it reads no session cookie, so a logged-in
            # browser cannot be made to write through it (401 without a bearer token;
            # the public calculator refuses the empty body).
            assert response.status_code in (400, 401), rule.endpoint
            if rule.endpoint != "api.valuations":
                assert response.status_code == 401, rule.endpoint
        else:
            assert response.status_code == 400, rule.endpoint
        checked += 1
    assert checked >= 8


def test_login_without_token_is_refused(client, world):
    response = client.post("/inloggen", data={"username": "beheer",
                                              "password": "demo-trajectory-2026"}, csrf=False)
    assert response.status_code == 400
    assert "<h1" in response.text


def test_get_requests_change_nothing(app, world, beheer_client, count_queries):
    with count_queries() as counter:
        for path in ("/", "/beheer/gebruikers", "/beheer/organisaties", "/wachtwoord"):
            beheer_client.get(path)
    writes = [s for s in counter.statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
