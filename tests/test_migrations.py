"""The models and the migrations agree, on SQLite and on PostgreSQL; one head."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import base_config, pg_reachable, pg_url
from trajectory import create_app
from trajectory.extensions import db


def _diff(uri: str) -> list:
    app = create_app(base_config(uri))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    assert left == set(), f"downgrade left tables behind: {left}"
    return diff


def test_one_head(app):
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_agree_on_sqlite(tmp_path):
    assert _diff(f"sqlite:///{tmp_path / 'm.sqlite'}") == []


@pytest.mark.postgres
def test_models_and_migrations_agree_on_postgresql():
    reason = pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"trajectory_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(pg_url()).set(database=name).render_as_string(hide_password=False)
        assert _diff(url) == []
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrading_a_filled_sqlite_database_keeps_every_row(tmp_path):
    """``make run`` on an existing demo upgrades in place: a migration that rebuilds a
    table (SQLite's batch mode: copy, drop, rename) must not cascade-delete the rows
    that point at it. Down to the previous release's schema and up again, row for row."""
    from trajectory.demo.data import load_demo

    app = create_app(base_config(f"sqlite:///{tmp_path / 'filled.sqlite'}"))
    with app.app_context():
        upgrade()
        load_demo()  # the whole demo: plans, stages, facts, claims, cohorts
        db.session.commit()

        def counts() -> dict[str, int]:
            with db.engine.connect() as conn:
                # Tables created after 0012 whose rows only the users make (the e-mail
                # choices and outbox, 0026): the downgrade drops them by design.
                tables = sorted(set(sa.inspect(conn).get_table_names())
                                - {"alembic_version", "notify_preference", "notify_outbox"})
                return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar()
                        for t in tables}

        before = counts()
        assert before["stage"] > 0 and before["plan_version"] > 0
        downgrade(revision="0012_single_sign_on")
        upgrade()
        # Stored stage values are derived rows: an upgrade past 0016 rebuilds them with
        # ``flask sroi refresh`` (docs/valuation.md), as this does.
        from trajectory.stages import stored_values

        stored_values.refresh_all()
        db.session.commit()
        after = counts()
        db.engine.dispose()
    assert after == before
