"""Shared fixtures: a fresh database per test, the demo world, one client per role.

The schema is built once per session by running the Alembic migrations (never
``create_all``), into a template SQLite file that each test copies, or into
the PostgreSQL database in ``TEST_DATABASE_URL`` when ``TRAJECTORY_TEST_DB=postgres``
(then every test ends by emptying the tables it filled: ``PgRows``).
"""

from __future__ import annotations

import graphlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from tests import factories
from trajectory import create_app
from trajectory.extensions import db

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
BACKEND = os.environ.get("TRAJECTORY_TEST_DB", "sqlite")
# Uploaded evidence from tests goes to a temporary folder, never to instance/.
EVIDENCE_DIR = tempfile.mkdtemp(prefix="trajectory-test-evidence-")
# Rendered PDFs kept by trajectory.pdf_cache likewise.
PDF_CACHE_DIR = tempfile.mkdtemp(prefix="trajectory-test-pdf-cache-")


def _compile_url_builders_once() -> None:
    """Every test builds its own app, and three quarters of ``create_app`` is Werkzeug
    compiling a URL builder (Python source through ``ast`` and ``compile``) for each rule:
    the same rules in every app. Each builder is kept by its rule's shape, so it is
    compiled once per session (rules with defaults are left to Werkzeug)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, Any] = {}

    def cached(self, append_unknown: bool = True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (append_unknown, self.rule, tuple(self._trace))
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached


_compile_url_builders_once()


def pg_url() -> str:
    """The test database; under pytest-xdist each worker has its own (``test_gw0``...),
    so ``make test-postgres`` runs on both cores."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and BACKEND == "postgres":
        parsed = sa.make_url(url)
        url = parsed.set(database=f"{parsed.database}_{worker}").render_as_string(
            hide_password=False)
    return url


