"""Route × role matrix, built from ``app.url_map``.

Every GET endpoint is requested anonymously and as one account per role,
with URL arguments pointing at an object in that account's reach where the
endpoint takes an id. POST endpoints are checked for the refusals (a role
without access gets 403 before anything happens). Features extend
``URL_ARGS`` and tests/auth/policy.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import url_for

from tests.auth.policy import ANY_USER, API_ENDPOINTS, POLICY, PUBLIC, ROLE_USERS
from tests.candidates.support import CANDIDATE_URL_ARGS
from tests.cohorts.support import COHORT_URL_ARGS
from tests.conftest import login
from tests.contacts.support import CONTACT_URL_ARGS
from tests.imports.matrix import IMPORT_URL_ARGS
from tests.providers.matrix import PROVIDER_URL_ARGS
from tests.stages.matrix import STAGE_URL_ARGS
from tests.valuation.web.sample import valuation_sample
from trajectory.auth.roles import Role

# endpoint -> function(world) returning the URL arguments of an object
# that the allowed role can reach.
URL_ARGS: dict[str, Callable] = {
    "admin.user_detail": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.edit_user": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.toggle_user": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.reset_password": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.reset_mfa": lambda w: {"user_id": w.user("klantmanager").id},
    "admin.edit_organisation": lambda w: {"organisation_id": w.org("Goes").id},
    "admin.toggle_organisation": lambda w: {"organisation_id": w.org("Goes").id},
    # Social Return: one sample contract (Goes and Zorggroep Scheldezoom) with its parts.
    "valuation.provider": lambda w: {"provider_id": valuation_sample(w).contract.provider_id},
    "valuation.contract": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.edit_contract": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.extension": lambda w: {"contract_id": valuation_sample(w).contract.id,
                                      "extension_id": valuation_sample(w).extension.id},
    "valuation.add_subcontractor": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.upload_plan": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.upload_pso_certificate": lambda w: {
        "contract_id": valuation_sample(w).contract.id},
    "valuation.edit_year": lambda w: valuation_sample(w).year_args,
    "valuation.review_year": lambda w: valuation_sample(w).year_args,
    "valuation.new_claim": lambda w: {"contract_id": valuation_sample(w).contract.id,
                                      "kind": "inkoop"},
    "valuation.final_evaluation": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.export_xlsx": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.export_pdf": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "valuation.claim": lambda w: {"claim_id": valuation_sample(w).claim.id},
    "valuation.edit_claim": lambda w: {"claim_id": valuation_sample(w).claim.id},
    "valuation.add_evidence": lambda w: {"claim_id": valuation_sample(w).claim.id},
    "valuation.submit_claim": lambda w: {"claim_id": valuation_sample(w).claim.id},
    "valuation.judge_claim": lambda w: {"claim_id": valuation_sample(w).claim.id},
    "valuation.download_evidence": lambda w: {"evidence_id": valuation_sample(w).evidence.id},
    "labour.new": lambda w: {"contract_id": valuation_sample(w).contract.id},
    "labour.edit": lambda w: {"claim_id": valuation_sample(w).claim.id},
}

# Candidates: per role a candidate that role can reach (role-aware, see _url).
URL_ARGS.update(CANDIDATE_URL_ARGS)
# Contact log, cohorts and evaluations.
URL_ARGS.update(CONTACT_URL_ARGS)
URL_ARGS.update(COHORT_URL_ARGS)

URL_ARGS.update(PROVIDER_URL_ARGS)  # issue 5: providers, offer, vacancies
URL_ARGS.update(STAGE_URL_ARGS)  # issue 5: stages, task lists
URL_ARGS.update(IMPORT_URL_ARGS)  # issue 15: imports of candidates, offers and vacancies
# The API (tests/api): an edition by its name, the sample contract.
URL_ARGS.update({
    "api.rulebook_edition": lambda w: {"id": "bouwblokken-2025"},
    "api.contract": lambda w: {"id": valuation_sample(w).contract.id},
    "api.contract_ledger": lambda w: {"id": valuation_sample(w).contract.id},
    "api.claim": lambda w: {"id": valuation_sample(w).claim.id},
    "api.claim_evidence": lambda w: {"id": valuation_sample(w).claim.id},
    "api.submit_claim": lambda w: {"id": valuation_sample(w).claim.id},
    "api.create_contact": lambda w: {"id": valuation_sample(w).contract.id},
    "api.stage": lambda w: {"id": valuation_sample(w).contract.id},
    "api.stage_outcome": lambda w: {"id": valuation_sample(w).contract.id},
    "api.candidate": lambda w: {"id": valuation_sample(w).contract.id},
    "admin.revoke_api_token": lambda w: {"token_id": 1},  # POST only: refused before the lookup
})
# Sessions: an id that need not exist (the roles refused never reach the lookup).
URL_ARGS.update({
    "auth_sessions.end_own": lambda w: {"session_id": 1},
    "auth_sessions.end_for_user": lambda w: {"user_id": w.user("klantmanager").id,
                                             "session_id": 1},
    "auth_sessions.end_all_for_user": lambda w: {"user_id": w.user("klantmanager").id},
})

SKIP = {"static"}
# Single sign-on answers 404 while no issuer is configured (as here); with a provider
# running, tests/auth/test_sso.py requests both routes anonymously and as every role.
SKIP |= {"oidc.login", "oidc.callback"}
SKIP |= {"metrics.metrics"}  # a token, not a role, decides: tests/test_metrics.py
SKIP |= set(API_ENDPOINTS)  # a token, not a role, decides: tests/api/test_token_matrix.py


def _rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or method not in rule.methods:
            continue
        yield rule


def _url(app, world, rule, role=None) -> str:
    """A URL for ``rule``; arguments marked ``takes_role`` get an object that role reaches."""
    make = URL_ARGS.get(rule.endpoint)
    args = {}
    if rule.arguments:
        args = make(world, role) if getattr(make, "takes_role", False) else make(world)
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _allowed(endpoint: str, role: Role) -> bool:
    expected = POLICY[endpoint]
    return expected in (PUBLIC, ANY_USER) or role in expected


def test_every_endpoint_with_arguments_has_sample_arguments(app):
    missing = sorted(r.endpoint for r in app.url_map.iter_rules()
                     if r.arguments and r.endpoint not in SKIP and r.endpoint not in URL_ARGS)
    assert missing == [], f"add URL_ARGS for: {missing}"


def test_anonymous_visitors_are_sent_to_login(app, world, client):
    for rule in _rules(app, "GET"):
        response = client.get(_url(app, world, rule))
        if POLICY[rule.endpoint] == PUBLIC:
            assert response.status_code in (200, 302, 503), rule.endpoint
        else:
            assert response.status_code == 302, rule.endpoint
            assert "/inloggen" in response.headers["Location"], rule.endpoint


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_get_pages_answer_by_role(app, world, role):
    client = app.test_client()
    assert login(client, ROLE_USERS[role]).status_code == 302
    for rule in _rules(app, "GET"):
        if rule.endpoint in ("main.set_language",):
            continue
        response = client.get(_url(app, world, rule, role))
        if _allowed(rule.endpoint, role):
            assert response.status_code in (200, 302), (rule.endpoint, response.status_code)
        else:
            assert response.status_code == 403, (rule.endpoint, response.status_code)
            assert "<h1" in response.text  # the Dutch error page, not a bare body


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_post_endpoints_refuse_roles_without_access(app, world, role):
    client = app.test_client()
    assert login(client, ROLE_USERS[role]).status_code == 302
    for rule in _rules(app, "POST"):
        if _allowed(rule.endpoint, role):
            continue
        response = client.post(_url(app, world, rule, role), data={})
        assert response.status_code == 403, (rule.endpoint, response.status_code)
