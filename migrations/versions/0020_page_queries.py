"""page queries (helper: queries; replace this docstring, keep the ids)

Revision ID: 0020_page_queries
Revises: 0019_intaker_scope
Create Date: 2026-12-03 14:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0020_page_queries'
down_revision = '0019_intaker_scope'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
