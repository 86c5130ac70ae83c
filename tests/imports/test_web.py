"""The klantmanager's import in the browser's steps: upload, columns, preview, confirm."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from tests.imports.support import csv_bytes, people
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.imports.models import ImportMapping, ImportUpload


def upload(client, data: bytes, name: str = "export.csv"):
    return client.post("/import/kandidaten", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Candidate.id)))


def token_of(response) -> str:
    return re.search(r"/import/kandidaten/([^/]+)", response.headers["Location"]).group(1)


def test_upload_preview_confirm_writes_the_good_rows(klantmanager_client, world):
    rows = people(3)
    rows[1][3] = "123456789"  # fails the elfproef
    response = upload(klantmanager_client, csv_bytes(rows))
    assert response.status_code == 302
    token = token_of(response)
    assert response.headers["Location"].endswith("/kolommen")  # first time: choose once
    page = klantmanager_client.get(f"/import/kandidaten/{token}/kolommen").text
    assert 'selected value="Voornaam"' in page or 'value="Voornaam" selected' in page
    response = klantmanager_client.post(f"/import/kandidaten/{token}/kolommen", data={
        "first_name": "Voornaam", "last_name": "Achternaam", "date_of_birth": "Geboortedatum",
        "bsn": "BSN", "benefit": "Uitkering", "benefit_since": "Uitkering sinds"})
    assert response.status_code == 302
    mapping = db.session.scalars(sa.select(ImportMapping)).one()
    assert mapping.organisation_id == world.org("Goes").id
    preview = klantmanager_client.get(f"/import/kandidaten/{token}")
    assert preview.status_code == 200
    assert "elfproef" in preview.text
    assert count() == 0  # nothing written before the confirmation
    response = klantmanager_client.post(f"/import/kandidaten/{token}/bevestigen")
    assert response.status_code == 302
    assert count() == 2
    again = klantmanager_client.post(f"/import/kandidaten/{token}/bevestigen")
    assert again.status_code == 302
    assert count() == 2  # a second confirmation writes nothing
    ids = db.session.scalars(sa.select(Candidate.id)).all()
    lines = db.session.scalars(sa.select(ProcessingLogEntry).where(
        ProcessingLogEntry.action == "import")).all()
    assert sorted(int(line.subject_id) for line in lines) == sorted(ids)
    audited = db.session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.object_type == "Candidate")).all()
    assert sorted(int(i) for i in audited) == sorted(ids)
    assert db.session.scalars(sa.select(ImportUpload)).one().content == b""
