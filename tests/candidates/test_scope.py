"""Who reaches which candidate: an explicit route × role matrix and the scope rules.

The candidate is the Goes file of tests/candidates/support.goes_file: klantmanager
Sanne Bosman (Goes), buddy Kees Dekker of Stichting Welzijn De Bevelanden (so
intaker2, of that provider, is connected; intaker, of Zorggroep Scheldezoom, is
not), consent shared with the overlegtafel.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.candidates.support import assign, matrix_args, register
from trajectory.audit.models import ProcessingLogEntry
from trajectory.auth.roles import Role
from trajectory.candidates import scope
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.timeutil import today

USERS = ("klantmanager", "klantmanager2", "intaker", "intaker2", "buddy", "coordinator",
         "beheer", "adviseur")

# GET status per user, in the order of USERS.
READ_ALL = (200, 200, 200, 200, 200, 200, 403, 403)     # lists: everyone with a candidate role
FILE = (200, 404, 404, 200, 200, 200, 403, 403)         # the file: scope decides
PLAN = (200, 404, 404, 200, 200, 403, 403, 403)         # the plan: not for the overlegtafel
EDIT = (200, 404, 403, 403, 403, 403, 403, 403)         # changing: the klantmanager only
# Writing the plan: also the intaker of a provider with a stage (none here), so the
# intaker of another provider passes the role check and meets the scope: 404.
PLAN_WRITE = (200, 404, 404, 403, 403, 403, 403, 403)

GET_EXPECTED = {
    "candidates.index": READ_ALL,
    "candidates.export": READ_ALL,
    "candidates.new": (200, 200, 403, 403, 403, 403, 403, 403),
    "candidates.show": FILE,
    "candidates.plan": PLAN,
    "candidates.plan_versions": PLAN,
    "candidates.plan_version": PLAN,
    # the matrix file's plan has one version (one sitting): back to the versions page
    "candidates.plan_compare": (302, 404, 404, 302, 302, 403, 403, 403),
    "candidates.mijn_plan_page": PLAN,
    "candidates.mijn_plan_pdf": PLAN,
    "candidates.edit": EDIT,
    "candidates.status": EDIT,
    "candidates.buddy": EDIT,
    "candidates.measurement_new": EDIT,
    "candidates.zrm_new": EDIT,
    "candidates.plan_edit": PLAN_WRITE,
    "candidates.plan_item_new": PLAN_WRITE,
    "candidates.plan_step_new": PLAN_WRITE,
    "candidates.plan_item_edit": PLAN_WRITE,
    "candidates.plan_agree": EDIT,
    "candidates.benefit_new": EDIT,
    "candidates.benefit_edit": EDIT,
    "candidates.benefit_end": EDIT,
    "candidates.history": EDIT,   # the history: the municipality's own files only
}

# POST with an empty form (the CSRF token only): the klantmanager gets the form back
# with errors (200), a conflict for a missing lock (409), a redirect (302) or the
# confirmation page of an irreversible action (200).
POST_EXPECTED = {
    "candidates.new": (200, 200, 403, 403, 403, 403, 403, 403),
    "candidates.edit": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.status": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.buddy": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.measurement_new": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.zrm_new": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.plan_edit": (409, 404, 404, 403, 403, 403, 403, 403),
    "candidates.plan_item_new": (200, 404, 404, 403, 403, 403, 403, 403),
    "candidates.plan_step_new": (200, 404, 404, 403, 403, 403, 403, 403),
    "candidates.plan_item_edit": (200, 404, 404, 403, 403, 403, 403, 403),
    "candidates.plan_item_remove": (302, 404, 403, 403, 403, 403, 403, 403),
    "candidates.plan_agree": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.benefit_new": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.benefit_edit": (200, 404, 403, 403, 403, 403, 403, 403),
    "candidates.benefit_end": (200, 404, 403, 403, 403, 403, 403, 403),
    # Removing asks first: the confirmation page (trajectory/confirm.py).
    "candidates.benefit_remove": (200, 404, 403, 403, 403, 403, 403, 403),
}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("candidates.")]


def test_the_tables_cover_every_candidate_route(app):
    gets = {r.endpoint for r in _rules(app) if "GET" in r.methods}
    posts = {r.endpoint for r in _rules(app) if "POST" in r.methods}
    assert gets == set(GET_EXPECTED)
    assert posts == set(POST_EXPECTED)


def _url(app, world, rule) -> str:
    args = matrix_args(rule.endpoint)(world) if rule.arguments else {}
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


@pytest.mark.parametrize("username", USERS)
def test_route_role_matrix(app, world, client_for, username):
    client = client_for(username)
    column = USERS.index(username)
    got, expected = {}, {}
    for rule in _rules(app):
        url = _url(app, world, rule)
        if "GET" in rule.methods:
            got[("GET", rule.endpoint)] = client.get(url).status_code
            expected[("GET", rule.endpoint)] = GET_EXPECTED[rule.endpoint][column]
        if "POST" in rule.methods:
            got[("POST", rule.endpoint)] = client.post(url, data={}).status_code
            expected[("POST", rule.endpoint)] = POST_EXPECTED[rule.endpoint][column]
    assert got == expected


def test_out_of_scope_answers_carry_no_data(klantmanager2_client, intaker_client, world):
    candidate = matrix_args("candidates.show")(world)["candidate_id"]
    for client in (klantmanager2_client, intaker_client):
        response = client.get(f"/kandidaten/{candidate}")
        assert response.status_code == 404
        assert "Vries" not in response.text and "111222333" not in response.text
    assert db.session.scalar(sa.select(sa.func.count(ProcessingLogEntry.id))) == 0


def _ids(user) -> set[int]:
    return set(db.session.scalars(sa.select(Candidate.id).where(Candidate.scope_filter(user))))


def test_intaker_reach_follows_the_current_buddy(world):
    candidate = register(world)
    intaker, intaker2 = world.user("intaker"), world.user("intaker2")
    assert _ids(intaker2) == set()
    assign(world, candidate, "buddy", start=today() - timedelta(days=5))  # Welzijn De Bevelanden
    assert _ids(intaker2) == {candidate.id} and _ids(intaker) == set()
    assign(world, candidate, "a.jansen", start=today() + timedelta(days=7))  # planned
    assert _ids(intaker2) == {candidate.id}  # Kees stays the buddy until then
    assert _ids(intaker) == set()  # Zorggroep Scheldezoom is not connected yet
    other = register(world, first_name="Tweede", last_name="Kandidaat")
    assign(world, other, "buddy", start=today() - timedelta(days=5))
    assign(world, other, "a.jansen", start=today())
    assert _ids(intaker) == {other.id}
    # Kees's provider keeps the file for the grace period after his assignment ended.
    assert _ids(intaker2) == {candidate.id, other.id}


def test_the_old_buddys_provider_loses_the_file_after_the_grace_period(world, app):
    candidate = register(world)
    assign(world, candidate, "buddy", start=today() - timedelta(days=5))
    assign(world, candidate, "a.jansen", start=today())
    app.config["CONNECTION_GRACE_DAYS"] = 0
    assert _ids(world.user("intaker2")) == set()
    assert _ids(world.user("intaker")) == {candidate.id}


def test_a_provider_connection_can_be_added(world, app):
    """Features register their connections on the app (trajectory.candidates.need_to_know)."""
    from trajectory.candidates.need_to_know import register_connection

    candidate = register(world)
    intaker = world.user("intaker")
    assert _ids(intaker) == set()
    register_connection(app, "test", lambda provider_id, since: Candidate.id == candidate.id)
    assert _ids(intaker) == {candidate.id}


def test_no_consent_for_providers_no_file_for_the_intaker(world):
    candidate = register(world, consent_providers=False)
    assign(world, candidate, "buddy")  # intaker2's provider
    assert _ids(world.user("intaker2")) == set()


def test_the_coordinator_needs_consent_in_force(world):
    shared = register(world)
    expired = register(world, first_name="Verlopen", last_name="Toestemming",
                       consent_given_on=today() - timedelta(days=400),
                       consent_expires_on=today() - timedelta(days=1))
    register(world, first_name="Niet", last_name="Gedeeld", consent_overlegtafel=False)
    assert _ids(world.user("coordinator")) == {shared.id}
    assert expired.id not in _ids(world.user("coordinator"))


def test_roles_without_candidates_see_nothing(world):
    register(world)
    for username in ("beheer", "adviseur", "b.goes"):
        assert _ids(world.user(username)) == set()


def test_scope_is_the_union_over_roles(world):
    """Lotte van Dijke is intaker and buddy of Thuiszorg Zeeuwse Stroom."""
    mine = register(world, first_name="Eigen", last_name="Kandidaat")
    assign(world, mine, "l.vandijke")
    colleague = world.user("l.vandijke")
    assert Role.INTAKER in colleague.roles and Role.BUDDY in colleague.roles
    assert _ids(colleague) == {mine.id}
    view = scope.visible_fields(colleague, mine)
    assert view.plan and view.contact and view.benefit and not view.bsn and not view.edit


def test_list_columns_are_what_every_role_sees(world):
    assert scope.list_columns(world.user("coordinator")).benefit is False
    assert scope.list_columns(world.user("klantmanager")).edit is True
    assert scope.list_columns(world.user("buddy")).benefit is False
    assert scope.list_columns(world.user("beheer")) == scope.NOTHING
