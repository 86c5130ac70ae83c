"""The obligation's edges on the web side: the PSO certificate's covered days and its file,
"voorlopig" while revenue figures are missing, the contract's own percentage, and adopted
editions only for a live contract (docs/valuation.md)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.valuation.web.sample import (
    OTHER_PROVIDER,
    make_claim,
    make_contract,
    pdf_bytes,
    png_bytes,
)
from trajectory.audit.models import ProcessingLogEntry
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.valuation import services
from trajectory.valuation.adapters import covered_days, missing_revenue_years, pso_status
from trajectory.valuation.engine import load_rulebook
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import EVIDENCE_PSO, ClaimKind, Contract, Evidence

BOOK = load_rulebook("bouwblokken-2023")
START, END = date(2024, 1, 1), date(2027, 12, 31)  # the base period: 1.461 days


def _form(world, **changes) -> dict:
    data = {"name": "Wmo-begeleiding Kapelle", "reference": "WMO-KAP-2026-001",
            "client_id": str(world.org("Kapelle").id),
            "provider_id": str(world.org("Zorggroep Scheldezoom").id),
            "start": "2026-01-01", "end": "31-12-2029", "rulebook": "bouwblokken-2023",
            "sroi_percentage": "5", "pso_step": "", "pso_valid_from": "",
            "pso_valid_until": ""}
    data.update(changes)
    return data


# ------------------------------------------------------------------ covered days


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "days"),
    [
        (date(2020, 1, 1), date(2023, 12, 31), 0),      # ended before the base period
        (date(2028, 1, 1), date(2030, 12, 31), 0),      # starts after it
        (date(2020, 1, 1), date(2024, 1, 1), 1),        # touches its first day
        (date(2027, 12, 31), date(2030, 1, 1), 1),      # touches its last day
        (date(2025, 1, 1), date(2025, 12, 31), 365),    # inside
        (date(2024, 3, 1), date(2024, 3, 1), 1),        # one day inside
        (date(2023, 6, 1), date(2025, 12, 31), 731),    # over the start (2024 is a leap year)
        (date(2026, 1, 1), date(2029, 6, 30), 730),     # over the end
        (date(2020, 1, 1), date(2030, 12, 31), 1461),   # around it
        (START, END, 1461),                             # exactly
        (None, date(2030, 1, 1), 0),                    # dates missing
        (date(2020, 1, 1), None, 0),
        (None, None, 0),
    ],
)
def test_the_days_of_the_base_period_a_certificate_covers(valid_from, valid_until, days):
    assert covered_days(valid_from, valid_until, START, END) == days


def _terms(step="step2", valid_from=None, valid_until=None, end=END) -> Contract:
    return Contract(start=START, end=end, pso_step=step, pso_valid_from=valid_from,
                    pso_valid_until=valid_until, rulebook=BOOK.name)


def test_pso_status_gives_the_share_and_says_why(app):
    around = pso_status(_terms(valid_from=date(2020, 1, 1), valid_until=date(2030, 1, 1)), BOOK)
    assert around.applies and around.share == 1 and around.covered_days == 1461
    assert "covers the whole base period" in around.message

    over_start = pso_status(_terms(valid_from=date(2023, 6, 1), valid_until=date(2025, 12, 31)),
                            BOOK)
    assert over_start.applies and (over_start.covered_days, over_start.base_days) == (731, 1461)
    assert over_start.share == pytest.approx(731 / 1461)
    assert "applies pro rata" in over_start.message and "731 of the 1.461 days" in over_start.message

    before = pso_status(_terms(valid_from=date(2019, 1, 1), valid_until=date(2023, 12, 31)), BOOK)
    assert not before.applies and before.share == 0
    assert "covers no day of the base period" in before.message

    after = pso_status(_terms(valid_from=date(2028, 1, 1), valid_until=date(2031, 12, 31)), BOOK)
    assert not after.applies and after.share == 0

    undated = pso_status(_terms(valid_from=date(2020, 1, 1)), BOOK)
    assert not undated.applies and "without validity dates" in undated.message
    assert pso_status(_terms(step=None), BOOK).message is None


def test_a_certificate_inside_the_base_period_discounts_its_days(world):
    # 2025 is 365 of 1.461 days. 5% of 4 × 375.000 = 75.000; discount 50% × 365/1.461 of it
    # = 37.500 × 365 / 1.461 = 9.368,583... → obligation 65.631,42 (rounded once).
    contract = make_contract(world, revenue="375000.00",
                             pso=("step3", date(2025, 1, 1), date(2025, 12, 31)))
    ledger = contract_ledger(contract)
    assert ledger.pso.applies and ledger.pso.covered_days == 365
    assert ledger.required == Decimal("65631.42")
    assert ("Korting PSO trede 3: 50% over 365 van 1.461 dagen van de basisperiode (pro rata) "
            "= € 9.368,58") in ledger.obligation.explain
    # An extension does not change the share: only the base period counts.
    services.save_extension(contract, None, start=date(2028, 1, 1), end=date(2028, 12, 31),
                            exercised=True)
    db.session.commit()
    assert contract_ledger(contract).pso.covered_days == 365


# ------------------------------------------------------------------ provisional


def test_missing_years_are_the_base_years_without_any_figure(world):
    contract = make_contract(world, revenue=None)
    assert missing_revenue_years(contract) == [2024, 2025, 2026, 2027]
    rows = {row.year: row for row in contract.years}
    services.save_year_figures(rows[2024], forecast=Decimal("400000.00"), actual=None)
    services.save_year_figures(rows[2025], forecast=None, actual=Decimal("410000.00"))
    services.save_year_figures(rows[2026], forecast=Decimal("0.00"), actual=None)  # given: 0
    db.session.commit()
    assert missing_revenue_years(contract) == [2027]
    ledger = contract_ledger(contract)
    assert ledger.provisional and ledger.missing_years == [2027]
    services.save_year_figures(rows[2027], forecast=Decimal("400000.00"), actual=None)
    db.session.commit()
    ledger = contract_ledger(contract)
    assert not ledger.provisional and ledger.missing_years == []


def test_an_unexercised_extension_year_does_not_make_it_provisional(world):
    contract = make_contract(world)  # every base year has a forecast
    services.save_extension(contract, None, start=date(2028, 1, 1), end=date(2028, 12, 31),
                            exercised=False)
    db.session.commit()
    assert not contract_ledger(contract).provisional


def test_a_contract_starting_mid_year_names_every_calendar_year(world):
    contract = make_contract(world, start=date(2024, 7, 1), end=date(2028, 6, 30), revenue=None)
    assert missing_revenue_years(contract) == [2024, 2025, 2026, 2027, 2028]


def _provisional_contract(world) -> Contract:
    contract = make_contract(world, revenue=None)
    for row in contract.years[:2]:
        services.save_year_figures(row, forecast=Decimal("400000.00"), actual=None)
    db.session.commit()
    return contract


def test_provisional_shows_on_the_contract_overview_and_provider_pages(adviseur_client,
                                                                       intaker_client, world):
    contract = _provisional_contract(world)
    complete = make_contract(world, reference="TEST-002", name="Volledig contract")
    text = "voorlopig: omzet 2026 en 2027 nog niet opgegeven"
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert text in page
    assert "De verplichting is voorlopig: de omzet van 2026 en 2027 is nog niet opgegeven." in page
    assert "voorlopig" not in adviseur_client.get(f"/sroi/contracten/{complete.id}").text
    overview = adviseur_client.get("/sroi/").text
    assert overview.count(text) == 1
    provider = intaker_client.get(f"/sroi/aanbieders/{contract.provider_id}").text
    assert provider.count(text) == 1


def test_provisional_shows_in_the_excel_and_pdf_statements(adviseur_client, world):
    contract = _provisional_contract(world)
    data = adviseur_client.get(f"/sroi/contracten/{contract.id}/verantwoording.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "voorlopig: omzet 2026 en 2027 nog niet opgegeven" in cells
    assert any(c.startswith("De verplichting is voorlopig") for c in cells)
    data = adviseur_client.get(f"/sroi/contracten/{contract.id}/verantwoording.pdf").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert "voorlopig: omzet 2026 en 2027 nog niet opgegeven" in text


# ------------------------------------------------------------------ the percentage


def test_the_adviser_sets_the_percentage_in_principle_5(adviseur_client, world):
    page = adviseur_client.get("/sroi/contracten/nieuw").text
    assert 'value="5,00"' in page and "In principe 5 procent" in page
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, sroi_percentage="2,5"))
    assert response.status_code == 302
    contract = db.session.scalars(sa.select(Contract)).one()
    assert contract.sroi_percentage == Decimal("2.50")
    for row in contract.years:
        services.save_year_figures(row, forecast=Decimal("375000.00"), actual=None)
    db.session.commit()
    ledger = contract_ledger(contract)
    assert ledger.required == Decimal("37500.00")  # 2,5% of 1.500.000
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert ("Verplichting: 2,5% van € 1.500.000,00 (percentage van dit contract; de editie "
            "noemt 5%) = € 37.500,00") in page


@pytest.mark.parametrize("value", ["0", "100,01", "-1", "", "abc", "5,125"])
def test_a_percentage_outside_0_to_100_is_refused(adviseur_client, world, value):
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, sroi_percentage=value))
    assert response.status_code == 200 and "error-summary" in response.text
    assert f'value="{value}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_the_service_refuses_a_percentage_with_a_dutch_message(adviseur_client, world):
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, sroi_percentage="101"))
    assert "Het Social Return-percentage moet meer dan 0 en hoogstens 100 zijn." in response.text
    terms = services.ContractTerms(
        name="X", reference="X-1", client=world.org("Goes"),
        provider=world.org("Zorggroep Scheldezoom"), start=START, end=END,
        rulebook="bouwblokken-2023", sroi_percentage=Decimal("5.125"))
    with pytest.raises(ServiceError) as error:
        services.create_contract(terms)
    assert error.value.field == "sroi_percentage"
    terms.sroi_percentage = Decimal("100")
    assert services.create_contract(terms).sroi_percentage == Decimal("100")


# ------------------------------------------------------------------ adopted editions only


def test_the_contract_form_lists_and_accepts_only_adopted_editions(adviseur_client, world):
    page = adviseur_client.get("/sroi/contracten/nieuw").text
    assert 'value="bouwblokken-2023"' in page and 'value="bouwblokken-2025"' not in page
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, rulebook="bouwblokken-2025"))
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_the_service_refuses_a_concept_edition_with_a_dutch_message(app, world):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        terms = services.ContractTerms(
            name="X", reference="X-1", client=world.org("Goes"),
            provider=world.org("Zorggroep Scheldezoom"), start=START, end=END,
            rulebook="bouwblokken-2025")
        with pytest.raises(ServiceError) as error:
            services.create_contract(terms)
        assert error.value.field == "rulebook"
        assert error.value.message == ("Bouwblokken 2025 (demonstratie) is een concepteditie: "
                                       "kies voor een contract een vastgestelde editie.")
        contract = make_contract(world)
        with pytest.raises(ServiceError):
            services.update_contract(contract, services.ContractTerms(
                name=contract.name, reference=contract.reference, client=contract.client,
                provider=contract.provider, start=START, end=END, rulebook="bouwblokken-2025"))


def test_a_contract_that_has_a_concept_edition_keeps_it(adviseur_client, world):
    contract = make_contract(world)
    contract.rulebook = "bouwblokken-2025"  # recorded before concept editions were refused
    db.session.commit()
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}/bewerken").text
    assert 'selected value="bouwblokken-2025"' in page
    form = _form(world, name="Nieuwe naam", reference=contract.reference,
                 client_id=str(contract.client_id), start="2024-01-01", end="2027-12-31",
                 rulebook="bouwblokken-2025")
    assert adviseur_client.post(f"/sroi/contracten/{contract.id}/bewerken",
                                data=form).status_code == 302
    db.session.refresh(contract)
    assert contract.name == "Nieuwe naam" and contract.rulebook == "bouwblokken-2025"
    other = make_contract(world, reference="TEST-002")
    assert 'value="bouwblokken-2025"' not in adviseur_client.get(
        f"/sroi/contracten/{other.id}/bewerken").text


def test_the_calculator_and_the_what_if_still_offer_the_concept_edition(adviseur_client, world):
    response = adviseur_client.get("/sroi/rekenhulp", query_string={
        "kind": "coaching", "start": "2026-01-01", "end": "2026-01-31", "hours": "10",
        "rulebook": "bouwblokken-2025"})
    assert response.status_code == 200
    assert 'selected value="bouwblokken-2025"' in response.text and "1.000,00" in response.text
    contract = make_contract(world)
    claim = make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"), submit=True)
    page = adviseur_client.get(f"/sroi/claims/{claim.id}?editie=bouwblokken-2025").text
    assert 'selected value="bouwblokken-2025"' in page
    assert "660,00" in page  # 6 h × 110 under the 2025 concept edition


# ------------------------------------------------------------------ the certificate file


def _upload(client, contract, data: bytes, name: str):
    return client.post(f"/sroi/contracten/{contract.id}/pso-certificaat",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_adviser_attaches_the_certificate_and_the_newest_counts(adviseur_client,
                                                                    intaker_client,
                                                                    coordinator_client, world):
    contract = make_contract(world, pso=("step2", date(2023, 6, 1), date(2025, 12, 31)))
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert "Er is nog geen certificaatbestand bijgevoegd." in page
    assert f"/sroi/contracten/{contract.id}/pso-certificaat" in page
    assert adviseur_client.post(f"/sroi/contracten/{contract.id}/pso-certificaat",
                                data={}).status_code == 200
    response = _upload(adviseur_client, contract, png_bytes(), "certificaat.pdf")
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
    assert _upload(adviseur_client, contract, pdf_bytes("PSO 2023"),
                   "pso-2023.pdf").status_code == 302
    assert _upload(adviseur_client, contract, pdf_bytes("PSO 2024"),
                   "pso-2024.pdf").status_code == 302
    db.session.refresh(contract)
    files = [e for e in contract.evidence if e.kind == EVIDENCE_PSO]
    assert [e.original_name for e in files] == ["pso-2023.pdf", "pso-2024.pdf"]
    current = contract.pso_certificate
    assert current.original_name == "pso-2024.pdf" and current.claim_id is None
    assert current.uploaded_by.username == "adviseur"
    link = f"/sroi/bewijs/{current.id}"
    for client in (adviseur_client, intaker_client):
        page = client.get(f"/sroi/contracten/{contract.id}").text
        assert link in page and f"/sroi/bewijs/{files[0].id}" not in page
        response = client.get(link)
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.scalar(sa.select(sa.func.count(ProcessingLogEntry.id)).where(
        ProcessingLogEntry.object_type == "Evidence",
        ProcessingLogEntry.object_id == str(current.id))) == 2
    # the coordinator sees which file it is, but may not download evidence
    page = coordinator_client.get(f"/sroi/contracten/{contract.id}").text
    assert "pso-2024.pdf" in page and link not in page
    assert coordinator_client.get(link).status_code == 403


def test_only_the_adviser_uploads_and_other_providers_see_nothing(
        intaker_client, intaker2_client, klantmanager_client, adviseur_client, world):
    contract = make_contract(world, pso=("step1", date(2023, 1, 1), date(2028, 12, 31)))
    url = f"/sroi/contracten/{contract.id}/pso-certificaat"
    assert _upload(adviseur_client, contract, pdf_bytes(), "pso.pdf").status_code == 302
    db.session.refresh(contract)
    link = f"/sroi/bewijs/{contract.pso_certificate.id}"
    for client in (intaker_client, klantmanager_client):
        assert client.get(url).status_code == 403
        assert _upload(client, contract, pdf_bytes(), "ander.pdf").status_code == 403
    assert intaker_client.get(f"/sroi/contracten/{contract.id}").text.count(
        "PSO-certificaat bijvoegen") == 0
    assert intaker2_client.get(link).status_code == 404  # another provider's intaker
    assert intaker2_client.get(f"/sroi/contracten/{contract.id}").status_code == 404
    own = make_contract(world, reference="TEST-2", provider=OTHER_PROVIDER)
    assert intaker2_client.get(f"/sroi/contracten/{own.id}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 1
