"""Claims under optimistic locking: two people on one claim never leave a mixed record.

Every form on a claim carries the version it was loaded with; a stale one gets the
conflict page (409) with what the other person decided, and the UPDATE checks the
version too, so two judgements at the same moment cannot both be written.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import BACKEND
from tests.factories import make_user
from tests.valuation.web.sample import make_claim, make_contract
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.valuation import services
from trajectory.valuation.models import Claim, ClaimStatus

LOCK = re.compile(r'name="lock_version" value="(\d+)"')


def _loaded_version(client, url: str) -> str:
    """The version the page's form carries, as a browser would send it back."""
    page = client.get(url)
    assert page.status_code == 200
    found = LOCK.findall(page.text)
    assert found, "the form carries no lock_version"
    return found[0]


@pytest.fixture
def second_adviser(world, client_for):
    adviser = world.user("adviseur")
    second = make_user("adviseur2", adviser.organisation, Role.SROI_ADVISEUR,
                       full_name="Sanne Tweede")
    # An adviser needs a second factor: enrolled as the demo accounts are.
    second.totp_secret, second.totp_enrolled_at = adviser.totp_secret, adviser.totp_enrolled_at
    db.session.commit()
    return client_for("adviseur2")


def test_approve_and_reject_at_once_the_second_gets_the_conflict_page(
        world, adviseur_client, second_adviser):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    page = f"/sroi/claims/{claim.id}"
    url = f"/sroi/claims/{claim.id}/beoordelen"
    first = _loaded_version(adviseur_client, page)
    second = _loaded_version(second_adviser, page)
    assert first == second

    approved = adviseur_client.post(url, data={"confirmed": "1", "decision": "approve", "lock_version": first})
    assert approved.status_code == 302
    rejected = second_adviser.post(url, data={"confirmed": "1", "decision": "reject", "lock_version": second,
                                              "reason": "Geen bewijs van de doelgroep."})
    assert rejected.status_code == 409
    assert world.user("adviseur").full_name in rejected.text  # who decided
    assert "goedgekeurd" in rejected.text  # what was decided
    assert "Geen bewijs van de doelgroep." in rejected.text  # their own input, not saved

    db.session.refresh(claim)
    assert claim.status is ClaimStatus.APPROVED
    assert claim.judged_by.username == "adviseur"
    assert claim.rejection_reason is None and claim.approved_value == Decimal("1000.00")


def test_a_judgement_after_a_rejection_keeps_the_rejection(world, adviseur_client,
                                                          second_adviser):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    url = f"/sroi/claims/{claim.id}/beoordelen"
    version = _loaded_version(adviseur_client, f"/sroi/claims/{claim.id}")
    assert second_adviser.post(url, data={"confirmed": "1", "decision": "reject", "lock_version": version,
                                          "reason": "Factuur onleesbaar."}).status_code == 302
    response = adviseur_client.post(url, data={"confirmed": "1", "decision": "approve", "lock_version": version})
    assert response.status_code == 409 and "Sanne Tweede" in response.text
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED and claim.approved_value is None
    assert claim.rejection_reason == "Factuur onleesbaar."
    assert claim.approved_explain is None and claim.approved_on is None


def test_two_edits_of_one_draft_the_second_is_refused_with_both_shown(world, intaker_client,
                                                                     client_for):
    intaker = world.user("intaker")
    make_user("intaker3", intaker.organisation, Role.INTAKER)
    colleague = client_for("intaker3")
    claim = make_claim(make_contract(world), user=intaker)
    url = f"/sroi/claims/{claim.id}/bewerken"
    version = _loaded_version(intaker_client, url)
    assert _loaded_version(colleague, url) == version
    data = {"supplier_name": "Orionis Walcheren", "supplier_type": "sw_bedrijf",
            "day": "2025-03-31", "description": "Schoonmaak", "subcontractor_id": ""}
    assert intaker_client.post(url, data={**data, "amount": "2.000,00",
                                          "lock_version": version}).status_code == 302
    response = colleague.post(url, data={**data, "amount": "3.000,00", "lock_version": version})
    assert response.status_code == 409
    assert "2.000,00" in response.text and "3.000,00" in response.text
    db.session.refresh(claim)
    assert claim.amount == Decimal("2000.00")


def test_submitting_a_claim_changed_since_the_page_was_loaded_is_refused(world, intaker_client):
    claim = make_claim(make_contract(world), user=world.user("intaker"))
    version = _loaded_version(intaker_client, f"/sroi/claims/{claim.id}")
    services.update_claim(claim, services.ClaimData(
        day=claim.day, supplier_name="Andere leverancier", supplier_type="sw_bedrijf",
        amount=Decimal("50.00")), world.user("intaker"))
    db.session.commit()
    response = intaker_client.post(f"/sroi/claims/{claim.id}/indienen",
                                   data={"lock_version": version})
    assert response.status_code == 409
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT


