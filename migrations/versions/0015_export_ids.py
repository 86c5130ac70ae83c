"""ids and fields the exports need

The municipality's client number of a candidate (the id in its benefit system), unique
within the municipality, so an export's rows can be matched to that system.

Revision ID: 0015_export_ids
Revises: 0014_handovers
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_export_ids'
down_revision = '0014_handovers'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("client_number", sa.String(length=30), nullable=True))
        batch.create_unique_constraint("uq_candidate_client_number",
                                       ["municipality_id", "client_number"])


def downgrade():
    with op.batch_alter_table("candidate") as batch:
        batch.drop_constraint("uq_candidate_client_number", type_="unique")
        batch.drop_column("client_number")
