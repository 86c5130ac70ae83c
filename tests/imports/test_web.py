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


def test_only_a_klantmanager_imports(client_for, world):
    for username in ("buddy", "intaker", "coordinator", "adviseur"):
        response = client_for(username).get("/import/kandidaten")
        assert response.status_code == 403, username


def test_another_users_upload_is_not_found(klantmanager_client, client_for, world):
    token = token_of(upload(klantmanager_client, csv_bytes(people(2))))
    for username in ("klantmanager2", "m.devos"):  # Tholen; a colleague in Goes
        other = client_for(username)
        assert other.get(f"/import/kandidaten/{token}").status_code == 404
        assert other.get(f"/import/kandidaten/{token}/kolommen").status_code == 404
        assert other.post(f"/import/kandidaten/{token}/bevestigen").status_code == 404
    assert count() == 0


def test_a_bad_file_rerenders_the_form_with_a_message(klantmanager_client, world):
    for data, name in ((b"", "leeg.csv"), (b"PK\x03\x04kapot", "kapot.xlsx"),
                       (b"Voornaam;Achternaam\r\n", "alleen-kop.csv")):
        response = upload(klantmanager_client, data, name)
        assert response.status_code == 200, name
        assert "error-summary" in response.text
    response = klantmanager_client.post("/import/kandidaten", data={},
                                        content_type="multipart/form-data")
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ImportUpload.id))) == 0


def test_the_mapping_needs_the_required_fields_once_each(klantmanager_client, world):
    token = token_of(upload(klantmanager_client, csv_bytes(people(1))))
    response = klantmanager_client.post(f"/import/kandidaten/{token}/kolommen", data={
        "first_name": "Voornaam", "last_name": "Voornaam"})
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(ImportMapping.id))) == 0


def test_a_saved_mapping_goes_straight_to_the_preview(klantmanager_client, world):
    token = token_of(upload(klantmanager_client, csv_bytes(people(1))))
    klantmanager_client.post(f"/import/kandidaten/{token}/kolommen", data={
        "first_name": "Voornaam", "last_name": "Achternaam", "date_of_birth": "Geboortedatum",
        "bsn": "BSN", "benefit": "Uitkering", "benefit_since": "Uitkering sinds"})
    response = upload(klantmanager_client, csv_bytes(people(1, start=300_000_000)))
    assert not response.headers["Location"].endswith("/kolommen")


def test_the_template_has_the_columns_found_by_name(klantmanager_client, world):
    from trajectory.imports.fields import CANDIDATE_FIELDS, match_columns
    from trajectory.imports.parsing import read_table

    for fmt in ("csv", "xlsx"):
        response = klantmanager_client.get(f"/import/kandidaten/sjabloon.{fmt}")
        assert response.status_code == 200
        table = read_table(f"sjabloon.{fmt}", response.data)
        assert set(match_columns(table.headers)) == {f.name for f in CANDIDATE_FIELDS}


def test_the_candidate_list_links_the_import(klantmanager_client, world):
    assert 'href="/import/kandidaten"' in klantmanager_client.get("/kandidaten").text


def test_two_confirmations_at_once_write_once(client_for, world):
    """Two tabs confirming at the same moment: the second waits for the first's claim on
    the upload and then writes nothing."""
    import threading

    first, second = client_for("klantmanager"), client_for("klantmanager")
    token = token_of(upload(first, csv_bytes(people(40))))
    first.post(f"/import/kandidaten/{token}/kolommen", data={
        "first_name": "Voornaam", "last_name": "Achternaam", "date_of_birth": "Geboortedatum",
        "bsn": "BSN", "benefit": "Uitkering", "benefit_since": "Uitkering sinds"})
    statuses = []
    start = threading.Barrier(2)

    def confirm(client):
        with client.application.app_context():  # the thread's own session
            start.wait()
            statuses.append(client.post(f"/import/kandidaten/{token}/bevestigen").status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    db.session.expire_all()
    assert count() == 40
