"""Flat pages: every list, every role's home, the signals page and the candidate exports
cost the same number of queries at two sizes of the region, and no statement's ``IN``
list of values grows with it (an ``IN`` list built from Python ids grows with the data; a
subquery does not).

The two databases are the demo (``load_demo``) plus a generated region
(``trajectory.demo.generator.generate``) of 200 and of 1,000 candidates, built once per
module on SQLite (the statements are the same on PostgreSQL; tests/test_indexes.py
checks their plans there).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import (
    BACKEND,
    TEST_SECRET,
    CsrfClient,
    base_config,
    login,
    statements_run,
)
from tests.scale_support import demo_regions
from trajectory import create_app
from trajectory.extensions import db

SMALL, LARGE = 200, 1000

# Per account the pages it works from: its home, its lists, the signals page.
PAGES: dict[str, tuple[str, ...]] = {
    "klantmanager": ("/", "/signalen", "/signalen?signaal=geen_contact&page=2",
                     "/kandidaten", "/kandidaten?page=2", "/kandidaten?sort=-registered",
                     "/kandidaten?q=de+jong", "/kandidaten?signal=geen_contact",
                     "/kandidaten?attention=toestemming_verloopt", "/kandidaten?status=open",
                     "/cohorten", "/trajecten/werkvoorraad", "/aanbieders/aanbod",
                     "/aanbieders/vacatures", "/kandidaten/export.csv",
                     "/kandidaten/export.xlsx", "/kandidaten/export.csv?status=open"),
    "coordinator": ("/", "/signalen", "/kandidaten", "/cohorten", "/kandidaten/export.csv",
                    "/sroi/"),
    "intaker": ("/", "/signalen", "/kandidaten", "/kandidaten?page=2",
                "/kandidaten?sort=municipality", "/kandidaten?q=de+jong",
                "/trajecten/werkvoorraad", "/kandidaten/export.xlsx", "/sroi/"),
    "buddy": ("/", "/signalen", "/kandidaten", "/kandidaten/export.csv"),
    "beheer": ("/", "/beheer/gebruikers"),
    "adviseur": ("/", "/sroi/"),
}


# The pages of one record (issue 13) as the bench names them (benchmarks/pages.py), with
# the demo records it looks up by name: at most MOST_QUERIES each, the same at both sizes.
RECORD_PAGES = ("candidate file", "plan", "stage page", "contact log", "cohort page",
                "open quarterly evaluation", "its PDF pack", "closed evaluation")
MOST_QUERIES = 20


def record_pages(uri: str) -> dict[str, list[str]]:
    """Per account the paths of RECORD_PAGES with this database's ids filled in."""
    from benchmarks.pages import PAGES as BENCH_PAGES
    from benchmarks.pages import Probe

    probe = Probe(uri, TEST_SECRET)
    ids = probe.demo_ids()
    probe.close()
    paths: dict[str, list[str]] = {}
    for page in BENCH_PAGES:
        if page.name in RECORD_PAGES:
            url = page.url(ids)
            assert url is not None, f"the demo lacks a record for {page.name}"
            paths.setdefault(page.account, []).append(url)
    assert sum(map(len, paths.values())) == len(RECORD_PAGES)
    return paths


@pytest.fixture(scope="module")
def sized(database_template, tmp_path_factory) -> dict[int, str]:
    """Two database files: the demo with a generated region of SMALL and of LARGE."""
    if BACKEND == "postgres":
        pytest.skip("query counts are measured on SQLite (the same statements)")
    return demo_regions(database_template, tmp_path_factory.mktemp("sized"), (SMALL, LARGE))


# The longest IN list a page may build from the ids of its own rows (25 per page, the
# goals of 20 plans); the larger region gives every account far more people than this.
PAGE_IDS = 60
# An IN list of bound values as SQLite receives it: ``IN (?, ?, ?)``.
IN_LIST = re.compile(r"IN \(((?:\?, )*\?)\)")


def longest_in_list(statement: str) -> int:
    """The length of the statement's longest IN list of bound values."""
    return max((m.group(1).count("?") for m in IN_LIST.finditer(statement)), default=0)


