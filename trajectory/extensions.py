"""Unbound extensions, bound to the app in ``create_app``.

Keeping them here (and not on the app) lets models, services and tests import
them without an application object and without import cycles.
"""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# A naming convention makes constraint names stable across SQLite and
# PostgreSQL, so Alembic can drop and alter them in later migrations.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


# A writer waits this long for another writer's transaction instead of failing with
# "database is locked" (exports write their log lines in short batches, docs/operations.md).
SQLITE_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Every SQLite connection: foreign keys on (SQLite's default is off), a busy timeout,
    and on a database file the write-ahead log, so readers (a long export) never block a
    writer and a writer never blocks readers. An in-memory database has no WAL."""
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        files = {name: file for _seq, name, file in cursor.execute("PRAGMA database_list")}
        if files.get("main"):  # "" for :memory: and temporary databases
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_settings(dbapi_connection, connection_record) -> None:
    """Every PostgreSQL connection: no JIT compilation. The list and signal queries are
    short, but their scope conditions (ORs of EXISTS) get high cost estimates, and JIT
    then spends most of a second compiling a query that runs in tens of milliseconds
    (the intaker's candidate list at 20,000 candidates: 0.9 s with JIT, 60 ms without)."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET outside a transaction stays for the session
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    finally:
        dbapi_connection.autocommit = autocommit
