"""Who may use which endpoint: the test suite's own copy of the access rules.

The matrix test (test_matrix.py) checks every endpoint in ``app.url_map``
against this table, so a new view needs an entry here as well as its
``@allow`` declaration, and a change to who may use a page is a visible,
reviewed change in two places. Features append their rows.
"""

from __future__ import annotations

from trajectory.auth.roles import Role

PUBLIC = "public"
ANY_USER = "any_user"
ALL_ROLES = frozenset(Role)
PROVIDER_READERS = {Role.KLANTMANAGER, Role.COORDINATOR, Role.SROI_ADVISEUR,
                    Role.INTAKER, Role.BUDDY}

_SROI_READERS = {Role.SROI_ADVISEUR, Role.COORDINATOR, Role.INTAKER, Role.KLANTMANAGER}

_CANDIDATE_READERS = {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR}
_PLAN_READERS = {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY}

# endpoint -> PUBLIC, ANY_USER or the roles allowed
POLICY: dict[str, object] = {
    "static": PUBLIC,
    "main.healthz": PUBLIC,
    "main.readyz": PUBLIC,
    # Deployment (trajectory/assets.py, trajectory/metrics.py): the favicon; /metrics is
    # public to the access check but answers only with its bearer token (404 without one
    # configured, 401 with a wrong one; tests/test_metrics.py).
    "assets.favicon": PUBLIC,
    "metrics.metrics": PUBLIC,
    "main.set_language": PUBLIC,
    "auth.login": PUBLIC,
    # Single sign-on (trajectory/auth/oidc.py): public, 404 while no issuer is configured.
    "oidc.login": PUBLIC,
    "oidc.callback": PUBLIC,
    "main.home": ANY_USER,
    "auth.logout": ANY_USER,
    "auth.logout_everywhere": ANY_USER,
    "auth.change_password": ANY_USER,
    # Second factor (trajectory/auth/mfa.py): the code step after the password, own set-up.
    "auth.login_code": PUBLIC,
    "auth.security": ANY_USER,
    "auth.mfa_enrol": ANY_USER,
    "auth.mfa_disable": ANY_USER,
    "auth.mfa_recovery_codes": ANY_USER,
    "admin.users": {Role.BEHEERDER},
    "admin.new_user": {Role.BEHEERDER},
    "admin.user_detail": {Role.BEHEERDER},
    "admin.edit_user": {Role.BEHEERDER},
    "admin.toggle_user": {Role.BEHEERDER},
    "admin.reset_password": {Role.BEHEERDER},
    "admin.reset_mfa": {Role.BEHEERDER},
    "admin.organisations": {Role.BEHEERDER},
    "admin.new_organisation": {Role.BEHEERDER},
    "admin.edit_organisation": {Role.BEHEERDER},
    "admin.toggle_organisation": {Role.BEHEERDER},
    # Retention (trajectory/retention): files due for destruction, request and approve.
    "retention.index": {Role.BEHEERDER},
    # Social Return (trajectory/valuation): readers see the ledger in their scope, the
    # adviser sets terms and judges, the provider's staff (intaker) enter figures and claims.
    "valuation.overview": _SROI_READERS,
    "valuation.provider": _SROI_READERS,
    "valuation.contract": _SROI_READERS,
    "valuation.claim": _SROI_READERS,
    "valuation.export_xlsx": _SROI_READERS,
    "valuation.export_pdf": _SROI_READERS,
    "valuation.new_contract": {Role.SROI_ADVISEUR},
    "valuation.edit_contract": {Role.SROI_ADVISEUR},
    "valuation.extension": {Role.SROI_ADVISEUR},
    "valuation.review_year": {Role.SROI_ADVISEUR},
    "valuation.judge_claim": {Role.SROI_ADVISEUR},
    "valuation.final_evaluation": {Role.SROI_ADVISEUR},
    "valuation.add_subcontractor": {Role.SROI_ADVISEUR, Role.INTAKER},
    "valuation.download_evidence": {Role.SROI_ADVISEUR, Role.INTAKER},
    "valuation.upload_plan": {Role.INTAKER},
    "valuation.upload_pso_certificate": {Role.SROI_ADVISEUR},
    "valuation.edit_year": {Role.INTAKER},
    "valuation.new_claim": {Role.INTAKER},
    "valuation.edit_claim": {Role.INTAKER},
    "valuation.add_evidence": {Role.INTAKER},
    "valuation.submit_claim": {Role.INTAKER},
    "labour.new": {Role.INTAKER},
    "labour.edit": {Role.INTAKER},
    "valuation.calculator": ANY_USER,
    # Candidates (trajectory/candidates): reading per scope, changing by the klantmanager;
    # the plan is not for the overlegtafel. Object scope: tests/candidates/test_scope.py.
    "candidates.index": _CANDIDATE_READERS,
    "candidates.export": _CANDIDATE_READERS,
    "candidates.show": _CANDIDATE_READERS,
    # The history of a file (audit trail and who viewed it): the municipality only.
    "candidates.history": {Role.KLANTMANAGER},
    "candidates.plan": _PLAN_READERS,
    "candidates.plan_versions": _PLAN_READERS,
    "candidates.plan_version": _PLAN_READERS,
    "candidates.plan_compare": _PLAN_READERS,
    "candidates.mijn_plan_page": _PLAN_READERS,
    "candidates.mijn_plan_pdf": _PLAN_READERS,
    "candidates.new": {Role.KLANTMANAGER},
    "candidates.edit": {Role.KLANTMANAGER},
    "candidates.status": {Role.KLANTMANAGER},
    "candidates.buddy": {Role.KLANTMANAGER},
    "candidates.measurement_new": {Role.KLANTMANAGER},
    "candidates.zrm_new": {Role.KLANTMANAGER},
    # The intaker of a provider working with the candidate co-writes the plan (the
    # object check: need_to_know ``plan_edit``); removing and agreeing stay the klantmanager's.
    "candidates.plan_edit": {Role.KLANTMANAGER, Role.INTAKER},
    "candidates.plan_item_new": {Role.KLANTMANAGER, Role.INTAKER},
    "candidates.plan_step_new": {Role.KLANTMANAGER, Role.INTAKER},
    "candidates.plan_item_edit": {Role.KLANTMANAGER, Role.INTAKER},
    "candidates.plan_item_remove": {Role.KLANTMANAGER},
    "candidates.plan_agree": {Role.KLANTMANAGER},
    # The benefit history: shown on the file (candidates.show), changed by the klantmanager.
    "candidates.benefit_new": {Role.KLANTMANAGER},
    "candidates.benefit_edit": {Role.KLANTMANAGER},
    "candidates.benefit_end": {Role.KLANTMANAGER},
    "candidates.benefit_remove": {Role.KLANTMANAGER},
    # Providers, their offer and vacancies (issue 5): read by those who work with
    # candidates or the overlegtafel, changed by the provider's own intaker.
    "providers.index": PROVIDER_READERS,
    "providers.offer": PROVIDER_READERS,
    "providers.vacancies": PROVIDER_READERS,
    "providers.detail": PROVIDER_READERS,
    "providers.own": {Role.INTAKER, Role.BUDDY},
    "providers.edit_profile": {Role.INTAKER},
    "providers.edit_practice": {Role.INTAKER},
    "providers.new_offer": {Role.INTAKER},
    "providers.edit_offer": {Role.INTAKER},
    "providers.delete_offer": {Role.INTAKER},
    "providers.new_vacancy": {Role.INTAKER},
    "providers.edit_vacancy": {Role.INTAKER},
    # Stages (issue 5): read by the klantmanager, the provider's intaker, the buddy and
    # (with consent) the coordinator; proposed and transferred by the klantmanager, answered,
    # started, ended and given an outcome by the provider's intaker. Object scope and the
    # refusal per step: tests/stages/test_learning_line_flow.py.
    "stages.worklist": {Role.KLANTMANAGER, Role.INTAKER},
    "stages.detail": {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR},
    "stages.propose": {Role.KLANTMANAGER},
    "stages.transfer": {Role.KLANTMANAGER},
    "stages.answer": {Role.INTAKER},
    "stages.start": {Role.INTAKER},
    "stages.end": {Role.INTAKER},
    "stages.outcome": {Role.INTAKER},
    "stages.edit": {Role.KLANTMANAGER, Role.INTAKER},
    "stages.care": {Role.KLANTMANAGER, Role.INTAKER},
    "stages.mark_handled": {Role.KLANTMANAGER},
}

