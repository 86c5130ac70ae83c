"""Evidence files: checked by content, size-limited, stored outside the static folder.

A file is accepted only when its first bytes say it is a PDF, PNG or JPEG, or
when it is a ZIP holding ``[Content_Types].xml`` and an ``xl/`` folder (XLSX);
the browser's content type is not trusted, and a name's extension (when there
is one) must agree with the content: "factuur.pdf" that is really a PNG is refused. It is stored under a
random name in ``EVIDENCE_DIR`` (default ``instance/evidence``); the row keeps
the original name, the type found, the size, the SHA-256 and who uploaded it.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.valuation.models import EVIDENCE_CLAIM, Claim, Contract, Evidence

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", XLSX: ".xlsx"}
# A file name's extension, when it has one, must say the same as the content.
NAME_TYPES = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".xlsx": XLSX}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The content type the bytes really have, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return XLSX
    return None


def evidence_dir() -> Path:
    configured = current_app.config.get("EVIDENCE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "evidence"


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def clean_filename(name: str | None, content_type: str) -> str:
    """The name to offer on download: no folders, no control characters, at most 200 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return (base or f"bewijs{EXTENSIONS[content_type]}")[:200]


def read_upload(stream: BinaryIO) -> bytes:
    """Read at most the limit (+1 byte to notice a larger file)."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(_("The file is larger than %(mb)d MB. Choose a smaller file.",
                             mb=max(limit // (1024 * 1024), 1)), field="file")
    return data


def store_bytes(data: bytes, filename: str | None, *, contract: Contract, user=None,
                claim: Claim | None = None, kind: str = EVIDENCE_CLAIM) -> Evidence:
    """Check and store one file; raises ServiceError (nothing stored) when it is refused."""
    if not data:
        raise ServiceError(_("The file is empty. Choose the file again."), field="file")
    if len(data) > max_bytes():
        raise ServiceError(_("The file is too large."), field="file")
    content_type = sniff(data)
    if content_type is None:
        raise ServiceError(_("This file is not a PDF, PNG, JPEG or Excel (XLSX) file. Only "
                             "those are accepted, checked by their content."), field="file")
    suffix = os.path.splitext(filename or "")[1].lower()
    if suffix and NAME_TYPES.get(suffix) != content_type:
        raise ServiceError(_("The name of this file (%(suffix)s) does not match its content. "
                             "Upload the original PDF, PNG, JPEG or Excel (XLSX) file.",
                             suffix=suffix), field="file")
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = secrets.token_hex(16)
    with open(folder / stored_name, "xb") as out:
        out.write(data)
    os.chmod(folder / stored_name, 0o600)
    evidence = Evidence(kind=kind, stored_name=stored_name,
                        original_name=clean_filename(filename, content_type),
                        content_type=content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by_id=getattr(user, "id", None), contract=contract,
                        claim=claim)
    # Both set before the one flush (appending to an unloaded collection would load it and
    # flush the file without its claim first): the trail's first row already names the
    # person the claim is about (``Evidence.audit_subject``).
    db.session.add(evidence)
    db.session.flush()
    return evidence


def store_upload(upload, *, contract: Contract, user, claim: Claim | None = None,
                 kind: str = EVIDENCE_CLAIM) -> Evidence:
    """Store a Werkzeug ``FileStorage`` from a form."""
    data = read_upload(upload.stream)
    return store_bytes(data, upload.filename, contract=contract, user=user, claim=claim, kind=kind)


def path_of(evidence: Evidence) -> Path:
    """Where the file lives; the stored name is ours (hex), never the user's."""
    if not all(ch in "0123456789abcdef" for ch in evidence.stored_name):
        raise ValueError("unexpected stored name")
    return evidence_dir() / evidence.stored_name

