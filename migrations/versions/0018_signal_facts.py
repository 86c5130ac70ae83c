"""stored facts for flat signals (helper: signals; replace this docstring, keep the ids)

Revision ID: 0018_signal_facts
Revises: 0017_scale_indexes
Create Date: 2026-12-03 14:20:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0018_signal_facts'
down_revision = '0017_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
