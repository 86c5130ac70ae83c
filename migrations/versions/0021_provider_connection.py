"""stored provider connections (helper: intaker)

The intaker's scope (the candidates connected to their provider through a buddy, a stage
or an agreement at a cohort's table, with consent for providers) read every stage,
assignment and agreement of the provider on each page: at 100,000 candidates the
intaker's home and list took 300-700 ms. One stored row per provider, candidate and cause
with its dates (``trajectory.candidates.connections``; no "today", no grace period: the
reader applies them) makes the scope one index range. Derived rows: filled here for the
existing data; ``flask sroi refresh`` rebuilds them.

Revision ID: 0021_provider_connection
Revises: 0020_claim_audit_subject
Create Date: 2026-12-03 18:30:00

"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_provider_connection'
down_revision = '0020_claim_audit_subject'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("consent_from", sa.Date(), nullable=False),
        sa.Column("consent_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"],
                                name=op.f("fk_provider_connection_candidate_id_candidate"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_connection")),
    )
    with op.batch_alter_table("provider_connection") as batch:
        batch.create_index("ix_provider_connection_scope",
                           ["provider_id", "until", "cause", "since", "consent_from",
                            "consent_until", "candidate_id"])
        batch.create_index("ix_provider_connection_candidate", ["candidate_id"])
    # The intaker's proposals to answer, by due date, as one index range.
    op.create_index("ix_stage_provider_status_due", "stage",
                    ["provider_id", "status", "answer_due", "id"])
    # The rows of the existing data, computed as the app keeps them (its module is
    # imported here, so a later change to the table must keep this call working); a
    # fresh database has no candidates and skips it.
    if op.get_bind().execute(sa.text("SELECT 1 FROM candidate LIMIT 1")).first() is None:
        return
    from trajectory.candidates import connections

    session = so.Session(bind=op.get_bind())
    connections.refresh_all(session)
    session.flush()


def downgrade():
    op.drop_index("ix_stage_provider_status_due", table_name="stage")
    op.drop_table("provider_connection")
