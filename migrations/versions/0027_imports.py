"""(stub, reserved for helper: import; fill in the docstring, the upgrade and the downgrade, or the lead removes it)

Revision ID: 0027_imports
Revises: 0026_notifications
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0027_imports'
down_revision = '0026_notifications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
