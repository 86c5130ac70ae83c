"""retention: archive dates, destruction requests and records

Revision ID: 0010_retention
Revises: 0009_claim_locking
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_retention'
down_revision = '0009_claim_locking'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
