"""hand-overs that reach the klantmanager

A recorded intake outcome or a werkervaringsplaats decision is a task on the
klantmanager's list until it is handled: proposing the next stage handles it, and so does
marking it handled (who and when are kept here). An outcome recorded again after that puts
the task back.

Revision ID: 0014_handovers
Revises: 0013_plan_versions
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_handovers'
down_revision = '0013_plan_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome_handled_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('outcome_handled_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_stage_outcome_handled_by_id_user_account'),
                                    'user_account', ['outcome_handled_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stage_outcome_handled_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('outcome_handled_by_id')
        batch_op.drop_column('outcome_handled_at')
