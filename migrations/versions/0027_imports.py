"""Imports (helper: import)

The candidate import (docs/import.md): ``import_mapping`` keeps, per municipality and
kind of import, which column of its file holds which field; ``import_upload`` keeps an
uploaded file on the server between its preview and the confirmation (keyed to the user
by a random token; ``confirmed_at`` makes a second confirmation write nothing).

Revision ID: 0027_imports
Revises: 0026_notifications
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_imports'
down_revision = '0026_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_import_mapping_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_import_mapping_updated_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("organisation_id", "kind", name="uq_import_mapping_organisation_kind"),
    )
    op.create_table(
        "import_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("written", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_import_upload_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_import_upload_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_upload")),
        sa.UniqueConstraint("token", name=op.f("uq_import_upload_token")),
    )
    with op.batch_alter_table("import_upload") as batch:
        batch.create_index("ix_import_upload_user_id", ["user_id"])
        batch.create_index("ix_import_upload_created_at", ["created_at"])


def downgrade():
    with op.batch_alter_table("import_upload") as batch:
        batch.drop_index("ix_import_upload_created_at")
        batch.drop_index("ix_import_upload_user_id")
    op.drop_table("import_upload")
    op.drop_table("import_mapping")
