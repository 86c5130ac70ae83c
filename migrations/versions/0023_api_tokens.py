"""API tokens (helper: api)

The public API (/api/v1, docs/api.md) authenticates client applications with a token a
beheerder issues to an organisation: stored as the SHA-256 of the token (unique, the
lookup), with the role it acts as, its scopes, expiry, last use and revocation.

Revision ID: 0023_api_tokens
Revises: 0022_offer_item_usage
Create Date: 2026-12-03 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_api_tokens'
down_revision = '0022_offer_item_usage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("client_name", sa.String(length=120), nullable=False),
        sa.Column("acts_as", sa.Enum("beheerder", "sroi_adviseur", "coordinator", "klantmanager",
                                     "intaker", "buddy", name="role", native_enum=False,
                                     length=20), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_api_token_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_api_token_created_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token") as batch:
        batch.create_index("ix_api_token_organisation_id", ["organisation_id"])


def downgrade():
    with op.batch_alter_table("api_token") as batch:
        batch.drop_index("ix_api_token_organisation_id")
    op.drop_table("api_token")
