""""Mijn plan": plain Dutch for the candidate, printable page and tagged PDF."""

from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from tests.candidates.support import VALID_BSN
from trajectory.audit.models import ProcessingLogEntry
from trajectory.extensions import db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_mijn_plan_pdf_is_a_tagged_dutch_pdf_with_the_name_and_no_bsn(klantmanager_client, goes):
    response = klantmanager_client.get(f"/kandidaten/{goes.id}/mijn-plan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename="mijn-plan-zoe.pdf"' in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert "Zoë de Vries" in reader.metadata.title
    text = pdf_text(data)
    assert "Zoë de Vries" in text
    assert VALID_BSN not in text and VALID_BSN.encode() not in data
    for heading in ("Wat ik wil", "Wat mij tegenhoudt", "Wat we gaan doen", "Wie mij helpt"):
        assert heading in text, heading
    assert "Kees Dekker" in text and "06 87654321" in text and "Sanne Bosman" in text
    assert "Geld en schulden" in text  # the plain label, no category code
    assert "schulden" not in text.replace("Geld en schulden", "").split("Wat we gaan doen")[0] \
        .replace("Schulden bij", "")  # no internal code "schulden" on its own
    assert "Matig" not in text and "matig" not in text  # no severity


def test_the_pdf_download_is_logged_as_an_export(klantmanager_client, goes):
    klantmanager_client.get(f"/kandidaten/{goes.id}/mijn-plan.pdf")
    line = db.session.scalars(sa.select(ProcessingLogEntry)).one()
    assert (line.action, line.object_type, line.subject_id) == ("export", "Plan", str(goes.id))


def test_the_mijn_plan_page_is_plain_dutch_without_codes(klantmanager_client, goes):
    page = klantmanager_client.get(f"/kandidaten/{goes.id}/mijn-plan").text
    assert '<html lang="nl"' in page
    for heading in ("Wat ik wil", "Wat mij tegenhoudt", "Wat we gaan doen", "Wie mij helpt"):
        assert heading in page
    assert "Ik wil graag in de zorg werken, het liefst met ouderen." in page
    assert VALID_BSN not in page and "in_behandeling" not in page and "Matig" not in page
    assert "Dit plan is nog niet definitief" in page


def test_the_buddy_can_print_mijn_plan_too(buddy_client, goes):
    assert buddy_client.get(f"/kandidaten/{goes.id}/mijn-plan.pdf").data.startswith(b"%PDF")


def test_the_fetcher_only_serves_our_static_files():
    import pytest

    from trajectory.candidates.pdf import STATIC, StaticOnlyFetcher

    fetcher = StaticOnlyFetcher()
    font = (STATIC / "vendor" / "noto-sans@5.3.0" / "noto-sans-latin-400-normal.woff2").as_uri()
    assert fetcher.fetch(font).read(4) == b"wOF2"
    for url in ("http://example.com/x.png", "file:///etc/passwd",
                STATIC.as_uri() + "/../candidates/models.py", STATIC.as_uri() + "/css/../../x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
