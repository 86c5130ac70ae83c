"""API: a buddy's token belongs to one account; idempotency keys of POSTs (helper: api)

``api_token.user_id``: the buddy account whose app holds the token (a buddy is a person:
its token sees what that buddy sees); NULL for a system's token. ``api_idempotency``: a
client's ``Idempotency-Key`` per token, the hash of the request it came with, the status
and the id of the row it made, kept a day (docs/api.md, "Idempotent posts").

Revision ID: 0025_api_idempotency
Revises: 0024_claim_indexes
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_api_idempotency'
down_revision = '0024_claim_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_api_token_user_id_user_account"), "user_account",
                                 ["user_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_api_token_user_id", ["user_id"])
    op.create_table(
        "api_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"],
                                name=op.f("fk_api_idempotency_token_id_api_token"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency")),
        sa.UniqueConstraint("token_id", "key", name=op.f("uq_api_idempotency_token_id")),
    )
    with op.batch_alter_table("api_idempotency") as batch:
        batch.create_index("ix_api_idempotency_created_at", ["created_at"])


def downgrade():
    with op.batch_alter_table("api_idempotency") as batch:
        batch.drop_index("ix_api_idempotency_created_at")
    op.drop_table("api_idempotency")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_index("ix_api_token_user_id")
        batch.drop_constraint(op.f("fk_api_token_user_id_user_account"), type_="foreignkey")
        batch.drop_column("user_id")
