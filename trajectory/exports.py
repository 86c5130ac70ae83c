"""The export kit: every Excel workbook, CSV file and download name goes through here.

The rules live in this one place, so every export follows them:

* **Typed cells.** A column (or a single cell, ``Typed``) has a ``Kind``: dates are real
  dates shown ``dd-mm-jjjj``, money is a number with a euro format, a percentage is the
  fraction (0.25) shown ``25%``, integers and numbers are numbers. Text is always written
  as text: XlsxWriter never turns a string into a formula, a URL or a number.
* **Dutch labels.** An enum with a ``label`` (the feature's own label table) is written as
  its label in the user's language, never as the stored code; lazy texts become text.
* **A usable sheet.** The header row is bold and frozen, has an autofilter, and the
  columns are as wide as their content (within bounds) unless a width is given.
* **CSV for Dutch Excel.** Semicolons, UTF-8 with a BOM, CRLF; dates ``dd-mm-jjjj``,
  amounts and numbers with a decimal comma and no thousands separator (Excel reads them
  as numbers), percentages ``25%``.
* **No formula injection, no mangled phone numbers.** A CSV value that starts with
  ``= + - @``, a tab or a carriage return gets a leading apostrophe, *unless* it is only
  a number or a phone number: digits, spaces, ``( ) . , / -`` after one leading ``+`` or
  ``-``. Such a value has no letter, no cell reference and no function, so a spreadsheet
  that reads it as a formula can at most do arithmetic; ``+31 6 12345678`` stays as typed.
  Excel cells are typed strings and need no quote at all.
* **Download names.** ``attachment(filename)`` gives a ``Content-Disposition`` with an
  ASCII fallback (``Cooperatie-AEro-2026.xlsx``) and the real name as RFC 5987
  ``filename*=UTF-8''...``; ``slug`` makes the ASCII part of a name from any text.
* **Flat memory at any size.** Rows are any iterable, read once: a workbook is written
  row by row into a temporary file (XlsxWriter's ``constant_memory`` mode, widths set
  after the rows), a CSV can go out as a stream of chunks (``csv_stream``), so a list of
  100,000 people costs no more memory than one of a thousand. A large export reads its rows
  with one streamed SELECT that holds every cell (``yield_per``: ``CHUNK`` rows at a time
  from a server-side cursor on PostgreSQL), after one INSERT ... SELECT of its
  processing-log lines: the same statements at any size (docs/processing-log.md).
"""

from __future__ import annotations

import csv
import enum
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from flask import Response, stream_with_context

from trajectory.timeutil import AMSTERDAM, as_utc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"

# Number formats are stored in Excel's neutral notation; Dutch Excel shows
# "€ 1.234,56", "25%", "31-03-2026".
MONEY_FORMAT = '"€" #,##0.00;-"€" #,##0.00'
PERCENT_FORMAT = "0%"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
INTEGER_FORMAT = "0"
NUMBER_FORMAT = "#,##0.0#"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number or a phone number: harmless even where a spreadsheet evaluates it.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 ().,/-]*")

MIN_WIDTH, MAX_WIDTH = 8, 60
# Rows per chunk of a large export: fetched from the one streamed SELECT and written at once.
CHUNK = 1000


