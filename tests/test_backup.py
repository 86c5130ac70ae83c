"""``flask backup DIR`` and ``flask restore DIR``: a demo world out and back, row for row.

SQLite always; PostgreSQL when ``TRAJECTORY_TEST_DB=postgres`` (the restore goes into
a separate database that the test creates and drops).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND, base_config, pg_url
from tests.retention.support import (
    all_rows,
    build_demo_template,
    demo_config,
    ensure_demo,
    ledger,
)
from trajectory import create_app
from trajectory.extensions import db


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    if BACKEND == "postgres":
        return None
    return build_demo_template(database_template, tmp_path_factory)


@pytest.fixture
def app_config(request, database_uri, tmp_path) -> dict:
    return demo_config(request, database_uri, tmp_path)


def invoke(app, *args: str):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def target(tmp_path):
    """A second, empty database and evidence folder to restore into."""
    evidence = tmp_path / "restored-evidence"
    if BACKEND != "postgres":
        yield base_config(f"sqlite:///{tmp_path / 'restored.sqlite'}") | {
            "EVIDENCE_DIR": str(evidence)}
        return
    name = f"test_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(pg_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield base_config(url) | {"EVIDENCE_DIR": str(evidence)}
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_backup_and_restore_a_demo_world_row_for_row(app, target, tmp_path):
    ensure_demo()
    source_evidence = Path(app.config["EVIDENCE_DIR"])
    assert files_of(source_evidence), "the demo stores evidence files"
    before = all_rows(db.engine)
    figures = ledger(app)
    backup = tmp_path / "backup-1"

    result = invoke(app, "backup", str(backup))
    assert result.exit_code == 0, result.output
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["backend"] == BACKEND.replace("postgres", "postgresql")
    assert manifest["alembic_revision"] == before["alembic_version"][0][0]
    assert manifest["row_counts"] == {t: len(rows) for t, rows in before.items()
                                      if t != "alembic_version"}
    assert set(manifest["evidence"]["files"]) == set(files_of(source_evidence))
    assert oct(backup.stat().st_mode & 0o777) == "0o700"
    # Every backup gets its own folder.
    again = invoke(app, "backup", str(backup))
    assert again.exit_code == 2 and again.stderr.startswith("fout: ")

    restored_app = create_app(target)
    result = invoke(restored_app, "restore", str(backup))
    assert result.exit_code == 0, result.output
    with restored_app.app_context():
        after = all_rows(db.engine)
        assert ledger(restored_app) == figures
        db.session.remove()
        db.engine.dispose()
    assert after == before
    assert files_of(Path(target["EVIDENCE_DIR"])) == files_of(source_evidence)

    # Only into an empty database, unless --force.
    refused = invoke(restored_app, "restore", str(backup))
    assert refused.exit_code == 2 and "lege database" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and refused.stderr.startswith("fout: ")
    forced = invoke(restored_app, "restore", str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    with restored_app.app_context():
        assert all_rows(db.engine) == before
        db.engine.dispose()


def test_restore_checks_the_manifest_before_it_touches_anything(app, target, tmp_path):
    ensure_demo()
    backup = tmp_path / "backup"
    assert invoke(app, "backup", str(backup)).exit_code == 0
    restored_app = create_app(target)

    evidence = next(p for p in (backup / "evidence").rglob("*") if p.is_file())
    original = evidence.read_bytes()
    evidence.write_bytes(original + b"tampered")
    result = invoke(restored_app, "restore", str(backup))
    assert result.exit_code == 2 and "klopt niet" in result.stderr
    evidence.write_bytes(original)

    manifest = backup / "manifest.json"
    text = manifest.read_text()
    manifest.write_text(text.replace('"alembic_revision": "', '"alembic_revision": "9999_'))
    result = invoke(restored_app, "restore", str(backup))
    assert result.exit_code == 2 and "databaserevisie" in result.stderr
    manifest.write_text(text)
    os.remove(backup / manifest_database(text))
    result = invoke(restored_app, "restore", str(backup))
    assert result.exit_code == 2 and "databasebestand" in result.stderr
    assert invoke(restored_app, "restore", str(tmp_path)).exit_code == 2  # not a backup

    # Nothing was restored by the refused attempts.
    with restored_app.app_context():
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        db.engine.dispose()
    assert "candidate" not in tables
    assert not Path(target["EVIDENCE_DIR"]).exists()


def manifest_database(text: str) -> str:
    return json.loads(text)["database_file"]


def test_restore_into_a_migrated_empty_database(app, target, tmp_path):
    from flask_migrate import upgrade

    ensure_demo()
    before = all_rows(db.engine)
    backup = tmp_path / "backup"
    assert invoke(app, "backup", str(backup)).exit_code == 0
    restored_app = create_app(target)
    with restored_app.app_context():
        upgrade()  # the schema is there, no rows: still an empty database
        db.engine.dispose()
    result = invoke(restored_app, "restore", str(backup))
    assert result.exit_code == 0, result.output
    with restored_app.app_context():
        assert all_rows(db.engine) == before
        db.engine.dispose()
