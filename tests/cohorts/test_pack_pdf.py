"""The meeting pack prints whole and the version without names names nobody.

Read back with pdftotext (tests/pdf_support.py): every column header of every table of
the pack - the providers' ten columns of the naar-rato analysis and the ladder - is on
the paper, whole; no word runs off the page. The pseudonymised pack and workbook leave
out the texts typed at the table and say so on the first page; their file names say so.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import quote

import openpyxl
import pytest
import sqlalchemy as sa
from flask_login import login_user

from tests.candidates.support import measure
from tests.cohorts.support import full_cohort, make_cohort, open_evaluation
from tests.conftest import login
from tests.pdf_support import assert_prints_whole, page_texts, printed_text
from trajectory.audit.trail import Actor, acting_as
from trajectory.candidates.models import MeasurementKind
from trajectory.cohorts import exports, views
from trajectory.cohorts.models import Cohort
from trajectory.demo.data import load_demo
from trajectory.extensions import db
from trajectory.timeutil import today

LADDER = ("Participatieladder",)


def _url(cohort, evaluation) -> str:
    return f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}"


def _pack_html(app, user, cohort, evaluation, pseudonymised: bool) -> str:
    """The HTML the view turns into the PDF, for the same user."""
    with app.test_request_context():
        login_user(user)
        report = views.report_for(views.figures_for(cohort, evaluation), pseudonymised)
        return exports.pack_html(cohort, evaluation, report)


def _workbook_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows()
                    for c in row if c.value is not None)


def test_every_table_of_the_demo_packs_prints_whole(app):
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    coordinator = app.test_client()
    assert login(coordinator, "coordinator").status_code == 302
    from trajectory.auth.models import User

    user = db.session.scalars(sa.select(User).where(User.username == "coordinator")).one()
    evaluations = [(c, e) for c in db.session.scalars(sa.select(Cohort)) for e in c.evaluations]
    assert evaluations
    for cohort, evaluation in evaluations:
        for pseudonymised in (False, True):
            suffix = "?versie=pseudoniem" if pseudonymised else ""
            response = coordinator.get(f"{_url(cohort, evaluation)}/pakket.pdf{suffix}")
            assert response.status_code == 200
            html = _pack_html(app, user, cohort, evaluation, pseudonymised)
            text = assert_prints_whole(html, response.data, expected_headers=25)
            # The whole naar-rato analysis: the workbook's ten provider columns, on paper.
            book = openpyxl.load_workbook(io.BytesIO(coordinator.get(
                f"{_url(cohort, evaluation)}/cijfers.xlsx{suffix}").data))
            provider_headers = [c.value for c in book.worksheets[1][1]]
            assert len(provider_headers) == 10
            for header in provider_headers:
                assert header in text, header
            assert any(word in text for word in LADDER)
            # Landscape pages for the wide tables, portrait for the rest.
            from pypdf import PdfReader

            sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
                     for p in PdfReader(io.BytesIO(response.data)).pages}
            assert sizes == {(595, 842), (842, 595)}, sizes
    # The figures workbook: numbers, percentages and dates as such, labels not codes.
    cohort, evaluation = next((c, e) for c, e in evaluations if e.is_closed)
    book = openpyxl.load_workbook(io.BytesIO(coordinator.get(
        f"{_url(cohort, evaluation)}/cijfers.xlsx").data))
    figures, providers, people, benefit = book.worksheets[:4]
    assert figures.freeze_panes == "A5" and providers.freeze_panes == "A2"
    share = providers.cell(2, 5)
    assert share.data_type == "n" and share.number_format == "0%" and 0 <= share.value <= 1
    assert providers.cell(2, 2).data_type == "n" and "€" in providers.cell(2, 2).number_format
    dates = [row[4] for row in people.iter_rows(min_row=2) if row[4].value is not None]
    assert dates and all(c.is_date and c.number_format == "dd-mm-yyyy" for c in dates)
    rungs = [row[7].value for row in people.iter_rows(min_row=2) if row[7].value is not None]
    assert rungs and all(isinstance(r, int) for r in rungs)
    benefits = [row[1].value for row in benefit.iter_rows(min_row=2)]
    assert benefits and all(b in {"WW", "Participatiewet", "Wajong", "WIA/WAO", "WSW",
                                  "NUG (geen uitkering)"} for b in benefits), benefits


@pytest.fixture
def evaluated(world):
    cohort, people = full_cohort(world, size=4)
    for candidate in people:
        measure(world, candidate, 2, 40, MeasurementKind.INTAKE,
                by=candidate.klantmanager.username)
    return cohort, people, open_evaluation(world, cohort)


def test_the_version_without_names_leaves_out_every_typed_text(coordinator_client, client_for,
                                                                world, evaluated):
    cohort, people, evaluation = evaluated
    url = _url(cohort, evaluation)
    named = people[0]
    typed = {"works": f"Ja: {named.first_name} heeft haar diploma gehaald.",
             "obstacles": f"Vervoer voor {named.last_name} in de polder.",
             "energy": "De buddy's.", "yields": "Twee werkervaringsplaatsen."}
    assert coordinator_client.post(f"{url}/antwoorden", data={
        **typed, "lock_version": str(evaluation.lock_version)}).status_code == 302
    assert coordinator_client.post(f"{url}/besluiten/nieuw", data={
        "kind": "besluit", "text": f"{named.first_name} krijgt een jobcoach.",
        "owner": f"{named.first_name}s buddy",
        "due_on": (today() + timedelta(days=30)).strftime("%d-%m-%Y")}).status_code == 302
    # The version with names shows what was typed (the control).
    assert typed["works"] in printed_text(coordinator_client.get(f"{url}/pakket.pdf").data)
    for client in (coordinator_client, client_for("klantmanager")):
        response = client.get(f"{url}/pakket.pdf?versie=pseudoniem")
        pages = page_texts(response.data)
        text = " ".join(pages)
        for word in (named.first_name, named.last_name, "diploma", "jobcoach", "polder"):
            assert word not in text, word
        assert "Kandidaat A" in text
        assert re.search(r"zonder namen|without names", pages[0], re.I)
        assert re.search(r"weggelaten|left out", pages[0], re.I)  # says so on page one
        assert "-zonder-namen.pdf" in response.headers["Content-Disposition"]
        workbook = client.get(f"{url}/cijfers.xlsx?versie=pseudoniem")
        assert "-zonder-namen.xlsx" in workbook.headers["Content-Disposition"]
        values = _workbook_text(workbook.data)
        for word in (named.first_name, named.last_name, "diploma", "jobcoach", "polder"):
            assert word not in values, word
    # An intaker at the table never gets names: their pack is the version without names.
    intaker = client_for("intaker").get(f"{url}/pakket.pdf")
    assert "-zonder-namen.pdf" in intaker.headers["Content-Disposition"]
    assert "diploma" not in printed_text(intaker.data)


def test_the_answer_form_warns_not_to_type_names(coordinator_client, world, evaluated):
    cohort, _people, evaluation = evaluated
    page = coordinator_client.get(f"{_url(cohort, evaluation)}/antwoorden").text
    for name in ("works", "obstacles", "energy", "yields"):
        assert f'id="{name}-hint"' in page and f'aria-describedby="{name}-hint' in page
    assert page.count("no names") + page.count("geen namen") >= 4
    page = coordinator_client.get(f"{_url(cohort, evaluation)}/besluiten/nieuw").text
    assert 'id="text-hint"' in page


def test_the_download_names_are_ascii_with_the_real_name_in_utf8(coordinator_client, world):
    for name in ("Coöperatie Ærø – 2026", "Łeba en Świnoujście"):
        cohort = make_cohort(world, name=name)
        evaluation = open_evaluation(world, cohort)
        for path in ("pakket.pdf", "cijfers.xlsx", "pakket.pdf?versie=pseudoniem"):
            response = coordinator_client.get(f"{_url(cohort, evaluation)}/{path}")
            assert response.status_code == 200
            header = response.headers["Content-Disposition"]
            assert header.isascii(), header
            fallback = re.search(r'filename="([^"]+)"', header).group(1)
            assert re.fullmatch(r"[A-Za-z0-9.-]+", fallback), fallback
            assert "filename*=UTF-8''" in header
            real = header.split("filename*=UTF-8''")[1]
            assert quote(name.split()[0], safe="") in real
    assert "Cooperatie-AEro-2026" in header or "Leba-en-Swinoujscie" in header
