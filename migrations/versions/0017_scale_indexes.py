"""indexes for every filter and sort, name search (helper: flat pages)

The candidate list, the signals, the task lists, the cohort list and the home panels
filter and sort in SQL; these indexes let them read a page without scanning a region
(tests/test_indexes.py runs EXPLAIN on PostgreSQL). Name search on PostgreSQL uses a
trigram index (``pg_trgm``) on ``candidate.search_name`` for ``LIKE '%word%'``; on
SQLite the same index name is a plain index (the LIKE stays a scan there).

Revision ID: 0017_scale_indexes
Revises: 0016_stage_values
Create Date: 2026-12-03 11:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_scale_indexes'
down_revision = '0016_stage_values'
branch_labels = None
depends_on = None

# (name, table, columns): declared on the models too (__table_args__).
INDEXES = (
    ("ix_candidate_name", "candidate", ["last_name", "first_name", "id"]),
    ("ix_candidate_municipality_name", "candidate",
     ["municipality_id", "last_name", "first_name", "id"]),
    ("ix_candidate_municipality_status", "candidate", ["municipality_id", "status"]),
    ("ix_candidate_postcode", "candidate", ["postcode"]),
    ("ix_candidate_benefit", "candidate", ["benefit"]),
    ("ix_stage_candidate_status", "stage", ["candidate_id", "status"]),
    ("ix_stage_provider_status", "stage", ["provider_id", "status"]),
    ("ix_stage_status_planned_start", "stage", ["status", "planned_start"]),
    ("ix_stage_status_planned_end", "stage", ["status", "planned_end"]),
    ("ix_stage_status_answered_at", "stage", ["status", "answered_at"]),
    ("ix_stage_status_actual_end", "stage", ["status", "actual_end"]),
    ("ix_buddy_assignment_buddy_candidate", "buddy_assignment", ["buddy_id", "candidate_id"]),
    ("ix_cohort_list", "cohort", ["start_quarter", "name", "id"]),
    ("ix_cohort_candidate_status_candidate", "cohort_candidate", ["status", "candidate_id"]),
    ("ix_user_account_full_name", "user_account", ["full_name"]),
)
TRIGRAM = "ix_candidate_search_name_trgm"


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(TRIGRAM, "candidate", ["search_name"], postgresql_using="gin",
                        postgresql_ops={"search_name": "gin_trgm_ops"})
    else:
        op.create_index(TRIGRAM, "candidate", ["search_name"])


def downgrade():
    op.drop_index(TRIGRAM, table_name="candidate")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
