"""``flask --app trajectory backup DIR`` and ``restore DIR``: the database and the evidence.

A backup is a folder with three things:

- the database: ``database.dump`` (PostgreSQL, ``pg_dump`` custom format) or
  ``database.sqlite`` (SQLite, Python's ``sqlite3`` online backup API, safe while the
  app runs: it reads one consistent snapshot through the write-ahead log, so rows still
  in ``trajectory.sqlite-wal`` are in the copy; the copy is one self-contained file);
- ``evidence/``: a copy of the evidence folder (``EVIDENCE_DIR``);
- ``manifest.json``: when, the backend, the Alembic revision, the row count of every
  table (from the same snapshot as the dump) and a SHA-256 of every file.

``restore`` checks the manifest and every checksum before it touches anything, then
restores into an empty database only (``--force`` replaces a database that has rows),
restores the evidence folder, and compares the row counts with the manifest.

Refusals: one Dutch line on stderr starting with ``fout:``, exit status 2. A restore
whose counts differ afterwards exits 1. See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from trajectory.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.dump"
EVIDENCE = "evidence"


def _fail(message: str) -> NoReturn:
    click.echo(f"fout: {' '.join(message.splitlines())}", err=True)
    raise SystemExit(2)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _evidence_dir() -> Path:
    from trajectory.valuation.evidence import evidence_dir

    return evidence_dir()


def _backend(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        return "postgresql"
    _fail(f"backup kent database '{url.get_backend_name()}' niet (alleen SQLite en PostgreSQL)")


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        _fail("een SQLite-database in het geheugen kan niet worden geback-upt of teruggezet")
    return Path(url.database)


def _pg_env(url: sa.URL) -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore; the password via the environment, never argv."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _user_tables(conn: sa.Connection) -> list[str]:
    return sorted(t for t in sa.inspect(conn).get_table_names() if t != "alembic_version")


def _counts(conn: sa.Connection, tables: list[str]) -> dict[str, int]:
    return {t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one()
            for t in tables}


def _revision(conn: sa.Connection) -> str | None:
    if "alembic_version" not in sa.inspect(conn).get_table_names():
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


# ------------------------------------------------------------------ backup

@click.command("backup")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database and the evidence folder into DIRECTORY (new or empty)."""
    if directory.exists() and any(directory.iterdir()):
        _fail(f"map '{directory}' is niet leeg; kies een nieuwe map voor elke back-up")
    url = db.engine.url
    backend = _backend(url)
    _private_dir(directory)
    try:
        if backend == "sqlite":
            database_file, counts, revision = _backup_sqlite(url, directory)
        else:
            database_file, counts, revision = _backup_postgres(url, directory)
    except Exception:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    evidence = _copy_evidence(_evidence_dir(), directory / EVIDENCE)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "backend": backend,
        "alembic_revision": revision,
        "database_file": database_file.name,
        "database_sha256": sha256_of(database_file),
        "row_counts": counts,
        "evidence": evidence,
    }
    target = directory / MANIFEST
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(target, 0o600)
    click.echo(f"Back-up gemaakt in {directory}: {sum(counts.values())} rijen in "
               f"{len(counts)} tabellen, {len(evidence['files'])} bewijsbestanden "
               f"(revisie {revision}).")


def _app_version() -> str:
    from trajectory import __version__

    return __version__


def _backup_sqlite(url: sa.URL, directory: Path) -> tuple[Path, dict[str, int], str | None]:
    source = _sqlite_path(url)
    if not source.exists():
        _fail(f"database '{source}' bestaat niet")
    target = directory / SQLITE_FILE
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()
    os.chmod(target, 0o600)
    # Count in the copy itself: the manifest describes exactly what was saved.
    engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            counts, revision = _counts(conn, _user_tables(conn)), _revision(conn)
    finally:
        engine.dispose()
    _self_contained(target)
    return target, counts, revision


