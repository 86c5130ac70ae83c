"""(stub, reserved: fill in the docstring, the upgrade and the downgrade, or the lead removes it)

Revision ID: 0022_home_facts
Revises: 0021_provider_connection
Create Date: 2026-12-03 18:30:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0022_home_facts'
down_revision = '0021_provider_connection'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
