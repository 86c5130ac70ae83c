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
    pass


def downgrade():
    pass
