"""sessions on the server, kept input

Revision ID: 0008_server_sessions
Revises: 0007_mfa_throttle
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_server_sessions'
down_revision = '0007_mfa_throttle'
branch_labels = None
depends_on = None

END_REASONS = ('logout', 'logout_everywhere', 'lifetime', 'idle', 'admin', 'user',
               'password_changed', 'deactivated', 'new_login')


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.Enum(*END_REASONS, name='endreason', native_enum=False, length=20), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('kept_input',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_kept_input_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_input'))
    )
    with op.batch_alter_table('kept_input', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_input_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_input_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_input', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_input_user_id'))
        batch_op.drop_index(batch_op.f('ix_kept_input_expires_at'))

    op.drop_table('kept_input')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
