"""indexes for the ledgers' claim reads, the adviser's waiting claims and the offer panels

A ledger reads a contract's purchases, activities and fund payments by
``(contract_id, kind IN ...)`` and sums its labour claims' status and frozen value:
``ix_sroi_claim_contract_kind`` serves both from the index (at 100,000 candidates on
SQLite 29 ms became 1 ms, and the labour sums 48 ms about 30 ms). The adviser's
"waiting for judgement" panel counts and takes the first five by status and contract:
``ix_sroi_claim_status_contract`` (44 ms became 0.7 ms). The offer panels' places in use
(the coordinator's and klantmanager's home) find the planned and running stages with an
offer item through ``ix_stage_status_offer_item`` (SQLite walked every planned and running
stage of the region: 54 ms became 1 ms). All three are declared on the models too.

Revision ID: 0024_claim_indexes
Revises: 0023_api_tokens
Create Date: 2026-12-03 19:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_claim_indexes'
down_revision = '0023_api_tokens'
branch_labels = None
depends_on = None

# (name, table, columns): declared on the models too (__table_args__).
INDEXES = (
    ("ix_sroi_claim_contract_kind", "sroi_claim", ["contract_id", "kind", "status", "approved_value"]),
    ("ix_sroi_claim_status_contract", "sroi_claim", ["status", "contract_id", "submitted_at"]),
    ("ix_stage_status_offer_item", "stage", ["status", "offer_item_id"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
