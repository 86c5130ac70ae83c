"""single sign-on identities (OpenID Connect subject per user)

Revision ID: 0012_single_sign_on
Revises: 0011_append_only_logs
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_single_sign_on'
down_revision = '0011_append_only_logs'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
