"""What an import changes: the saved mapping, the kept upload, and the candidates.

The candidates are built by the registration's own service (``prepare_candidate`` in
the check, ``with_plan`` here, as ``add_candidate`` gives a registration by hand) and
inserted in bulk in the caller's one transaction (``bulk.py``: one INSERT per table, the
audit trail's ``create`` rows and the derived tables as a flush would give them); each
person gets a processing-log line (action ``import``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.audit.trail import log_processing
from trajectory.auth.models import User
from trajectory.candidates import services as candidate_services
from trajectory.extensions import db
from trajectory.imports import bulk
from trajectory.imports.models import ImportMapping, ImportUpload
from trajectory.imports.validation import Report
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError
from trajectory.timeutil import utcnow

CANDIDATES = "candidates"
# What an imported row holds of a person, for the processing log.
IMPORT_CATEGORIES = ("naam", "geboortedatum", "contact", "adres", "uitkering", "bsn")
KEEP_UPLOADS = timedelta(days=1)


class AlreadyConfirmed(ServiceError):
    """This upload was confirmed before (a second click, a second tab): nothing written."""


def saved_mapping(organisation: Organisation, kind: str = CANDIDATES) -> dict[str, str] | None:
    mapping = db.session.scalars(sa.select(ImportMapping).where(
        ImportMapping.organisation_id == organisation.id, ImportMapping.kind == kind)).first()
    return dict(mapping.columns) if mapping is not None else None


def save_mapping(actor: User | None, organisation: Organisation, columns: dict[str, str],
                 kind: str = CANDIDATES) -> ImportMapping:
    """The municipality's mapping (field name -> column header), replacing the earlier one."""
    mapping = db.session.scalars(sa.select(ImportMapping).where(
        ImportMapping.organisation_id == organisation.id, ImportMapping.kind == kind)).first()
    if mapping is None:
        mapping = ImportMapping(organisation_id=organisation.id, kind=kind)
        db.session.add(mapping)
    mapping.columns = {name: header for name, header in columns.items() if header}
    mapping.updated_at = utcnow()
    mapping.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    return mapping


def keep_upload(actor: User, filename: str, content: bytes,
                kind: str = CANDIDATES) -> ImportUpload:
    """Keep the file on the server for its preview and confirmation; files older than a
    day (personal data nobody confirmed) go now."""
    purge_uploads()
    upload = ImportUpload(token=secrets.token_urlsafe(24), user_id=actor.id,
                          organisation_id=actor.organisation_id, kind=kind,
                          filename=(filename or "")[:255], content=content)
    db.session.add(upload)
    db.session.flush()
    return upload


def purge_uploads() -> int:
    """Uploads older than a day go, confirmed or not (a confirmed one is only its name)."""
    result = db.session.execute(sa.delete(ImportUpload).where(
        ImportUpload.created_at < utcnow() - KEEP_UPLOADS))
    return result.rowcount or 0


def upload_of(actor: User, token: str, kind: str = CANDIDATES) -> ImportUpload | None:
    """The actor's own upload by its token (another user's token finds nothing)."""
    return db.session.scalars(sa.select(ImportUpload).where(
        ImportUpload.token == token, ImportUpload.user_id == actor.id,
        ImportUpload.organisation_id == actor.organisation_id,
        ImportUpload.kind == kind)).first()


def claim(upload: ImportUpload) -> None:
    """Mark the upload confirmed, first thing in the writing transaction: of two
    confirmations at once, the second waits for the first and then finds it taken."""
    claimed = db.session.execute(
        sa.update(ImportUpload).where(ImportUpload.id == upload.id,
                                      ImportUpload.confirmed_at.is_(None))
        .values(confirmed_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise AlreadyConfirmed(_("This file has already been imported."))


def finish(upload: ImportUpload, written: int) -> None:
    """After writing: the file's content is no longer kept."""
    db.session.execute(
        sa.update(ImportUpload).where(ImportUpload.id == upload.id)
        .values(content=b"", written=written).execution_options(synchronize_session=False))


def write_candidates(report: Report) -> list:
    """Every good row of the checked report, as the registration's service builds it,
    inserted in bulk; a processing-log line per person. The caller commits."""
    good = [candidate_services.with_plan(row.candidate) for row in report.rows if row.ok]
    bulk.insert_candidates(good)
    for candidate in good:
        log_processing("import", "Candidate", candidate.id, subject=("Candidate", candidate.id),
                       categories=IMPORT_CATEGORIES)
    return good
