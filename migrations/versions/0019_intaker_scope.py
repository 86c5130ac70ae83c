"""intaker and home panels (helper: intaker; replace this docstring, keep the ids)

Revision ID: 0019_intaker_scope
Revises: 0018_signal_facts
Create Date: 2026-12-03 14:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0019_intaker_scope'
down_revision = '0018_signal_facts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
