"""The browser layer: one live server with the full demo and one Chromium per session.

Every test under ``tests/browser`` is marked ``browser``; the Makefile runs them
apart from the others, on two xdist workers (each its own server, database and browser). Without Debian's chromium the
tests are skipped with the reason shown, except when ``CI`` or
``TRAJECTORY_REQUIRE_BROWSER=1`` is set: then they fail. ``TRAJECTORY_CHROMIUM``
names another chromium binary.

Fixtures and helpers:

* ``live_server``: ``.url``, ``.app``, ``.user_ids`` (username to id),
  ``.org_ids`` (organisation name to id);
* ``page_for("klantmanager")``: a page in a fresh browser context, logged in
  through the real login form (the storage state is reused within the
  session); ``page_for(None)`` is an anonymous page;
* ``login_via_form(page, base_url, username)``;
* ``check_accessibility(page, name, widths=(1280, 360))``: axe-core (WCAG 2.1
  A/AA) at each width, no horizontal scroll at narrow widths, and a full-page
  screenshot in ``test-artifacts/screenshots/<name>-<width>.png``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler

from tests.conftest import BACKEND, ROOT, base_config, upgrade
from tests.factories import PASSWORD

CHROMIUM = Path(os.environ.get("TRAJECTORY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic",
]
AXE_SOURCE = ROOT / "tests" / "assets" / "axe-core@4.14.1" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Full-page screenshots cost about a second each: `make screenshots` turns them on.
TAKE_SCREENSHOTS = os.environ.get("TRAJECTORY_SCREENSHOTS") == "1"
NARROW = 360
BROWSER_DIR = Path(__file__).resolve().parent


# ------------------------------------------------------------------ marks

def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/browser, so ``-m browser`` / ``-m "not browser"`` split
    the suite (the Makefile runs the browser tests apart: per worker one server, one browser)."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _browser_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("TRAJECTORY_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str):
    if _browser_required():
        pytest.fail(f"{reason} (CI / TRAJECTORY_REQUIRE_BROWSER is set, so this fails "
                    "instead of skipping)", pytrace=False)
    pytest.skip(reason)


# ------------------------------------------------------------------ server

@dataclass
class LiveServer:
    url: str
    app: object
    user_ids: dict[str, int] = field(default_factory=dict)
    org_ids: dict[str, int] = field(default_factory=dict)

    def __call__(self, path: str) -> str:
        return self.url + path


def browser_config(database_uri: str) -> dict:
    config = base_config(database_uri)
    config.update({
        "DEMO_MODE": True,
        # The suite logs in many times from 127.0.0.1, wrong passwords included.
        "LOGIN_THROTTLE_FREE_FAILURES": 1000,
        "LOGIN_THROTTLE_ADDRESS_FREE_FAILURES": 1000,
        "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
    })
    return config


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code="-", size="-") -> None:
        pass


@pytest.fixture(scope="session")
def live_server(request, tmp_path_factory) -> Iterator[LiveServer]:
    """The app with the full demo (every feature's demo step), served on 127.0.0.1."""
    from werkzeug.serving import make_server

    from trajectory import create_app
    from trajectory.audit.trail import Actor, acting_as
    from trajectory.auth.models import User
    from trajectory.demo.data import load_demo
    from trajectory.extensions import db
    from trajectory.organisations.models import Organisation

    path = tmp_path_factory.mktemp("browser-db") / "browser.sqlite"
    if BACKEND == "sqlite":  # copy the session's migrated template
        shutil.copyfile(request.getfixturevalue("database_template"), path)
    else:  # the template is PostgreSQL then; the browser world stays on SQLite
        upgrade(f"sqlite:///{path}")
    app = create_app(browser_config(f"sqlite:///{path}"))
    with app.app_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
        db.session.commit()
        user_ids = dict(db.session.execute(sa.select(User.username, User.id)).all())
        org_ids = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
        db.session.remove()

    _LIVE_APPS.append(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, user_ids, org_ids)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


# ------------------------------------------------------------------ browser

@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001 - report any launch failure the same way
        playwright.stop()
        _unavailable(f"chromium did not start: {type(error).__name__}: {error}")
    try:
        yield instance
    finally:
        instance.close()
        playwright.stop()


# The live server's app, so the login helper can clear a user's last used TOTP step.
_LIVE_APPS: list = []


def _fresh_code(username: str) -> str:
    """The demo account's current code, with its last used step cleared first (the
    suite logs in as one account several times within 30 s; the app refuses a reuse)."""
    from trajectory.auth import mfa
    from trajectory.auth.models import User
    from trajectory.extensions import db

    assert _LIVE_APPS, "the live server is not running"
    with _LIVE_APPS[-1].app_context():
        db.session.execute(sa.update(User).where(User.username == username)
                           .values(totp_last_step=None))
        db.session.commit()
    return mfa.totp(mfa.DEMO_TOTP_SECRET).now()


def login_via_form(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in the way a person does: the login form, the code step, then the home page."""
    page.goto(base_url + "/inloggen")
    log_in_on_this_page(page, username, password)
    if re.search(r"/inloggen(/code)?(\?|$)", page.url):
        raise AssertionError(f"login as {username!r} failed: still on {page.url}")


def log_in_on_this_page(page, username: str, password: str = PASSWORD) -> None:
    """Fill the login form the browser shows now (it keeps ``next``), then the code step."""
    form = page.locator("main form").first
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if re.search(r"/inloggen/code$", page.url):
        form = page.locator("main form").first
        form.locator("input[name=code]").fill(_fresh_code(username))
        with page.expect_navigation():
            form.locator("button[type=submit]").click()


@pytest.fixture(scope="session")
def _storage_states() -> dict[str, dict]:
    return {}


@pytest.fixture
def page_for(browser, live_server, _storage_states) -> Iterator[Callable]:
    """``page_for("beheer")``: a page logged in as that demo account, in a fresh context."""
    contexts = []

    def make(username: str | None, **context_options):
        options = {"viewport": {"width": 1280, "height": 800}, "locale": "nl-NL",
                   **context_options}
        if username is not None and username in _storage_states:
            options["storage_state"] = _storage_states[username]
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if username is not None and username not in _storage_states:
            # The first page for this account logs in through the form; later ones reuse it.
            login_via_form(page, live_server.url, username)
            _storage_states[username] = context.storage_state()
        return page

    yield make
    for context in contexts:
        context.close()


# ------------------------------------------------------------------ accessibility

_axe_source: str | None = None


def _axe() -> str:
    global _axe_source
    if _axe_source is None:
        _axe_source = AXE_SOURCE.read_text(encoding="utf-8")
    return _axe_source


def slug(text: str, limit: int = 80) -> str:
    """A file-name-safe name; a long one is cut and made unique with a short hash."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "root"
    if len(name) > limit:
        name = name[:limit - 9].rstrip("-") + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return name


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) if isinstance(node["target"], list) else
                   str(node["target"]) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}\n"
                     f"    {violation.get('helpUrl', '')}\n"
                     f"    at {'; '.join(targets)}" + (f" (+{more} more)" if more > 0 else ""))
    return "\n".join(lines)


