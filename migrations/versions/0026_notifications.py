"""(stub, reserved for helper: mail; fill in the docstring, the upgrade and the downgrade, or the lead removes it)

Revision ID: 0026_notifications
Revises: 0025_api_idempotency
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0026_notifications'
down_revision = '0025_api_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
