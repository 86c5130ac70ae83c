"""The full demo world for retention and backup tests, with a private evidence folder.

On SQLite the demo is loaded once per session into a template (database and evidence
folder); each test copies both, so a test that destroys evidence files never touches
another test's. On PostgreSQL the first test of a worker loads it, the others put that
snapshot back (``ensure_demo``); the tables are emptied after every test.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from tests.conftest import BACKEND, base_config
from trajectory import create_app
from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import load_demo
from trajectory.extensions import db


def build_demo_template(database_template: str, tmp_path_factory) -> tuple[Path, Path]:
    """Built once per test session (per xdist worker), shared by the retention and the
    backup tests."""
    folder = tmp_path_factory.getbasetemp() / "retention-demo-template"
    path, evidence = folder / "demo.sqlite", folder / "evidence"
    if path.exists():
        return path, evidence
    folder.mkdir(parents=True, exist_ok=True)
    building = folder / "building.sqlite"
    shutil.copyfile(database_template, building)
    app = create_app({**base_config(f"sqlite:///{building}"), "EVIDENCE_DIR": str(evidence)})
    with app.app_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    building.rename(path)  # only a finished template is ever reused
    return path, evidence


def demo_config(request, database_uri: str, tmp_path: Path) -> dict:
    """The app config for a test on the demo world; SQLite copies the session template."""
    evidence = tmp_path / "evidence"
    if BACKEND != "postgres":
        template, template_evidence = request.getfixturevalue("demo_template")
        shutil.copyfile(template, sa.make_url(database_uri).database)
        shutil.copytree(template_evidence, evidence)
    return {**base_config(database_uri), "EVIDENCE_DIR": str(evidence)}


# This worker's demo on PostgreSQL after its first load: (rows snapshot, evidence files).
_PG_DEMO: list = []


def ensure_demo() -> None:
    """Load the demo on PostgreSQL (SQLite already has it from the template): the first
    time in a worker for real (seconds), then from that snapshot (``PgRows``), with a
    copy of its evidence files."""
    if BACKEND != "postgres":
        return
    from tests.conftest import pg_rows_for, pg_url

    rows = pg_rows_for(pg_url())
    evidence = Path(current_app.config["EVIDENCE_DIR"])
    if _PG_DEMO:
        snapshot, files = _PG_DEMO
        rows.restore(snapshot)
        shutil.copytree(files, evidence, dirs_exist_ok=True)
        db.session.expire_all()
        return
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    files = Path(tempfile.mkdtemp(prefix="trajectory-demo-evidence-"))
    if evidence.exists():
        shutil.copytree(evidence, files, dirs_exist_ok=True)
    _PG_DEMO[:] = [rows.snapshot(), files]


def run(app, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.rollback()  # the test's session sees what the command committed
    db.session.expire_all()
    return result


def ledger(app) -> dict:
    result = run(app, "sroi", "ledger", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def all_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, as plain tuples (to compare two databases)."""
    out = {}
    with engine.connect() as conn:
        for table in sorted(sa.inspect(conn).get_table_names()):
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(row) for row in rows), key=repr)
    return out


def text_cells(engine: sa.Engine) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty value of every column of every table,
    read as text, JSON included: what a scan for planted strings looks through."""
    cells = []
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')).mappings():
                for column in columns:
                    value = row[column]
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else (
                        json.dumps(value, default=str) if isinstance(value, (dict, list))
                        else str(value))
                    if text:
                        cells.append((table, column, text))
    return cells
