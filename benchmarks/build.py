"""The databases to measure: built once per (size, database, migration head, generator
version) and cached; every run serves a fresh copy, so contacts posted and processing-log
lines written by one run never change the next one's data."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks.settings import ROOT, Settings


class BuildError(RuntimeError):
    """Migrating or generating a database failed (the log file says why)."""


@dataclass(frozen=True)
class Built:
    database: str
    size: int
    url: str  # the copy to serve
    seconds: float  # building, 0 when cached
    cached: bool
    generated: bool  # False: the generator is missing, only the plain demo
    key: dict
    upgraded: float | None = None  # seconds of ``flask db upgrade`` on an older build


# The parts of a cache key that BENCH_UPGRADE lets differ: what migrations can bring up to
# date. The size, seed, database and secret key must match.
UPGRADABLE = ("migration_head", "generator_version")


def upgradable(stored: dict | None, key: dict, settings: Settings) -> bool:
    """True when ``settings.upgrade`` is on and the cached build differs from ``key`` only
    in its migration head or generator version."""
    if not settings.upgrade or stored is None or "key" not in stored:
        return False
    old = stored["key"]
    return all(old.get(name) == value for name, value in key.items() if name not in UPGRADABLE)


def _last_upgrade(stored: dict) -> float | None:
    """Seconds of the latest upgrade of a cached build (now or in an earlier run), if any."""
    upgrades = stored.get("upgrades") or []
    return upgrades[-1]["seconds"] if upgrades else None


def _upgrade(url: str, stored: dict, key: dict, secret: str, log: Path) -> dict:
    """Migrate a cached build to the current head and record it in its manifest."""
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"# upgrading a build of {json.dumps(stored['key'])}\n")
    _flask(["db", "upgrade"], url, secret, log)
    if url.startswith("postgresql"):
        # Planner statistics for the tables and indexes the migrations added, as the
        # generator gives a fresh build (autovacuum would, some minutes later).
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("ANALYZE"))
        finally:
            engine.dispose()
    history = [*stored.get("upgrades", []),
               {"from": {name: stored["key"].get(name) for name in UPGRADABLE},
                "seconds": round(time.perf_counter() - started, 1)}]
    return {**stored, "key": key, "upgrades": history}


def secret_key(directory: Path) -> str:
    """One key for the bench: the demo's second-factor secrets are encrypted with it."""
    path = directory / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def migration_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    files = list((ROOT / "migrations" / "versions").glob("*.py"))
    return f"{'+'.join(sorted(heads))}@{_digest(files)}"


def generator_version() -> str:
    """The generator's own version when it declares one, and a digest of the demo code."""
    files = [*(ROOT / "trajectory" / "demo").glob("*.py"),
             *(ROOT / "trajectory").glob("*/demo.py")]
    declared = ""
    try:
        from trajectory.demo import generator

        declared = str(getattr(generator, "GENERATOR_VERSION", "") or "")
    except ImportError:
        declared = "none"
    return f"{declared}@{_digest(files)}" if declared else _digest(files)


def cache_key(database: str, size: int, settings: Settings, secret: str) -> dict:
    return {"database": database, "size": size, "seed": settings.seed,
            "migration_head": migration_head(), "generator_version": generator_version(),
            "secret": hashlib.sha256(secret.encode()).hexdigest()[:12]}


def generator_available() -> bool:
    help_text = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "flask", "--app", "trajectory", "demo", "--help"],
        cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return "--candidates" in help_text


