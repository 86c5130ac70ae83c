"""The quarterly evaluation through the pages: the coordinator answers the four questions,
records decisions, closes the evaluation and downloads the meeting pack and the figures,
which match the page; the pseudonymised pack has no names; a closed evaluation does not
change when the data does; the report keeps its query count as cohorts grow."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from tests.candidates.support import measure
from tests.cohorts.support import full_cohort, make_cohort, open_evaluation, person, seat
from trajectory.candidates.models import MeasurementKind
from trajectory.cohorts.models import Evaluation
from trajectory.extensions import db
from trajectory.timeutil import today


def key_figures(page: str) -> dict[str, tuple[str, str]]:
    """The key figures table of the evaluation page: key -> (label, value)."""
    found = {}
    for key, label, value in re.findall(
            r'<tr class="utrecht-table__row" id="cijfer-([a-z_]+)">\s*<th[^>]*>(.*?)</th>\s*'
            r'<td[^>]*>(.*?)</td>', page, re.S):
        found[key] = (html.unescape(label.strip()), html.unescape(value.strip()))
    return found


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def evaluation_url(cohort, evaluation) -> str:
    return f"/cohorten/{cohort.id}/evaluaties/{evaluation.id}"


@pytest.fixture
def cohort_with_people(world):
    cohort, people = full_cohort(world, size=5)
    for index, candidate in enumerate(people):
        measure(world, candidate, 2, 40, MeasurementKind.INTAKE,
                by="klantmanager" if index % 2 == 0 else "klantmanager2")
        measure(world, candidate, 3 + index % 2, 5,
                by="klantmanager" if index % 2 == 0 else "klantmanager2")
    return cohort, people


def test_the_coordinator_runs_and_closes_an_evaluation(coordinator_client, world,
                                                        cohort_with_people):
    cohort, people = cohort_with_people
    response = coordinator_client.post(f"/cohorten/{cohort.id}/evaluaties/nieuw",
                                       data={"quarter": cohort.start_quarter.isoformat()})
    assert response.status_code == 302
    url = response.headers["Location"]
    evaluation = db.session.scalars(db.select(Evaluation)).one()
    page = coordinator_client.get(url).text
    figures = key_figures(page)
    assert figures["candidates"][1] == "5"
    assert figures["ladder_up"][1] == "5"
    assert people[0].full_name in page  # the coordinator is entitled (consent)
    # The four questions and two decisions.
    response = coordinator_client.post(f"{url}/antwoorden", data={
        "works": "Ja: vier van de vijf hebben een vaste plek.",
        "obstacles": "Vervoer naar Tholen.", "energy": "De buddy's.",
        "yields": "Twee werkervaringsplaatsen.", "lock_version": str(evaluation.lock_version)})
    assert response.status_code == 302
    for text, owner in (("Vervoer regelen met de Regiotaxi", "Gemeente Tholen"),
                        ("Buddy's eerder koppelen", "Stichting Welzijn De Bevelanden")):
        response = coordinator_client.post(f"{url}/besluiten/nieuw", data={
            "kind": "besluit", "text": text, "owner": owner,
            "due_on": (today() + timedelta(days=60)).strftime("%d-%m-%Y")})
        assert response.status_code == 302
    # Close: the figures freeze.
    assert coordinator_client.get(f"{url}/afsluiten").status_code == 200
    response = coordinator_client.post(f"{url}/afsluiten")
    assert response.status_code == 302
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluation.is_closed and evaluation.snapshot["counts"]["candidates"] == 5
    page = coordinator_client.get(url).text
    shown = key_figures(page)
    assert "Vervoer regelen met de Regiotaxi" in page and "Gemeente Tholen" in page
    # Closed: no more changes.
    assert coordinator_client.post(f"{url}/antwoorden", data={
        "works": "Anders", "lock_version": str(evaluation.lock_version)}).status_code == 302
    assert db.session.get(Evaluation, evaluation.id).works.startswith("Ja: vier")

    # The PDF pack and the Excel figures show the same numbers as the page.
    response = coordinator_client.get(f"{url}/pakket.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    squeezed = re.sub(r"\s+", " ", text)
    for key, (_label, value) in shown.items():
        assert re.sub(r"\s+", " ", value) in squeezed, (key, value)
    assert people[0].full_name in squeezed
    assert "Vervoer regelen met de Regiotaxi" in squeezed

    response = coordinator_client.get(f"{url}/cijfers.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    cells = {sheet.cell(row, 1).value: sheet.cell(row, 2).value for row in range(5, 40)
             if sheet.cell(row, 1).value}
    for key, (label, value) in shown.items():
        expected = value.replace("€", "").replace("\xa0", "").replace(".", "").replace(",", ".")
        assert Decimal(str(cells[label])) == Decimal(expected.strip()), (key, value, cells[label])
    names = [book.worksheets[2].cell(row, 1).value for row in range(2, 7)]
    assert people[0].full_name in names


def test_the_pseudonymised_pack_has_no_names(coordinator_client, client_for, world,
                                             cohort_with_people):
    cohort, people = cohort_with_people
    evaluation = open_evaluation(world, cohort)
    url = evaluation_url(cohort, evaluation)
    for client in (coordinator_client, client_for("klantmanager")):
        text = re.sub(r"\s+", " ", pdf_text(client.get(f"{url}/pakket.pdf?versie=pseudoniem").data))
        assert "Kandidaat A" in text
        for candidate in people:
            assert candidate.first_name not in text and candidate.last_name not in text
        book = openpyxl.load_workbook(io.BytesIO(
            client.get(f"{url}/cijfers.xlsx?versie=pseudoniem").data))
        values = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows()
                          for c in row if c.value is not None)
        for candidate in people:
            assert candidate.first_name not in values


def test_names_only_for_those_entitled(client_for, world, cohort_with_people):
    cohort, people = cohort_with_people
    evaluation = open_evaluation(world, cohort)
    url = evaluation_url(cohort, evaluation)
    goes_people = [p for p in people if p.municipality.name == "Goes"]
    tholen_people = [p for p in people if p.municipality.name == "Tholen"]
    page = client_for("klantmanager").get(url).text
    assert all(p.full_name in page for p in goes_people)
    assert not any(p.full_name in page for p in tholen_people)
    intaker = client_for("intaker")  # a provider at the table: figures, no names
    page = intaker.get(url).text
    assert not any(p.full_name in page for p in people) and "Kandidaat A" in page
    text = pdf_text(intaker.get(f"{url}/pakket.pdf").data)
    assert not any(p.last_name in text for p in people)


def test_a_closed_evaluation_does_not_change_with_the_data(coordinator_client, world,
                                                           cohort_with_people):
    cohort, people = cohort_with_people
    closed = open_evaluation(world, cohort)
    url = evaluation_url(cohort, closed)
    coordinator_client.post(f"{url}/antwoorden", data={"works": "Ja.", "lock_version": "1"})
    coordinator_client.post(f"{url}/afsluiten")
    before_page = key_figures(coordinator_client.get(url).text)
    before_pdf = re.sub(r"\s+", " ", pdf_text(coordinator_client.get(f"{url}/pakket.pdf").data))
    # The daily work goes on: a new candidate, new measurements, a departure.
    seat(world, cohort, person(world, "Late", "Instromer"))
    for candidate in people:
        measure(world, candidate, 6, 1)
    after_page = key_figures(coordinator_client.get(url).text)
    assert after_page == before_page
    after_pdf = re.sub(r"\s+", " ", pdf_text(coordinator_client.get(f"{url}/pakket.pdf").data))
    for _key, (_label, value) in before_page.items():
        assert re.sub(r"\s+", " ", value) in after_pdf
    assert before_pdf.count("Kandidaat") == after_pdf.count("Kandidaat")
    # The comparison page shows the frozen figures for that quarter too.
    compare = coordinator_client.get("/cohorten/vergelijken").text
    assert "5" in compare and cohort.name in compare


def test_bad_input_on_the_evaluation_forms_keeps_the_input(coordinator_client, world):
    cohort = make_cohort(world)
    evaluation = open_evaluation(world, cohort)
    url = evaluation_url(cohort, evaluation)
    cases = [
        (f"{url}/besluiten/nieuw", {"kind": "besluit", "text": "Een besluit dat blijft",
                                    "owner": "", "due_on": "31-12-2026"},
         "Een besluit dat blijft"),
        (f"{url}/besluiten/nieuw", {"kind": "les", "text": "", "owner": "Ingrid",
                                    "due_on": "volgende week"}, "volgende week"),
        (f"{url}/antwoorden", {"works": "x" * 5001, "energy": "Energie die blijft",
                               "lock_version": "1"}, "Energie die blijft"),
        (f"/cohorten/{make_cohort(world, name='Septembergolf').id}/evaluaties/nieuw",
         {"quarter": "1999-01-01"}, 'name="quarter"'),
    ]
    for target, data, kept in cases:
        response = coordinator_client.post(target, data=data)
        assert response.status_code == 200, (target, data)
        assert "error-summary" in response.text, (target, data)
        assert kept in response.text, (target, data)
    # A stale form: someone else saved first; the typed text stays, nothing is lost.
    coordinator_client.post(f"{url}/antwoorden", data={"works": "Eerste versie",
                                                       "lock_version": "1"})
    response = coordinator_client.post(f"{url}/antwoorden", data={
        "works": "Tweede versie van iemand anders", "lock_version": "1"})
    assert response.status_code == 200
    assert "Tweede versie van iemand anders" in response.text and "Eerste versie" in response.text
    # Closing without any answer is refused with a message.
    fresh = open_evaluation(world, make_cohort(world, name="Junigolf 2026"))
    response = coordinator_client.post(f"/cohorten/{fresh.cohort_id}/evaluaties/{fresh.id}"
                                       "/afsluiten", follow_redirects=True)
    assert "utrecht-alert--error" in response.text
    assert not db.session.get(Evaluation, fresh.id).is_closed


def test_the_cohort_report_keeps_its_query_count(coordinator_client, world, count_queries):
    small, _ = full_cohort(world, size=2, name="Kleine golf")
    small_eval = open_evaluation(world, small)
    coordinator_client.get(evaluation_url(small, small_eval))
    with count_queries() as few:
        coordinator_client.get(evaluation_url(small, small_eval))
    big, people = full_cohort(world, size=6, name="Grote golf")
    for candidate in people:
        measure(world, candidate, 3, 3)
    big_eval = open_evaluation(world, big)
    coordinator_client.get(evaluation_url(big, big_eval))
    with count_queries() as many:
        coordinator_client.get(evaluation_url(big, big_eval))
    assert many.count == few.count, (few.count, many.count)
    # The comparison of all cohorts: the same number with one more cohort.
    coordinator_client.get("/cohorten/vergelijken")
    with count_queries() as two:
        coordinator_client.get("/cohorten/vergelijken")
    full_cohort(world, size=5, name="Derde golf")
    with count_queries() as three:
        coordinator_client.get("/cohorten/vergelijken")
    assert three.count == two.count, (two.count, three.count)
    # And the cohort page itself.
    with count_queries() as page_small:
        coordinator_client.get(f"/cohorten/{small.id}")
    with count_queries() as page_big:
        coordinator_client.get(f"/cohorten/{big.id}")
    assert page_small.count == page_big.count
