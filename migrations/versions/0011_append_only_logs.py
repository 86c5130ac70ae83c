"""log tables append-only for the application's database role

Revision ID: 0011_append_only_logs
Revises: 0010_retention
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_append_only_logs'
down_revision = '0010_retention'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
