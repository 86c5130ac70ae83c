"""optimistic locking of claims and judgements

Revision ID: 0009_claim_locking
Revises: 0008_server_sessions
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_claim_locking'
down_revision = '0008_server_sessions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
