"""Hostile input never gives a 500, keeps the typed text and writes nothing half.

Every POST route of ``app.url_map`` is filled by a role that may use it (tests/auth/policy.py)
on an object in that role's reach (``URL_ARGS`` of the access matrix), with values drawn by
Hypothesis: NUL bytes, 10 kB strings, huge and negative numbers, 25-digit ids, non-numeric
ids, unknown keys, Unicode, ``\\r\\n``, text that looks like SQL. Every GET page gets the same
in its query string (``?endpoint=x``, ``?page=<25 digits>``, ``?_anchor=`` ...), and every
``<int:...>`` in a URL an id beyond the database's integer. Asserted: no 500; a form shown
again keeps what was typed (without the control characters, which are stripped); a refused
post leaves the main tables' row counts as they were. Runs on SQLite and, with
``TRAJECTORY_TEST_DB=postgres``, on PostgreSQL (which refuses NUL and out-of-range values).
"""

from __future__ import annotations

import io
import os
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.auth.policy import ANY_USER, POLICY, PUBLIC, ROLE_USERS
from tests.auth.test_matrix import URL_ARGS
from tests.conftest import login
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.inputs import BoundedIntConverter, clean_text

# Routes not filled: leaving the session would log the client out for the next example.
SKIP = {"static", "auth.logout", "auth.logout_everywhere"}
# Tables of logs and sessions, which a refused post may write (a security event, a log line).
LOG_TABLES = {"audit_event", "processing_log", "security_event", "user_session", "kept_input",
              "login_throttle"}
HOSTILE = [
    "\x00", "Jan\x00Jansen", "\x00" * 3 + "1", "x" * 10_240, "9" * 25, "-" + "9" * 25,
    "2147483648", "-2147483649", "-1", "0", "1e400", "NaN", "Infinity", "1.000.000.000.000,00",
    "99999999999,99", "abc", "' OR '1'='1", "1; DROP TABLE candidate; --", "\r\nX-Injected: 1",
    "regel één\r\nregel twee", "Zoë Çelik 👩🏽‍⚕️", "\u202eevil", "<script>alert(1)</script>",
    "%00", "../../etc/passwd", "\t", " ", "", "31-02-2026", "0001-01-01", "  42  ",
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40),
                   st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
                   st.integers().map(str))
QUERY_KEYS = ["page", "sort", "endpoint", "_anchor", "_external", "_scheme", "_method", "values",
              "fmt", "soort", "fase", "kandidaat", "candidate", "cohort", "aanbieder", "na",
              "versie", "van", "naar", "editie", "q", "status", "municipality", "buddy",
              "benefit", "attention", "next", "candidate_id", "contract_id", "kind"]
TEXT_INPUTS = {"text", "email", "tel", "search", "url", "number", None}
# Small by default (the suite runs on two cores); HOSTILE_EXAMPLES=50 for a deeper run.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "3"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
PAGE_SETTINGS = settings(SETTINGS, max_examples=EXAMPLES * 4)
# Every page gets this query string once, besides the drawn ones.
WORST_QUERY = {"page": "9" * 25, "sort": "\x00-" + "x" * 300, "endpoint": "x", "_anchor": "x",
               "_external": "1", "_scheme": "javascript", "values": "x", "fmt": "exe",
               "kandidaat": "9" * 25, "candidate": "-1", "cohort": "abc", "fase": "1e9",
               "na": "9" * 25, "aanbieder": "\x00", "van": "-9", "naar": "9" * 25,
               "editie": "../x", "status": "' OR 1=1 --", "municipality": "9" * 25,
               "buddy": "x", "next": "//evil.example", "candidate_id": "1", "kind": "x"}