def test_the_update_checks_the_version_when_two_requests_judge(app, world):
    """Both requests loaded the same version and pass the form check; the second one's
    UPDATE finds the version gone and writes nothing (on SQLite and PostgreSQL)."""
    claim_id = make_claim(make_contract(world), user=world.user("intaker"), submit=True).id
    adviser_id = world.user("adviseur").id
    loaded, go_on = threading.Event(), threading.Event()
    outcome: list[str] = []

    def late_request() -> None:
        with app.app_context():
            claim = db.session.get(Claim, claim_id)
            version = claim.lock_version
            loaded.set()
            go_on.wait(timeout=10)
            try:
                services.judge_claim(claim, db.session.get(User, adviser_id), approve=False,
                                     reason="Te laat.", lock_version=version)
                db.session.commit()
                outcome.append("saved")
            except services.ClaimConflict:
                db.session.rollback()
                outcome.append("conflict")
            finally:
                db.session.remove()

    thread = threading.Thread(target=late_request)
    thread.start()
    assert loaded.wait(timeout=10)
    claim = db.session.get(Claim, claim_id)
    services.judge_claim(claim, db.session.get(User, adviser_id), approve=True,
                         lock_version=claim.lock_version)
    db.session.commit()
    go_on.set()
    thread.join(timeout=20)
    assert outcome == ["conflict"]
    db.session.expire_all()
    claim = db.session.get(Claim, claim_id)
    assert claim.status is ClaimStatus.APPROVED and claim.rejection_reason is None


def _contract_form(contract, **changes) -> dict:
    data = {"name": contract.name, "reference": contract.reference,
            "client_id": str(contract.client_id), "provider_id": str(contract.provider_id),
            "start": "2024-01-01", "end": "2027-12-31", "rulebook": contract.rulebook,
            "sroi_percentage": "5", "pso_step": "", "pso_valid_from": "", "pso_valid_until": ""}
    data.update(changes)
    return data


def test_two_advisers_set_the_contract_terms_the_second_sees_the_first(
        world, adviseur_client, second_adviser):
    contract = make_contract(world)
    url = f"/sroi/contracten/{contract.id}/bewerken"
    version = _loaded_version(adviseur_client, url)
    assert _loaded_version(second_adviser, url) == version
    assert second_adviser.post(url, data=_contract_form(
        contract, sroi_percentage="4", lock_version=version)).status_code == 302
    response = adviseur_client.post(url, data=_contract_form(
        contract, sroi_percentage="7,5", lock_version=version))
    assert response.status_code == 409
    assert 'value="7,5"' in response.text  # the adviser's own input, kept in the form
    assert "4,00" in response.text  # what the other adviser saved
    db.session.refresh(contract)
    assert contract.sroi_percentage == Decimal("4.00")
    # Having seen it, the adviser can save deliberately on top (the form has the new version).
    again = LOCK.findall(response.text)[0]
    assert again != version
    assert adviseur_client.post(url, data=_contract_form(
        contract, sroi_percentage="7,5", lock_version=again)).status_code == 302
    db.session.refresh(contract)
    assert contract.sroi_percentage == Decimal("7.50")


