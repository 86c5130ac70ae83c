"""Configuration from the environment, and the refusal to run unsafely."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask

from tests import factories
from tests.auth.session_support import idle_for
from tests.conftest import TEST_SECRET, base_config, current_code
from trajectory import create_app
from trajectory.config import ConfigurationError, load_config
from trajectory.extensions import db

KEY_48 = "k" * 24 + "0123456789abcdefghijklmn"  # 48 characters
assert len(KEY_48) == 48


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Nothing from the developer's or CI's environment leaks into these tests."""
    for name in list(os.environ):
        if name.startswith(("TRAJECTORY_", "FLASK_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)


def production(**overrides) -> dict:
    """A configuration without TESTING or DEBUG (and without a secret key)."""
    return {"SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides}


def dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def app_with_world(config: dict) -> Flask:
    """An app built here (after the environment is set) on a database with the demo world."""
    app = create_app(config)
    with app.app_context():
        factories.build_world()
        db.session.remove()
    return app


def log_in(client, base_url: str = "http://localhost"):
    """Log in as a browser would: the CSRF token from the page, a same-site Referer."""
    page = client.get("/inloggen", base_url=base_url)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post("/inloggen", base_url=base_url,
                           headers={"Referer": f"{base_url}/inloggen"},
                           data={"username": "klantmanager", "password": factories.PASSWORD,
                                 "csrf_token": token})
    if response.headers.get("Location", "").startswith("/inloggen/code"):  # the second step
        with client.application.app_context():
            code = current_code("klantmanager")
        page = client.get("/inloggen/code", base_url=base_url)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        response = client.post("/inloggen/code", base_url=base_url,
                               headers={"Referer": f"{base_url}/inloggen/code"},
                               data={"code": code, "csrf_token": token})
    return response


# -------------------------------------------------------------- secret key

def test_production_without_a_secret_key_refuses_to_start():
    config = production()
    assert "SECRET_KEY" not in config
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_the_same_configuration_starts_with_a_real_secret_key():
    """The control for the test above: only the key was missing."""
    app = create_app(production(SECRET_KEY=KEY_48))
    assert not app.testing and not app.debug
    assert app.secret_key == KEY_48
    dispose(app)


@pytest.mark.parametrize("variable", ["TRAJECTORY_SECRET_KEY", "FLASK_SECRET_KEY"])
def test_the_secret_key_is_read_from_the_environment(monkeypatch, variable):
    monkeypatch.setenv(variable, KEY_48)
    app = create_app(production())
    assert app.secret_key == KEY_48
    dispose(app)


def test_a_secret_key_in_the_environment_is_not_dropped_by_test_overrides(monkeypatch):
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", KEY_48)
    app = create_app(production(LOG_LEVEL="WARNING"))
    assert app.secret_key == KEY_48
    dispose(app)


@pytest.mark.parametrize("key", ["", "x" * 31, "too-short-but-not-empty"])
def test_a_short_secret_key_is_refused(key):
    with pytest.raises(ConfigurationError):
        create_app(production(SECRET_KEY=key))


def test_a_short_secret_key_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", "x" * 31)
    with pytest.raises(ConfigurationError):
        create_app(production())


def test_a_32_character_key_is_just_long_enough():
    app = create_app(production(SECRET_KEY="x" * 32))
    assert app.secret_key == "x" * 32
    dispose(app)


def test_testing_may_run_with_a_short_fixed_key():
    app = create_app(production(TESTING=True, SECRET_KEY="short"))
    assert app.secret_key == "short"
    dispose(app)


# -------------------------------------------------------------- environment

def test_settings_from_the_environment_are_json_decoded(monkeypatch):
    monkeypatch.setenv("TRAJECTORY_IDLE_TIMEOUT_MINUTES", "15")
    app = create_app(production(SECRET_KEY=KEY_48))
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 15
    assert isinstance(app.config["IDLE_TIMEOUT_MINUTES"], int)
    dispose(app)


def test_the_idle_timeout_from_the_environment_logs_an_idle_user_out(monkeypatch, database_uri):
    monkeypatch.setenv("TRAJECTORY_IDLE_TIMEOUT_MINUTES", "15")
    app = app_with_world(base_config(database_uri))
    client = app.test_client()
    assert log_in(client).status_code == 302

    with app.app_context():
        idle_for(client, 14)
    assert client.get("/wachtwoord").status_code == 200

    with app.app_context():
        idle_for(client, 16)
    response = client.get("/wachtwoord")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")
    dispose(app)


@pytest.mark.parametrize("given", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_database_url_selects_postgresql_with_psycopg_3(monkeypatch, given):
    monkeypatch.setenv("DATABASE_URL", given)
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    dispose(app)


def test_a_psycopg_url_is_kept_as_it_is(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@h:5433/db")
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h:5433/db"
    dispose(app)


def test_without_database_url_the_sqlite_file_is_in_the_instance_folder():
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET})
    expected = Path(app.instance_path) / "trajectory.sqlite"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"
    assert Path(app.instance_path).name == "instance"
    assert expected.parent.is_dir()
    dispose(app)


def test_load_config_puts_the_sqlite_file_in_any_instance_folder(tmp_path):
    app = Flask("trajectory", instance_path=str(tmp_path / "inst"))
    app.testing = True
    load_config(app, {"SECRET_KEY": TEST_SECRET, "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'trajectory.sqlite'}"
    assert (tmp_path / "inst").is_dir()


# ------------------------------------------------------------------ cookies

def test_session_cookies_are_secure_by_default_outside_debug_and_testing():
    app = create_app(production(SECRET_KEY=KEY_48))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    dispose(app)


def test_session_cookies_are_not_secure_by_default_in_testing():
    app = create_app(production(SECRET_KEY=KEY_48, TESTING=True))
    assert app.config["SESSION_COOKIE_SECURE"] is False
    dispose(app)


def test_secure_cookies_can_be_switched_off_explicitly(monkeypatch):
    """For a deployment that serves plain HTTP on purpose (an internal test server)."""
    monkeypatch.setenv("TRAJECTORY_SESSION_COOKIE_SECURE", "false")
    app = create_app(production(SECRET_KEY=KEY_48))
    assert app.config["SESSION_COOKIE_SECURE"] is False
    dispose(app)


def test_a_production_login_sets_a_secure_httponly_lax_cookie(database_uri):
    config = base_config(database_uri)
    del config["TESTING"]
    app = app_with_world({**config, "SECRET_KEY": KEY_48})
    assert not app.testing
    client = app.test_client()
    response = log_in(client, base_url="https://trajectory.example")
    assert response.status_code == 302, response.text
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-trajectory"
    cookies = [c for c in response.headers.getlist("Set-Cookie")
               if c.startswith("__Host-trajectory=")]
    assert len(cookies) == 1
    attributes = {part.strip().split("=")[0].lower(): part.strip()
                  for part in cookies[0].split(";")[1:]}
    assert "secure" in attributes
    assert "httponly" in attributes
    assert attributes.get("samesite") == "SameSite=Lax"
    # And the session works over HTTPS.
    assert client.get("/wachtwoord", base_url="https://trajectory.example").status_code == 200
    dispose(app)
