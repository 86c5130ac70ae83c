"""stored value refresh (helper: refresh; replace this docstring, keep the ids)

Revision ID: 0022_refresh
Revises: 0021_exports
Create Date: 2026-12-03 14:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0022_refresh'
down_revision = '0021_exports'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
