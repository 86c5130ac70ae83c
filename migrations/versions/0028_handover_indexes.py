"""Indexes for the klantmanager's hand-over sections (outcomes still to act on)

``ix_stage_handover_open``: a partial index of the stages whose outcome is recorded and not
handled since, by kind and recording time: the sections' first rows come from it in order
and their counts read a few thousand rows of the region instead of every intake and
work-experience stage (at 100,000 candidates 81,000 intakes). ``ix_stage_candidate_proposed``:
the candidate's later proposal that answers an outcome, one probe. ``ix_stage_status_due``:
the klantmanager's proposals to answer by due date (PostgreSQL walked ``ix_stage_answer_due``
past every answered stage of the region: 315 ms at 100,000).

Revision ID: 0028_handover_indexes
Revises: 0027_imports
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_handover_indexes'
down_revision = '0027_imports'
branch_labels = None
depends_on = None

OPEN = ("outcome_recorded_at IS NOT NULL AND (outcome_handled_at IS NULL "
        "OR outcome_handled_at < outcome_recorded_at)")


def upgrade():
    op.create_index("ix_stage_handover_open", "stage",
                    ["kind", "outcome_recorded_at", "id", "candidate_id", "outcome_handled_at",
                     "next_step_decision"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_stage_candidate_proposed", "stage", ["candidate_id", "proposed_at"])
    op.create_index("ix_stage_status_due", "stage", ["status", "answer_due", "id"])


def downgrade():
    op.drop_index("ix_stage_status_due", table_name="stage")
    op.drop_index("ix_stage_candidate_proposed", table_name="stage")
    op.drop_index("ix_stage_handover_open", table_name="stage")
