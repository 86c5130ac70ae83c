"""The meeting pack is laid out once per rendering (trajectory.pdf_cache).

What a user notices: the second download of the same pack is the same file, and comes
without WeasyPrint; every download still writes its processing-log lines; a pack with
names is never handed to someone who gets the version without names, nor a Dutch pack to
someone reading English; and a changed figure gives a new pack.
"""

from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa

from tests.cohorts.support import full_cohort, open_evaluation
from tests.pdf_support import printed_text
from trajectory import pdf_cache
from trajectory.audit.models import ProcessingLogEntry
from trajectory.extensions import db


@pytest.fixture
def renders(monkeypatch):
    """How many times WeasyPrint laid out a document."""
    import weasyprint

    count = {"n": 0}
    original = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):
        count["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    return count


@pytest.fixture
def empty_cache(app):
    with app.app_context():
        pdf_cache.clear()
    yield
    with app.app_context():
        pdf_cache.clear()


def _export_lines(evaluation_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProcessingLogEntry).where(
        ProcessingLogEntry.object_type == "CohortEvaluation",
        ProcessingLogEntry.action == "export")) or 0


def test_a_second_download_is_the_same_file_with_its_log_lines(
        coordinator_client, client_for, world, renders, empty_cache):
    cohort, people = full_cohort(world, size=3)
    evaluation = open_evaluation(world, cohort)
    url = f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}/pakket.pdf"

    first = coordinator_client.get(url)
    assert first.status_code == 200 and renders["n"] == 1
    lines = _export_lines(evaluation.id)
    assert lines == len(people)  # one per named candidate
    second = coordinator_client.get(url)
    assert second.data == first.data and renders["n"] == 1
    assert _export_lines(evaluation.id) == 2 * lines  # logged again, though not laid out

    # The version without names is another rendering: laid out itself, no name in it.
    anonymous = coordinator_client.get(url + "?versie=pseudoniem")
    assert renders["n"] == 2
    assert people[0].last_name in printed_text(first.data)
    assert people[0].last_name not in printed_text(anonymous.data)
    # An intaker at the table gets the version without names, whatever the cache holds.
    intaker = client_for("intaker").get(url)
    assert people[0].last_name not in printed_text(intaker.data)

    # Another language is another rendering.
    with coordinator_client.session_transaction() as session:
        session["lang"] = "en"
    english = coordinator_client.get(url)
    assert english.data != first.data
    assert "Candidates per stage" in printed_text(english.data)

    # A change at the table gives a new pack.
    assert coordinator_client.post(
        f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}/antwoorden",
        data={"works": "Ja, de vervoersregeling helpt.", "obstacles": "", "energy": "",
              "yields": "", "lock_version": str(evaluation.lock_version)}).status_code == 302
    with coordinator_client.session_transaction() as session:
        session["lang"] = "nl"
    changed = coordinator_client.get(url)
    assert "vervoersregeling" in printed_text(changed.data)


def test_the_cache_keeps_only_sound_files_for_their_lifetime(app, empty_cache):
    calls = []

    def render(body: bytes):
        def make() -> bytes:
            calls.append(body)
            return body
        return make

    pdf = b"%PDF-1.7\n...\n%%EOF\n"
    with app.app_context():
        assert pdf_cache.rendered("<p>a</p>", render(pdf)) == pdf
        assert pdf_cache.rendered("<p>a</p>", render(b"other")) == pdf  # kept
        assert pdf_cache.rendered("<p>b</p>", render(pdf + b" ")) == pdf + b" "
        assert len(calls) == 2
        path = pdf_cache.cache_dir() / f"{pdf_cache.digest('<p>a</p>', 'pdf/ua-1')}.pdf"
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        # Expired: laid out again (and the old file pruned when a new one is stored).
        old = time.time() - pdf_cache.DEFAULT_SECONDS - 10
        os.utime(path, (old, old))
        assert pdf_cache.rendered("<p>a</p>", render(pdf)) == pdf and len(calls) == 3
        # A damaged file is a miss, never served.
        path.write_bytes(b"%PDF-1.7 cut off")
        assert pdf_cache.rendered("<p>a</p>", render(pdf)) == pdf and len(calls) == 4
        # Turned off: every download is laid out.
        app.config["PDF_CACHE_SECONDS"] = 0
        pdf_cache.rendered("<p>a</p>", render(pdf))
        assert len(calls) == 5
        app.config["PDF_CACHE_SECONDS"] = None
        assert pdf_cache.clear() == 2