class Kind(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"      # hours, months: up to two decimals
    MONEY = "money"        # Decimal euros
    PERCENT = "percent"    # a fraction: Decimal("0.25") is 25%
    DATE = "date"
    DATETIME = "datetime"
    PHONE = "phone"        # text, never a number (a leading 0 or + stays)


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: float | None = None  # in characters; None: fitted to the content


@dataclass(frozen=True)
class Typed:
    """One cell whose kind is not its column's (a sheet of figures mixes counts and money)."""

    value: Any
    kind: Kind = Kind.TEXT
    bold: bool = False


@dataclass
class Sheet:
    """A table: ``above`` are lines over the header row (the first one bold), ``below``
    notes under the rows."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    above: Sequence[str] = ()
    below: Sequence[str] = ()


@dataclass
class Layout:
    """A free sheet (a statement: label and value blocks), written row by row."""

    name: str
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] = field(default_factory=tuple)


# ------------------------------------------------------------------ values

def plain(value: Any) -> Any:
    """Labels for codes: an enum with a ``label`` gives its label, lazy text gives text."""
    if isinstance(value, enum.Enum):
        label = getattr(value, "label", None)
        return str(label) if label is not None else str(value.value)
    if value is None or isinstance(value, bool | int | float | Decimal | date | str):
        return value
    return str(value)  # LazyString and the like


def _local(value: datetime) -> datetime:
    return as_utc(value).astimezone(AMSTERDAM).replace(tzinfo=None)


def _unwrap(value: Any, kind: Kind) -> tuple[Any, Kind, bool]:
    if isinstance(value, Typed):
        return plain(value.value), value.kind, value.bold
    return plain(value), kind, False


def _as_date(value: Any) -> date | datetime | None:
    if isinstance(value, str):
        return date.fromisoformat(value) if value else None
    return value


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _decimal_text(value: Decimal, places: int | None) -> str:
    text = f"{value:.{places}f}" if places is not None else format(value.normalize(), "f")
    return text.replace(".", ",")


def text_of(value: Any, kind: Kind = Kind.TEXT) -> str:
    """A cell as CSV text (Dutch notation, see the module docstring)."""
    value, kind, _bold = _unwrap(value, kind)
    if value is None or value == "":
        return ""
    if kind in (Kind.DATE, Kind.DATETIME):
        value = _as_date(value)
        if isinstance(value, datetime):
            local = _local(value)
            return local.strftime("%d-%m-%Y" if kind is Kind.DATE else "%d-%m-%Y %H:%M")
        return value.strftime("%d-%m-%Y")
    if kind is Kind.MONEY:
        return _decimal_text(_as_decimal(value), 2)
    if kind is Kind.PERCENT:
        percent = (_as_decimal(value) * 100).quantize(Decimal("0.1"))
        return _decimal_text(percent.normalize() if percent == percent.to_integral() else
                             percent, None) + "%"
    if kind in (Kind.NUMBER, Kind.INTEGER) and not isinstance(value, str):
        return _decimal_text(_as_decimal(value), None)
    return safe_text(str(value))


def safe_text(value: str) -> str:
    """Neutralise a formula, keep a number or phone number as it is (module docstring)."""
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


# ------------------------------------------------------------------ CSV

class _Labels(dict):
    """Each code's label looked up once per chunk, not once per cell (``plain``)."""

    def of(self, value: Any) -> Any:
        if not isinstance(value, enum.Enum):
            return value
        if value not in self:
            self[value] = plain(value)
        return self[value]


def _csv_lines(rows: Iterable[Sequence[Any]], kinds: Sequence[Kind] | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    labels = _Labels()
    for row in rows:
        if kinds is None:
            writer.writerow(row)
        else:
            writer.writerow([text_of(labels.of(value), kind)
                             for kind, value in zip(kinds, row, strict=True)])
    return buffer.getvalue()


def csv_header(columns: Sequence[Column]) -> bytes:
    """The start of the file: the BOM Dutch Excel needs for UTF-8, and the header row."""
    return "\ufeff".encode() + _csv_lines([[safe_text(str(c.title)) for c in columns]],
                                          None).encode()


def csv_chunk(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows of the file, without the header (one chunk of a streamed CSV)."""
    return _csv_lines(rows, [c.kind for c in columns]).encode()


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM and CRLF, as Dutch Excel opens it."""
    return csv_header(columns) + csv_chunk(columns, rows)


def csv_stream(columns: Sequence[Column], chunks: Iterable[Iterable[Sequence[Any]]],
               name: str) -> Response:
    """A CSV sent while it is made: the header at once, then each chunk of rows as it comes
    (the same bytes as ``csv_bytes``). ``chunks`` (a generator) is first read after the
    view has returned, inside the request's context again (``stream_with_context``), so it
    does its own database work in a fresh session."""
    rest = stream_with_context(_csv_rows(columns, chunks))
    return Response(_Stream(csv_header(columns), rest), content_type=CSV,  # charset once
                    headers={"Content-Disposition": attachment(name)})


def _csv_rows(columns: Sequence[Column],
              chunks: Iterable[Iterable[Sequence[Any]]]) -> Iterator[bytes]:
    try:
        for rows in chunks:
            yield csv_chunk(columns, rows)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # an aborted download: the chunks' query ends here, not at the GC


class _Stream:
    """A streamed body: the first part (no database, no context) at once, the rest
    inside the request's context. A server (or Werkzeug's test client, which takes the
    first part with the response) that reads no further never enters the context again,
    so nothing stays pushed; ``close`` (the server's, at the end or on an aborted
    download) closes the rest."""

    def __init__(self, first: bytes, rest: Iterator[bytes]) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        yield from self.rest

    def close(self) -> None:
        self.rest.close()


class _FileBody:
    """A file sent from disk in blocks; closed when read to the end, when the server
    closes the response, or when the response is dropped unread."""

    BLOCK = 1 << 16

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def __iter__(self) -> Iterator[bytes]:
        try:
            while block := self.file.read(self.BLOCK):
                yield block
        finally:
            self.close()

    def close(self) -> None:
        self.file.close()

    __del__ = close


# ------------------------------------------------------------------ Excel

class _Book:
    def __init__(self, path: str) -> None:
        # constant_memory: each row goes to a temporary file once the next one starts, so
        # rows must come in order (they do: above, header, rows, below).
        self.book = xlsxwriter.Workbook(path, {
            "constant_memory": True, "tmpdir": tempfile.gettempdir(),
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.formats: dict[tuple[Kind, bool], Any] = {}
        self.names: set[str] = set()
        self.labels = _Labels()

    def fmt(self, kind: Kind, bold: bool = False):
        key = (kind, bold)
        if key not in self.formats:
            spec: dict[str, Any] = {"bold": True} if bold else {}
            number = {Kind.MONEY: MONEY_FORMAT, Kind.PERCENT: PERCENT_FORMAT,
                      Kind.DATE: DATE_FORMAT, Kind.DATETIME: DATETIME_FORMAT,
                      Kind.INTEGER: INTEGER_FORMAT, Kind.NUMBER: NUMBER_FORMAT}.get(kind)
            if number:
                spec["num_format"] = number
            if kind is Kind.TEXT:
                spec["text_wrap"] = False
            self.formats[key] = self.book.add_format(spec) if spec else None
        return self.formats[key]

    def sheet(self, name: str):
        """A worksheet with a valid, unique name (Excel: at most 31 characters, no []:*?/\\)."""
        clean = re.sub(r"[\[\]:*?/\\]", "-", str(name)).strip("'")[:31] or "Blad"
        candidate, number = clean, 2
        while candidate.lower() in self.names:
            suffix = f" ({number})"
            candidate, number = clean[:31 - len(suffix)] + suffix, number + 1
        self.names.add(candidate.lower())
        return self.book.add_worksheet(candidate)

    def write(self, sheet, row: int, col: int, value: Any, kind: Kind = Kind.TEXT,
              bold: bool = False) -> int:
        """Write one typed cell; returns its shown width in characters."""
        value, kind, cell_bold = _unwrap(self.labels.of(value), kind)
        fmt = self.fmt(kind, bold or cell_bold)
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
            return 0
        if kind in (Kind.DATE, Kind.DATETIME):
            value = _as_date(value)
            if isinstance(value, datetime):
                value = _local(value)
                if kind is Kind.DATE:
                    value = value.date()
            sheet.write_datetime(row, col, value, fmt)
            return 10 if kind is Kind.DATE else 16
        if kind in (Kind.MONEY, Kind.PERCENT, Kind.INTEGER, Kind.NUMBER) and \
                not isinstance(value, str | bool):
            number = _as_decimal(value)
            sheet.write_number(row, col, int(number) if kind is Kind.INTEGER else float(number),
                               fmt)
            return len(text_of(number, kind)) + (3 if kind is Kind.MONEY else 1)
        if kind in (Kind.MONEY, Kind.PERCENT, Kind.NUMBER) and isinstance(value, str):
            try:  # a figure kept as text in a snapshot ("0.25", "1600.96")
                return self.write(sheet, row, col, Decimal(value), kind, bold)
            except ArithmeticError:
                pass
        text = str(value)
        sheet.write_string(row, col, text, fmt)
        return max((len(line) for line in text.splitlines()), default=0)

    def table(self, spec: Sheet) -> None:
        sheet = self.sheet(spec.name)
        row = 0
        for index, line in enumerate(spec.above):
            self.write(sheet, row, 0, str(line), bold=index == 0)
            row += 1
        header = row
        widths = [len(str(c.title)) for c in spec.columns]
        for col, column in enumerate(spec.columns):
            self.write(sheet, header, col, str(column.title), bold=True)
        count = 0
        for count, values in enumerate(spec.rows, start=1):
            for col, (column, value) in enumerate(zip(spec.columns, values, strict=True)):
                widths[col] = max(widths[col], self.write(sheet, header + count, col, value,
                                                          column.kind))
        last = header + count
        for offset, note in enumerate(spec.below, start=2):
            self.write(sheet, last + offset, 0, str(note))
        for col, column in enumerate(spec.columns):
            width = column.width or min(max(widths[col] + 2, MIN_WIDTH), MAX_WIDTH)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(header + 1, 0)
        if spec.columns:
            sheet.autofilter(header, 0, max(last, header + 1), len(spec.columns) - 1)

    def layout(self, spec: Layout) -> None:
        sheet = self.sheet(spec.name)
        for row, values in enumerate(spec.rows):
            for col, value in enumerate(values):
                self.write(sheet, row, col, value)
        for col, width in enumerate(spec.widths):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)

    def close(self) -> None:
        self.book.close()


def workbook_file(sheets: Iterable[Sheet | Layout]) -> IO[bytes]:
    """The .xlsx with one worksheet per ``Sheet`` (a table) or ``Layout``, written to an
    anonymous temporary file (already unlinked: it disappears when closed), at its start."""
    handle, path = tempfile.mkstemp(prefix="trajectory-export-", suffix=".xlsx")
    os.close(handle)
    try:
        book = _Book(path)
        for spec in sheets:
            if isinstance(spec, Sheet):
                book.table(spec)
            else:
                book.layout(spec)
        book.close()
        return open(path, "rb")  # noqa: SIM115 - the response closes it
    finally:
        os.unlink(path)  # the open file stays readable (POSIX); nothing is left behind


def workbook(sheets: Sequence[Sheet | Layout]) -> bytes:
    """The .xlsx as bytes (small workbooks: a cohort's figures, one contract's ledger)."""
    with workbook_file(sheets) as file:
        return file.read()


def workbook_download(sheets: Iterable[Sheet | Layout], filename: str) -> Response:
    """Write the workbook to a temporary file, then send that file: memory stays flat
    however many rows there are. The safety net of the processing log does not read a
    file sent like this: the view logs every person in it itself."""
    file = workbook_file(sheets)
    size = os.fstat(file.fileno()).st_size
    return Response(_FileBody(file), mimetype=XLSX, direct_passthrough=True,
                    headers={"Content-Disposition": attachment(filename),
                             "Content-Length": str(size)})


# ------------------------------------------------------------------ download names

def _ascii(text: str) -> str:
    """Letters without their accents, ligatures spelt out, the rest a dash; case kept."""
    folded = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def slug(text: str) -> str:
    """ASCII, lower case, dashes: ``"Coöperatie Ærø – 2026"`` → ``cooperatie-aero-2026``."""
    return _ascii(text).lower()


_LIGATURES = str.maketrans({"Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe",
                            "ß": "ss", "Ð": "D", "ð": "d", "Þ": "Th", "þ": "th", "Ł": "L",
                            "ł": "l", "ı": "i", "–": "-", "—": "-"})


def attachment(filename: str) -> str:
    """``Content-Disposition`` for a download: an ASCII name for old clients and the real
    name in UTF-8 (RFC 6266 / RFC 5987), so no character can break the header."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = _ascii(stem) or "download"
    ascii_name = f"{ascii_stem}.{_ascii(extension)}" if extension else ascii_stem
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def download(body: bytes, filename: str, mimetype: str) -> Response:
    """The response every export sends: the body as an attachment named ``filename``."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": attachment(filename)})


def filename(*parts: str, extension: str, pseudonymised: bool = False) -> str:
    """A readable download name: ``overlegtafel-Maartgolf-2026-K2-2026.pdf``; the pseudonymised
    version ends in ``-zonder-namen``. Characters a file system refuses are dropped, spaces
    and dashes become one dash; ``attachment`` makes the ASCII fallback."""
    words = [_FILE_UNSAFE.sub("", str(p)) for p in parts if p]
    if pseudonymised:
        words.append("zonder-namen")
    stem = _DASHES.sub("-", "-".join(w for w in words if w.strip())).strip("-.")
    return f"{stem or 'download'}.{extension}"


_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_DASHES = re.compile(r"[\s\-\u2010-\u2015]+")
