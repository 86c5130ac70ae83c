"""retention: archive dates, destruction requests and records

Revision ID: 0010_retention
Revises: 0009_claim_locking
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_retention'
down_revision = '0009_claim_locking'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('retention_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_retention_hold_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_retention_hold_set_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_hold')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_retention_hold_candidate_id'))
    )
    op.create_table('destruction_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'approved', name='requeststatus', native_enum=False, length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_destruction_request_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_destruction_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_destruction_request_approved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_request'))
    )
    with op.batch_alter_table('destruction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_request_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_request_status'), ['status'], unique=False)

    op.create_table('destruction_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=64), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=64), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['destruction_request.id'], name=op.f('fk_destruction_record_request_id_destruction_request'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_record')),
    sa.UniqueConstraint('request_id', name=op.f('uq_destruction_record_request_id'))
    )
    with op.batch_alter_table('destruction_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_record_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_record_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_record_approved_by_id'), ['approved_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('destruction_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_record_approved_by_id'))
        batch_op.drop_index(batch_op.f('ix_destruction_record_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_destruction_record_candidate_id'))
    op.drop_table('destruction_record')
    with op.batch_alter_table('destruction_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_request_status'))
        batch_op.drop_index(batch_op.f('ix_destruction_request_candidate_id'))
    op.drop_table('destruction_request')
    op.drop_table('retention_hold')
