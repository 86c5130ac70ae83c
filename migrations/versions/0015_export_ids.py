"""ids and fields the exports need

Revision ID: 0015_export_ids
Revises: 0014_handovers
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_export_ids'
down_revision = '0014_handovers'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
