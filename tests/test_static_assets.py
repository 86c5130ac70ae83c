"""Static files (trajectory/assets.py): hashed names linked from the pages, a year's cache
for them, gzip or brotli when the browser accepts it, the plain files without a build, and
the favicon."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import brotli
import pytest

from tests.conftest import base_config
from trajectory import create_app
from trajectory.assets import build_static

SOURCE = Path(__file__).resolve().parent.parent / "trajectory" / "static"
HASHED_CSS = re.compile(r'<link rel="stylesheet" href="(/static/css/site-[0-9a-f]{32}\.css)"')


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("static") / "build"
    assert build_static(SOURCE, build) >= 6
    return build


@pytest.fixture
def app_config(database_uri, build_dir) -> dict:
    return {**base_config(database_uri), "STATIC_BUILD_DIR": str(build_dir)}


def css_url(client) -> str:
    page = client.get("/inloggen").text
    match = HASHED_CSS.search(page)
    assert match, "the page links no hashed site.css"
    return match.group(1)


def test_the_page_links_hashed_stylesheets_and_the_favicon(client):
    page = client.get("/inloggen").text
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert len(links) == 5
    assert all(re.search(r"-[0-9a-f]{32}\.css$", link) for link in links), links
    assert re.search(r'<link rel="icon" href="/static/favicon-[0-9a-f]{32}\.svg"', page)


def test_a_hashed_file_is_cached_for_a_year_and_compressed(client):
    url = css_url(client)
    plain = client.get(url)
    assert plain.status_code == 200 and "text/css" in plain.content_type
    assert plain.headers["Cache-Control"] == "max-age=31536000, public, immutable"
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    source = (SOURCE / "css" / "site.css").read_bytes()
    assert plain.data == source

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == source and len(zipped.data) < len(source)

    squeezed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == source
    for response in (plain, zipped, squeezed):
        response.close()


def test_the_fonts_the_stylesheet_names_are_served(client):
    """The digested noto-sans.css links its fonts by their plain (relative) names."""
    link = re.search(r'href="(/static/vendor/noto-sans@5.3.0/noto-sans-[0-9a-f]{32}\.css)"',
                     client.get("/inloggen").text).group(1)
    with client.get(link) as stylesheet:
        css = stylesheet.text
    font = re.search(r"url\(\./([^)]+\.woff2)\)", css).group(1)
    response = client.get(f"/static/vendor/noto-sans@5.3.0/{font}")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    response.close()


def test_the_favicon_answers(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    response.close()


def test_without_a_build_the_plain_files_are_linked_and_served(database_uri, tmp_path):
    app = create_app({**base_config(database_uri), "STATIC_BUILD_DIR": str(tmp_path / "none")})
    client = app.test_client()
    page = client.get("/inloggen").text
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    response.close()


def test_a_build_older_than_a_source_file_is_not_used(database_uri, tmp_path):
    """Someone edits a stylesheet and runs the tests without make: the edit shows."""
    source = tmp_path / "static"
    source.mkdir()
    (source / "site.css").write_text("body { color: red }")
    build = tmp_path / "build"
    build_static(source, build)
    from trajectory.assets import build_is_fresh

    assert build_is_fresh(source, build)
    later = (build / "cache_manifest.json").stat().st_mtime + 10
    os.utime(source / "site.css", (later, later))
    assert not build_is_fresh(source, build)


def test_a_stale_build_of_the_real_folder_falls_back(database_uri, build_dir, tmp_path):
    stale = tmp_path / "stale"
    build_static(SOURCE, stale)
    os.utime(stale / "cache_manifest.json", (0, 0))
    app = create_app({**base_config(database_uri), "STATIC_BUILD_DIR": str(stale)})
    assert Path(app.static_folder) == SOURCE
    assert '/static/css/site.css"' in app.test_client().get("/inloggen").text


def test_the_region_and_the_theme_class_come_from_the_settings(database_uri, build_dir):
    app = create_app({**base_config(database_uri), "REGION_NAME": "Walcheren",
                      "THEME_CLASS": "walcheren-theme", "STATIC_BUILD_DIR": str(build_dir)})
    page = app.test_client().get("/inloggen").text
    assert '<html lang="nl" class="utrecht-root walcheren-theme">' in page
    assert "Walcheren" in page and "voorbeeld-theme" not in page
    assert "Oosterschelde" not in page.split("<main", 1)[0]  # not in the header