def _create_worker_database() -> None:
    """Create this xdist worker's database beside the configured one, when missing."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or BACKEND != "postgres":
        return
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)
    name = sa.make_url(pg_url()).database
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                {"n": name}).scalar():
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


# Database roles are shared by the cluster: workers migrating at the same moment would
# race to create the application role (migration 0011), so migrations take this lock.
_MIGRATION_LOCK = 7_201_112


class PgRows:
    """Empties one PostgreSQL test database between tests, and puts a snapshot back.

    ``TRUNCATE`` of all the tables gives every table and index a new file: about a second
    a test on two busy cores. A test fills a few tables, so only those lose their rows
    (``DELETE``, children first) and every sequence restarts: the state ``TRUNCATE ...
    RESTART IDENTITY`` leaves. A snapshot is each table's rows as JSON, put back with
    ``json_populate_recordset`` (parents first) and the sequences set where they were: the
    world in a few statements instead of building it again for every test.
    """

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        with self.engine.connect() as conn:
            tables = conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'")).scalars().all()
            parents = {table: set() for table in tables}
            for child, parent in conn.execute(sa.text(
                    "SELECT c.relname, p.relname FROM pg_constraint k "
                    "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid "
                    "WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace")):
                if child != parent and child in parents:
                    parents[child].add(parent)
            self.order = [t for t in graphlib.TopologicalSorter(parents).static_order()
                          if t in parents]  # parents first
            self.columns = {table: ", ".join(f'"{name}"' for name in conn.execute(sa.text(
                "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
                "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum"),
                {"t": f'public."{table}"'}).scalars()) for table in tables}
        self._filled = " UNION ALL ".join(
            f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)

    def empty(self) -> None:
        with self.engine.begin() as conn:
            filled = set(conn.exec_driver_sql(self._filled).scalars())
            for table in reversed(self.order):
                if table in filled:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')
            conn.exec_driver_sql(
                "SELECT setval(CAST(quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                "AS regclass), start_value, false) FROM pg_sequences WHERE schemaname = 'public'")

    def snapshot(self) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
        """(table, rows as JSON) for the tables with rows, and (sequence, last value)."""
        with self.engine.connect() as conn:
            rows = [(t, conn.exec_driver_sql(f'SELECT CAST(json_agg(r) AS text) FROM "{t}" r')
                     .scalar()) for t in self.order]
            sequences = conn.execute(sa.text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")).all()
        return [(t, json) for t, json in rows if json], [tuple(s) for s in sequences]

    def restore(self, snapshot) -> None:
        """Put a snapshot back into the empty database."""
        rows, sequences = snapshot
        with self.engine.begin() as conn:
            for table, json in rows:
                columns = self.columns[table]
                conn.execute(sa.text(
                    f'INSERT INTO "{table}" ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} '
                    f'FROM json_populate_recordset(CAST(NULL AS "{table}"), CAST(:rows AS json))'),
                    {"rows": json})
            for sequence, value in sequences:
                conn.execute(sa.text("SELECT setval(:s, :v)"), {"s": sequence, "v": value})


def pg_reachable(url: str | None = None) -> str | None:
    """None when PostgreSQL answers, else the reason (for a visible skip)."""
    engine = sa.create_engine(url or pg_url().replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means unreachable
        return f"PostgreSQL unreachable at {url or pg_url()}: {type(error).__name__}"
    finally:
        engine.dispose()
    return None


def base_config(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": True,  # CSRF stays on in the tests, as in production
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        "EVIDENCE_DIR": EVIDENCE_DIR,
        "PDF_CACHE_DIR": PDF_CACHE_DIR,
    }


def upgrade(database_uri: str) -> None:
    from flask_migrate import upgrade as alembic_upgrade

    app = create_app(base_config(database_uri))
    with app.app_context():
        alembic_upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per session; tests start from a copy (SQLite) or a truncate (PostgreSQL)."""
    if BACKEND == "postgres":
        reason = pg_reachable(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL))
        if reason:
            if os.environ.get("CI"):
                pytest.fail(reason)  # CI must not skip the PostgreSQL suite silently
            pytest.skip(reason)
        _create_worker_database()
        engine = sa.create_engine(pg_url())
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
            # A test database need not survive a crash: a commit does not wait for the
            # WAL to reach the disk (the tests commit thousands of times).
            name = sa.make_url(pg_url()).database
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        lock = sa.create_engine(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL))
        try:
            with lock.connect() as conn:
                conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
                try:
                    upgrade(pg_url())
                finally:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": _MIGRATION_LOCK})
        finally:
            lock.dispose()
            engine.dispose()
        return pg_url()
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def world_template(database_template, tmp_path_factory) -> str | None:
    """A second SQLite template with the demo organisations and accounts already
    in it, so the many tests that use ``world`` start from a file copy."""
    if BACKEND == "postgres":
        return None
    path = tmp_path_factory.mktemp("db") / "world.sqlite"
    shutil.copyfile(database_template, path)
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        factories.build_world()
        db.session.remove()
        db.engine.dispose()
    return str(path)


_PG_ROWS: dict[str, PgRows] = {}


def pg_rows_for(url: str) -> PgRows:
    """The ``PgRows`` of this worker's (migrated) PostgreSQL database."""
    if url not in _PG_ROWS:
        _PG_ROWS[url] = PgRows(url)
    return _PG_ROWS[url]


@pytest.fixture(scope="session")
def pg_rows(database_template) -> Iterator[PgRows]:
    """This worker's PostgreSQL database, emptied after each test."""
    rows = pg_rows_for(database_template)
    yield rows
    rows.engine.dispose()
    _PG_ROWS.pop(database_template, None)


@pytest.fixture(scope="session")
def pg_world(pg_rows, database_template):
    """The world built once per worker on PostgreSQL, as a snapshot ``world`` puts back."""
    app = create_app(base_config(database_template))
    with app.app_context():
        factories.build_world()
        db.session.remove()
        db.engine.dispose()
    snapshot = pg_rows.snapshot()
    pg_rows.empty()
    return snapshot


