"""The canary test: every GET page, export and PDF, for every demo account.

The demo world is loaded once, canaries are planted in every personal field of
a few candidates (tests/privacy/canaries.py), then every GET route is
requested as every demo account with the ids of those candidates and their
stages, plan items, contacts, cohorts and evaluations (routes without ids
once). For each response:

(a) whenever a canary of person P shows, the request wrote a processing-log
    line about P (matched by the request's ``X-Request-ID``);
(b) what the account sees of P stays inside the expectation table
    ``canaries.allowed`` (written by hand, never derived from the code).

The sweep per account runs once and is shared by the tests below. PDFs are
part of the default run (one per kind and account, the slow part).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.auth.policy import ANY_USER, API_ENDPOINTS, POLICY, PUBLIC
from tests.conftest import BACKEND, CsrfClient, base_config, login
from tests.privacy import canaries as cn
from trajectory import create_app
from trajectory.audit.models import ProcessingLogEntry
from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.models import User
from trajectory.candidates.models import (
    Barrier,
    BenefitPeriod,
    Goal,
    GoalStep,
    PlanVersion,
    Training,
)
from trajectory.cohorts.models import CohortCandidate, Evaluation
from trajectory.contacts.models import ContactLog
from trajectory.demo.data import load_demo
from trajectory.extensions import db
from trajectory.stages.models import Stage

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="the canary sweep runs on SQLite (one demo copy per account)")

ACCOUNTS = ("beheer", "adviseur", "coordinator", "klantmanager", "klantmanager2",
            "intaker", "intaker2", "buddy")
SKIP = {"static", "main.set_language", "auth.login", "main.healthz", "main.readyz"}
SKIP |= set(API_ENDPOINTS)  # no session there (401): a token decides, tests/api
PDF_ENDPOINTS = {"candidates.mijn_plan_pdf", "cohorts.pack_pdf", "valuation.export_pdf"}

# The gaps found on the demo (issue 11): each must show a canary and log it.
GAPS = {
    "cohorts.show": ("coordinator", "klantmanager", "intaker"),
    "cohorts.evaluation": ("coordinator", "klantmanager", "intaker"),
    "main.home": ("klantmanager", "buddy", "intaker", "coordinator"),
    "cohorts.signals": ("klantmanager", "buddy", "intaker"),
    "candidates.plan_item_edit": ("klantmanager",),
    "candidates.plan_agree": ("klantmanager",),
    "candidates.status": ("klantmanager",),
    "stages.worklist": ("klantmanager", "intaker"),
    "stages.start": (),  # the intakers of the canaries' planned stages (Sample.runners)
    "stages.end": (),
}


# ------------------------------------------------------------------ the demo with canaries

@dataclass
class Sample:
    """The planted demo: canaries and the URL arguments per endpoint."""

    path: str
    canaries: dict[int, cn.Canary]
    urls: dict[str, list[dict]] = field(default_factory=dict)
    runners: dict[str, list[str]] = field(default_factory=dict)  # endpoint -> intakers


def _first(stmt, limit: int = 1) -> list:
    return list(db.session.scalars(stmt.limit(limit)))


def _url_args(ids: list[int]) -> dict[str, list[dict]]:
    """endpoint -> the URL arguments to request it with (objects of the canaries)."""
    urls: dict[str, list[dict]] = {}
    per_candidate = [{"candidate_id": cid} for cid in ids]
    for endpoint in ("candidates.show", "candidates.edit", "candidates.buddy", "contacts.new",
                     "contacts.log", "candidates.measurement_new", "candidates.mijn_plan_page",
                     "candidates.plan", "candidates.plan_edit", "candidates.plan_agree",
                     "candidates.plan_compare", "candidates.plan_versions", "candidates.status",
                     "candidates.benefit_new", "candidates.zrm_new", "stages.propose",
                     "candidates.history"):
        urls[endpoint] = per_candidate
    urls["candidates.mijn_plan_pdf"] = per_candidate[:1]
    urls["candidates.plan_item_new"] = [{"candidate_id": ids[0], "kind": "belemmeringen"}]
    items = []
    for cid in ids:
        for model, kind in ((Goal, "doelen"), (GoalStep, "stappen"), (Barrier, "belemmeringen"),
                            (Training, "opleidingen")):
            items += [{"candidate_id": cid, "kind": kind, "item_id": row.id}
                      for row in _first(sa.select(model).where(model.candidate_id == cid))]
    urls["candidates.plan_item_edit"] = items
    urls["candidates.plan_step_new"] = [
        {"candidate_id": g.candidate_id, "goal_id": g.id}
        for cid in ids for g in _first(sa.select(Goal).where(Goal.candidate_id == cid))]
    urls["candidates.plan_version"] = [
        {"candidate_id": v.candidate_id, "number": v.number}
        for cid in ids for v in _first(sa.select(PlanVersion).where(
            PlanVersion.candidate_id == cid).order_by(PlanVersion.number.desc()))]
    periods = [{"candidate_id": p.candidate_id, "period_id": p.id}
               for cid in ids for p in _first(sa.select(BenefitPeriod).where(
                   BenefitPeriod.candidate_id == cid).order_by(BenefitPeriod.id.desc()))]
    urls["candidates.benefit_edit"] = urls["candidates.benefit_end"] = periods
    urls["candidates.export"] = [{"fmt": "csv"}, {"fmt": "xlsx"}]
    stages = list(db.session.scalars(sa.select(Stage).where(Stage.candidate_id.in_(ids))
                                     .order_by(Stage.id)))
    for endpoint in ("stages.detail", "stages.answer", "stages.end", "stages.edit",
                     "stages.transfer", "stages.start", "stages.outcome", "stages.care"):
        urls[endpoint] = [{"stage_id": s.id} for s in stages]
    urls["contacts.handle"] = [{"entry_id": e.id} for e in db.session.scalars(
        sa.select(ContactLog).where(ContactLog.candidate_id.in_(ids),
                                    ContactLog.signal_category.is_not(None)))]
    cohort_ids = sorted(set(db.session.scalars(sa.select(CohortCandidate.cohort_id).where(
        CohortCandidate.candidate_id.in_(ids)))))
    for endpoint in ("cohorts.show", "cohorts.providers", "cohorts.agreement_new", "cohorts.edit",
                     "cohorts.evaluation_new", "cohorts.propose"):
        urls[endpoint] = [{"cohort_id": c} for c in cohort_ids]
    evaluations = list(db.session.scalars(sa.select(Evaluation).where(
        Evaluation.cohort_id.in_(cohort_ids)).order_by(Evaluation.id)))
    for endpoint in ("cohorts.evaluation", "cohorts.evaluation_close",
                     "cohorts.evaluation_answers", "cohorts.decision_new",
                     "cohorts.figures_xlsx"):
        urls[endpoint] = [{"cohort_id": e.cohort_id, "evaluation_id": e.id} for e in evaluations]
    urls["cohorts.pack_pdf"] = urls["cohorts.evaluation"][:1]
    _valuation_args(urls, stages)
    _provider_args(urls, stages)
    _import_args(urls)
    user = db.session.scalars(sa.select(User).where(User.username == "buddy")).one()
    urls["admin.user_detail"] = urls["admin.edit_user"] = [{"user_id": user.id}]
    urls["admin.edit_organisation"] = [{"organisation_id": user.organisation_id}]
    return urls


def _valuation_args(urls: dict[str, list[dict]], stages: list[Stage]) -> None:
    from trajectory.valuation.models import Claim, Contract, ContractYear, Evidence, Extension

    claims = list(db.session.scalars(sa.select(Claim).where(
        Claim.stage_id.in_([s.id for s in stages])).order_by(Claim.id)))
    contract_ids = sorted({c.contract_id for c in claims}) or [
        c.id for c in _first(sa.select(Contract).order_by(Contract.id))]
    per_contract = [{"contract_id": c} for c in contract_ids]
    for endpoint in ("valuation.contract", "valuation.edit_contract", "valuation.final_evaluation",
                     "valuation.upload_plan", "valuation.upload_pso_certificate", "labour.new",
                     "valuation.export_xlsx"):
        urls[endpoint] = per_contract
    urls["valuation.export_pdf"] = per_contract[:1]
    urls["valuation.new_claim"] = [{"contract_id": c, "kind": "inkoop"} for c in contract_ids[:1]]
    claim_args = [{"claim_id": c.id} for c in claims] or [
        {"claim_id": c.id} for c in _first(sa.select(Claim).order_by(Claim.id))]
    for endpoint in ("valuation.claim", "valuation.edit_claim", "labour.edit"):
        urls[endpoint] = claim_args
    urls["valuation.download_evidence"] = [{"evidence_id": e.id} for e in _first(
        sa.select(Evidence).order_by(Evidence.id))]
    urls["valuation.edit_year"] = [{"contract_id": y.contract_id, "year": y.year} for y in _first(
        sa.select(ContractYear).where(ContractYear.contract_id.in_(contract_ids)))]
    urls["valuation.extension"] = [{"contract_id": x.contract_id, "extension_id": x.id}
                                   for x in _first(sa.select(Extension))]
    contracts = db.session.scalars(sa.select(Contract).where(Contract.id.in_(contract_ids)))
    urls["valuation.provider"] = [{"provider_id": p} for p in sorted({c.provider_id
                                                                      for c in contracts})]


def _provider_args(urls: dict[str, list[dict]], stages: list[Stage]) -> None:
    from trajectory.providers.models import OfferItem, Vacancy

    providers = sorted({s.provider_id for s in stages})[:2]
    for endpoint in ("providers.detail", "providers.new_offer", "providers.edit_practice",
                     "providers.edit_profile", "providers.new_vacancy"):
        urls[endpoint] = [{"provider_id": p} for p in providers]
    urls["providers.edit_offer"] = [{"item_id": i.id} for i in _first(sa.select(OfferItem))]
    urls["providers.edit_vacancy"] = [{"vacancy_id": v.id} for v in _first(sa.select(Vacancy))]


def _import_args(urls: dict[str, list[dict]]) -> None:
    """An upload of the klantmanager (candidates) and of the intaker (offers): the pages
    show the file's rows, never a stored file; another account's token is a 404."""
    from tests.imports.matrix import candidates_upload, offers_upload

    class _Users:
        @staticmethod
        def user(name):
            return db.session.scalars(sa.select(User).where(User.username == name)).one()

    for endpoint in ("imports.columns", "imports.preview"):
        urls[endpoint] = [candidates_upload(_Users)]
    for endpoint in ("imports.offers_columns", "imports.offers_preview"):
        urls[endpoint] = [offers_upload(_Users)]
    urls["imports.template"] = [{"fmt": "csv"}, {"fmt": "xlsx"}]
    urls["imports.offers_upload"] = [{"what": "aanbod"}, {"what": "vacatures"}]
    urls["imports.offers_template"] = [{"what": "aanbod", "fmt": "csv"}]


@pytest.fixture(scope="session")
def sample(database_template, tmp_path_factory) -> Sample:
    """The demo world with canaries, in a template file each account's sweep copies."""
    path = tmp_path_factory.mktemp("canaries") / "demo.sqlite"
    shutil.copyfile(database_template, path)
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
            db.session.commit()
            chosen = cn.choose(["klantmanager", "klantmanager2", "intaker", "intaker2",
                                "buddy", "coordinator"])
            planted = cn.plant(chosen)
            db.session.commit()
        urls = _url_args(sorted(planted))
        runners = _runners(sorted(planted))
        db.session.remove()
        db.engine.dispose()
    return Sample(path=str(path), canaries=planted, urls=urls, runners=runners)


