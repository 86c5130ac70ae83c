"""hand-overs that reach the klantmanager

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
    pass


def downgrade():
    pass
