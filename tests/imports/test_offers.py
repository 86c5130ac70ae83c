"""A provider's offer (Bijlage 1 inventory) and vacancies from a spreadsheet."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import sqlalchemy as sa

from tests.imports.support import csv_bytes, xlsx_bytes
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.providers.models import OfferItem, OfferType, Vacancy, VacancyStatus

OFFER_HEADERS = ["Soort aanbod", "Functie of onderwerp", "Niveau", "Uren per week",
                 "Aantal plaatsen", "Beschikbaar vanaf", "Opmerkingen"]


def upload(client, what, data, name="aanbod.csv"):
    return client.post(f"/import/{what}", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def offers_of(org_id):
    return db.session.scalars(sa.select(OfferItem).where(
        OfferItem.organisation_id == org_id).order_by(OfferItem.id)).all()


def through(client, what, data, name="aanbod.csv"):
    """Upload, keep the columns found by name, and return the preview's token."""
    response = upload(client, what, data, name)
    assert response.status_code == 302, response.text[:500]
    token = re.search(rf"/import/{what}/([^/]+)", response.headers["Location"]).group(1)
    if response.headers["Location"].endswith("/kolommen"):
        page = client.get(response.headers["Location"]).text
        picked = dict(re.findall(r'name="(\w+)">.*?<option selected value="([^"]*)"', page,
                                 re.S))
        picked = {k: v for k, v in picked.items() if k != "csrf_token"}
        assert client.post(response.headers["Location"], data=picked).status_code == 302
    return token


def test_an_offer_inventory_with_dutch_decimals(client_for, world):
    intaker = client_for("intaker")
    provider = world.user("intaker").organisation_id
    before = len(offers_of(provider))
    rows = [
        ["Werkervaringsplaatsen", "Magazijnmedewerker", "", "24,5", "3", "01-02-2026", ""],
        ["BBL", "Helpende zorg", "2", "", "2", "2026-09-01", "met praktijkbegeleider"],
        ["Betaalde banen", "Schoonmaker", "", "", "1", "", ""],      # no hours: the service
        ["Toverstokken", "Goochelaar", "", "", "1", "", ""],         # unknown type
        ["BOL-stages", "Stage secretariaat", "7", "", "1", "", ""],  # level 1-4
        ["Werkervaringsplaatsen", "Magazijnmedewerker", "", "24,5", "3", "01-02-2026", ""],
    ]
    token = through(intaker, "aanbod", csv_bytes(rows, headers=OFFER_HEADERS, encoding="cp1252"))
    preview = intaker.get(f"/import/aanbod/{token}")
    assert preview.status_code == 200
    bad = preview.text.split('id="problemen"')[1].split('id="zonder-problemen"')[0]
    numbers = sorted(int(n) for n in re.findall(r'cell--numeric">(\d+)<', bad))
    assert numbers == [4, 5, 6, 7]
    assert len(offers_of(provider)) == before  # the preview wrote nothing
    assert intaker.post(f"/import/aanbod/{token}/bevestigen").status_code == 302
    assert intaker.post(f"/import/aanbod/{token}/bevestigen").status_code == 302  # once
    added = offers_of(provider)[before:]
    assert [(i.offer_type, i.title, i.hours_per_week, i.level, i.capacity) for i in added] == [
        (OfferType.WERKERVARINGSPLAATS, "Magazijnmedewerker", Decimal("24.50"), None, 3),
        (OfferType.BBL, "Helpende zorg", None, 2, 2)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "OfferItem", AuditEvent.action == "create")) >= 2
    # The same file again: already in the list, nothing doubles.
    token = through(intaker, "aanbod", csv_bytes(rows, headers=OFFER_HEADERS))
    assert "/bevestigen" not in intaker.get(f"/import/aanbod/{token}").text  # nothing to add
    intaker.post(f"/import/aanbod/{token}/bevestigen")
    assert len(offers_of(provider)) == before + 2


def test_vacancies_from_excel(client_for, world):
    intaker = client_for("intaker")
    provider = world.user("intaker").organisation_id
    data = xlsx_bytes([["Kok", 2, 32, "01-03-2026", "open"],
                       ["Chauffeur", "", "36,0", "", "vervuld"],
                       ["Zonder uren", "", "", "", ""]],
                      headers=["Functie", "Niveau", "Uren per week", "Vanaf", "Status"])
    token = through(intaker, "vacatures", data, "vacatures.xlsx")
    assert intaker.post(f"/import/vacatures/{token}/bevestigen").status_code == 302
    added = db.session.scalars(sa.select(Vacancy).where(
        Vacancy.organisation_id == provider, Vacancy.title.in_(["Kok", "Chauffeur",
                                                               "Zonder uren"]))).all()
    assert sorted((v.title, v.hours_per_week, v.status) for v in added) == [
        ("Chauffeur", Decimal("36.00"), VacancyStatus.FILLED),
        ("Kok", Decimal("32.00"), VacancyStatus.OPEN)]


def test_only_the_providers_own_intaker(client_for, world):
    for username in ("klantmanager", "buddy", "coordinator"):
        assert client_for(username).get("/import/aanbod").status_code == 403, username
    assert client_for("intaker").get("/import/aanbod").status_code == 200
    intaker = client_for("intaker")
    token = through(intaker, "aanbod", csv_bytes(
        [["Buddies", "Maatje", "", "", "2", "", ""]], headers=OFFER_HEADERS))
    other = client_for("intaker2")
    assert other.get(f"/import/aanbod/{token}").status_code in (403, 404)
    assert other.post(f"/import/aanbod/{token}/bevestigen").status_code in (403, 404)


def test_a_bad_file_rerenders(client_for, world):
    response = upload(client_for("intaker"), "vacatures", b"PK\x03\x04kapot", "x.xlsx")
    assert response.status_code == 200 and "error-summary" in response.text
