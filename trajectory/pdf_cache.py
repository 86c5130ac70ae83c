"""Rendered PDFs kept by a digest of everything that goes into them.

WeasyPrint spends 0.3–0.8 s laying out a meeting pack, and every member of a table
downloads the same pack, often more than once. The PDF is a pure function of its HTML
(the stylesheet is inline, the url_fetcher refuses every resource, the font is the
system's DejaVu Sans) and of the renderer: so the key is the SHA-256 of the HTML, the
WeasyPrint and pydyf versions, the PDF variant and ``RENDERING``. Names or pseudonyms,
free texts or their notice, the language (``lang`` and every translated word) are all in
the HTML: two users get the same file only when their HTML is byte for byte the same.
The view still builds that HTML (so the figures are live and every processing-log line
is written) and only skips the layout.

Where: ``PDF_CACHE_DIR`` (default ``instance/pdf-cache``), one ``<digest>.pdf`` per
rendering (``0600``, written to a temporary name and renamed, so a reader never sees half
a file). Every gunicorn process of a host shares it; several hosts share it when it is
on the same volume as ``EVIDENCE_DIR``, which they must share already; a host that does
not only renders once more. Not the database: a pack is 30–60 kB of derived bytes that
no backup needs, and a table would need a migration for what is only a cache.

A file lives ``PDF_CACHE_SECONDS`` (default one day; 0 turns the cache off): expired
files are removed whenever a new one is stored, and ``clear()`` empties the folder (the
retention run calls it after destroying files, so a destroyed person's name is not kept
on disk). A damaged or unreadable file is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app

RENDERING = "1"  # raise when the way HTML becomes a PDF changes (options, fonts)
DEFAULT_SECONDS = 24 * 3600


def cache_dir() -> Path:
    configured = current_app.config.get("PDF_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "pdf-cache"


def lifetime() -> int:
    value = current_app.config.get("PDF_CACHE_SECONDS")
    return DEFAULT_SECONDS if value is None or value == "" else int(value)


def digest(html: str, variant: str) -> str:
    import pydyf
    import weasyprint

    key = hashlib.sha256()
    for part in (RENDERING, weasyprint.__version__, pydyf.__version__, variant):
        key.update(part.encode() + b"\0")
    key.update(html.encode("utf-8"))
    return key.hexdigest()


def rendered(html: str, render: Callable[[], bytes], variant: str = "pdf/ua-1") -> bytes:
    """The PDF of ``html``: from the cache when it holds this exact rendering, else
    ``render()`` (stored for the next reader)."""
    seconds = lifetime()
    if seconds <= 0:
        return render()
    folder = cache_dir()
    path = folder / f"{digest(html, variant)}.pdf"
    try:
        if time.time() - path.stat().st_mtime < seconds:
            body = path.read_bytes()
            if body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF"):
                return body
    except OSError:
        pass
    body = render()
    _store(folder, path, body, seconds)
    return body


def _store(folder: Path, path: Path, body: bytes, seconds: int) -> None:
    """Write atomically; a full or read-only disk costs the next reader a render only."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pdf")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(folder, seconds)
    except OSError:
        current_app.logger.warning("pdf cache: could not store %s", path.name, exc_info=True)


def _prune(folder: Path, seconds: int) -> None:
    cutoff = time.time() - seconds
    for entry in os.scandir(folder):
        try:
            if entry.name.endswith(".pdf") and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


def clear() -> int:
    """Remove every kept PDF; returns how many."""
    folder = cache_dir()
    removed = 0
    if not folder.is_dir():
        return 0
    for entry in os.scandir(folder):
        if entry.name.endswith(".pdf"):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed
