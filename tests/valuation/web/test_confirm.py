"""Submitting a claim and the adviser's judgement ask first; the claim's lock travels
through the confirmation page, so a change meanwhile still gets the conflict page."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.confirmation import asked, say_yes
from tests.valuation.web.sample import make_claim, make_contract
from trajectory.extensions import db
from trajectory.valuation import services
from trajectory.valuation.models import ClaimStatus

LOCK = re.compile(r'name="lock_version" value="(\d+)"')


def _lock(client, claim) -> str:
    return LOCK.findall(client.get(f"/sroi/claims/{claim.id}").text)[0]


def test_submitting_asks_first_then_submits(intaker_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"))
    url = f"/sroi/claims/{claim.id}/indienen"
    lock = _lock(intaker_client, claim)
    response = intaker_client.post(url, data={"lock_version": lock})
    page = asked(response, url)
    assert "Orionis Walcheren" in response.text and "TEST-001" in response.text
    assert page.value("lock_version") == lock and page.cancel == f"/sroi/claims/{claim.id}"
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT and claim.submitted_at is None
    assert say_yes(intaker_client, page).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED


def test_a_claim_that_cannot_be_submitted_says_so_at_once(intaker_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"), evidence=False)
    response = intaker_client.post(f"/sroi/claims/{claim.id}/indienen")
    assert response.status_code == 302  # the refusal, not a confirmation first
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT


def test_approving_asks_first_and_shows_the_value_that_will_be_frozen(adviseur_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    url = f"/sroi/claims/{claim.id}/beoordelen"
    response = adviseur_client.post(url, data={"decision": "approve",
                                               "lock_version": _lock(adviseur_client, claim)})
    page = asked(response, url)
    assert "1.000,00" in response.text and page.value("decision") == "approve"
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED and claim.approved_value is None
    assert claim.judged_at is None
    assert say_yes(adviseur_client, page).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.APPROVED and claim.approved_value == Decimal("1000.00")


def test_rejecting_asks_first_and_keeps_the_reason_with_its_lines(adviseur_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    url = f"/sroi/claims/{claim.id}/beoordelen"
    reason = "De factuur is onleesbaar.\nStuur een nieuwe scan."
    page = asked(adviseur_client.post(url, data={"decision": "reject", "reason": reason}), url)
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED
    assert say_yes(adviseur_client, page).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED
    assert claim.rejection_reason.replace("\r\n", "\n") == reason


def test_a_reject_without_reason_is_refused_before_any_confirmation(adviseur_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    response = adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen",
                                    data={"decision": "reject", "reason": ""})
    assert response.status_code == 200 and "error-summary" in response.text
    assert 'data-confirm' not in response.text


def test_a_claim_changed_while_the_confirmation_was_open_gets_the_conflict_page(
        adviseur_client, intaker_client, world):
    intaker = world.user("intaker")
    claim = make_claim(make_contract(world), user=intaker)
    url = f"/sroi/claims/{claim.id}/indienen"
    page = asked(intaker_client.post(url, data={"lock_version": _lock(intaker_client, claim)}),
                 url)
    services.update_claim(claim, services.ClaimData(
        day=claim.day, supplier_name="Andere leverancier", supplier_type="sw_bedrijf",
        amount=Decimal("50.00")), intaker)
    db.session.commit()
    assert say_yes(intaker_client, page).status_code == 409
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT


def test_a_judgement_confirmed_after_another_adviser_judged_gets_the_conflict_page(
        adviseur_client, world):
    claim = make_claim(make_contract(world), user=world.user("intaker"), submit=True)
    url = f"/sroi/claims/{claim.id}/beoordelen"
    page = asked(adviseur_client.post(url, data={
        "decision": "approve", "lock_version": _lock(adviseur_client, claim)}), url)
    services.judge_claim(claim, world.user("adviseur"), approve=False, reason="Te laat.")
    db.session.commit()
    assert say_yes(adviseur_client, page).status_code == 409
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED and claim.rejection_reason == "Te laat."


def test_the_yearly_review_asks_first_then_records_the_adviser(adviseur_client, world):
    """The adviser's judgement of a year's revenue figures is asked once more, with the
    contract and year named, before it is recorded."""
    from datetime import date

    contract = make_contract(world, start=date(2021, 1, 1), end=date(2024, 12, 31))
    row = contract.years[0]
    services.save_year_figures(row, forecast=row.forecast, actual=Decimal("390000.00"))
    db.session.commit()
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    lock = re.search(rf'omzet/{row.year}/beoordelen"[^>]*>.*?name="lock_version" '
                     r'value="(\d+)"', page, re.S).group(1)
    url = f"/sroi/contracten/{contract.id}/omzet/{row.year}/beoordelen"
    response = adviseur_client.post(url, data={"lock_version": lock})
    asked_page = asked(response, url)
    assert str(row.year) in response.text and contract.reference in response.text
    assert asked_page.value("lock_version") == lock
    db.session.refresh(row)
    assert row.reviewed_on is None  # nothing recorded before "Ja"
    assert say_yes(adviseur_client, asked_page).status_code == 302
    db.session.refresh(row)
    assert row.reviewed_on is not None and row.reviewed_by.username == "adviseur"
