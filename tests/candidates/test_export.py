"""Exports of the candidate list: CSV and Excel, safe cells, scope and the processing log;
typed cells and Dutch labels, phone numbers as typed, the columns a klantmanager works
with (stage, cohort, last contact, the benefit system's client number), a constant number
of queries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.candidates.support import VALID_BSN, assign, register
from trajectory.audit.models import ProcessingLogEntry
from trajectory.exports import CSV, Column, csv_bytes, safe_text
from trajectory.extensions import db


def read_csv(response) -> list[list[str]]:
    assert response.data.startswith("\ufeff".encode())  # BOM for Excel
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_of_the_filtered_list(klantmanager_client, world, goes):
    register(world, first_name="Wim", last_name="Ww", benefit="ww",
             date_of_birth=date(1966, 6, 6))
    register(world, klantmanager="klantmanager2", first_name="Thoolse", last_name="Kandidaat")
    response = klantmanager_client.get("/kandidaten/export.csv?benefit=participatiewet")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert "Buddy" in header or "Buddy" in " ".join(header)
    assert len(body) == 1 and "de Vries" in body[0] and "Zoë" in body[0]
    assert "Kees Dekker" in body[0]
    flat = response.data.decode("utf-8-sig")
    assert VALID_BSN not in flat and "Kerkstraat" not in flat  # never in exports


def test_each_exported_candidate_gets_a_processing_line(klantmanager_client, world, goes):
    other = register(world, first_name="Tweede", last_name="Persoon",
                     date_of_birth=date(1977, 7, 7))
    klantmanager_client.get("/kandidaten/export.xlsx")
    lines = list(db.session.scalars(sa.select(ProcessingLogEntry)))
    assert sorted((line.action, line.subject_id) for line in lines) == sorted(
        [("export", str(goes.id)), ("export", str(other.id))])
    assert all(line.actor_name == "klantmanager" for line in lines)


def test_excel_export_keeps_formulas_as_text(klantmanager_client, world):
    register(world, first_name="=HYPERLINK(\"http://x\")", last_name="+31 Test",
             date_of_birth=date(1970, 1, 1))
    response = klantmanager_client.get("/kandidaten/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '=HYPERLINK("http://x")' in values  # a string cell, not a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_cells_that_look_like_formulas_get_a_quote(klantmanager_client, world):
    register(world, first_name="=cmd|' /C calc'!A0", tussenvoegsel=None, last_name="-Min",
             date_of_birth=date(1970, 1, 1))
    rows = read_csv(klantmanager_client.get("/kandidaten/export.csv"))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'-Min" in cells


def test_safe_cell():
    for dangerous in ("=1+1", "@SUM(A1)", "\tx", "\rx", "-Min", "+HYPERLINK(x)", "-1+1"):
        assert safe_text(dangerous) == "'" + dangerous
    for number in ("+31 6 12345678", "-12,50", "+1", "06-12345678", "+31 (0)113 123456"):
        assert safe_text(number) == number  # no letter, no reference: only arithmetic
    assert safe_text("Gewoon") == "Gewoon"
    assert csv_bytes([Column("a")], [["=x"]]).decode("utf-8-sig").splitlines()[1] == "'=x"
    assert CSV.startswith("text/csv")


def test_a_phone_number_with_a_plus_stays_as_typed_in_the_csv(klantmanager_client, world):
    register(world, first_name="Internationaal", last_name="Bellen", phone="+31 6 12345678",
             date_of_birth=date(1980, 5, 5))
    rows = read_csv(klantmanager_client.get("/kandidaten/export.csv"))
    phone = rows[0].index("Telefoonnummer") if "Telefoonnummer" in rows[0] else \
        rows[0].index("Phone number")
    assert [row[phone] for row in rows[1:]] == ["+31 6 12345678"]


def test_the_coordinator_export_has_only_the_table_columns(coordinator_client, goes):
    rows = read_csv(coordinator_client.get("/kandidaten/export.csv"))
    flat = ";".join(";".join(row) for row in rows)
    assert "Zoë" in flat and "Kees Dekker" in flat and "Goes" in flat
    for hidden in ("06 12345678", "zoe@voorbeeld.nl", "Participatiewet", "12-04-1988",
                   VALID_BSN):
        assert hidden not in flat, hidden
    # last name, first name, municipality, status, current stage and its provider, cohort,
    # buddy, klantmanager, registered: no contact, benefit, client number or last contact
    assert len(rows[0]) == 10, rows[0]


def test_a_buddy_exports_only_their_own(buddy_client, world, goes):
    other = register(world, first_name="Niet", last_name="Van Kees", date_of_birth=date(1990, 1, 1))
    assign(world, other, "a.jansen")
    flat = buddy_client.get("/kandidaten/export.csv").data.decode("utf-8-sig")
    assert "Zoë" in flat and "Niet" not in flat
    assert "Participatiewet" not in flat  # buddies do not see the benefit


# ------------------------------------------------------------------ typed, labelled, complete

def _sheet(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def _by_header(sheet) -> dict[str, list]:
    header = [cell.value for cell in sheet[1]]
    return {title: [row[i] for row in sheet.iter_rows(min_row=2)] for i, title in enumerate(header)}


# New column titles: Dutch once the translations are merged, the English msgid before.
CLIENT_NUMBER = ("Klantnummer (uitkeringssysteem)", "Client number (benefit system)")
LAST_CONTACT = ("Laatste contact", "Last contact")


def _column(columns: dict[str, list], titles: tuple[str, str]) -> list:
    return next(columns[t] for t in titles if t in columns)


def test_the_excel_cells_are_typed_with_dutch_formats(klantmanager_client, goes):
    sheet = _sheet(klantmanager_client.get("/kandidaten/export.xlsx"))
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    columns = _by_header(sheet)
    [born] = columns["Geboortedatum"]
    assert born.is_date and born.value.date() == goes.date_of_birth
    assert born.number_format == "dd-mm-yyyy"
    [since] = columns["Uitkering sinds"]
    assert since.is_date and since.value.date() == goes.benefit_since
    [registered] = columns["Aangemeld op"]
    assert registered.is_date
    [age] = columns["Leeftijd"]
    assert age.data_type == "n" and age.value == goes.age()
    # Labels, not codes.
    assert [c.value for c in columns["Uitkering"]] == ["Participatiewet"]
    assert [c.value for c in columns["Status"]] == [goes.status.label]
    # Sensible widths: the header is readable, the e-mail column wider than the age.
    letter = {cell.value: cell.column_letter for cell in sheet[1]}
    widths = sheet.column_dimensions
    assert widths[letter["E-mailadres"]].width > widths[letter["Leeftijd"]].width >= 8


def test_the_export_has_stage_cohort_last_contact_and_client_number(
        klantmanager_client, coordinator_client, world, goes):
    from tests.cohorts.support import make_cohort, seat
    from tests.contacts.support import log_contact
    from tests.stages.conftest import P1, make_stage
    from trajectory.contacts.models import ContactKind
    from trajectory.stages.models import StageKind, StageStatus
    from trajectory.timeutil import today

    goes.client_number = "GO-123456"
    db.session.commit()
    make_stage(world, goes, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
    cohort = make_cohort(world, name="Coöperatie Ærø – 2026")
    seat(world, cohort, goes)
    log_contact(world, goes, days_ago=5)
    log_contact(world, goes, days_ago=1, kind=ContactKind.GEEN_CONTACT)  # no contact: no date
    columns = _by_header(_sheet(klantmanager_client.get("/kandidaten/export.xlsx")))
    assert [c.value for c in _column(columns, CLIENT_NUMBER)] == ["GO-123456"]
    assert [c.value for c in columns["Huidige trajectstap"]] == ["Werkervaringsplaats"]
    assert [c.value for c in columns["Aanbieder van de huidige trajectstap"]] == [P1]
    assert [c.value for c in columns["Cohort"]][0].startswith("Coöperatie Ærø – 2026")
    [contact] = _column(columns, LAST_CONTACT)
    assert contact.is_date and contact.value.date() == today() - timedelta(days=5)
    # Beside each other, after the status, whatever order the features registered them in.
    order = list(columns)
    at = order.index("Huidige trajectstap")
    assert order[at - 1:at + 3] == ["Status", "Huidige trajectstap",
                                    "Aanbieder van de huidige trajectstap", "Cohort"]
    # The coordinator sees stage and cohort, never the client number or the contacts.
    header = read_csv(coordinator_client.get("/kandidaten/export.csv"))[0]
    assert "Huidige trajectstap" in header and "Cohort" in header
    assert not {*CLIENT_NUMBER, *LAST_CONTACT} & set(header)


def test_the_export_keeps_a_constant_number_of_queries(klantmanager_client, world, goes,
                                                        count_queries):
    from tests.contacts.support import log_contact
    from tests.stages.conftest import P1, make_stage
    from trajectory.stages.models import StageKind, StageStatus

    def add(n: int) -> None:
        for i in range(n):
            c = register(world, first_name=f"Extra{i}{n}", last_name="Kandidaat",
                         date_of_birth=date(1970 + i, 1 + n, 1))
            assign(world, c, "buddy")
            make_stage(world, c, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
            log_contact(world, c, days_ago=i)

    counts = []
    for n in (1, 4):
        add(n)
        with count_queries() as counter:
            assert klantmanager_client.get("/kandidaten/export.xlsx").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_client_number_is_unique_within_the_municipality(klantmanager_client, world,
                                                              goes):
    other = register(world, first_name="Tweede", last_name="Persoon",
                     date_of_birth=date(1977, 7, 7))
    goes.client_number = "GO-1"
    db.session.commit()
    page = klantmanager_client.get(f"/kandidaten/{other.id}/bewerken").text
    assert 'name="client_number"' in page
    form = {"first_name": "Tweede", "last_name": "Persoon", "date_of_birth": "07-07-1977",
            "klantmanager_id": str(other.klantmanager_id), "client_number": "GO-1"}
    response = klantmanager_client.post(f"/kandidaten/{other.id}/bewerken", data=form)
    assert response.status_code == 200 and 'value="GO-1"' in response.text  # input kept
    assert db.session.get(type(other), other.id).client_number is None
    form["client_number"] = "GO-2"
    assert klantmanager_client.post(f"/kandidaten/{other.id}/bewerken",
                                    data=form).status_code == 302
    assert db.session.get(type(other), other.id).client_number == "GO-2"


def test_each_line_names_what_that_persons_row_shows(world, goes, klantmanager_client,
                                                     buddy_client, coordinator_client):
    """The categories are worked out in SQL with the lines (one INSERT ... SELECT): per
    person the same text as the row's own visibility within the export's columns."""
    from trajectory.candidates.models import Candidate
    from trajectory.candidates.need_to_know import list_columns, visible_fields

    other = register(world, first_name="Tweede", last_name="Persoon",
                     date_of_birth=date(1977, 7, 7))
    assign(world, other, "buddy")
    for name, client in (("klantmanager", klantmanager_client), ("buddy", buddy_client),
                         ("coordinator", coordinator_client)):
        assert client.get("/kandidaten/export.csv").data  # read to the end: the stream runs
        user = world.user(name)
        lines = list(db.session.scalars(sa.select(ProcessingLogEntry).where(
            ProcessingLogEntry.action == "export", ProcessingLogEntry.actor_user_id == user.id)))
        assert lines, name
        for line in lines:
            candidate = db.session.get(Candidate, int(line.subject_id))
            shown = visible_fields(user, candidate) & list_columns(user)
            assert line.data_categories == ",".join(shown.categories()), (name, line.subject_id)
            assert line.object_id == line.subject_id and line.object_type == "Candidate"