def measure(uri: str, username: str, urls: list[str] | None = None
            ) -> dict[str, tuple[int, int, int]]:
    """Per page of the account (``urls``, default its PAGES): (status, queries, the longest
    IN list of values)."""
    app = create_app(base_config(uri))
    app.test_client_class = CsrfClient
    result = {}
    with app.app_context():
        client = app.test_client()
        assert login(client, username).status_code == 302
        for url in PAGES[username] if urls is None else urls:
            client.get(url).get_data()  # warm: the session's first request loads more
            with statements_run(app) as seen:
                response = client.get(url)
                response.get_data()  # a streamed export queries as it is read
                status = response.status_code
            result[url] = (status, len(seen),
                           max((longest_in_list(statement) for statement, _ in seen), default=0))
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.mark.parametrize("username", sorted(PAGES))
def test_pages_cost_the_same_queries_at_two_sizes(sized, username):
    small, large = measure(sized[SMALL], username), measure(sized[LARGE], username)
    problems = []
    for url in PAGES[username]:
        (s_status, s_queries, s_params), (l_status, l_queries, l_params) = small[url], large[url]
        if (s_status, l_status) != (200, 200):
            problems.append(f"{url}: status {s_status} / {l_status}")
        if l_queries != s_queries:
            problems.append(f"{url}: {s_queries} queries at {SMALL}, {l_queries} at {LARGE}")
        # A page's ids (a selectin load of 25 rows, the plans of 20 candidates) stay
        # short at any size; a list of every id in scope grows with the region.
        if l_params > max(s_params, PAGE_IDS):
            problems.append(f"{url}: an IN list of {l_params} values at {LARGE} "
                            f"({s_params} at {SMALL}): ids from Python?")
    assert not problems, "\n".join(problems)


def test_record_pages_stay_under_the_ceiling_at_two_sizes(sized):
    """The candidate file, the stage page, the cohort page and its evaluations: a fixed
    number of queries, at most MOST_QUERIES, whatever the size of the region."""
    small_paths, large_paths = record_pages(sized[SMALL]), record_pages(sized[LARGE])
    assert small_paths == large_paths  # the demo's records keep their ids
    problems = []
    for username, urls in large_paths.items():
        small, large = measure(sized[SMALL], username, urls), measure(sized[LARGE], username, urls)
        for url in urls:
            (s_status, s_queries, _s), (l_status, l_queries, _l) = small[url], large[url]
            if (s_status, l_status) != (200, 200):
                problems.append(f"{url}: status {s_status} / {l_status}")
            if l_queries != s_queries:
                problems.append(f"{url}: {s_queries} queries at {SMALL}, {l_queries} at {LARGE}")
            if l_queries > MOST_QUERIES:
                problems.append(f"{url} as {username}: {l_queries} queries (at most "
                                f"{MOST_QUERIES})")
    assert not problems, "\n".join(problems)


def test_the_larger_region_is_larger(sized):
    """The comparison means something: the second database holds ten times the people."""
    from trajectory.candidates.models import Candidate

    counts = {}
    for size, uri in sized.items():
        app = create_app(base_config(uri))
        with app.app_context():
            counts[size] = db.session.scalar(sa.select(sa.func.count(Candidate.id)))
            db.engine.dispose()
    assert counts[LARGE] - counts[SMALL] == LARGE - SMALL


def _signal_queries(uri: str, username: str) -> dict[str, int]:
    """The statements the signal functions run for an account: every signal with its
    first rows (``signals_for``), the counts alone, the per-cohort counts of a page of
    cohorts and the buddies' open signals."""
    import sqlalchemy as sa

    from trajectory.auth.models import User
    from trajectory.cohorts import signals as sig
    from trajectory.cohorts.models import Cohort

    app = create_app(base_config(uri))
    found = {}
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        cohorts = list(db.session.scalars(sa.select(Cohort.id).order_by(Cohort.id).limit(25)))
        scope = sig.signal_scope(user)
        calls = {
            "signals_for": lambda: sig.signals_for(user, shown=3),
            "counts": lambda: sig.counts(sig.signals_seen_by(user), scope),
            "cohort_counts": lambda: sig.cohort_counts(cohorts),
            "buddy_signals": lambda: (sig.count_open_buddy_signals(sig.task_scope(user)),
                                      sig.open_buddy_signals(sig.task_scope(user), 5)),
        }
        for name, call in calls.items():
            call()
            with statements_run(app) as seen:
                call()
            found[name] = len(seen)
        db.session.remove()
        db.engine.dispose()
    return found


@pytest.mark.parametrize("username", ["klantmanager", "intaker", "buddy", "coordinator"])
def test_the_signals_cost_the_same_queries_at_two_sizes(sized, username):
    """Two statements for every signal and its first rows (the counts, the first rows of
    all in one UNION ALL), one for the counts, one for a page of cohorts' counts, and a
    few for the buddies' open signals: the same at both sizes."""
    small, large = _signal_queries(sized[SMALL], username), _signal_queries(sized[LARGE],
                                                                           username)
    assert small == large
    assert (large["signals_for"], large["counts"], large["cohort_counts"]) == (2, 1, 1)
    assert large["buddy_signals"] <= 3  # the count, the rows (and their eager loads)