# One demo account per role (see trajectory/demo/data.py).
ROLE_USERS: dict[Role, str] = {
    Role.BEHEERDER: "beheer",
    Role.SROI_ADVISEUR: "adviseur",
    Role.COORDINATOR: "coordinator",
    Role.KLANTMANAGER: "klantmanager",
    Role.INTAKER: "intaker",
    Role.BUDDY: "buddy",
}

# The buddy's contact log (trajectory/contacts) and the cohorts, signals and quarterly
# evaluations (trajectory/cohorts). Object scope: tests/contacts and tests/cohorts.
_LOG_READERS = {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY}
POLICY.update({
    "contacts.new": {Role.BUDDY},
    "contacts.log": _LOG_READERS,
    "contacts.handle": {Role.KLANTMANAGER},
})

_TABLE = {Role.COORDINATOR, Role.KLANTMANAGER, Role.INTAKER}
POLICY.update({
    "cohorts.index": _TABLE,
    "cohorts.show": _TABLE,
    "cohorts.compare": _TABLE,
    "cohorts.evaluation": _TABLE,
    "cohorts.pack_pdf": _TABLE,
    "cohorts.figures_xlsx": _TABLE,
    "cohorts.propose": {Role.COORDINATOR, Role.KLANTMANAGER},
    "cohorts.new": {Role.COORDINATOR},
    "cohorts.edit": {Role.COORDINATOR},
    "cohorts.decide": {Role.COORDINATOR},
    "cohorts.remove_candidate": {Role.COORDINATOR},
    "cohorts.providers": {Role.COORDINATOR},
    "cohorts.agreement_new": {Role.COORDINATOR},
    "cohorts.agreement_remove": {Role.COORDINATOR},
    "cohorts.evaluation_new": {Role.COORDINATOR},
    "cohorts.evaluation_answers": {Role.COORDINATOR},
    "cohorts.decision_new": {Role.COORDINATOR},
    "cohorts.decision_remove": {Role.COORDINATOR},
    "cohorts.evaluation_close": {Role.COORDINATOR},
    "cohorts.signals": {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR},
})

