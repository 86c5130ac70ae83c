"""Reading a spreadsheet into rows of text, the way people's files really are.

CSV: UTF-8 with or without BOM, else Windows-1252 (Excel's "CSV" on Dutch Windows);
the separator sniffed from the header line (``;`` from Dutch Excel, ``,``, tab). Excel
(.xlsx): the values a cell shows, as last calculated by Excel (``data_only``): a formula
is never evaluated here, and a CSV cell starting with ``=`` is plain text. Rows keep
their number in the file (the header is row 1); empty rows are left out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _

MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_CELL = 1000


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)


def read_table(filename: str, data: bytes) -> Table:
    """The header and the non-empty rows of a CSV or .xlsx file."""
    name = (filename or "").lower()
    if not data:
        raise UnreadableFile(_("The file is empty."))
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        records = _xlsx_rows(data)
    elif name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(_("This is an old Excel file (.xls). Save it as .xlsx or CSV "
                               "and upload it again."))
    else:
        records = _csv_rows(data)
    return _table(records)


def _table(records) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    empty_run = 0
    for number, cells in records:
        cells = [c.strip() for c in cells[:MAX_COLUMNS]]
        if not any(cells):
            empty_run += 1
            if empty_run > 1000:  # a sheet formatted to its last row: nothing follows
                break
            continue
        empty_run = 0
        if headers is None:  # the first non-empty row names the columns
            headers = cells
            continue
        if len(rows) >= MAX_ROWS:
            raise UnreadableFile(_("The file has more than %(n)d rows. Split it into smaller "
                                   "files.", n=MAX_ROWS))
        rows.append((number, [c[:MAX_CELL] for c in cells]))
    if headers is None:
        raise UnreadableFile(_("The file is empty."))
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise UnreadableFile(_("The first row must name the columns."))
    return Table(headers=headers, rows=rows)


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile(_("The file's characters cannot be read. Save it as CSV "
                                   "UTF-8 and upload it again.")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_separator(text: str) -> str:
    """The separator of the header line: the most frequent of ``;``, ``,`` and tab
    outside quotes (``csv.Sniffer`` guesses wrong on short Dutch headers)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: 0 for sep in (";", ",", "\t")}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(_("This is not a CSV or Excel (.xlsx) file."))
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_separator(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:
        raise UnreadableFile(_("The file is not a readable CSV file.")) from None


def cell_text(value) -> str:
    """What a cell shows, as text: dates as ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise UnreadableFile(_("This Excel file cannot be read. Save it again as .xlsx "
                               "and upload it again.")) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise UnreadableFile(_("This Excel file cannot be read. Save it again as .xlsx "
                               "and upload it again.")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in row]
    except Exception:  # noqa: BLE001 - idem, while reading the cells
        raise UnreadableFile(_("This Excel file cannot be read. Save it again as .xlsx "
                               "and upload it again.")) from None
    finally:
        workbook.close()
