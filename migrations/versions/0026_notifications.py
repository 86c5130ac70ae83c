"""E-mail notifications (helper: mail)

What each user chose to receive (``notify_preference``: language, the digest of their
signals, the kinds switched off) and the outbox (``notify_outbox``): one row per e-mail
with a unique key, so ``flask notify send-due`` queues and sends each message once even
when two runs overlap; the row is also the record of what was sent to whom and when
(docs/notifications.md).

Revision ID: 0026_notifications
Revises: 0025_api_idempotency
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_notifications'
down_revision = '0025_api_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notify_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("digest", sa.Enum("off", "daily", "weekly", name="digest",
                                    native_enum=False, length=10), nullable=False),
        sa.Column("muted", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_notify_preference_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notify_preference")),
    )
    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("status", sa.Enum("queued", "sending", "sent", "failed",
                                    name="outboxstatus", native_enum=False, length=10),
                  nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_notify_outbox_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_notify_outbox_key")),
    )
    with op.batch_alter_table("notify_outbox") as batch:
        batch.create_index("ix_notify_outbox_status", ["status", "id"])
        batch.create_index("ix_notify_outbox_user", ["user_id", "created_at"])


def downgrade():
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_index("ix_notify_outbox_user")
        batch.drop_index("ix_notify_outbox_status")
    op.drop_table("notify_outbox")
    op.drop_table("notify_preference")