@pytest.fixture
def database_uri(request, database_template, tmp_path) -> Iterator[str]:
    if BACKEND == "postgres":
        rows = request.getfixturevalue("pg_rows")
        yield database_template
        rows.empty()
        return
    target = tmp_path / "test.sqlite"
    source = database_template
    if "world" in request.fixturenames:
        source = request.getfixturevalue("world_template")
    shutil.copyfile(source, target)
    yield f"sqlite:///{target}"


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST.

    CSRF protection stays on; pass ``csrf=False`` to send no token at all.
    """

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", "test-raw-csrf-token-0123456789abcdef")
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def open(self, *args, **kwargs):
        """Each request gets its own app context (fresh ``g`` and database session),
        as in production, even though the test holds one open."""
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own session sees the request's commits
        return response

    def post(self, *args, csrf: bool = True, **kwargs):
        if csrf and "json" not in kwargs:
            data = dict(kwargs.pop("data", None) or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def app_config(database_uri) -> dict:
    """Override in a test module to change settings for its app."""
    return base_config(database_uri)


@pytest.fixture
def app(app_config):
    application = create_app(app_config)
    application.test_client_class = CsrfClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> CsrfClient:
    return app.test_client()


@pytest.fixture
def world(request, app, database_uri) -> factories.World:
    """The demo organisations and one account per role (see trajectory.demo.data)."""
    if BACKEND == "postgres":  # the worker's snapshot of the world, put back
        request.getfixturevalue("pg_rows").restore(request.getfixturevalue("pg_world"))
    return factories.load_world()  # on SQLite already in the copied template


def current_code(username: str) -> str | None:
    """The code the user's authenticator app shows now, with the user's last used
    time step cleared first: a test may log in as one user several times within
    30 s, while the app itself refuses a code that was used before."""
    from trajectory.auth import mfa
    from trajectory.auth.models import User

    user = db.session.scalars(sa.select(User).where(
        sa.func.lower(User.username) == username.strip().lower())).first()
    secret = mfa.decrypt_secret(user.totp_secret) if user is not None else None
    if secret is None:
        return None
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    return mfa.totp(secret).now()


def login(client: CsrfClient, username: str, password: str = factories.PASSWORD, *,
          path: str = "/inloggen"):
    """Log in through the form: the password, then (when enrolled) the code step.
    Returns the last response (a 302 when the login succeeded)."""
    response = client.post(path, data={"username": username, "password": password})
    if response.status_code == 302 and response.headers["Location"].startswith("/inloggen/code"):
        with client.application.app_context():
            code = current_code(username)
        response = client.post("/inloggen/code", data={"code": code or ""})
    return response


def _role_client(app, world, username: str) -> CsrfClient:
    c = app.test_client()
    response = login(c, username)
    assert response.status_code == 302, f"login as {username} failed"
    return c


@pytest.fixture
def beheer_client(app, world):
    return _role_client(app, world, "beheer")


@pytest.fixture
def adviseur_client(app, world):
    return _role_client(app, world, "adviseur")


@pytest.fixture
def coordinator_client(app, world):
    return _role_client(app, world, "coordinator")


@pytest.fixture
def klantmanager_client(app, world):
    return _role_client(app, world, "klantmanager")


@pytest.fixture
def klantmanager2_client(app, world):
    return _role_client(app, world, "klantmanager2")


@pytest.fixture
def intaker_client(app, world):
    return _role_client(app, world, "intaker")


@pytest.fixture
def intaker2_client(app, world):
    return _role_client(app, world, "intaker2")


@pytest.fixture
def buddy_client(app, world):
    return _role_client(app, world, "buddy")


@pytest.fixture
def client_for(app, world):
    """``client_for("klantmanager")``: a logged-in client for any world account."""
    return lambda username: _role_client(app, world, username)


NOT_QUERIES = ("PRAGMA", "SAVEPOINT", "RELEASE")


@contextmanager
def statements_run(app) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) the app's engine runs inside the block; connection
    pragmas and savepoints left out, as in ``count_queries`` and ``trajectory.querycount``."""
    seen: list[tuple[str, Any]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


class QueryCounter:
    def __init__(self, seen: list[tuple[str, Any]]) -> None:
        self._seen = seen

    @property
    def statements(self) -> list[str]:
        return [statement for statement, _parameters in self._seen]

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        with statements_run(app) as seen:
            yield QueryCounter(seen)

    return counting
