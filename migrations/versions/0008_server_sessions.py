"""sessions on the server, kept input, single sign-on subjects

Revision ID: 0008_server_sessions
Revises: 0007_mfa_throttle
Create Date: 2026-12-02 17:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_server_sessions'
down_revision = '0007_mfa_throttle'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
