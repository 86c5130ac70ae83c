"""Provider profile, offer and vacancies: who may read, who may change, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.providers.conftest import add_offer, add_vacancy
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.providers.models import OfferItem, OfferType, ProviderProfile, Vacancy


@pytest.mark.parametrize("who", ["klantmanager_client", "coordinator_client", "adviseur_client",
                                 "intaker_client", "intaker2_client", "buddy_client"])
def test_readers_see_the_provider_pages(request, who, p1):
    client = request.getfixturevalue(who)
    add_offer(p1, title="Gastvrouw woonzorgcentrum")
    for path in ("/aanbieders", "/aanbieders/aanbod", "/aanbieders/vacatures",
                 f"/aanbieders/{p1.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "Gastvrouw woonzorgcentrum" in client.get(f"/aanbieders/{p1.id}").text


def test_the_administrator_has_no_business_here(beheer_client, p1):
    assert beheer_client.get("/aanbieders/aanbod").status_code == 403
    assert beheer_client.get(f"/aanbieders/{p1.id}").status_code == 403


def test_a_municipality_is_not_a_provider(klantmanager_client, world):
    assert klantmanager_client.get(f"/aanbieders/{world.org('Goes').id}").status_code == 404
    assert klantmanager_client.get("/aanbieders/999999").status_code == 404


# Who may change a provider's profile, offer and vacancies: only its own intaker.
EDIT_EXPECTATIONS = [
    ("intaker_client", 200),        # intaker of provider 1: their own
    ("intaker2_client", 403),       # intaker of another provider
    ("buddy_client", 403),          # a buddy, even of a provider
    ("klantmanager_client", 403),
    ("coordinator_client", 403),
    ("adviseur_client", 403),
    ("beheer_client", 403),
]


@pytest.mark.parametrize(("who", "status"), EDIT_EXPECTATIONS)
def test_only_the_own_intaker_edits(request, who, status, p1):
    client = request.getfixturevalue(who)
    item = add_offer(p1)
    vacancy = add_vacancy(p1)
    for path in (f"/aanbieders/{p1.id}/profiel", f"/aanbieders/{p1.id}/huidige-inzet",
                 f"/aanbieders/{p1.id}/aanbod/nieuw", f"/aanbieders/aanbod/{item.id}/bewerken",
                 f"/aanbieders/{p1.id}/vacatures/nieuw",
                 f"/aanbieders/vacatures/{vacancy.id}/bewerken"):
        assert client.get(path).status_code == status, path
    response = client.post(f"/aanbieders/{p1.id}/profiel", data={"contact_name": "X"})
    assert response.status_code == (302 if status == 200 else status)
    response = client.post(f"/aanbieders/aanbod/{item.id}/verwijderen", data={"confirmed": "1"})
    assert response.status_code == (302 if status == 200 else status)


def test_intaker_keeps_profile_and_practice(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/profiel", data={
        "contact_name": "Marieke Sinke", "contact_phone": "0113 21 40 00",
        "contact_email": "m.sinke@voorbeeld.nl", "contract_share": "24,5",
        "description": "Ouderenzorg"})
    assert response.status_code == 302
    profile = db.session.scalar(sa.select(ProviderProfile))
    assert profile.contract_share == Decimal("24.50")
    assert profile.contact_name == "Marieke Sinke"
    response = intaker_client.post(f"/aanbieders/{p1.id}/huidige-inzet", data={
        "employed_from_benefit": "6", "experience_places": "4",
        "support_given": "Jobcoaches", "results": "3 naar BBL",
        "other_obligation_contracts": ""})
    assert response.status_code == 302
    page = intaker_client.get(f"/aanbieders/{p1.id}").text
    assert "Jobcoaches" in page and "24,5 %" in page
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "ProviderProfile")).all()
    assert events, "profile changes are in the audit trail"


def test_bad_profile_input_is_kept_with_a_message(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/profiel", data={
        "contact_name": "Marieke", "contact_email": "geen-mailadres",
        "contract_share": "140"})
    assert response.status_code == 200
    page = response.text
    assert "error-summary" in page
    assert 'value="Marieke"' in page and 'value="geen-mailadres"' in page
    assert 'value="140"' in page
    assert db.session.scalar(sa.select(sa.func.count(ProviderProfile.id))) == 0


def test_bad_practice_input_is_kept_with_a_message(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/huidige-inzet", data={
        "employed_from_benefit": "veel", "experience_places": "-2", "results": "Goed"})
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert 'value="veel"' in response.text and "Goed" in response.text


def test_intaker_adds_edits_and_removes_an_offer(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/aanbod/nieuw", data={
        "offer_type": "bbl", "title": "Helpende zorg en welzijn", "level": "2",
        "capacity": "4", "available_from": "2026-02-01", "available_until": "2026-12-31",
        "notes": "Start in februari"})
    assert response.status_code == 302, response.text
    item = db.session.scalar(sa.select(OfferItem))
    assert (item.offer_type, item.level, item.capacity) == (OfferType.BBL, 2, 4)
    response = intaker_client.post(f"/aanbieders/aanbod/{item.id}/bewerken", data={
        "offer_type": "paid_job", "title": "Huishoudelijk medewerker", "capacity": "3",
        "level": "2", "hours_per_week": "24"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.offer_type is OfferType.PAID_JOB and item.hours_per_week == Decimal(24)
    assert item.level is None
    item_id = item.id
    response = intaker_client.post(f"/aanbieders/aanbod/{item_id}/verwijderen", data={"confirmed": "1"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(OfferItem).where(OfferItem.id == item_id)) is None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"offer_type": "bbl", "title": "Helpende", "capacity": "2"}, "level",
     "Kies het niveau"),
    ({"offer_type": "paid_job", "title": "Huishoudelijk", "capacity": "2"}, "hours_per_week",
     "uren per week"),
    ({"offer_type": "intake", "title": "Screening", "capacity": "veel"}, "capacity", None),
    ({"offer_type": "intake", "title": "  ", "capacity": "2"}, "title", None),
    ({"offer_type": "werkervaringsplaats", "title": "Gastvrouw", "capacity": "2",
      "available_from": "2026-05-01", "available_until": "2026-04-01"}, "available_until",
     "voor de begindatum"),
    ({"offer_type": "werkervaringsplaats", "title": "Gastvrouw", "capacity": "2",
      "available_from": "31-02-2026"}, "available_from", None),
])
def test_bad_offer_input_is_kept_with_a_message(intaker_client, p1, data, field, message):
    response = intaker_client.post(f"/aanbieders/{p1.id}/aanbod/nieuw", data=data)
    assert response.status_code == 200
    page = response.text
    assert "error-summary" in page
    assert f'href="#{field}"' in page
    assert f'id="{field}-error"' in page
    if message:
        assert message in page
    assert f'value="{data["title"]}"' in page
    assert db.session.scalar(sa.select(sa.func.count(OfferItem.id))) == 0


def test_intaker_adds_and_edits_a_vacancy(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/vacatures/nieuw", data={
        "title": "Verzorgende IG", "level": "3", "hours_per_week": "28",
        "available_from": "2026-03-01", "status": "open"})
    assert response.status_code == 302
    vacancy = db.session.scalar(sa.select(Vacancy))
    assert vacancy.level == 3 and vacancy.hours_per_week == Decimal(28)
    response = intaker_client.post(f"/aanbieders/vacatures/{vacancy.id}/bewerken", data={
        "title": "Verzorgende IG", "level": "3", "hours_per_week": "28", "status": "ingetrokken"})
    assert response.status_code == 302
    db.session.refresh(vacancy)
    assert vacancy.status.value == "ingetrokken"


def test_bad_vacancy_input_is_kept_with_a_message(intaker_client, p1):
    response = intaker_client.post(f"/aanbieders/{p1.id}/vacatures/nieuw", data={
        "title": "Verzorgende IG", "hours_per_week": "achtentwintig", "status": "open"})
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert 'value="achtentwintig"' in response.text and 'value="Verzorgende IG"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Vacancy.id))) == 0


def test_out_of_scope_ids_are_404(intaker_client):
    assert intaker_client.get("/aanbieders/aanbod/99999/bewerken").status_code == 404
    assert intaker_client.get("/aanbieders/vacatures/99999/bewerken").status_code == 404


def test_own_redirects_provider_staff_to_their_provider(intaker_client, buddy_client, p1, p2):
    assert intaker_client.get("/aanbieders/eigen").headers["Location"].endswith(
        f"/aanbieders/{p1.id}")
    assert buddy_client.get("/aanbieders/eigen").headers["Location"].endswith(
        f"/aanbieders/{p2.id}")