class _Forms(HTMLParser):
    """The fields of the page's POST (or GET) forms: (name, kind) with kind the input type,
    select or textarea."""

    def __init__(self, method: str = "post") -> None:
        super().__init__()
        self.fields: list[tuple[str, str | None]] = []
        self._in_post = False
        self._method = method

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_post = (attrs.get("method") or "get").lower() == self._method
        elif self._in_post and tag in ("input", "select", "textarea", "button") and \
                attrs.get("name") and attrs["name"] != "csrf_token":
            kind = tag if tag != "input" else (attrs.get("type") or "text").lower()
            if (attrs["name"], kind) not in self.fields:
                self.fields.append((attrs["name"], kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post = False


def _fields(html: str, method: str = "post") -> list[tuple[str, str | None]]:
    parser = _Forms(method)
    parser.feed(html)
    return parser.fields


def _role_for(endpoint: str) -> Role | None:
    allowed = POLICY[endpoint]
    if allowed == PUBLIC:
        return None
    if allowed == ANY_USER:
        return Role.KLANTMANAGER
    return next(role for role in ROLE_USERS if role in allowed)


def _url(app, world, rule, role: Role | None, **override) -> str:
    make = URL_ARGS.get(rule.endpoint)
    args = {}
    if rule.arguments:
        args = make(world, role) if getattr(make, "takes_role", False) else make(world)
    args.update(override)
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _client(app, role: Role | None):
    client = app.test_client()
    if role is not None:
        assert login(client, ROLE_USERS[role]).status_code == 302
    return client


def _counts() -> dict[str, int]:
    """Row counts of every table but the logs, in one statement."""
    db.session.rollback()
    tables = sorted((t for name, t in db.metadata.tables.items() if name not in LOG_TABLES),
                    key=lambda t: t.name)
    row = db.session.execute(sa.select(*[
        sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
        for t in tables])).one()
    return dict(zip([t.name for t in tables], row, strict=True))


def _shown_again(value: str) -> str:
    """What a re-rendered field must show of a typed ``value``: without control characters
    (stripped on arrival) and surrounding white space (some fields strip it)."""
    return clean_text(value).replace("\r\n", "\n").strip()


def _post_rules(app):
    return sorted((r for r in app.url_map.iter_rules()
                   if "POST" in r.methods and r.endpoint not in SKIP), key=lambda r: r.rule)


def _get_rules(app):
    return sorted((r for r in app.url_map.iter_rules()
                   if "GET" in r.methods and r.endpoint not in SKIP), key=lambda r: r.rule)


def _post_ids():
    from tests.conftest import base_config
    from trajectory import create_app

    app = create_app(base_config("sqlite://"))
    return [f"{r.endpoint}:{r.rule}" for r in _post_rules(app)]


POST_ROUTES = _post_ids()


@pytest.mark.parametrize("route", POST_ROUTES)
def test_every_form_survives_hostile_values(app, world, route):
    endpoint, path = route.split(":", 1)
    rule = next(r for r in _post_rules(app) if r.endpoint == endpoint and r.rule == path)
    role = _role_for(endpoint)
    client = _client(app, role)
    url = _url(app, world, rule, role)
    fields: list[tuple[str, str | None]] = []
    if "GET" in rule.methods:
        page = client.get(url)
        assert page.status_code < 500, (url, page.status_code)
        fields = _fields(page.text) if page.status_code == 200 else []
    if not fields:  # a button on another page: the names such forms use
        fields = [("decision", "radio"), ("reason", "textarea"), ("name", "text"),
                  ("lock_version", "hidden"), ("kind", "radio"), ("voorstel", "hidden"),
                  ("language", "hidden"), ("next", "hidden")]
    names = sorted({name for name, _kind in fields})
    text_fields = {name for name, kind in fields if kind in TEXT_INPUTS or kind == "textarea"}
    file_fields = {name for name, kind in fields if kind == "file"}

    @SETTINGS
    @given(values=st.fixed_dictionaries({name: VALUES for name in names}),
           extra=st.dictionaries(st.sampled_from(QUERY_KEYS) | st.text(min_size=1, max_size=12),
                                 VALUES, max_size=2))
    def fill(values, extra):
        data = {**extra, **values}
        for name in file_fields:  # an uploaded file whose name is hostile
            data[name] = (io.BytesIO(b"%PDF-1.4\n%hostile\n"), f"{values[name]}.pdf")
        before = _counts()
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code in (301, 302, 303):
            return  # saved, or refused with a message on the next page
        assert _counts() == before, f"{url}: rows written by a refused post"
        if response.status_code != 200:
            return
        shown = unescape(response.text).replace("\r\n", "\n")
        for name in text_fields:
            typed = _shown_again(values[name])
            if typed and name in {n for n, _k in _fields(response.text)}:
                assert typed in shown, f"{url}: {name} lost the typed text {typed[:40]!r}"

    fill()


@pytest.mark.parametrize("role", list(ROLE_USERS), ids=lambda r: r.value)
def test_every_page_survives_hostile_query_strings_and_ids(app, world, role):
    client = _client(app, role)
    rules = [r for r in _get_rules(app) if POLICY[r.endpoint] in (PUBLIC, ANY_USER)
             or role in POLICY[r.endpoint]]
    for rule in rules:
        url = _url(app, world, rule, role)
        response = client.get(url, query_string=WORST_QUERY)
        assert response.status_code < 500, (url, response.status_code)
        # The page's own filters (GET forms), each with a 25-digit id and with a NUL.
        filters = {name for name, _kind in _fields(response.text, "get")} if \
            response.status_code == 200 and response.mimetype == "text/html" else set()
        for hostile in ("9" * 25, "\x00", "-1"):
            if filters:
                query = {name: hostile for name in filters}
                response = client.get(url, query_string=query)
                assert response.status_code < 500, (url, query, response.status_code)
        for name in sorted(a for a, converter in rule._converters.items()
                           if isinstance(converter, BoundedIntConverter)):
            for huge in (2**31, 10**25):
                beyond = _url(app, world, rule, role, **{name: huge})
                response = client.get(beyond)
                assert response.status_code == 404, (beyond, response.status_code)

    @PAGE_SETTINGS
    @given(rule=st.sampled_from(rules),
           query=st.dictionaries(st.sampled_from(QUERY_KEYS) | st.text(min_size=1, max_size=12),
                                 VALUES, max_size=4))
    def browse(rule, query):
        url = _url(app, world, rule, role)
        response = client.get(url, query_string=query)
        assert response.status_code < 500, (url, query, response.status_code)

    browse()


@pytest.mark.parametrize("page", ["9" * 25, "-3", "abc", "0", "1e3", "99999"])
def test_a_page_number_beyond_the_list_shows_a_page_of_it(klantmanager_client, page):
    response = klantmanager_client.get("/kandidaten", query_string={"page": page,
                                                                   "endpoint": "x",
                                                                   "_anchor": "y"})
    assert response.status_code == 200
    links = re.findall(r'href="([^"]*)"', response.text)
    assert links and not [link for link in links if "endpoint=" in link or "_anchor" in link]
