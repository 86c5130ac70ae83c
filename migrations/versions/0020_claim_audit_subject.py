"""(stub, reserved: fill in the docstring, the upgrade and the downgrade, or the lead removes it)

Revision ID: 0020_claim_audit_subject
Revises: 0019_intaker_scope
Create Date: 2026-12-03 18:30:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = '0020_claim_audit_subject'
down_revision = '0019_intaker_scope'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
