"""The intaker's scope at scale: each connection is read once per query, not once per
candidate.

Written as correlated ``EXISTS`` (a stage at the provider, an agreement at a cohort's
table, a buddy of the provider), the scope made SQLite search the provider's stages,
agreements or buddies again for every candidate: the intaker's list and home did not
answer within 180 s at 20,000 candidates (issue 13). As an uncorrelated
``Candidate.id IN (SELECT candidate_id ...)`` each connection is read once.

Timing goals live in ``benchmarks/``; here the shape is checked, on SQLite, through
``EXPLAIN QUERY PLAN``: the scope has no correlated subquery at all, and no statement of
the intaker's list and home searches provider-side rows (by provider or organisation)
or scans a table inside a correlated subquery. The databases are the demo
plus a generated region at two sizes; the pages cost the same queries at both.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND, CsrfClient, base_config, login, statements_run
from tests.scale_support import demo_regions
from trajectory import create_app
from trajectory.extensions import db

SMALL, LARGE = 150, 450
PAGES = ("/", "/kandidaten", "/kandidaten?page=2", "/signalen")
# Columns of the provider's side: a correlated search keyed on one of them does work per
# candidate that grows with the provider (its stages, agreements, accounts). (A search on
# ``buddy_id`` is fine per account: the buddy filter asks one EXISTS per buddy.)
PROVIDER_SIDE = ("provider_id", "organisation_id")
SEARCH_KEY = re.compile(r"^SEARCH (\S+) USING .*?\((\w+)")


@pytest.fixture(scope="module")
def region(database_template, tmp_path_factory) -> dict[int, str]:
    """Two database files: the demo with a generated region of SMALL and of LARGE."""
    if BACKEND == "postgres":
        pytest.skip("the plan's shape is checked on SQLite (the same statements)")
    return demo_regions(database_template, tmp_path_factory.mktemp("scope_scale"),
                        (SMALL, LARGE))


def plan(statement: str, parameters=()) -> list[tuple[int, int, str]]:
    """EXPLAIN QUERY PLAN rows: (id, parent, detail)."""
    rows = db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [(row[0], row[1], row[3]) for row in rows]


def per_candidate_problems(rows: list[tuple[int, int, str]]) -> list[str]:
    """The steps run inside a correlated subquery that scan a table or search the
    provider's side: the work per candidate then grows with the data."""
    parent = {node: up for node, up, _detail in rows}
    detail = {node: text for node, _up, text in rows}

    def correlated(node: int) -> bool:
        """The nearest subquery around the step is correlated (an uncorrelated one,
        even inside a correlated one, runs once per statement)."""
        while node in parent:
            node = parent[node]
            if "SUBQUERY" in detail.get(node, ""):
                return detail[node].startswith("CORRELATED")
        return False

    problems = []
    for node, _up, text in rows:
        if not correlated(node):
            continue
        if text.startswith("SCAN ") and not text.startswith("SCAN CONSTANT ROW"):
            problems.append(text)
        match = SEARCH_KEY.match(text)
        if match and match.group(2) in PROVIDER_SIDE:
            problems.append(text)
    return problems


def test_the_problem_shape_is_recognised():
    """The check fails on the plan the correlated EXISTS gave (issue 13, at 20,000)."""
    before = [(49, 6, "CORRELATED SCALAR SUBQUERY 2"),
              (54, 49, "SEARCH buddy_assignment_1 USING INDEX ix_buddy_assignment_buddy_candidate"
                       " (buddy_id=? AND candidate_id=?)"),
              (134, 6, "CORRELATED SCALAR SUBQUERY 5"),
              (139, 134, "SEARCH stage USING INDEX ix_stage_provider_id (provider_id=?)"),
              (140, 134, "SCAN contact_log")]
    assert per_candidate_problems(before) == [before[3][2], before[4][2]]
    after = [(5, 0, "CORRELATED SCALAR SUBQUERY 1"),
             (10, 5, "LIST SUBQUERY 3"),
             (116, 10, "SEARCH stage USING INDEX ix_stage_provider_id (provider_id=?)"),
             (150, 9, "CORRELATED SCALAR SUBQUERY 4"),
             (151, 150, "SEARCH stage USING INDEX ix_stage_candidate_id (candidate_id=?)")]
    assert per_candidate_problems(after) == []