def _runners(ids: list[int]) -> dict[str, list[str]]:
    """The intakers who may start (a planned stage) and end (planned or running) a stage
    of the canaries: only the stage's provider runs it."""
    from trajectory.auth.models import UserRole
    from trajectory.auth.roles import Role
    from trajectory.stages.models import StageStatus

    def intakers(statuses) -> list[str]:
        providers = set(db.session.scalars(sa.select(Stage.provider_id).where(
            Stage.candidate_id.in_(ids), Stage.status.in_(statuses))))
        return sorted(set(db.session.scalars(
            sa.select(User.username).join(User.role_rows)
            .where(UserRole.role == Role.INTAKER, User.organisation_id.in_(providers)))))[:2]

    return {"stages.start": intakers([StageStatus.GEPLAND]),
            "stages.end": intakers([StageStatus.GEPLAND, StageStatus.LOPEND])}


# ------------------------------------------------------------------ the sweep

@dataclass
class Seen:
    endpoint: str
    url: str
    shown: dict[int, set[str]]       # candidate id -> categories in the response
    logged: set[int]                 # candidates with a processing-log line for the request


_SWEEPS: dict[str, list[Seen]] = {}
# Forms about one candidate or stage: two of each are enough (the same template).
FORMS = {"candidates.edit", "candidates.buddy", "contacts.new", "candidates.measurement_new",
         "candidates.zrm_new", "candidates.benefit_new", "candidates.benefit_edit",
         "candidates.benefit_end", "candidates.plan_edit", "candidates.plan_step_new",
         "candidates.plan_compare", "candidates.plan_versions", "candidates.plan_version",
         "stages.propose", "stages.answer", "stages.edit", "stages.transfer",
         "stages.outcome", "stages.care", "cohorts.providers", "cohorts.agreement_new",
         "cohorts.edit", "cohorts.evaluation_new", "cohorts.propose",
         "cohorts.evaluation_close", "cohorts.evaluation_answers", "cohorts.decision_new"}
