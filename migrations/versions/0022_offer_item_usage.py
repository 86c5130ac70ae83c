"""Index stage (offer_item_id, status): the places in use of one provider's offer items

The provider's own offer panel asks the running and planned stages of its few offer items;
without this index SQLite read every running stage of the region to find them.

Revision ID: 0022_offer_item_usage
Revises: 0021_provider_connection
Create Date: 2026-12-04 18:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_offer_item_usage'
down_revision = '0021_provider_connection'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_stage_offer_item_status", "stage", ["offer_item_id", "status"])


def downgrade():
    op.drop_index("ix_stage_offer_item_status", table_name="stage")
