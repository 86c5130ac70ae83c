"""The ledger: the same figures on the page, in Excel and in the PDF, all from the engine;
the overview in a constant number of queries; labour lines from registered sources."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from tests.valuation.web.sample import OTHER_PROVIDER, make_claim, make_contract
from trajectory.valuation import engine
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.ledger import LabourLine, contract_ledger
from trajectory.valuation.models import ClaimKind

BOOK = "bouwblokken-2023"


def _filled_contract(world):
    """A contract with claims in every state; returns it with the engine's own sums."""
    contract = make_contract(world, revenue="375000.00")
    intaker, adviser = world.user("intaker"), world.user("adviseur")
    make_claim(contract, user=intaker, amount=Decimal("18450.00"), approve_by=adviser)
    make_claim(contract, user=intaker, supplier_type="social_enterprise_nl",
               supplier_name="=HYPERLINK(\"http://evil.example\",\"klik\")",
               amount=Decimal("6200.00"), submit=True)
    make_claim(contract, ClaimKind.ACTIVITY, user=intaker, approve_by=adviser)
    make_claim(contract, ClaimKind.ACTIVITY, user=intaker, hours=Decimal("8"),
               description="Kerstmarkt", reject_by=adviser)
    make_claim(contract, ClaimKind.FUND, user=intaker, submit=True)
    make_claim(contract, user=intaker, amount=Decimal("2150.00"))  # concept
    rulebook = engine.load_rulebook(BOOK)
    approved = (engine.value_purchase(engine.Purchase("sw_bedrijf", Decimal("18450.00")),
                                      rulebook).value
                + engine.value_activity(engine.Activity(hours=Decimal("6")), rulebook).value)
    submitted = (engine.value_purchase(engine.Purchase("social_enterprise_nl",
                                                       Decimal("6200.00")), rulebook).value
                 + engine.value_fund(engine.Fund(Decimal("5000.00")), rulebook).value)
    obligation = engine.compute_obligation(
        engine.Contract(contract.start, contract.end, Decimal("1500000.00")), rulebook).amount
    return contract, {"obligation": obligation, "approved": approved, "submitted": submitted,
                      "still": obligation - approved}


def test_the_ledger_adds_up_the_engines_values(world):
    contract, expected = _filled_contract(world)
    ledger = contract_ledger(contract, on=date(2026, 1, 1))
    assert ledger.required == expected["obligation"] == Decimal("75000.00")
    assert ledger.approved == expected["approved"] == Decimal("19050.00")
    assert ledger.submitted == expected["submitted"] == Decimal("8100.00")
    assert ledger.totals.rejected == Decimal("800.00")
    assert ledger.totals.concept == Decimal("2150.00")
    assert ledger.still_to_go == expected["still"]
    assert ledger.blocks["purchase"].approved == Decimal("18450.00")
    assert ledger.blocks["fund"].submitted == Decimal("5000.00")
    assert ledger.years[2025].approved == Decimal("19050.00")
    assert ledger.percent_fulfilled == Decimal("25.4")
    # about half of the period passed; 27.150 approved + submitted → at risk
    assert ledger.expected_by_now == Decimal("37577.00")  # 732 of 1.461 days
    assert ledger.at_risk


def _money(value: Decimal) -> str:
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents


