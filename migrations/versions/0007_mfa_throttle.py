"""second factor (TOTP, recovery codes) and the shared login throttle

Revision ID: 0007_mfa_throttle
Revises: 0006_labour_accounting
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_mfa_throttle'
down_revision = '0006_labour_accounting'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
