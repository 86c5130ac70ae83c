"""Operations: health checks, request ids, security headers, JSON logs, error pages."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import abort
from flask_babel import gettext
from markupsafe import escape

from tests import factories
from tests.conftest import CsrfClient, base_config, login
from trajectory import create_app
from trajectory.auth.access import public
from trajectory.extensions import db

UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/none"
SECRET_MARKER = "kaboom-4711-do-not-show-this"


@pytest.fixture
def app_config(database_uri) -> dict:
    return {**base_config(database_uri), "LOG_LEVEL": "INFO"}


def text(app, msgid: str, **variables) -> str:
    """A message as the page shows it: translated to the default language, HTML-escaped."""
    with app.test_request_context():
        return str(escape(gettext(msgid, **variables)))


@contextmanager
def build_app(config: dict, *extra_routes) -> Iterator:
    """An app created in the test itself (so its log handler writes to the captured stdout)."""
    app = create_app(config)
    app.test_client_class = CsrfClient
    for route in extra_routes:
        route(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def log_lines(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


# ------------------------------------------------------------ health checks

def test_healthz_answers_without_a_database_and_readyz_reports_it(database_uri):
    with build_app({**base_config(database_uri), "SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB}) as app:
        client = app.test_client()
        health = client.get("/healthz")
        ready = client.get("/readyz")

    assert health.status_code == 200
    assert health.is_json
    assert health.get_json() == {"status": "ok"}

    assert ready.status_code == 503
    assert ready.is_json
    assert ready.get_json()["status"] != "ok"
    assert "Traceback" not in ready.text
    assert "nobody" not in ready.text  # no connection details to the outside


def test_healthz_runs_no_query(app, client, count_queries):
    with count_queries() as counter:
        assert client.get("/healthz").status_code == 200
    assert counter.count == 0


def test_readyz_is_ok_on_a_reachable_database(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_health_checks_are_not_cached(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    assert client.get("/readyz").headers["Cache-Control"] == "no-store"


# --------------------------------------------------------------- request id

@pytest.mark.parametrize("path", ["/inloggen", "/healthz", "/readyz", "/bestaat-niet", "/"])
def test_every_response_has_a_request_id(client, path):
    response = client.get(path)
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", response.headers.get("X-Request-ID", ""))


def test_request_ids_differ_per_request(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/inloggen", headers={"X-Request-ID": "lb-2026.03.31_abcdef"})
    assert response.headers["X-Request-ID"] == "lb-2026.03.31_abcdef"


@pytest.mark.parametrize("given", [
    "abc def ghi jkl",
    "abcdefgh\r\nSet-Cookie: session=stolen",
    "abcdefgh12345678\n",
    "short",
    "x" * 65,
    "<script>alert(1)</script>",
])
def test_a_malicious_request_id_is_replaced(client, given):
    response = client.get("/inloggen", environ_base={"HTTP_X_REQUEST_ID": given})
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert request_id != given
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", request_id)
    assert "stolen" not in str(response.headers)


# ----------------------------------------------------------- security headers

def _assert_security_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in (
        "same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_the_login_page(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    _assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_security_headers_on_a_page_with_personal_data(beheer_client):
    response = beheer_client.get("/beheer/gebruikers")
    assert response.status_code == 200
    _assert_security_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_security_headers_on_error_pages(client, klantmanager_client):
    for response in (client.get("/bestaat-niet"), klantmanager_client.get("/beheer/gebruikers")):
        _assert_security_headers(response)
        assert "no-store" in response.headers["Cache-Control"]


def test_pages_have_no_inline_script_or_style(beheer_client):
    """The CSP forbids inline code, so a page that relies on it would break."""
    for path in ("/", "/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/organisaties"):
        page = beheer_client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=", page), path


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


# --------------------------------------------------------------------- logs

def test_one_json_line_per_request_on_stdout(database_uri, capsys):
    with build_app({**base_config(database_uri), "LOG_LEVEL": "INFO"}) as app:
        client = app.test_client()
        capsys.readouterr()
        first = client.get("/inloggen", headers={"X-Request-ID": "trace-0001-abcdef"})
        second = client.get("/bestaat-niet")
        client.get("/healthz")  # health checks are polled often and stay out of the log
        captured = capsys.readouterr()

    lines = log_lines(captured.out)
    requests = [line for line in lines if line["message"] == "request"]
    assert len(requests) == 2, captured.out
    assert requests[0]["method"] == "GET"
    assert requests[0]["path"] == "/inloggen"
    assert requests[0]["status"] == 200
    assert requests[0]["request_id"] == "trace-0001-abcdef" == first.headers["X-Request-ID"]
    assert requests[1]["path"] == "/bestaat-niet"
    assert requests[1]["status"] == 404
    assert requests[1]["request_id"] == second.headers["X-Request-ID"]
    assert {"time", "level"} <= set(requests[0])
    assert captured.err == ""


def test_the_log_names_the_user_but_never_the_password(database_uri, capsys):
    wrong = "mijn-geheime-typefout-99"
    with build_app({**base_config(database_uri), "LOG_LEVEL": "DEBUG"}) as app:
        user_id = factories.build_world().user("klantmanager").id
        client = app.test_client()
        capsys.readouterr()
        failed = client.post("/inloggen", data={"username": "klantmanager", "password": wrong})
        assert failed.status_code == 200
        assert login(client, "klantmanager").status_code == 302
        assert client.get("/wachtwoord").status_code == 200
        captured = capsys.readouterr()

    assert wrong not in captured.out + captured.err
    assert factories.PASSWORD not in captured.out + captured.err
    lines = [line for line in log_lines(captured.out) if line["message"] == "request"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/inloggen", 200), ("POST", "/inloggen", 302),  # password, then the code step
        ("POST", "/inloggen/code", 302), ("GET", "/wachtwoord", 200)]
    assert lines[0]["user_id"] is None
    # The user id, not the session token it travels with in the cookie.
    assert str(lines[3]["user_id"]) == str(user_id)


# ------------------------------------------------------------- error pages

def _failing_route(app) -> None:
    @app.route("/test-kapot")
    @public
    def broken():
        raise RuntimeError(SECRET_MARKER)


def test_an_unexpected_error_shows_the_error_page_without_a_traceback(database_uri, capsys):
    with build_app({**base_config(database_uri), "LOG_LEVEL": "INFO"}, _failing_route) as app:
        client = app.test_client()
        capsys.readouterr()
        response = client.get("/test-kapot")
        expected_title = text(app, "Something went wrong on our side")
        captured = capsys.readouterr()

    assert response.status_code == 500
    assert '<html lang="nl"' in response.text
    assert expected_title in response.text
    assert "Traceback" not in response.text
    assert SECRET_MARKER not in response.text
    assert "RuntimeError" not in response.text
    request_id = response.headers["X-Request-ID"]
    assert request_id[:12] in response.text  # a reference to quote to the helpdesk

    # The details go to the log instead, under the same request id.
    lines = log_lines(captured.out)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and errors[0]["request_id"] == request_id
    assert SECRET_MARKER in json.dumps(errors[0])
    requests = [line for line in lines if line["message"] == "request"]
    assert requests[-1]["status"] == 500


def _failing_write_route(app) -> None:
    @app.route("/test-dubbel")
    @public
    def duplicate():
        from trajectory.organisations.models import Organisation, OrganisationKind

        db.session.add(Organisation(name="Goes", kind=OrganisationKind.MUNICIPALITY))
        db.session.flush()  # IntegrityError: the name is taken
        return "unreachable"


def test_a_failed_database_write_still_renders_the_error_page_for_a_logged_in_user(
        database_uri):
    with build_app(base_config(database_uri), _failing_write_route) as app:
        factories.build_world()
        client = app.test_client()
        assert login(client, "klantmanager").status_code == 302
        response = client.get("/test-dubbel")
        expected_title = text(app, "Something went wrong on our side")
        after = client.get("/wachtwoord")
    assert response.status_code == 500
    assert expected_title in response.text
    assert "Sanne Bosman" in response.text  # the header still knows who is logged in
    assert "IntegrityError" not in response.text and "UNIQUE" not in response.text
    assert after.status_code == 200  # and the next request works normally


def _aborting_routes(app) -> None:
    @app.route("/test-weg")
    @public
    def gone():
        abort(410)

    @app.route("/test-onverwerkbaar")
    @public
    def unprocessable():
        abort(422)


@pytest.mark.parametrize(("path", "status"), [("/test-weg", 410), ("/test-onverwerkbaar", 422)])
def test_other_client_errors_keep_their_status(database_uri, path, status):
    """An error the page list does not name is still the client's error, not a 500."""
    with build_app(base_config(database_uri), _aborting_routes) as app:
        response = app.test_client().get(path)
        expected_title = text(app, "Something went wrong with your request")
    assert response.status_code == status
    assert expected_title in response.text