def _flask(args: list[str], url: str, secret: str, log: Path) -> None:
    env = {**os.environ, "DATABASE_URL": url, "TRAJECTORY_SECRET_KEY": secret,
           "TRAJECTORY_LOG_LEVEL": "WARNING"}
    with log.open("a") as out:
        out.write(f"$ flask --app trajectory {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "flask", "--app", "trajectory", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise BuildError(f"flask {' '.join(args)} failed (exit {done.returncode}); see {log}")


def _fill(url: str, size: int, settings: Settings, secret: str, log: Path) -> bool:
    """Migrate and load the demo (plus ``size`` generated candidates); True if generated."""
    _flask(["db", "upgrade"], url, secret, log)
    generated = size > 0 and generator_available()
    if generated:
        _flask(["demo", "--candidates", str(size), "--seed", str(settings.seed)], url, secret, log)
    else:
        _flask(["demo"], url, secret, log)
    return generated


# ------------------------------------------------------------------ SQLite


def _sqlite(size: int, settings: Settings, secret: str) -> Built:
    directory = settings.directory
    built = directory / f"sqlite-{size}.sqlite"
    manifest = directory / f"sqlite-{size}.json"
    key = cache_key("sqlite", size, settings, secret)
    stored = json.loads(manifest.read_text()) if manifest.exists() and built.exists() else None
    started = time.perf_counter()
    cached = stored is not None and stored.get("key") == key
    if not cached and upgradable(stored, key, settings):
        stored = _upgrade(f"sqlite:///{built}", stored, key, secret,
                          directory / f"build-sqlite-{size}.log")
        manifest.write_text(json.dumps(stored, indent=2))
        cached = True
    upgraded = _last_upgrade(stored) if cached else None
    if not cached:
        for stale in (built, manifest, *directory.glob(f"sqlite-{size}.sqlite-*")):
            stale.unlink(missing_ok=True)
        log = directory / f"build-sqlite-{size}.log"
        log.write_text("")
        generated = _fill(f"sqlite:///{built}", size, settings, secret, log)
        stored = {"key": key, "generated": generated,
                  "seconds": round(time.perf_counter() - started, 1)}
        manifest.write_text(json.dumps(stored, indent=2))
    run = directory / f"sqlite-{size}-run.sqlite"
    for stale in (run, *directory.glob(f"sqlite-{size}-run.sqlite-*")):
        stale.unlink(missing_ok=True)
    source, target = sqlite3.connect(built), sqlite3.connect(run)
    try:
        source.backup(target)  # consistent even with a WAL file beside it
    finally:
        source.close()
        target.close()
    return Built("sqlite", size, f"sqlite:///{run}", 0.0 if cached else stored["seconds"],
                 cached, stored["generated"], key, upgraded)


# ------------------------------------------------------------------ PostgreSQL


def postgres_problem(settings: Settings) -> str | None:
    """None when the server answers, else why not (the bench skips PostgreSQL)."""
    engine = sa.create_engine(settings.postgres_url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    finally:
        engine.dispose()
    return None


def _database_url(settings: Settings, name: str) -> str:
    return sa.make_url(settings.postgres_url).set(database=name).render_as_string(
        hide_password=False)


def _drop(conn, name: str) -> None:
    conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))


def _postgres(size: int, settings: Settings, secret: str) -> Built:
    name, run = f"bench_{size}", f"bench_{size}_run"
    key = cache_key("postgres", size, settings, secret)
    admin = sa.create_engine(settings.postgres_url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    try:
        with admin.connect() as conn:
            comment = conn.execute(sa.text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :n"), {"n": name}).scalar()
            stored = json.loads(comment) if comment and comment.startswith("{") else None
            cached = stored is not None and stored.get("key") == key
        if not cached and upgradable(stored, key, settings):
            stored = _upgrade(_database_url(settings, name), stored, key, secret,
                              settings.directory / f"build-postgres-{size}.log")
            _comment(admin, name, stored)
            cached = True
        upgraded = _last_upgrade(stored) if cached else None
        with admin.connect() as conn:
            if not cached:
                _drop(conn, run)
                _drop(conn, name)
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        if not cached:
            log = settings.directory / f"build-postgres-{size}.log"
            log.write_text("")
            generated = _fill(_database_url(settings, name), size, settings, secret, log)
            stored = {"key": key, "generated": generated,
                      "seconds": round(time.perf_counter() - started, 1)}
            _comment(admin, name, stored)
        with admin.connect() as conn:
            _drop(conn, run)
            conn.execute(sa.text(f'CREATE DATABASE "{run}" TEMPLATE "{name}"'))
    finally:
        admin.dispose()
    return Built("postgres", size, _database_url(settings, run),
                 0.0 if cached else stored["seconds"], cached, stored["generated"], key,
                 upgraded)


def _comment(admin, name: str, stored: dict) -> None:
    """The manifest of a PostgreSQL build: the database's comment."""
    with admin.connect() as conn:
        conn.execute(sa.text(f'COMMENT ON DATABASE "{name}" IS '
                             + "'" + json.dumps(stored).replace("'", "''") + "'"))


def prepare(database: str, size: int, settings: Settings, secret: str) -> Built:
    """A fresh copy of the cached database (built first when missing or out of date)."""
    settings.directory.mkdir(parents=True, exist_ok=True)
    return (_sqlite if database == "sqlite" else _postgres)(size, settings, secret)
