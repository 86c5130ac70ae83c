"""What an import keeps: the column mapping per municipality, and an uploaded file
between its preview and the confirmation.

The uploaded file is kept on the server (never in the session cookie), keyed to the
user who uploaded it by a random token; ``confirmed_at`` is set in the transaction that
writes the rows, so a second confirmation finds it set and writes nothing. The content
is emptied then, and files older than a day are removed at the next upload.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.extensions import db
from trajectory.timeutil import utcnow


class ImportMapping(db.Model):
    """Which column of the municipality's file holds which field: chosen once, used by
    every later upload (web and command line). ``columns``: field name -> column header."""

    __tablename__ = "import_mapping"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "kind",
                                          name="uq_import_mapping_organisation_kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    columns: so.Mapped[dict] = so.mapped_column(sa.JSON)
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))


class ImportUpload(db.Model):
    """One uploaded file, waiting for its confirmation."""

    __tablename__ = "import_upload"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       index=True)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    written: so.Mapped[int | None] = so.mapped_column()