def _self_contained(path: Path) -> None:
    """The copy as one file: the backup API copies the source's write-ahead-log mode along
    (and the counting connection sets it), so switch the copy to a rollback journal. Then
    no ``-wal`` or ``-shm`` file belongs with it and it opens from read-only media; the app
    sets WAL again on the restored database's first connection."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _backup_postgres(url: sa.URL, directory: Path) -> tuple[Path, dict[str, int], str | None]:
    target = directory / PG_FILE
    if shutil.which("pg_dump") is None:
        _fail("pg_dump is niet gevonden; installeer de PostgreSQL-clientprogramma's")
    # One snapshot for the counts and for pg_dump (--snapshot), so they agree.
    pg_dump = shutil.which("pg_dump") or "pg_dump"
    engine = db.engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        counts, revision = _counts(conn, _user_tables(conn)), _revision(conn)
        result = subprocess.run(  # noqa: S603 - fixed program, arguments not from users
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
             "--no-password"],
            env=_pg_env(url), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        _fail(f"pg_dump mislukte: {result.stderr.strip()[:300]}")
    os.chmod(target, 0o600)
    return target, counts, revision


def _copy_evidence(source: Path, target: Path) -> dict[str, Any]:
    _private_dir(target)
    files: dict[str, str] = {}
    total = 0
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = path.relative_to(source)
            destination = target / relative
            _private_dir(destination.parent)
            shutil.copyfile(path, destination)
            os.chmod(destination, 0o600)
            files[relative.as_posix()] = sha256_of(destination)
            total += destination.stat().st_size
    return {"files": files, "bytes": total}


# ------------------------------------------------------------------ restore

def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest, checked against the files beside it (refuses on any difference)."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(f"map '{directory}' bevat geen {MANIFEST}; dit is geen back-up van Trajectory")
    except (OSError, ValueError) as error:
        _fail(f"{MANIFEST} is onleesbaar: {error}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        _fail(f"{MANIFEST} heeft een onbekende opmaak")
    try:
        database = directory / Path(manifest["database_file"]).name
        if not database.is_file() or sha256_of(database) != manifest["database_sha256"]:
            _fail(f"het databasebestand klopt niet met {MANIFEST} (ontbreekt of is veranderd)")
        for name, checksum in manifest["evidence"]["files"].items():
            file = (directory / EVIDENCE / name).resolve()
            if (directory / EVIDENCE).resolve() not in file.parents:
                _fail(f"bewijsbestand '{name}' ligt buiten de back-up")
            if not file.is_file() or sha256_of(file) != checksum:
                _fail(f"bewijsbestand '{name}' klopt niet met {MANIFEST} (ontbreekt of is "
                      "veranderd)")
        if not isinstance(manifest["row_counts"], dict):
            raise TypeError
    except (KeyError, TypeError, AttributeError):
        _fail(f"{MANIFEST} mist gegevens")
    return manifest


def _known_revision(revision: str | None) -> bool:
    from alembic.script import ScriptDirectory

    if revision is None:
        return True
    config = current_app.extensions["migrate"].migrate.get_config()
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        return False


@click.command("restore")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace a database (and evidence folder) that "
              "already holds data.")
@with_appcontext
def restore_command(directory: Path, force: bool) -> None:
    """Restore the backup in DIRECTORY into the configured (empty) database and evidence folder."""
    manifest = read_manifest(directory)
    url = db.engine.url
    backend = _backend(url)
    if manifest["backend"] != backend:
        _fail(f"de back-up is van {manifest['backend']}, de database is {backend}")
    if not _known_revision(manifest.get("alembic_revision")):
        _fail(f"de back-up heeft databaserevisie '{manifest.get('alembic_revision')}', die deze "
              "versie van Trajectory niet kent; zet hem terug met de versie die hem maakte")
    with db.engine.connect() as conn:
        tables = _user_tables(conn)
        rows = sum(_counts(conn, tables).values())
    if rows and not force:
        _fail(f"de database bevat al {rows} rijen; terugzetten kan alleen in een lege database "
              "(of gebruik --force om hem te vervangen)")
    evidence = _evidence_dir()
    if evidence.is_dir() and any(evidence.iterdir()) and not force:
        _fail(f"de bewijsmap '{evidence}' is niet leeg (of gebruik --force om hem te vervangen)")
    database = directory / Path(manifest["database_file"]).name
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _restore_sqlite(url, database)
    else:
        _restore_postgres(url, database, clean=bool(tables))
    _restore_evidence(directory / EVIDENCE, evidence, manifest["evidence"]["files"])
    db.engine.dispose()
    with db.engine.connect() as conn:
        counts = _counts(conn, _user_tables(conn))
    expected = manifest["row_counts"]
    differ = sorted(t for t in set(expected) | set(counts)
                    if expected.get(t, 0) != counts.get(t, 0))
    if differ:
        click.echo("fout: na het terugzetten wijken de aantallen rijen af in: "
                   + ", ".join(differ), err=True)
        raise SystemExit(1)
    click.echo(f"Teruggezet uit {directory} (gemaakt {manifest['created_at']}, revisie "
               f"{manifest['alembic_revision']}): {sum(counts.values())} rijen, "
               f"{len(manifest['evidence']['files'])} bewijsbestanden. Draai daarna "
               "'flask --app trajectory db upgrade' als deze versie nieuwer is.")


def _restore_sqlite(url: sa.URL, database: Path) -> None:
    target = _sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(database)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)  # replaces every page of the target, in one step
    finally:
        src.close()
        dst.close()


def _restore_postgres(url: sa.URL, database: Path, *, clean: bool) -> None:
    if shutil.which("pg_restore") is None:
        _fail("pg_restore is niet gevonden; installeer de PostgreSQL-clientprogramma's")
    command = [shutil.which("pg_restore") or "pg_restore", "--no-owner", "--single-transaction", "--exit-on-error",
               "--no-password", f"--dbname={url.database}"]
    if clean:  # a migrated but empty schema (or --force): replace its objects
        command += ["--clean", "--if-exists"]
    result = subprocess.run(  # noqa: S603 - fixed program, arguments not from users
        [*command, str(database)], env=_pg_env(url), capture_output=True, text=True,
        check=False)
    if result.returncode != 0:
        _fail(f"pg_restore mislukte (niets teruggezet): {result.stderr.strip()[:300]}")


def _restore_evidence(source: Path, target: Path, files: dict[str, str]) -> None:
    if target.is_dir():
        for path in target.rglob("*"):
            if path.is_file() and path.relative_to(target).as_posix() not in files:
                path.unlink()
    _private_dir(target)
    for name in files:
        destination = target / name
        _private_dir(destination.parent)
        shutil.copyfile(source / name, destination)
        os.chmod(destination, 0o600)
