"""On PostgreSQL the log tables are append-only for the application's role (migration 0011).

The test suite itself connects as a superuser (it truncates every table between
tests); each test here switches to the application's role with ``SET LOCAL
ROLE`` inside a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError

from tests.conftest import BACKEND
from trajectory.audit.models import AuditEvent
from trajectory.audit.trail import redact_subject_history
from trajectory.extensions import db

pytestmark = pytest.mark.skipif(BACKEND != "postgres",
                                reason="PostgreSQL only: SQLite has no roles or grants")

APP_ROLE = "trajectory_app"
LOG_TABLES = ("processing_log", "security_event", "audit_event")

INSERTS = {
    "processing_log": "INSERT INTO processing_log (at, actor_name, actor_roles, action, "
                      "processing_activity, object_type, result, data_categories) VALUES "
                      "(now(), 'klantmanager', '', 'view', 're-integratie', 'Candidate', "
                      "'success', 'naam')",
    "security_event": "INSERT INTO security_event (at, event, result) "
                      "VALUES (now(), 'login', 'success')",
    "audit_event": "INSERT INTO audit_event (at, actor_name, action, object_type, object_id, "
                   "subject_type, subject_id, changes) VALUES (now(), 'klantmanager', "
                   "'update', 'Candidate', '7', 'Candidate', '7', "
                   "'{\"pause_reason\": [\"Operatie en herstel\", null]}')",
}


@pytest.fixture
def as_app(app) -> Iterator[sa.Connection]:
    """A connection acting as the application's role; everything rolled back after."""
    with db.engine.connect() as conn:
        transaction = conn.begin()
        for table in LOG_TABLES:  # one row each, written by the superuser
            conn.execute(sa.text(INSERTS[table]))
        conn.execute(sa.text(f"SET LOCAL ROLE {APP_ROLE}"))
        try:
            yield conn
        finally:
            transaction.rollback()


def _refused(conn: sa.Connection, statement: str) -> bool:
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(statement))
    except ProgrammingError as error:
        savepoint.rollback()
        return "permission denied" in str(error.orig).lower()
    savepoint.rollback()
    return False


def test_the_role_is_no_login_role(as_app):
    assert as_app.execute(sa.text(
        "SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).scalar() is False


@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_application_role_may_append_and_read_but_not_change_a_log(as_app, table):
    before = as_app.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    as_app.execute(sa.text(INSERTS[table]))
    assert as_app.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == before + 1
    assert _refused(as_app, f"UPDATE {table} SET at = now()")
    assert _refused(as_app, f"DELETE FROM {table}")
    assert _refused(as_app, f"TRUNCATE {table}")
    assert as_app.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == before + 1


def test_the_application_role_changes_ordinary_tables(as_app):
    # Privileges are checked before a statement runs: empty statements prove them.
    as_app.execute(sa.text("INSERT INTO organisation SELECT * FROM organisation WHERE false"))
    as_app.execute(sa.text("UPDATE organisation SET name = name WHERE false"))
    as_app.execute(sa.text("DELETE FROM organisation WHERE false"))
    as_app.execute(sa.text("SELECT nextval('organisation_id_seq')"))
    assert _refused(as_app, "DELETE FROM alembic_version")


def test_redaction_function_blanks_values_and_nothing_else(as_app):
    as_app.execute(sa.text(INSERTS["audit_event"].replace("'7'", "'8'")))
    count = as_app.execute(sa.text(
        "SELECT trajectory_redact_audit_subject('Candidate', '7')")).scalar()
    assert count == 1
    rows = as_app.execute(sa.text(
        "SELECT subject_id, changes FROM audit_event ORDER BY subject_id")).all()
    assert [(r.subject_id, r.changes) for r in rows] == [
        ("7", {"pause_reason": ["***", "***"]}),
        ("8", {"pause_reason": ["Operatie en herstel", None]}),  # another person's row stays
    ]


def test_redact_subject_history_works_as_the_application_role(app):
    """What retention calls: the app's session, as the app's role."""
    db.session.execute(sa.text(INSERTS["audit_event"]))
    db.session.execute(sa.text(f"SET LOCAL ROLE {APP_ROLE}"))
    try:
        with pytest.raises(ProgrammingError), db.session.begin_nested():
            db.session.execute(sa.update(AuditEvent).values(changes={}))
        assert redact_subject_history("Candidate", 7) == 1
        row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_id == "7")).one()
        assert row.changes == {"pause_reason": ["***", "***"]}
    finally:
        db.session.rollback()
