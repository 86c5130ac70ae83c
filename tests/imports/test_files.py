"""Messy real-world files: separators, encodings, Dutch dates, empty rows, formulas."""

from __future__ import annotations

from datetime import date

import pytest

from tests.imports.support import HEADERS, csv_bytes, xlsx_bytes
from trajectory.imports import fields as F
from trajectory.imports.parsing import UnreadableFile, read_table

ROW = ["Zoë", "Çelik", "31-12-1980", "111222333", "WW", "01/09/2023"]


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_the_separator_is_sniffed(app, sep):
    table = read_table("export.csv", csv_bytes([ROW], sep=sep))
    assert table.headers == HEADERS
    assert table.rows == [(2, ROW)]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True),
                                               ("cp1252", False)])
def test_utf8_with_and_without_bom_and_windows_1252(app, encoding, bom):
    table = read_table("export.csv", csv_bytes([ROW], encoding=encoding, bom=bom))
    assert table.headers[0] == "Voornaam"  # no BOM glued to the first header
    assert table.rows[0][1][:2] == ["Zoë", "Çelik"]


def test_quoted_separators_and_empty_rows_keep_the_file_numbers(app):
    data = (b'Voornaam;Achternaam;Straat\r\n\r\n"Jan";"Berg; van den";"Kerkstraat 1"\r\n'
            b';;\r\nPiet;Klaas;x\r\n')
    table = read_table("x.csv", data)
    assert table.headers == ["Voornaam", "Achternaam", "Straat"]
    assert table.rows == [(3, ["Jan", "Berg; van den", "Kerkstraat 1"]),
                          (5, ["Piet", "Klaas", "x"])]


def test_a_csv_cell_starting_with_equals_is_text(app):
    table = read_table("x.csv", csv_bytes([["=1+1", "=HYPERLINK(\"x\")", "", "", "", ""]]))
    assert table.rows[0][1][:2] == ["=1+1", '=HYPERLINK("x")']


def test_excel_reads_the_shown_values_never_evaluates_formulas(app):
    """openpyxl writes no cached value for a formula: the cell reads as empty (Excel's
    saved result would be read), never as the formula or its evaluation."""
    data = xlsx_bytes([["Noor", "=CONCAT(\"Jan\",\"sen\")", date(1990, 2, 14), 111222333,
                        "Wajong", "2023-09-01"]])
    table = read_table("export.xlsx", data)
    number, cells = table.rows[0]
    assert number == 2
    assert cells[0] == "Noor" and cells[1] == ""
    assert cells[2] == "1990-02-14" and cells[3] == "111222333"


def test_excel_by_content_whatever_the_name(app):
    table = read_table("export.csv", xlsx_bytes([ROW]))
    assert table.rows[0][1] == ROW


@pytest.mark.parametrize(("data", "name"), [
    (b"", "x.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "oud.xls"),
    (b"PK\x03\x04 not really a zip", "x.xlsx"),
    (b"\x00\x01\x02binary\x00", "x.csv"),
    (b"\r\n\r\n;;\r\n", "x.csv"),
])
def test_unreadable_files_say_why(app, data, name):
    with pytest.raises(UnreadableFile) as error:
        read_table(name, data)
    assert str(error.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("31-12-1980", date(1980, 12, 31)), ("31/12/1980", date(1980, 12, 31)),
    ("1980-12-31", date(1980, 12, 31)), ("1-2-1980", date(1980, 2, 1)),
    ("31.12.1980", date(1980, 12, 31)), ("1980-12-31 00:00:00", date(1980, 12, 31)),
])
def test_dutch_and_iso_dates(app, text, expected):
    assert F.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-13-1980", "gisteren", "12-31-1980", "31-12-1800"])
def test_bad_dates(app, text):
    with pytest.raises(F.CellProblem):
        F.parse_date(text)


def test_benefits_by_code_label_and_usual_names(app):
    names = F.benefit_names()
    assert F.parse_benefit("Participatiewet", names).value == "participatiewet"
    assert F.parse_benefit("bijstand", names).value == "participatiewet"
    assert F.parse_benefit("WIA/WAO", names).value == "wia_wao"
    assert F.parse_benefit(" geen uitkering ", names).value == "nug"
    with pytest.raises(F.CellProblem):
        F.parse_benefit("Toeslag", names)


def test_a_bsn_that_lost_its_leading_zero_gets_it_back(app):
    assert F.parse_bsn("12345672") == "012345672"
    assert F.parse_bsn("1112.22.333") == "111222333"


def test_columns_are_found_by_dutch_or_english_names(app):
    headers = ["FIRST NAME", "achter naam", "Date_of_birth", "Burgerservicenummer", "Benefit",
               "Uitkering sinds", "Klantnummer (uitkeringssysteem)"]
    found = F.match_columns(headers)
    assert found == {"first_name": 0, "last_name": 1, "date_of_birth": 2, "bsn": 3,
                     "benefit": 4, "benefit_since": 5, "client_number": 6}
    assert F.missing_required(F.match_columns(["Voornaam"])) != []