def test_a_yearly_review_of_figures_changed_since_the_page_was_loaded_is_refused(
        world, adviseur_client):
    contract = make_contract(world, start=date(2021, 1, 1), end=date(2024, 12, 31))
    row = contract.years[0]
    services.save_year_figures(row, forecast=row.forecast, actual=Decimal("390000.00"))
    db.session.commit()
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    version = re.search(rf'omzet/{row.year}/beoordelen"[^>]*>.*?name="lock_version" '
                        r'value="(\d+)"', page, re.S).group(1)
    services.save_year_figures(row, forecast=row.forecast, actual=Decimal("990000.00"))
    db.session.commit()
    response = adviseur_client.post(f"/sroi/contracten/{contract.id}/omzet/{row.year}/beoordelen",
                                    data={"lock_version": version}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(row)
    assert row.reviewed_on is None  # reviewed only what the adviser saw


def test_two_final_evaluations_at_once_the_second_sees_the_first_decision(
        world, adviseur_client, second_adviser):
    contract = make_contract(world, start=date(2021, 1, 1), end=date(2024, 12, 31),
                             revenue="300000.00")
    url = f"/sroi/contracten/{contract.id}/eindevaluatie"
    version = _loaded_version(adviseur_client, url)
    assert version == "0"  # nothing decided yet
    assert _loaded_version(second_adviser, url) == "0"
    decision = {"remedy": "storting_fonds", "decided_on": "15-03-2025", "lock_version": "0"}
    assert second_adviser.post(url, data={
        **decision, "decision": "Storting in het fonds vóór 1 juli."}).status_code == 302
    response = adviseur_client.post(url, data={
        **decision, "remedy": "verlenging", "decision": "Verlenging met een jaar."})
    assert response.status_code == 409
    assert "Sanne Tweede" in response.text and "Storting in het fonds" in response.text
    assert "Verlenging met een jaar." in response.text  # kept in the form
    db.session.refresh(contract)
    assert contract.evaluation.decision == "Storting in het fonds vóór 1 juli."
    assert contract.evaluation.decided_by_name == "Sanne Tweede"


@pytest.mark.skipif(BACKEND != "postgres", reason="row locks between two connections: "
                    "PostgreSQL (TRAJECTORY_TEST_DB=postgres)")
def test_two_advisers_at_the_same_moment_on_postgresql(app, world):
    """Two connections load the claim, both judge; the first holds the row until it commits,
    the second waits on it and then finds its version gone: one judgement, never both."""
    submitted = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    claim_id, version_before = submitted.id, submitted.lock_version
    adviser_id = world.user("adviseur").id
    loaded = threading.Barrier(2)
    first_flushed = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, object] = {}

    def judge(name: str, approve: bool) -> None:
        with app.app_context():
            claim = db.session.get(Claim, claim_id)
            adviser = db.session.get(User, adviser_id)
            version = claim.lock_version
            loaded.wait(timeout=10)
            if name == "second":
                first_flushed.wait(timeout=10)
            try:
                services.judge_claim(claim, adviser, approve=approve, reason="Nee.",
                                     lock_version=version)
                if name == "first":
                    first_flushed.set()
                    release_first.wait(timeout=10)
                db.session.commit()
                outcome[name] = "saved"
            except services.ClaimConflict:
                db.session.rollback()
                outcome[name] = "conflict"
            finally:
                db.session.remove()

    first = threading.Thread(target=judge, args=("first", True))
    second = threading.Thread(target=judge, args=("second", False))
    first.start()
    second.start()
    assert first_flushed.wait(timeout=10)
    # Wait until the second connection really waits for the first one's row lock.
    deadline = time.monotonic() + 10
    with db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
            if waiting:
                break
            time.sleep(0.05)
    assert waiting, "the second judgement did not wait for the first"
    release_first.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert outcome == {"first": "saved", "second": "conflict"}
    db.session.expire_all()
    claim = db.session.get(Claim, claim_id)
    assert claim.status is ClaimStatus.APPROVED and claim.rejection_reason is None
    assert claim.lock_version == version_before + 1  # written once


def test_two_decisions_on_one_proposed_candidate_only_the_first_is_written(app, world):
    """The overlegtafel's decision (cohort_candidate) is locked the same way: two requests
    that loaded the same proposal cannot both write their decision."""
    from tests.cohorts.support import make_cohort, person
    from trajectory.cohorts import services as cohort_services
    from trajectory.cohorts.models import CohortCandidate, CohortCandidateStatus

    cohort = make_cohort(world)
    row = cohort_services.propose_candidate(world.user("klantmanager"), cohort,
                                            person(world, "Twee", "Besluiten"), "Gemotiveerd.")
    db.session.commit()
    row_id, first_id, second_id = row.id, world.user("coordinator").id, world.user("beheer").id
    loaded, go_on = threading.Event(), threading.Event()
    outcome: list[str] = []

    def late_request() -> None:
        with app.app_context():
            late = db.session.get(CohortCandidate, row_id)
            loaded.set()
            go_on.wait(timeout=10)
            try:
                cohort_services.decide_candidate(db.session.get(User, second_id), late, False)
                db.session.commit()
                outcome.append("saved")
            except StaleDataError:
                db.session.rollback()
                outcome.append("conflict")
            finally:
                db.session.remove()

    thread = threading.Thread(target=late_request)
    thread.start()
    assert loaded.wait(timeout=10)
    cohort_services.decide_candidate(db.session.get(User, first_id),
                                     db.session.get(CohortCandidate, row_id), False)
    db.session.commit()
    go_on.set()
    thread.join(timeout=20)
    assert outcome == ["conflict"]
    db.session.expire_all()
    decided = db.session.get(CohortCandidate, row_id)
    assert decided.status is CohortCandidateStatus.DECLINED and decided.decided_by_id == first_id
