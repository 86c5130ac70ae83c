"""One logged-in user: the real login form (password, then the TOTP code), timed GETs.

Each request is timed to its first byte of body and to its last; an export's rows are
counted from the file itself (CSV lines after the header, the Excel sheet's rows after
its header row), for its rows per second."""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import requests
import urllib3

PASSWORD = "demo-trajectory-2026"  # noqa: S105 - the published demo password
TIMEOUT = 180  # seconds; gunicorn's own worker timeout (60 s) ends slower requests first
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


class LoginFailed(RuntimeError):
    pass


def csrf_token(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    tag = _CSRF.search(html)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise LoginFailed("no csrf_token on the page")
    return value.group(1)


@dataclass
class Timed:
    path: str
    status: int  # 0: no answer (timeout, connection reset)
    seconds: float
    request_id: str
    queries: int | None  # X-Query-Count (up to the end of the view)
    error: str | None = None
    first_byte: float | None = None  # seconds to the first byte of the body
    rows: int | None = None  # data rows of a CSV or Excel answer

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows is not None and self.seconds else None


CSV_TYPE, XLSX_TYPE = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml"
_SHEET_ROW = re.compile(rb"<row[ >]")


def export_rows(content_type: str, body: bytes) -> int | None:
    """The data rows of an export (its header row not counted); None for other answers."""
    if content_type.startswith(CSV_TYPE):
        return max(0, body.count(b"\r\n") - 1)
    if content_type.startswith(XLSX_TYPE):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                sheet = archive.read("xl/worksheets/sheet1.xml")
        except (zipfile.BadZipFile, KeyError):
            return None
        return max(0, len(_SHEET_ROW.findall(sheet)) - 1)
    return None


class Browser:
    def __init__(self, base: str, username: str, timeout: float = TIMEOUT) -> None:
        self.base, self.username, self.timeout = base, username, timeout
        self.session = requests.Session()
        self.last_text = ""  # the body of the last HTML answer (for its CSRF token)

    def login(self, code: Callable[[str], str]) -> None:
        """Password, then the code from ``code(username)`` (a step not used before)."""
        page = self.session.get(self.base + "/inloggen", timeout=TIMEOUT)
        step = self.session.post(
            self.base + "/inloggen", allow_redirects=False, timeout=TIMEOUT,
            data={"csrf_token": csrf_token(page.text), "username": self.username,
                  "password": PASSWORD})
        if step.status_code != 302 or "/inloggen/code" not in step.headers.get("Location", ""):
            raise LoginFailed(f"{self.username}: the password step answered {step.status_code}")
        page = self.session.get(self.base + "/inloggen/code", timeout=TIMEOUT)
        done = self.session.post(
            self.base + "/inloggen/code", allow_redirects=False, timeout=TIMEOUT,
            data={"csrf_token": csrf_token(page.text), "code": code(self.username)})
        if done.status_code != 302 or "/inloggen" in done.headers.get("Location", ""):
            raise LoginFailed(f"{self.username}: the code step answered {done.status_code}")

    def get(self, path: str) -> Timed:
        return self._timed("GET", path)

    def post(self, path: str, data: dict) -> Timed:
        return self._timed("POST", path, data=data)

    def _timed(self, method: str, path: str, **kwargs) -> Timed:
        request_id = "bench-" + uuid.uuid4().hex[:20]
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, headers={"X-Request-ID": request_id},
                allow_redirects=False, timeout=self.timeout, stream=True, **kwargs)
            with response:  # the first byte of the body, then all of it (as a browser)
                head = response.raw.read(1, decode_content=True)
                first_byte = time.perf_counter() - started
                body = head + response.raw.read(decode_content=True)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            return Timed(path, 0, time.perf_counter() - started, request_id, None,
                         type(error).__name__)
        seconds = time.perf_counter() - started
        count = response.headers.get("X-Query-Count")
        content_type = response.headers.get("Content-Type", "")
        self.last_text = body.decode(response.encoding or "utf-8", "replace") \
            if "html" in content_type else ""
        return Timed(path, response.status_code, seconds, request_id,
                     int(count) if count and count.isdigit() else None,
                     first_byte=first_byte, rows=export_rows(content_type, body))