def test_page_excel_and_pdf_show_the_same_figures(adviseur_client, world):
    contract, expected = _filled_contract(world)
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    for key in ("obligation", "approved", "submitted", "still"):
        assert _money(expected[key]) in page, key

    response = adviseur_client.get(f"/sroi/contracten/{contract.id}/verantwoording.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=1) if row[0].value}
    money_cells = [cells[k] for k in cells if isinstance(cells[k].value, int | float)]
    assert money_cells and all("€" in c.number_format for c in money_cells)
    values = [Decimal(str(c.value)).quantize(Decimal("0.01")) for c in money_cells]
    for key in ("obligation", "approved", "submitted", "still"):
        assert expected[key] in values, key
    claims = book.worksheets[1]
    suppliers = [row[4] for row in claims.iter_rows(min_row=2)]
    evil = next(c for c in suppliers if c.value and "HYPERLINK" in c.value)
    assert evil.data_type == "s" and evil.value.startswith("=HYPERLINK(")
    claim_values = [Decimal(str(row[8].value)).quantize(Decimal("0.01"))
                    for row in claims.iter_rows(min_row=2)]
    ledger = contract_ledger(contract)
    assert claim_values == [line.value for line in ledger.claims]

    response = adviseur_client.get(f"/sroi/contracten/{contract.id}/verantwoording.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    root = reader.trailer["/Root"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # PDF/UA-1
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"]  # tagged, with a language
    text = " ".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"\s+", " ", text.replace("\xa0", " "))
    for key in ("obligation", "approved", "submitted", "still"):
        assert f"€ {_money(expected[key])}" in text, key
    page_box = reader.pages[0].mediabox
    assert (round(float(page_box.width)), round(float(page_box.height))) == (595, 842)


def test_the_overview_lists_contracts_per_provider_with_those_at_risk(coordinator_client,
                                                                     world):
    contract, _ = _filled_contract(world)
    make_contract(world, reference="T-UNDER", provider=OTHER_PROVIDER, revenue="45000.00",
                  name="Dagbesteding onder de drempel")
    page = coordinator_client.get("/sroi/").text
    assert "Dagbesteding onder de drempel" in page and contract.name in page
    assert "Zorggroep Scheldezoom" in page and OTHER_PROVIDER in page
    assert "/sroi/contracten/nieuw" not in page  # the coordinator only reads
    assert 'id="risico"' in page
    provider_page = coordinator_client.get(f"/sroi/aanbieders/{contract.provider_id}").text
    assert contract.name in provider_page and "Dagbesteding onder de drempel" not in provider_page


@pytest.mark.parametrize("username", ["adviseur", "coordinator"])
def test_the_overview_needs_the_same_number_of_queries_for_2_and_10_contracts(
        client_for, world, count_queries, username):
    client = client_for(username)
    adviser = world.user("adviseur")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            contract = make_contract(world, reference=f"Q-{i}",
                                     provider=OTHER_PROVIDER if i % 2 else "Zorggroep Scheldezoom")
            make_claim(contract, user=world.user("intaker"), approve_by=adviser)
            make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"), submit=True)

    add(2, 0)
    client.get("/sroi/")
    with count_queries() as two:
        assert client.get("/sroi/").status_code == 200
    add(8, 2)
    with count_queries() as ten:
        page = client.get("/sroi/").text
    assert page.count("/sroi/contracten/") >= 10
    assert ten.count == two.count, (two.count, ten.count)
    print(f"overview queries as {username}: {two.count} (2 contracts), {ten.count} (10)")




def test_labour_lines_come_from_registered_sources(adviseur_client, world, monkeypatch):
    contract = make_contract(world, revenue="375000.00")
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert "empty-state" in page  # "no stages valued yet"
    rulebook = engine.load_rulebook(BOOK)
    stage = engine.Stage("werkervaringsplaats", date(2025, 3, 1), date(2025, 5, 31))
    valued = engine.value_stage(stage, None, rulebook)
    calls = []

    def source(contracts):
        calls.append(len(contracts))
        return {c.id: [LabourLine("Werkervaringsplaats dagbesteding", "K.D.", stage.start,
                                  stage.end, valued, "approved", valued.value),
                       LabourLine("BBL niveau 2", "A.B.", date(2025, 9, 1), date(2026, 8, 31),
                                  engine.value_stage(engine.Stage("bbl", date(2025, 9, 1),
                                                                  date(2026, 8, 31), level=2),
                                                     None, rulebook),
                                  "running", flags=("Overlap met een andere aanbieder",))]
                for c in contracts}

    monkeypatch.setattr(ledger_mod, "_LABOUR_SOURCES", [])
    ledger_mod.register_labour_source(source)
    ledger_mod.register_labour_source(source)  # once only
    ledger = contract_ledger(contract)
    assert ledger.blocks["labour"].approved == Decimal("2250.00")
    assert ledger.blocks["labour"].planned == Decimal("20000.00")
    assert ledger.forecast == Decimal("22250.00") and ledger.gap == Decimal("52750.00")
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert "Werkervaringsplaats dagbesteding" in page and "K.D." in page
    assert "Overlap met een andere aanbieder" in page
    assert "22.250,00" in page and "52.750,00" in page
    calls.clear()
    adviseur_client.get("/sroi/")
    assert calls == [1]  # one call for all contracts on the overview


def test_home_panels(adviseur_client, intaker_client, coordinator_client, world):
    contract, _ = _filled_contract(world)
    page = adviseur_client.get("/").text
    assert 'id="panel-sroi-adviser"' in page and "Orionis" not in page
    assert "HYPERLINK" in page  # the submitted purchase waits for judgement
    page = intaker_client.get("/").text
    assert 'id="panel-sroi-provider"' in page and "Kerstmarkt" in page
    page = coordinator_client.get("/").text
    assert 'id="panel-sroi-region"' in page and "75.000,00" in page
