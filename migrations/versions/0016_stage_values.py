"""stored stage values (helper: stored values)

Every stage's value as the person's valuation gives it, and every labour claim's part,
stored so the ledger, the overviews and the cohort figures are sums in SQL
(``trajectory.stages.stored_values``). Derived rows: ``flask sroi refresh`` rebuilds them.

Revision ID: 0016_stage_values
Revises: 0015_export_ids
Create Date: 2026-12-03 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_stage_values'
down_revision = '0015_export_ids'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stage_value",
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("line_contract_id", sa.Integer(), nullable=True),
        sa.Column("rulebook", sa.String(length=60), nullable=True),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("explain", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("valued_start", sa.Date(), nullable=True),
        sa.Column("valued_end", sa.Date(), nullable=True),
        sa.Column("tally", sa.JSON(), nullable=True),
        sa.Column("forecast_status", sa.String(length=20), nullable=True),
        sa.Column("forecast_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("forecast_year", sa.Integer(), nullable=True),
        sa.Column("forecast_note", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name=op.f("fk_stage_value_stage_id_stage"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], name=op.f("fk_stage_value_candidate_id_candidate"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["provider_id"], ["organisation.id"], name=op.f("fk_stage_value_provider_id_organisation")),
        sa.ForeignKeyConstraint(["contract_id"], ["sroi_contract.id"], name=op.f("fk_stage_value_contract_id_sroi_contract"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["line_contract_id"], ["sroi_contract.id"], name=op.f("fk_stage_value_line_contract_id_sroi_contract"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("stage_id", name=op.f("pk_stage_value")),
    )
    with op.batch_alter_table("stage_value") as batch:
        batch.create_index("ix_stage_value_candidate_id", ["candidate_id"])
        batch.create_index("ix_stage_value_provider_id", ["provider_id"])
        batch.create_index("ix_stage_value_contract_id", ["contract_id"])
        batch.create_index("ix_stage_value_line_contract_year",
                           ["line_contract_id", "forecast_year"])
        batch.create_index("ix_stage_value_provider_year", ["provider_id", "forecast_year"])
    op.create_table(
        "stage_claim_value",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("explain", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["sroi_claim.id"], name=op.f("fk_stage_claim_value_claim_id_sroi_claim"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name=op.f("fk_stage_claim_value_stage_id_stage"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], name=op.f("fk_stage_claim_value_candidate_id_candidate"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contract_id"], ["sroi_contract.id"], name=op.f("fk_stage_claim_value_contract_id_sroi_contract"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_stage_claim_value")),
    )
    with op.batch_alter_table("stage_claim_value") as batch:
        batch.create_index("ix_stage_claim_value_stage_id", ["stage_id"])
        batch.create_index("ix_stage_claim_value_candidate_id", ["candidate_id"])
        batch.create_index("ix_stage_claim_value_contract_year", ["contract_id", "year"])


def downgrade():
    op.drop_table("stage_claim_value")
    op.drop_table("stage_value")