# The violations, plus the text axe leaves "incomplete" because its colour equals its
# background (1:1): invisible text, such as white links on a white bar, is a failure too.
# resultTypes: only the violations and incomplete results are detailed (faster).
_AXE_RUN_JS = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                  resultTypes: ['violations', 'incomplete']}).then(r => {
  const brief = (v, nodes, suffix) => ({id: v.id + suffix, impact: v.impact, help: v.help,
    helpUrl: v.helpUrl, nodes: nodes.map(n => ({target: n.target}))});
  const out = r.violations.map(v => brief(v, v.nodes, ''));
  for (const v of r.incomplete.filter(v => v.id === 'color-contrast')) {
    const invisible = v.nodes.filter(n => n.any.some(c => c.data && c.data.messageKey === 'equalRatio'));
    if (invisible.length) out.push(brief(v, invisible, ' (1:1, the text is invisible)'));
  }
  return out;
})"""

_OVERFLOW_JS = """() => {
  const limit = window.innerWidth;
  const out = [];
  const scrolls = el => {  // inside a box that scrolls or clips sideways: not the page's problem
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 0.5 && r.width > 0 && !scrolls(el)) {
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} (right ${Math.round(r.right)}px)`);
      if (out.length >= 8) break;
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: limit, offenders: out};
}"""


def check_accessibility(page, name: str | None = None, widths=(1280, NARROW),
                        load: Callable | None = None) -> None:
    """axe-core WCAG 2.1 A/AA, no horizontal scroll at narrow widths, screenshots.

    For each width the viewport is set and the page loaded again: ``page.reload()``
    by default, or ``load(page)`` for a state that a reload cannot reproduce
    (a form shown after a POST with errors).
    """
    name = name or slug(page.url.split("://", 1)[-1].split("/", 1)[-1])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        if load is None:
            page.reload()
        else:
            load(page)
        page.wait_for_load_state("load")
        if TAKE_SCREENSHOTS:
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        if page.evaluate("typeof window.axe") == "undefined":
            page.evaluate(_axe())
        result = page.evaluate(_AXE_RUN_JS, AXE_TAGS)
        if result:
            problems.append(f"axe at {width}px on {page.url}:\n{format_violations(result)}")
        if width <= NARROW:
            overflow = page.evaluate(_OVERFLOW_JS)
            if overflow["scrollWidth"] > overflow["innerWidth"]:
                problems.append(
                    f"horizontal scroll at {width}px on {page.url}: scrollWidth "
                    f"{overflow['scrollWidth']} > {overflow['innerWidth']}; widest: "
                    + json.dumps(overflow["offenders"]))
    assert not problems, "\n\n".join(problems)