def _intaker(app):
    from trajectory.auth.models import User

    return db.session.scalars(sa.select(User).where(User.username == "intaker")).one()


def test_the_intaker_scope_has_no_correlated_subquery(region):
    from trajectory.candidates import need_to_know
    from trajectory.candidates.models import Candidate

    app = create_app(base_config(region[LARGE]))
    with app.test_request_context():
        intaker = _intaker(app)
        connections = need_to_know.registered_connections()
        assert set(connections) >= {"buddy", "stage", "cohort_agreement"}
        conditions = {f"connection {key}": condition(intaker.organisation_id,
                                                     need_to_know.connection_cutoff())
                      for key, condition in connections.items()}
        conditions["scope"] = need_to_know.candidate_scope(intaker)
        for number, (condition, _view) in enumerate(need_to_know.tiers(intaker)):
            conditions[f"tier {number}"] = condition
        found = {}
        for name, condition in conditions.items():
            statement = sa.select(Candidate.id).where(condition).compile(
                db.engine, compile_kwargs={"literal_binds": True})
            steps = [text for _node, _up, text in plan(str(statement))]
            correlated = [text for text in steps if text.startswith("CORRELATED")]
            if correlated:
                found[name] = steps
        # The scope finds people: the check is about a query that answers.
        assert db.session.scalar(sa.select(sa.func.count(Candidate.id)).where(
            conditions["scope"])) > 0
        db.session.remove()
        db.engine.dispose()
    assert not found, found


def measure(uri: str) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Per intaker page (status, queries), and the per-candidate problems of its plans."""
    app = create_app(base_config(uri))
    app.test_client_class = CsrfClient
    counts, problems = {}, []
    with app.app_context():
        client = app.test_client()
        assert login(client, "intaker").status_code == 302
        for url in PAGES:
            client.get(url)  # warm: the session's first request loads more
            with statements_run(app) as seen:
                status = client.get(url).status_code
            counts[url] = (status, len(seen))
            for statement, parameters in seen:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                problems += [f"{url}: {step}\n  in {' '.join(statement.split())[:300]}"
                             for step in per_candidate_problems(plan(statement, parameters))]
        db.session.remove()
        db.engine.dispose()
    return counts, problems


def test_the_intaker_pages_do_no_provider_work_per_candidate(region):
    small, small_problems = measure(region[SMALL])
    large, large_problems = measure(region[LARGE])
    assert all(status == 200 for status, _queries in large.values()), large
    assert small == large, "the intaker's pages cost more queries in the larger region"
    assert not large_problems, "\n".join(dict.fromkeys(small_problems + large_problems))


@pytest.mark.parametrize("username", ("klantmanager", "intaker", "intaker2", "buddy",
                                      "coordinator"))
def test_each_roles_tiers_are_nested_widest_first(region, username):
    """The scope asks only each role's first tier (``need_to_know._widest``): that holds
    while every later tier's candidates are among the earlier tier's, and every later
    tier shows at least what the earlier one shows. Checked on the demo and a generated
    region, where the narrower tiers do find people (so a wider-later order would fail)."""
    from trajectory.auth.models import User
    from trajectory.candidates import need_to_know
    from trajectory.candidates.models import Candidate

    app = create_app(base_config(region[SMALL]))
    with app.test_request_context():
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        for role, build in need_to_know.BUILDERS.items():
            if role not in user.roles:
                continue
            tiers = build(user)
            for (wide, wide_view), (narrow, narrow_view) in pairwise(tiers):
                assert (wide_view & narrow_view) == wide_view, (role, narrow_view)
                outside = db.session.scalar(sa.select(sa.func.count(Candidate.id))
                                            .where(narrow, ~wide))
                assert outside == 0, (role, "a narrower tier reaches beyond the wider one")
                assert db.session.scalar(sa.select(sa.func.count(Candidate.id))
                                         .where(narrow)) > 0, (role, "the check is empty")
        db.session.remove()
        db.engine.dispose()