def test_page_not_found_uses_the_error_page(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert '<html lang="nl"' in response.text
    assert text(client.application, "Page not found") in response.text
    assert text(client.application, "Go to the home page") in response.text


def test_forbidden_uses_the_error_page(klantmanager_client):
    response = klantmanager_client.get("/beheer/gebruikers")
    assert response.status_code == 403
    assert text(klantmanager_client.application,
                "You do not have access to this page") in response.text
    assert "Traceback" not in response.text


def test_method_not_allowed_uses_the_error_page(client):
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert text(client.application, "This action is not possible here") in response.text
    assert response.headers.get("Allow"), "a 405 names the methods that are allowed"
    assert "POST" in response.headers["Allow"]


def test_an_expired_form_uses_the_error_page(client, world):
    response = client.post("/inloggen", csrf=False,
                           data={"username": "klantmanager", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert text(client.application, "The form has expired") in response.text
    assert client.get("/").status_code == 302  # not logged in


def test_make_run_serves_on_the_port_in_port():
    """``PORT=5001 make run`` (a second checkout, or 5000 taken): the dry run shows the port."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PORT": "5001"}
    shown = subprocess.run(["make", "-n", "run"], cwd=root, env=env, capture_output=True,
                           text=True, check=True).stdout
    assert "--port 5001" in shown
    env.pop("PORT")
    default = subprocess.run(["make", "-n", "run"], cwd=root, env=env, capture_output=True,
                             text=True, check=True).stdout
    assert "--port 5000" in default
