"""Every list, signal and home-panel query finds its rows through an index on PostgreSQL.

A fresh database with the demo and a generated region is analysed; then the pages the
accounts work from are requested, every SELECT they run is captured and explained with
``SET enable_seqscan = off`` (the planner then scans a table sequentially only when no
index applies), and no plan may read a big table (candidates, stages, contact logs,
buddy assignments, cohort seats) from start to end. Skipped where PostgreSQL is
unreachable (never in CI); the indexes are migration 0017's.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import CsrfClient, base_config, login, pg_reachable, pg_url
from trajectory import create_app
from trajectory.extensions import db

pytestmark = pytest.mark.postgres

BIG_TABLES = ("candidate", "stage", "contact_log", "buddy_assignment", "cohort_candidate",
              "signal_fact")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
GENERATED = 2_000

# The pages whose queries must use indexes, per account.
PAGES = {
    "klantmanager": ("/", "/signalen", "/signalen?signaal=geen_contact",
                     "/kandidaten", "/kandidaten?page=4", "/kandidaten?sort=-registered",
                     "/kandidaten?q=jong", "/kandidaten?postcode=4461",
                     "/kandidaten?mine=1", "/kandidaten?status=actief",
                     "/trajecten/werkvoorraad"),
    "intaker": ("/trajecten/werkvoorraad",),
    "buddy": ("/",),
    "coordinator": ("/cohorten",),
}


@pytest.fixture(scope="module")
def region() -> Iterator[str]:
    """A PostgreSQL database of its own: migrated, the demo, a generated region, analysed."""
    reason = pg_reachable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from flask_migrate import upgrade

    from trajectory.demo.data import load_demo
    from trajectory.demo.generator import generate

    name = f"trajectory_idx_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(pg_url()).set(database=name).render_as_string(hide_password=False)
    try:
        app = create_app(base_config(url))
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            generate(GENERATED, seed=3)
            db.session.commit()
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
            db.session.remove()
            db.engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _selects(app, client, url: str) -> list[tuple[str, object]]:
    """The SELECT statements (with their parameters) one request runs."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return seen


def _seq_scans(conn, statement: str, parameters: object) -> list[str]:
    plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
    return [table for line in plan for table in SEQ_SCAN.findall(line) if table in BIG_TABLES]


@pytest.mark.parametrize("username", sorted(PAGES))
def test_list_and_signal_queries_use_indexes(region, username):
    app = create_app(base_config(region))
    app.test_client_class = CsrfClient
    problems, statements_seen = [], 0
    with app.app_context():
        client = app.test_client()
        assert login(client, username).status_code == 302
        for url in PAGES[username]:
            client.get(url)  # warm
            statements = _selects(app, client, url)
            statements_seen += len(statements)
            with db.engine.connect() as conn:
                conn.exec_driver_sql("SET enable_seqscan = off")
                for statement, parameters in statements:
                    tables = _seq_scans(conn, statement, parameters)
                    if tables:
                        problems.append(f"{url}: Seq Scan on {', '.join(tables)} in "
                                        f"{' '.join(statement.split())[:300]}")
        db.session.remove()
        db.engine.dispose()
    assert statements_seen > 5 * len(PAGES[username]), "too few statements captured"
    assert not problems, "\n".join(problems)


def test_name_search_uses_the_trigram_index(region):
    """``LIKE '%word%'`` on the folded name: the GIN trigram index (pg_trgm)."""
    from trajectory.candidates.models import Candidate

    app = create_app(base_config(region))
    with app.app_context(), db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        stmt = sa.select(Candidate.id).where(Candidate.search_name.contains("jong",
                                                                            autoescape=True))
        compiled = stmt.compile(dialect=conn.dialect)
        plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + str(compiled),
                                              compiled.params).scalars())
        db.engine.dispose()
    assert "ix_candidate_search_name_trgm" in plan, plan


def test_the_check_sees_a_missing_index(region):
    """The detector itself: a filter no index serves (the phone number) is a Seq Scan."""
    from trajectory.candidates.models import Candidate

    app = create_app(base_config(region))
    with app.app_context(), db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        compiled = sa.select(Candidate.id).where(Candidate.phone == "0612345678").compile(
            dialect=conn.dialect)
        found = _seq_scans(conn, str(compiled), compiled.params)
        db.engine.dispose()
    assert found == ["candidate"]


def test_postgresql_connections_run_without_jit(region):
    """JIT would compile the scope's ORs of EXISTS for most of a second (extensions.py)."""
    app = create_app(base_config(region))
    with app.app_context():
        assert db.session.scalar(sa.text("SHOW jit")) == "off"
        db.session.remove()
        db.engine.dispose()
