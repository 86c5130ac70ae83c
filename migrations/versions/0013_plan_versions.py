"""plan versions that mean something

Revision ID: 0013_plan_versions
Revises: 0012_single_sign_on
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_plan_versions'
down_revision = '0012_single_sign_on'
branch_labels = None
depends_on = None


def upgrade():
    # One version per editing session: the last save folded into a version, and how many.
    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('save_count', sa.Integer(), server_default='1',
                                      nullable=False))
    op.execute('UPDATE plan_version SET updated_at = created_at')
    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.alter_column('save_count', existing_type=sa.Integer(), server_default=None)

    # Agreed until a change of substance: a plan saved after its agreement (before this
    # revision every save was one) stays a draft.
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('substance_changed_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.execute('UPDATE plan SET substance_changed_at = COALESCE(updated_at, CURRENT_TIMESTAMP) '
               'WHERE agreed_number IS NOT NULL AND agreed_number <> current_number')


def downgrade():
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('substance_changed_at')
    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.drop_column('save_count')
        batch_op.drop_column('updated_at')