# E-mail (trajectory/notify): every user's own choices and what was sent to them.
POLICY.update({"notify.preferences": ANY_USER})

# Imports (trajectory/imports): the klantmanager's candidates, the provider's own intaker's
# offer and vacancies.
POLICY.update({f"imports.{name}": {Role.KLANTMANAGER}
               for name in ("candidates", "columns", "preview", "confirm", "template")})
POLICY.update({f"imports.offers_{name}": {Role.INTAKER}
               for name in ("upload", "columns", "preview", "confirm", "template")})

# Sessions on the server (trajectory/auth/session_views.py): one's own, and an
# administrator's for the accounts it manages.
POLICY.update({
    "auth_sessions.end_own": ANY_USER,
    "auth_sessions.end_for_user": {Role.BEHEERDER},
    "auth_sessions.end_all_for_user": {Role.BEHEERDER},
})

# The public API (trajectory/api, docs/api.md): public to the access check, which never
# reads a session there; the operation's token (scope and role) decides, and
# tests/api/test_token_matrix.py requests every operation with every kind of token.
API_ENDPOINTS = (
    "api.openapi_json", "api.rulebook_editions", "api.rulebook_edition", "api.valuations",
    "api.contracts", "api.contract", "api.contract_ledger",
    "api.claims", "api.claim", "api.create_claim", "api.claim_evidence", "api.submit_claim",
    "api.create_contact", "api.stages", "api.stage", "api.stage_outcome",
    "api.candidates", "api.candidate",
)
POLICY.update(dict.fromkeys(API_ENDPOINTS, PUBLIC))
# Their tokens, issued and revoked by a beheerder (trajectory/admin/api_tokens.py).
POLICY.update({
    "admin.api_tokens": {Role.BEHEERDER},
    "admin.new_api_token": {Role.BEHEERDER},
    "admin.revoke_api_token": {Role.BEHEERDER},
})
