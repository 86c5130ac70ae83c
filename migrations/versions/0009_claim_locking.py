"""optimistic locking of claims and judgements

Revision ID: 0009_claim_locking
Revises: 0008_server_sessions
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_claim_locking'
down_revision = '0008_server_sessions'
branch_labels = None
depends_on = None

# The tables whose rows carry a judgement: the claim (submitted, approved, rejected), the
# contract's terms (PSO certificate, percentage), the yearly review, the final evaluation,
# the overlegtafel's decision on a proposed candidate.
LOCKED = ('sroi_claim', 'sroi_contract', 'sroi_contract_year', 'sroi_final_evaluation',
          'cohort_candidate')


def upgrade():
    for table in LOCKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            # Existing rows start at version 1, as new ones do.
            batch_op.add_column(sa.Column('lock_version', sa.Integer(), server_default='1',
                                          nullable=False))


def downgrade():
    for table in reversed(LOCKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('lock_version')
