"""covering indexes for the intaker's candidates and the provider's stages to submit

The intaker's scope reads the provider's stages as ``stage.candidate_id IN (SELECT ...
WHERE provider_id = ? AND status ... AND actual_end ...)`` (trajectory/stages/scope.py):
with the status, end and candidate in the index the subquery reads the index only (it
replaces ``ix_stage_provider_status``, its prefix). The provider's "labour participation
to submit" (trajectory/labour/lines.py ``to_submit``) counts and orders the stored
stage values of its contracts by forecast status, start and stage: one index range per
contract, no table row read. The ledgers' labour sums (every overview, the adviser's and
the coordinator's home) group the stored values by contract and year: with the status and
the value in ``ix_stage_value_line_contract_year`` they read the index only (at 20,000
candidates 37 ms of SQLite CPU became 3 ms).

Revision ID: 0019_intaker_scope
Revises: 0018_signal_facts
Create Date: 2026-12-03 14:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_intaker_scope'
down_revision = '0018_signal_facts'
branch_labels = None
depends_on = None

# (name, table, columns): declared on the models too (__table_args__).
INDEXES = (
    ("ix_stage_provider_status_end", "stage",
     ["provider_id", "status", "actual_end", "candidate_id"]),
    ("ix_stage_value_line_forecast", "stage_value",
     ["line_contract_id", "forecast_status", "valued_start", "stage_id", "forecast_value"]),
)


# Widened: (name, table, columns before, columns now).
WIDENED = (
    ("ix_stage_value_line_contract_year", "stage_value", ["line_contract_id", "forecast_year"],
     ["line_contract_id", "forecast_year", "forecast_status", "forecast_value"]),
)


def upgrade():
    op.drop_index("ix_stage_provider_status", table_name="stage")
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for name, table, _before, columns in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)


def downgrade():
    for name, table, before, _columns in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, before)
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.create_index("ix_stage_provider_status", "stage", ["provider_id", "status"])