FORM_VARIANTS = 2


def _allowed_endpoint(endpoint: str, user: User) -> bool:
    expected = POLICY.get(endpoint)
    return expected in (PUBLIC, ANY_USER) or bool(expected and user.has_role(*expected))


def _requests(app, sample: Sample, user: User, reachable: set[int],
              endpoints) -> Iterator[tuple]:
    """(endpoint, url) for every GET route the account may use, with canary arguments."""
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP or "GET" not in rule.methods:
            continue
        if endpoints is not None and rule.endpoint not in endpoints:
            continue
        if not _allowed_endpoint(rule.endpoint, user):
            continue
        variants = [{}]
        if rule.arguments:
            variants = sample.urls.get(rule.endpoint)
            if variants is None:
                missing.append(rule.endpoint)
                continue
            variants = [v for v in variants if set(v) >= set(rule.arguments)
                        and v.get("candidate_id", next(iter(reachable), None)) in reachable]
            if rule.endpoint in FORMS:
                variants = variants[:FORM_VARIANTS]
        for args in variants:
            with app.test_request_context():
                url = url_for(rule.endpoint, **args)
            yield rule.endpoint, url
    assert missing == [], f"no canary URL arguments for: {missing}"


def sweep(sample: Sample, username: str, tmp_dir: Path,
          endpoints: frozenset[str] | None = None) -> list[Seen]:
    """Every GET page (or only ``endpoints``) as ``username``: what each response showed
    and logged. The full sweep is cached per account."""
    if endpoints is None and username in _SWEEPS:
        return _SWEEPS[username]
    copy = tmp_dir / f"sweep-{username}-{os.getpid()}-{len(endpoints or ())}.sqlite"
    shutil.copyfile(sample.path, copy)
    app = create_app(base_config(f"sqlite:///{copy}"))
    app.test_client_class = CsrfClient
    seen: list[Seen] = []
    with app.app_context():
        client = app.test_client()
        assert login(client, username).status_code == 302, f"login as {username} failed"
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        reachable = set(sample.canaries)
        if _allowed_endpoint("candidates.show", user):
            # Only the canaries this account reaches; the others are 404 on every page.
            reachable = {cid for cid in sample.canaries
                         if client.get(f"/kandidaten/{cid}").status_code == 200} or reachable
        for number, (endpoint, url) in enumerate(_requests(app, sample, user, reachable,
                                                           endpoints)):
            request_id = f"canary-{username}-{number:04d}"
            response = client.get(url, headers={"X-Request-ID": request_id})
            assert response.status_code < 500, (url, response.status_code)
            if response.status_code != 200:
                continue
            shown = cn.scan(cn.response_text(response), sample.canaries)
            logged = {int(s) for s in db.session.scalars(
                sa.select(ProcessingLogEntry.subject_id).where(
                    ProcessingLogEntry.request_id == request_id,
                    ProcessingLogEntry.subject_type == "Candidate"))}
            seen.append(Seen(endpoint, url, shown, logged))
        db.session.remove()
        db.engine.dispose()
    copy.unlink(missing_ok=True)
    if endpoints is None:
        _SWEEPS[username] = seen
    return seen


