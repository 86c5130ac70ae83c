"""(stub, reserved for helper: api; fill in the docstring, the upgrade and the downgrade, or the lead removes it)

Revision ID: 0025_api_idempotency
Revises: 0024_claim_indexes
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0025_api_idempotency'
down_revision = '0024_claim_indexes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
