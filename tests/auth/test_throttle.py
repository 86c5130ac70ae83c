"""The login throttle in a store shared by all workers: the database, or Redis.

Every test runs against both stores. Redis is expected on 127.0.0.1:6379; where it
does not answer the Redis half is skipped with the reason, except in CI, where it fails.
The throttle's clock is moved by the tests instead of sleeping.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import CsrfClient, base_config, current_code
from tests.factories import PASSWORD
from trajectory import create_app
from trajectory.audit.models import SecurityEvent
from trajectory.auth.models import LoginFailureCount
from trajectory.auth.throttle import DatabaseStore, RedisStore, throttle
from trajectory.extensions import db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WRONG = "this-is-not-the-password"


def redis_unreachable() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure means unreachable
        return f"Redis unreachable at {REDIS_URL}: {type(error).__name__}"
    return None


@pytest.fixture(params=["database", "redis"])
def store_kind(request) -> str:
    if request.param == "redis" and (reason := redis_unreachable()):
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI must not skip the Redis half silently
        pytest.skip(reason)
    return request.param


@pytest.fixture
def app_config(app_config, store_kind):
    if store_kind == "redis":
        return {**app_config, "LOGIN_THROTTLE_STORAGE_URI": REDIS_URL}
    return app_config


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def prefix() -> str:
    """Redis keys of one test only (the tests run in parallel on one Redis)."""
    return f"trajectory-test:{uuid.uuid4().hex}:"


def _wire(application, clock: Clock, prefix: str) -> None:
    limiter = throttle(application)
    limiter.clock = clock
    if isinstance(limiter.store, RedisStore):
        limiter.store.prefix = prefix


@pytest.fixture
def clock(app, prefix) -> Clock:
    moving = Clock()
    _wire(app, moving, prefix)
    return moving


def attempt(application, username: str, password: str, address: str):
    return application.test_client().post(
        "/inloggen", data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address})


def refusals() -> list[SecurityEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SecurityEvent).where(
        SecurityEvent.event == "login_throttled")))


def test_the_store_is_the_one_configured(app, store_kind):
    expected = RedisStore if store_kind == "redis" else DatabaseStore
    assert isinstance(throttle(app).store, expected)


def test_failures_on_an_account_delay_it_briefly_and_the_right_password_gets_in(
        app, world, clock):
    for n in range(5):
        assert attempt(app, "klantmanager", WRONG, f"10.0.0.{n + 1}").status_code == 200
    # The sixth attempt, even with the right password from a fresh address, waits ...
    refused = attempt(app, "klantmanager", PASSWORD, "10.9.9.9")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert "<h1" in refused.text and 'name="username"' in refused.text
    [event] = refusals()
    assert (event.event, event.result, event.username, event.origin_ip) == (
        "login_throttled", "refused", "klantmanager", "10.9.9.9")
    # ... a moment, then gets in (to the code step).
    clock.advance(2)
    assert attempt(app, "klantmanager", PASSWORD, "10.9.9.9").status_code == 302
    # Another account was never affected.
    assert attempt(app, "klantmanager2", PASSWORD, "10.9.9.8").status_code == 302


def test_someone_elses_failures_never_lock_the_right_password_out_longer_than_the_cap(
        app, world, clock):
    cap = app.config["LOGIN_THROTTLE_MAX_DELAY_SECONDS"]
    for n in range(25):  # a persistent attacker from many addresses, as fast as allowed
        response = attempt(app, "buddy", WRONG, f"10.1.{n // 200}.{n % 200}")
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) <= cap + 1
            clock.advance(int(response.headers["Retry-After"]))
            response = attempt(app, "buddy", WRONG, f"10.1.{n // 200}.{n % 200}")
        assert response.status_code == 200
    wait = throttle(app).wait_seconds("buddy", "192.0.2.1")
    assert 0 < wait <= cap + 1
    clock.advance(wait)
    assert attempt(app, "buddy", PASSWORD, "192.0.2.1").status_code == 302


def test_one_address_that_guesses_a_lot_waits_much_longer(app, world, clock):
    for n in range(5 + 9):  # many accounts from one address
        response = attempt(app, f"niemand{n}", WRONG, "10.6.6.6")
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
            response = attempt(app, f"niemand{n}", WRONG, "10.6.6.6")
        assert response.status_code == 200
    wait = throttle(app).wait_seconds("iemand-anders", "10.6.6.6")
    assert wait > app.config["LOGIN_THROTTLE_MAX_DELAY_SECONDS"]  # stricter than an account
    assert attempt(app, "intaker", PASSWORD, "10.6.6.6").status_code == 429
    # The real users elsewhere are not touched by it.
    assert attempt(app, "intaker", PASSWORD, "10.7.7.7").status_code == 302


def test_two_workers_share_the_count(app, world, clock, app_config, prefix):
    other = create_app(app_config)  # a second process on the same database (and Redis)
    other.test_client_class = CsrfClient
    _wire(other, clock, prefix)
    try:
        for n in range(5):
            worker = app if n % 2 == 0 else other
            with worker.app_context():
                assert attempt(worker, "coordinator", WRONG, f"10.2.0.{n}").status_code == 200
        with other.app_context():
            assert attempt(other, "coordinator", PASSWORD, "10.2.1.1").status_code == 429
        assert attempt(app, "coordinator", PASSWORD, "10.2.1.2").status_code == 429
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_wrong_codes_count_too_and_a_complete_login_clears_the_account(app, world, clock):
    client = app.test_client()
    env = {"REMOTE_ADDR": "10.3.3.3"}
    assert client.post("/inloggen", data={"username": "adviseur", "password": PASSWORD},
                       environ_base=env).headers["Location"] == "/inloggen/code"
    for _ in range(5):
        response = client.post("/inloggen/code", data={"code": "000000"}, environ_base=env)
        assert response.status_code == 200
    # The right code now is refused too, for a moment.
    refused = client.post("/inloggen/code", data={"code": current_code("adviseur")},
                          environ_base=env)
    assert refused.status_code == 429
    assert refusals()[-1].username == "adviseur"
    clock.advance(int(refused.headers["Retry-After"]))
    response = client.post("/inloggen/code", data={"code": current_code("adviseur")},
                           environ_base=env)
    assert response.status_code == 302
    # The account's count is gone; the address's stays.
    assert throttle(app).wait_seconds("adviseur", "10.4.4.4") == 0
    counts = throttle(app).store.read(["account:adviseur", "address:10.3.3.3"])
    assert "account:adviseur" not in counts
    assert counts["address:10.3.3.3"][0] == 5


def test_a_throttled_attempt_is_not_tested_and_not_counted(app, world, clock):
    for n in range(5):
        attempt(app, "intaker2", WRONG, f"10.5.0.{n}")
    for _ in range(10):  # hammering during the delay does not make it longer
        assert attempt(app, "intaker2", WRONG, "10.5.1.1").status_code == 429
    clock.advance(2)
    assert attempt(app, "intaker2", PASSWORD, "10.5.1.1").status_code == 302


def test_failures_older_than_the_window_are_forgotten(app, world, clock):
    for n in range(5):
        attempt(app, "klantmanager", WRONG, f"10.8.0.{n}")
    clock.advance(app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] + 1)
    assert throttle(app).wait_seconds("klantmanager", "10.8.0.1") == 0
    attempt(app, "klantmanager", WRONG, "10.8.0.9")
    assert throttle(app).wait_seconds("klantmanager", "10.8.1.1") == 0  # counting from 1 again


def test_redis_that_does_not_answer_falls_back_to_the_database(database_uri):
    broken = create_app({**base_config(database_uri),
                         "LOGIN_THROTTLE_STORAGE_URI": "redis://127.0.0.1:1/0"})
    broken.test_client_class = CsrfClient
    with broken.app_context():
        throttle(broken).clock = Clock()
        for n in range(5):
            assert attempt(broken, "niemand", WRONG, f"10.9.0.{n}").status_code == 200
        assert attempt(broken, "niemand", WRONG, "10.9.1.1").status_code == 429
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailureCount)) >= 2
        db.session.remove()
        db.engine.dispose()
