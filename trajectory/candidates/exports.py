"""The filtered candidate list as CSV or Excel.

Columns follow the list policy (``scope.list_columns``) and each cell the
row's own visibility, so an export never shows more than the page. No BSN and
no address in exports: nobody needs them in a spreadsheet.
Cells a spreadsheet would run as a formula are neutralised (CSV: a leading
quote; Excel: ``strings_to_formulas`` off).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from trajectory.candidates.models import Candidate
from trajectory.candidates.scope import Visible
from trajectory.i18n import day

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    title: Callable[[], str]
    needs: str  # a Visible attribute
    value: Callable[[Candidate], Any]


def _buddy(c: Candidate) -> str:
    buddy = c.current_buddy
    return buddy.full_name if buddy else ""


COLUMNS = (
    Column("last_name", lambda: _("Last name"), "name",
           lambda c: " ".join(p for p in (c.tussenvoegsel, c.last_name) if p)),
    Column("first_name", lambda: _("First name"), "name", lambda c: c.first_name),
    Column("date_of_birth", lambda: _("Date of birth"), "date_of_birth",
           lambda c: day(c.date_of_birth)),
    Column("age", lambda: _("Age"), "age", lambda c: c.age()),
    Column("municipality", lambda: _("Municipality"), "overview", lambda c: c.municipality.name),
    Column("benefit", lambda: _("Benefit"), "benefit", lambda c: c.benefit.label),
    Column("benefit_since", lambda: _("Benefit since"), "benefit",
           lambda c: day(c.benefit_since)),
    Column("status", lambda: _("Status"), "overview", lambda c: c.status.label),
    Column("buddy", lambda: _("Buddy"), "overview", _buddy),
    Column("klantmanager", lambda: _("Client manager"), "overview",
           lambda c: c.klantmanager.full_name),
    Column("phone", lambda: _("Phone number"), "contact", lambda c: c.phone or ""),
    Column("email", lambda: _("Email address"), "contact", lambda c: c.email or ""),
    Column("registered", lambda: _("Registered on"), "overview", lambda c: day(c.registered_at)),
)


def table(candidates: list[Candidate], columns: Visible,
          visible: dict[int, Visible]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows; a cell the row's visibility hides stays empty."""
    chosen = [col for col in COLUMNS if getattr(columns, col.needs)]
    header = [col.title() for col in chosen]
    rows = [[col.value(c) if getattr(visible[c.id], col.needs) else "" for col in chosen]
            for c in candidates]
    return header, rows


def safe_cell(value: Any) -> Any:
    """Prefix text a spreadsheet would read as a formula with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM, as Dutch Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[Any]], sheet: str) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, row)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(rows), 1), max(len(header) - 1, 0))
    workbook.close()
    return output.getvalue()