@pytest.fixture
def sweeps(sample, tmp_path_factory) -> Iterator:
    tmp_dir = tmp_path_factory.mktemp("sweep")
    yield lambda username, endpoints=None: sweep(sample, username, tmp_dir, endpoints)


# ------------------------------------------------------------------ the tests

def test_the_canaries_are_planted_and_show_on_the_file(sample, sweeps):
    """Not vacuous: every kind of canary was planted and the klantmanagers see them."""
    planted = {cn.CATEGORY[name] for c in sample.canaries.values() for name in c.planted}
    assert {"naam", "contact", "adres", "status", "plan", "meting", "leerlijn", "contactlog",
            "motivatie", "afspraak"} <= planted
    assert len(sample.canaries) >= 3
    seen = {cat for s in sweeps("klantmanager") for cats in s.shown.values() for cat in cats}
    assert {"naam", "contact", "adres", "bsn", "geboortedatum", "plan", "leerlijn",
            "contactlog", "motivatie"} <= seen


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_logs_what_it_shows_and_shows_only_what_the_role_may(
        sample, sweeps, subtests, username):
    pages = sweeps(username)
    assert pages, f"{username} saw no page"
    with subtests.test("(a) every canary shown has a processing-log line"):
        unlogged = [(s.endpoint, s.url, {cid: sorted(s.shown[cid])
                                          for cid in sorted(set(s.shown) - s.logged)})
                    for s in pages if set(s.shown) - s.logged]
        assert unlogged == [], f"{username}: data shown without a log line: {unlogged}"
    with subtests.test("(b) only what the role may see"):
        beyond = sorted({(s.endpoint, cid, tuple(sorted(extra)))
                         for s in pages for cid, categories in s.shown.items()
                         if (extra := categories - cn.allowed(username, sample.canaries[cid]))})
        assert beyond == [], f"{username} sees more than its role may: {beyond}"


@pytest.mark.parametrize("endpoint", sorted(GAPS))
def test_the_pages_found_without_log_lines_now_log_what_they_show(sample, sweeps, endpoint):
    """The gaps of issue 11: the page shows a canary, and that request logged the person."""
    accounts = GAPS[endpoint] or tuple(sample.runners[endpoint])
    pages = [s for username in accounts for s in sweeps(username, frozenset({endpoint}))]
    assert pages, f"{endpoint} was not requested"
    showing = [s for s in pages if s.shown]
    assert showing, f"{endpoint} showed no canary to {accounts}"
    assert all(set(s.shown) <= s.logged for s in showing), [
        (s.url, sorted(s.shown), sorted(s.logged)) for s in showing]
