"""log tables append-only for the application's database role

Revision ID: 0011_append_only_logs
Revises: 0010_retention
Create Date: 2026-12-02 17:45:00

On PostgreSQL only (nothing happens on SQLite): a NOLOGIN role for the
application (``trajectory_app``, or ``-x app_role=NAME``, or the setting
``TRAJECTORY_DB_APP_ROLE``) gets the normal rights on every table and sequence
(now and, through default privileges, those later migrations create), but on
the three log tables ``processing_log``, ``security_event`` and ``audit_event``
only INSERT and SELECT. Retention blanks the old and new values of audit rows
about a destroyed file through one ``SECURITY DEFINER`` function owned by the
migration's user, the only change the role can make to a log row.

Production: run the migrations as the schema owner (not a superuser, not the
application's login) and ``GRANT trajectory_app TO <the app's login role>``;
see docs/security-database.md.
"""
import os
import re

from alembic import context, op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_append_only_logs'
down_revision = '0010_retention'
branch_labels = None
depends_on = None

DEFAULT_ROLE = 'trajectory_app'
LOG_TABLES = ('processing_log', 'security_event', 'audit_event')
REDACT_FUNCTION = 'trajectory_redact_audit_subject'
_IDENTIFIER = re.compile(r'[a-z_][a-z0-9_]{0,62}')


def app_role() -> str:
    """The role name: ``-x app_role=...``, else TRAJECTORY_DB_APP_ROLE, else the default."""
    name = (context.get_x_argument(as_dictionary=True).get('app_role')
            or os.environ.get('TRAJECTORY_DB_APP_ROLE') or DEFAULT_ROLE)
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f'not a plain lower-case role name: {name!r}')
    return name


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if not _postgresql():
        return
    role = app_role()
    schema = op.get_bind().execute(sa.text('SELECT current_schema()')).scalar()
    execute = op.execute
    execute(f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
            END IF;
        END $$""")
    execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}')
    execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role}')
    execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}')
    # Tables and sequences of later migrations (run by the same user) follow.
    execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}')
    execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
            f'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}')
    # The schema version is the migrations' business.
    execute(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}')
    for table in LOG_TABLES:
        execute(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM PUBLIC')
        execute(f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {role}')
        execute(f'GRANT SELECT, INSERT ON {table} TO {role}')
    # Retention: blank the values (never the rows, never anything else) of one person's
    # audit rows. Runs with the owner's rights; search_path pinned against hijacking.
    execute(f"""
        CREATE OR REPLACE FUNCTION {REDACT_FUNCTION}(p_subject_type text, p_subject_id text)
        RETURNS integer
        LANGUAGE plpgsql
        SECURITY DEFINER
        SET search_path = "{schema}", pg_temp
        AS $fn$
        DECLARE
            redacted integer;
        BEGIN
            UPDATE audit_event
               SET changes = COALESCE(
                   (SELECT json_object_agg(key, json_build_array('***', '***'))
                      FROM json_object_keys(audit_event.changes::json) AS key),
                   '{{}}'::json)
             WHERE subject_type = p_subject_type
               AND subject_id = p_subject_id
               AND json_typeof(audit_event.changes::json) = 'object';
            GET DIAGNOSTICS redacted = ROW_COUNT;
            RETURN redacted;
        END
        $fn$""")
    execute(f'REVOKE ALL ON FUNCTION {REDACT_FUNCTION}(text, text) FROM PUBLIC')
    execute(f'GRANT EXECUTE ON FUNCTION {REDACT_FUNCTION}(text, text) TO {role}')


def downgrade():
    if not _postgresql():
        return
    role = app_role()
    schema = op.get_bind().execute(sa.text('SELECT current_schema()')).scalar()
    op.execute(f'DROP FUNCTION IF EXISTS {REDACT_FUNCTION}(text, text)')
    exists = op.get_bind().execute(
        sa.text('SELECT 1 FROM pg_roles WHERE rolname = :role'), {'role': role}).scalar()
    if not exists:
        return
    # The role stays (it may be granted to logins); only what this migration gave goes.
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
               f'REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {role}')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
               f'REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM {role}')
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {role}')
    op.execute(f'REVOKE USAGE ON SCHEMA "{schema}" FROM {role}')
