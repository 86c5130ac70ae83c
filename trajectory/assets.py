"""Static files: hashed names, gzip and brotli, cached by browsers for a year.

``flask --app trajectory assets build`` (run by ``make install`` and the Docker build)
copies ``trajectory/static`` to ``build/static`` and lets Flask-Static-Digest write every
file again as ``name-<md5>.ext`` with ``.gz`` and ``.br`` beside it, plus a manifest.
The templates link through ``static_url_for``, which reads that manifest; WhiteNoise
serves the files before Flask: the compressed variant the browser accepts, and for a
hashed name ``Cache-Control: max-age=31536000, public, immutable`` (the content never
changes under that name). Without a build, in debug mode, or when a source file is newer
than the build (someone edited a stylesheet and ran the tests without ``make``), the
source folder and the plain names are used, so a fresh clone works as it is.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import click
from flask import Blueprint, Flask, Response, current_app
from flask_static_digest import FlaskStaticDigest
from flask_static_digest.digester import compile as digest_compile
from whitenoise import WhiteNoise

from trajectory.auth.access import public

MANIFEST = "cache_manifest.json"
ONE_YEAR = 365 * 24 * 60 * 60
# Fonts are compressed already and linked by their plain names from the stylesheets.
NOT_DIGESTED = [".woff2", ".md"]
HASHED_NAME = re.compile(r"-[0-9a-f]{32}\.[a-z0-9]+$")

bp = Blueprint("assets", __name__)


class _StaticFiles(WhiteNoise):
    """WhiteNoise with a year (not ten) for names that carry their content's hash."""

    FOREVER = ONE_YEAR


def default_build_dir(app: Flask) -> Path:
    return Path(app.root_path).parent / "build" / "static"


def build_is_fresh(source: Path, build: Path) -> bool:
    """The build exists and no source file changed after it was made."""
    manifest = build / MANIFEST
    if not manifest.is_file():
        return False
    built = manifest.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in source.rglob("*") if path.is_file())


def build_static(source: Path, build: Path) -> int:
    """A fresh copy of ``source`` in ``build`` with digested, compressed files; the count."""
    staging = build.with_name(build.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    with contextlib.redirect_stdout(io.StringIO()):  # the library prints where it wrote
        digest_compile(str(staging), str(staging), NOT_DIGESTED, True, True)
    shutil.rmtree(build, ignore_errors=True)
    staging.rename(build)  # the running app never sees a half-written folder
    return sum(1 for path in build.rglob("*") if HASHED_NAME.search(path.name))


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the same SVG (the pages
    link its hashed name, cached for a year; this path keeps the site-wide no-store)."""
    picture = (Path(current_app.root_path) / "static" / "favicon.svg").read_bytes()
    return Response(picture, mimetype="image/svg+xml")  # bytes: no open file to close


@click.group("assets")
def assets_cli() -> None:
    """Static files for production."""


@assets_cli.command("build")
def build_command() -> None:
    """Write the hashed and compressed static files to the build folder."""
    source = Path(current_app.root_path) / "static"
    build = Path(current_app.config["STATIC_BUILD_DIR"] or default_build_dir(current_app))
    count = build_static(source, build)
    click.echo(f"{count} files with hashed names in {build}")


def init_app(app: Flask) -> None:
    source = Path(app.static_folder or Path(app.root_path) / "static")
    build = Path(app.config.get("STATIC_BUILD_DIR") or default_build_dir(app))
    app.config["STATIC_BUILD_DIR"] = str(build)
    url_path = app.static_url_path  # the rule's /static, whatever the folder is named
    if not app.debug and build_is_fresh(source, build):
        app.static_folder = str(build)
        app.static_url_path = url_path
    elif (build / MANIFEST).is_file() and not app.debug:
        app.logger.info("static build in %s is older than trajectory/static: "
                           "serving the plain files (make static)", build)
    # One per app (tests build several): reads the manifest in app.static_folder, if any.
    app.extensions["static_digest"] = FlaskStaticDigest(app)
    app.register_blueprint(bp)
    app.cli.add_command(assets_cli)
    app.wsgi_app = _StaticFiles(  # type: ignore[method-assign]
        app.wsgi_app, root=app.static_folder, prefix=url_path,
        max_age=60 * 60, autorefresh=app.debug,
        immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
        add_headers_function=_security_headers,
    )


def _security_headers(headers, path: str, url: str) -> None:
    """WhiteNoise answers before Flask's after_request: the headers files need."""
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
