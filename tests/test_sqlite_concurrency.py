"""SQLite under concurrent use: every connection has the write-ahead log and a busy timeout
(trajectory/extensions.py), so a reader never blocks a writer and a writer waits for another
writer instead of failing with "database is locked"; a long export and a buddy's contact
post both succeed (the export writes its processing-log lines in one short transaction of
their own, then reads with an open cursor)."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tests.candidates.support import goes_file
from tests.conftest import BACKEND
from tests.contacts.support import form_data
from tests.test_exports import add_candidates
from trajectory.audit.models import ProcessingLogEntry
from trajectory.contacts.models import ContactLog
from trajectory.exports import CHUNK
from trajectory.extensions import SQLITE_BUSY_TIMEOUT_MS, db
from trajectory.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.skipif(BACKEND == "postgres", reason="SQLite's locking")

HOLD = 0.6  # seconds the first writer keeps its transaction open


def _pragma(conn: sa.Connection, name: str):
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_every_file_connection_has_wal_and_a_busy_timeout(app):
    with db.engine.connect() as conn:
        assert _pragma(conn, "journal_mode") == "wal"
        assert _pragma(conn, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
        assert _pragma(conn, "foreign_keys") == 1


def test_an_in_memory_database_gets_no_wal_but_the_rest():
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            assert _pragma(conn, "journal_mode") == "memory"
            assert _pragma(conn, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
            assert _pragma(conn, "foreign_keys") == 1
    finally:
        engine.dispose()


def _new_organisation(name: str) -> sa.Insert:
    return sa.insert(Organisation.__table__).values(name=name, kind=OrganisationKind.PROVIDER)


def _hold_write(engine: sa.Engine, started: threading.Event, errors: list) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(_new_organisation("Eerste"))
            started.set()
            time.sleep(HOLD)
    except Exception as error:  # noqa: BLE001 - reported to the test
        errors.append(error)
        started.set()


def test_a_second_writer_waits_for_the_first_and_succeeds(app):
    engine = db.engine
    started, errors = threading.Event(), []
    first = threading.Thread(target=_hold_write, args=(engine, started, errors))
    first.start()
    assert started.wait(5)
    began = time.monotonic()
    with engine.begin() as conn:  # would be "database is locked" without the busy timeout
        conn.execute(_new_organisation("Tweede"))
    waited = time.monotonic() - began
    first.join()
    assert errors == []
    assert waited >= HOLD / 3, waited  # it really waited for the first transaction
    with engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT name FROM organisation WHERE name IN ('Eerste', 'Tweede')").scalars().all()
    assert sorted(names) == ["Eerste", "Tweede"]


def test_a_reader_with_an_open_cursor_does_not_block_a_writer(app, world):
    engine = db.engine
    with engine.connect() as reader:
        rows = reader.exec_driver_sql("SELECT id FROM user_account")
        rows.fetchone()  # the read is under way: its snapshot is held
        began = time.monotonic()
        with engine.begin() as writer:
            writer.execute(_new_organisation("Tijdens het lezen"))
        assert time.monotonic() - began < HOLD  # no wait at all: WAL
        rows.fetchall()


def test_a_long_export_and_a_buddys_contact_post_both_succeed(app, world, client_for):
    """The buddy posts a contact in the middle of the export: after its first chunk (an open
    read, and every line committed before it), before the rest."""
    goes = goes_file(world)
    add_candidates(world, 2 * CHUNK + 10)
    klantmanager, buddy = client_for("klantmanager"), client_for("buddy")
    export = klantmanager.get("/kandidaten/export.csv")
    assert export.status_code == 200
    body = iter(export.response)
    parts = [next(body), next(body)]  # the header, then the first chunk of rows
    assert parts[1].count(b"\r\n") == CHUNK
    began = time.monotonic()
    post = buddy.post(f"/kandidaten/{goes.id}/contact", data=form_data())
    assert post.status_code == 302, post.text[:500]
    assert time.monotonic() - began < 2  # not stuck behind the export
    parts.extend(body)  # the rest of the export
    export.close()
    text = b"".join(parts).decode("utf-8-sig")
    assert len(text.splitlines()) == 1 + 2 * CHUNK + 11  # header, the grown ones and Goes
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog).where(
        ContactLog.candidate_id == goes.id)) >= 1
    exported = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingLogEntry)
                                 .where(ProcessingLogEntry.action == "export"))
    assert exported == 2 * CHUNK + 11  # one line per person, written before the first row


def test_a_backup_holds_the_rows_still_in_the_wal_and_is_one_file(app, world, tmp_path):
    """Rows committed but not yet checkpointed live only in ``trajectory.sqlite-wal``: a copy
    of the main file would miss them, ``flask backup`` (the sqlite3 backup API) has them,
    as one self-contained file that opens without a ``-wal`` or ``-shm`` beside it; the
    restore brings them back."""
    import os
    import sqlite3
    from pathlib import Path

    from tests.conftest import base_config
    from trajectory import create_app

    source = Path(db.engine.url.database)
    with db.engine.connect() as keep:  # an open connection keeps the WAL from being folded in
        keep.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        with db.engine.begin() as conn:
            conn.execute(_new_organisation("Alleen in de WAL"))
        assert os.path.getsize(f"{source}-wal") > 0
        folder = tmp_path / "backup"
        result = app.test_cli_runner().invoke(args=["backup", str(folder)])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["database.sqlite", "evidence",
                                                        "manifest.json"]
    copy = sqlite3.connect(f"file:{folder / 'database.sqlite'}?mode=ro", uri=True)
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM organisation WHERE name = ?",
                            ("Alleen in de WAL",)).fetchone() == (1,)
    finally:
        copy.close()
    assert sorted(p.name for p in folder.iterdir()) == ["database.sqlite", "evidence",
                                                        "manifest.json"]
    restored = create_app(base_config(f"sqlite:///{tmp_path / 'restored.sqlite'}")
                          | {"EVIDENCE_DIR": str(tmp_path / "restored-evidence")})
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["restore", str(folder)])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            assert _pragma(conn, "journal_mode") == "wal"  # the app's mode again
            assert conn.execute(sa.select(sa.func.count()).select_from(Organisation).where(
                Organisation.name == "Alleen in de WAL")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
