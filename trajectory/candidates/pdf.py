""""Mijn plan" as a tagged PDF (PDF/UA-1) with WeasyPrint.

The fetcher only hands out our own static files (the font), so a plan text
that somehow contained a URL cannot make the server fetch anything.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()
MIME_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".css": "text/css",
              ".png": "image/png", ".svg": "image/svg+xml"}


class StaticOnlyFetcher(URLFetcher):
    """Serve files below trajectory/static; refuse every other URL."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused to fetch {url!r}: not one of our static files")
        path = Path(unquote(parts.path)).resolve()
        if STATIC not in path.parents or not path.is_file() or path.suffix not in MIME_TYPES:
            raise ValueError(f"refused to fetch {url!r}: not one of our static files")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": MIME_TYPES[path.suffix]})


def render_pdf(html: str) -> bytes:
    """Tagged PDF/UA-1; page size, <title>, lang and styles come from ``html``
    (templates/candidates/mijn_plan_document.html)."""
    return HTML(string=html, base_url=STATIC.as_uri() + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_variant="pdf/ua-1")
