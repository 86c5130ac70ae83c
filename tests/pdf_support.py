"""Reading a PDF back as a person sees it on paper (poppler's pdftotext).

pdftotext drops every character outside the page, so a column cut off at the right edge
is missing from its text, where pypdf would still read it from the content stream.
``assert_prints_whole`` takes the HTML a PDF was made from, and checks that every column
header of every table in it is in the PDF text, whole (a header broken inside a word
fails too), and that no word runs into the page's margin.
"""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PDFTOTEXT = shutil.which("pdftotext")
MARGIN_PT = 20  # every template keeps at least 14 mm (40 pt) free at the edges


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _run(body: bytes, *args: str) -> str:
    if PDFTOTEXT is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read PDFs back")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(body)
        return subprocess.run([PDFTOTEXT, *args, str(path), "-"], capture_output=True,
                              text=True, check=True).stdout


def printed_text(body: bytes) -> str:
    """The text on the pages, in reading order, whitespace squeezed."""
    return _squeeze(_run(body, "-raw"))


def page_texts(body: bytes) -> list[str]:
    return [_squeeze(page) for page in _run(body, "-raw").split("\f") if page.strip()]


def column_headers(html: str) -> list[str]:
    """The text of every ``<th scope="col">`` in the HTML."""
    found = re.findall(r'<th[^>]*scope="col"[^>]*>(.*?)</th>', html, re.S)
    return [_squeeze(html_lib.unescape(re.sub(r"<[^>]+>", " ", cell))) for cell in found]


def words_outside(body: bytes) -> list[str]:
    """Words that end in the right or bottom margin or beyond (pdftotext -bbox)."""
    text = _run(body, "-bbox")
    outside = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', text, re.S):
        width, height, words = float(page[0]), float(page[1]), page[2]
        for x_max, y_max, word in re.findall(
                r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                words):
            if float(x_max) > width - MARGIN_PT or float(y_max) > height - MARGIN_PT / 2:
                outside.append(word)
    return outside


def assert_prints_whole(html: str, body: bytes, expected_headers: int | None = None) -> str:
    """Every column header of the HTML's tables printed whole, no word off the paper;
    returns the printed text."""
    text = printed_text(body)
    headers = column_headers(html)
    missing = [header for header in headers if header not in text]
    assert not missing, f"column headers not printed whole: {missing}"
    if expected_headers is not None:
        assert len(headers) >= expected_headers, headers
    assert not words_outside(body), words_outside(body)
    return text
