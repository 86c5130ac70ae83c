"""Exports of the candidate list: CSV and Excel, safe cells, scope and the processing log."""

from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.candidates.support import VALID_BSN, assign, register
from trajectory.audit.models import ProcessingLogEntry
from trajectory.candidates.exports import safe_cell, to_csv
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
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Gewoon") == "Gewoon" and safe_cell(42) == 42
    assert to_csv(["a"], [["=x"]]).decode("utf-8-sig").splitlines()[1] == "'=x"


def test_the_coordinator_export_has_only_the_table_columns(coordinator_client, goes):
    rows = read_csv(coordinator_client.get("/kandidaten/export.csv"))
    flat = ";".join(";".join(row) for row in rows)
    assert "Zoë" in flat and "Kees Dekker" in flat and "Goes" in flat
    for hidden in ("06 12345678", "zoe@voorbeeld.nl", "Participatiewet", "12-04-1988",
                   VALID_BSN):
        assert hidden not in flat, hidden
    assert len(rows[0]) == 7  # last name, first name, municipality, status, buddy, km, registered


def test_a_buddy_exports_only_their_own(buddy_client, world, goes):
    other = register(world, first_name="Niet", last_name="Van Kees", date_of_birth=date(1990, 1, 1))
    assign(world, other, "a.jansen")
    flat = buddy_client.get("/kandidaten/export.csv").data.decode("utf-8-sig")
    assert "Zoë" in flat and "Niet" not in flat
    assert "Participatiewet" not in flat  # buddies do not see the benefit
