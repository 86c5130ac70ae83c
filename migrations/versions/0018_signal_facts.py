"""stored signal facts (helper: signals)

What each signal needs to know of a candidate (a buddy assignment, a stage, an open
buddy signal), one indexed row each with the municipality, the status and the date the
signal compares with its threshold's cutoff (``trajectory.cohorts.signal_facts``), so a
signal is an index range scan however large the region. Derived rows: filled here for
the existing data; ``flask sroi refresh`` rebuilds them.

Revision ID: 0018_signal_facts
Revises: 0017_scale_indexes
Create Date: 2026-12-03 14:20:00

"""
from alembic import op
import sqlalchemy as sa
import sqlalchemy.orm as so

# revision identifiers, used by Alembic.
revision = '0018_signal_facts'
down_revision = '0017_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signal_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("aangemeld", "actief", "gepauzeerd", "uitgestroomd",
                                    name="candidatestatus", native_enum=False, length=20),
                  nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"],
                                name=op.f("fk_signal_fact_candidate_id_candidate"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_fact")),
    )
    with op.batch_alter_table("signal_fact") as batch:
        batch.create_index("ix_signal_fact_scope",
                           ["signal", "municipality_id", "anchor", "status", "until"])
        batch.create_index("ix_signal_fact_candidate", ["candidate_id", "signal"])
        batch.create_index("ix_signal_fact_name", ["signal", "municipality_id", "last_name",
                                                   "first_name", "candidate_id", "status",
                                                   "anchor", "until"])
        batch.create_index("ix_signal_fact_until", ["signal", "municipality_id", "until"])
    # The rows of the existing data, computed as the app keeps them. The app's module is
    # imported here (the facts are the signals' own reading), so a later change to the
    # table must keep this call working; a fresh database has no candidates and skips it,
    # so creating one never depends on that.
    if op.get_bind().execute(sa.text("SELECT 1 FROM candidate LIMIT 1")).first() is None:
        return
    from trajectory.cohorts import signal_facts

    session = so.Session(bind=op.get_bind())
    signal_facts.refresh_all(session)
    session.flush()


def downgrade():
    op.drop_table("signal_fact")
