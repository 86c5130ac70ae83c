"""exports (helper: exports; replace this docstring, keep the ids)

Revision ID: 0021_exports
Revises: 0020_page_queries
Create Date: 2026-12-03 14:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0021_exports'
down_revision = '0020_page_queries'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
