"""The login throttle, shared by every app process.

Failed attempts (a wrong password, a wrong second-factor code) are counted per
account and per origin address in one store that all workers share: Redis when
``LOGIN_THROTTLE_STORAGE_URI`` (or else ``RATELIMIT_STORAGE_URI``) is a
``redis://`` URL, otherwise the ``login_throttle`` table of the database.

After ``LOGIN_THROTTLE_FREE_FAILURES`` failures within
``LOGIN_THROTTLE_WINDOW_SECONDS``, the next attempt must wait a delay that
doubles with every further failure (1, 2, 4 ... seconds after the last one),
capped per account at ``LOGIN_THROTTLE_MAX_DELAY_SECONDS`` (30 s) and per
address at ``LOGIN_THROTTLE_ADDRESS_MAX_DELAY_SECONDS`` (15 minutes). So
someone else's failures never keep the right password out of an account for
longer than the short account cap, while one address that guesses a lot waits
long. Refused attempts are not counted (they tested nothing) and each writes a
security event ``login_throttled``. A complete login clears the account's count
(never the address's).

If Redis does not answer, the database store takes over for that request
(logged), so the throttle neither fails open nor locks everybody out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from trajectory.auth.models import LoginFailureCount
from trajectory.extensions import db

EXTENSION = "trajectory.login_throttle"


class Store(Protocol):
    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]: ...
    def add_failure(self, key: str, now: float, window: float) -> int: ...
    def clear(self, key: str) -> None: ...


class DatabaseStore:
    """The ``login_throttle`` table, written in the request's transaction."""

    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        rows = db.session.execute(
            sa.select(LoginFailureCount.key, LoginFailureCount.failures,
                      LoginFailureCount.last_failure)
            .where(LoginFailureCount.key.in_(keys))).all()
        return {row.key: (row.failures, row.last_failure) for row in rows}

    def add_failure(self, key: str, now: float, window: float) -> int:
        table = LoginFailureCount.__table__
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(table).values(key=key, failures=1, last_failure=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": sa.case((table.c.last_failure < now - window, 1),
                                      else_=table.c.failures + 1),
                  "last_failure": now},
        ).returning(table.c.failures)
        failures = db.session.execute(stmt).scalar_one()
        # Forget what is older than the window, so the table stays small.
        db.session.execute(sa.delete(table).where(table.c.last_failure < now - window))
        return failures

    def clear(self, key: str) -> None:
        db.session.execute(sa.delete(LoginFailureCount).where(LoginFailureCount.key == key))


_REDIS_ADD = """
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local now = tonumber(ARGV[1])
local n
if now - last > tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'failures', 1)
  n = 1
else
  n = redis.call('HINCRBY', KEYS[1], 'failures', 1)
end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return n
"""


class RedisStore:
    """One hash per key in Redis; the increment is one atomic script."""

    prefix = "trajectory:login-throttle:"

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._add = self.client.register_script(_REDIS_ADD)

    def read(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hmget(self.prefix + key, "failures", "last")
        found = {}
        for key, (failures, last) in zip(keys, pipe.execute(), strict=True):
            if failures is not None and last is not None:
                found[key] = (int(failures), float(last))
        return found

    def add_failure(self, key: str, now: float, window: float) -> int:
        # The key outlives the window by a day, whatever clock the caller uses.
        return int(self._add(keys=[self.prefix + key],
                             args=[repr(now), repr(window), int(window) + 86400]))

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


@dataclass
class Rule:
    free: int
    max_delay: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last failure, with ``failures`` counted."""
        if failures < self.free:
            return 0.0
        return float(min(self.max_delay, 2 ** (failures - self.free)))


class LoginThrottle:
    def __init__(self, store: Store, *, account: Rule, address: Rule, window: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.account = account
        self.address = address
        self.window = window
        self.clock = clock
        self._fallback: Store = DatabaseStore()

    @staticmethod
    def keys(username: str | None, address: str | None) -> tuple[str, str]:
        return ("account:" + (username or "").strip().lower()[:64],
                "address:" + (address or "unknown")[:64])

    def _call(self, method: str, *args):
        try:
            return getattr(self.store, method)(*args)
        except Exception as error:  # noqa: BLE001 - any store failure: use the database
            if isinstance(self.store, DatabaseStore):
                raise
            current_app.logger.error("login throttle store failed (%s); using the database",
                                     type(error).__name__)
            return getattr(self._fallback, method)(*args)

    def wait_seconds(self, username: str | None, address: str | None) -> int:
        """0 when an attempt may be made now, else the whole seconds to wait."""
        account_key, address_key = self.keys(username, address)
        counts = self._call("read", [account_key, address_key])
        now = self.clock()
        wait = 0.0
        for key, rule in ((account_key, self.account), (address_key, self.address)):
            if key not in counts:
                continue
            failures, last = counts[key]
            if now - last > self.window:
                continue
            wait = max(wait, last + rule.delay(failures) - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, username: str | None, address: str | None) -> None:
        now = self.clock()
        for key in self.keys(username, address):
            self._call("add_failure", key, now, self.window)

    def succeeded(self, username: str | None) -> None:
        self._call("clear", self.keys(username, None)[0])


def storage_uri(app: Flask) -> str | None:
    uri = app.config.get("LOGIN_THROTTLE_STORAGE_URI") or app.config.get("RATELIMIT_STORAGE_URI")
    if uri and str(uri).startswith(("redis://", "rediss://", "unix://")):
        return str(uri)
    return None


def build(app: Flask, clock: Callable[[], float] = time.time) -> LoginThrottle:
    cfg = app.config
    uri = storage_uri(app)
    store: Store = RedisStore(uri) if uri else DatabaseStore()
    return LoginThrottle(
        store,
        account=Rule(int(cfg["LOGIN_THROTTLE_FREE_FAILURES"]),
                     float(cfg["LOGIN_THROTTLE_MAX_DELAY_SECONDS"])),
        address=Rule(int(cfg["LOGIN_THROTTLE_ADDRESS_FREE_FAILURES"]),
                     float(cfg["LOGIN_THROTTLE_ADDRESS_MAX_DELAY_SECONDS"])),
        window=float(cfg["LOGIN_THROTTLE_WINDOW_SECONDS"]),
        clock=clock,
    )


def throttle(app: Flask | None = None) -> LoginThrottle:
    """This app's throttle (built on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = build(app)
    return app.extensions[EXTENSION]
