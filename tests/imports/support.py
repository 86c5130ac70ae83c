"""Files as municipalities send them, built in the test (no fixtures on disk)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from trajectory.candidates.bsn import is_valid_bsn

HEADERS = ["Voornaam", "Achternaam", "Geboortedatum", "BSN", "Uitkering", "Uitkering sinds"]


def valid_bsns(count: int, start: int = 100_000_000) -> list[str]:
    """``count`` distinct BSNs that pass the elfproef."""
    found, number = [], start
    while len(found) < count:
        text = f"{number:09d}"
        if is_valid_bsn(text):
            found.append(text)
        number += 1
    return found


def people(count: int, *, start: int = 200_000_000) -> list[list[str]]:
    """Rows of distinct people: each born on a day of their own, a valid BSN."""
    rows = []
    for i, bsn in enumerate(valid_bsns(count, start)):
        born = date(1960, 1, 1) + timedelta(days=i)
        rows.append([f"Persoon{i}", f"Achternaam{i}", born.strftime("%d-%m-%Y"), bsn,
                     "Participatiewet", "01-09-2023"])
    return rows


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS, sep: str = ";",
              encoding: str = "utf-8", bom: bool = False) -> bytes:
    lines = [sep.join(headers)] + [sep.join(row) for row in rows]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
