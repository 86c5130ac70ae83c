"""The accounting statement (PDF) prints whole, and the ledger workbook is one an
accountant can use: read back with pdftotext and openpyxl, on the demo's contracts."""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal

import openpyxl
import sqlalchemy as sa

from tests.conftest import login
from tests.pdf_support import assert_prints_whole
from tests.valuation.web.sample import make_claim, make_contract
from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import load_demo
from trajectory.extensions import db
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import ClaimStatus, Contract
from trajectory.valuation.pdf import statement_html

SUPPLIER_CODES = {"sw_bedrijf", "social_enterprise_nl", "pso_step2", "code_sociale_onderneming"}


def test_every_demo_statement_prints_whole_and_its_workbook_is_typed(app):
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    adviser = app.test_client()
    assert login(adviser, "adviseur").status_code == 302
    contracts = list(db.session.scalars(sa.select(Contract)))
    assert contracts
    labour_seen = False
    for contract in contracts:
        response = adviser.get(f"/sroi/contracten/{contract.id}/verantwoording.pdf")
        assert response.status_code == 200
        with app.test_request_context():
            ledger = contract_ledger(contract)
            html = statement_html(ledger)
        labour_seen = labour_seen or bool(ledger.labour)
        assert_prints_whole(html, response.data, expected_headers=5)

        book = openpyxl.load_workbook(io.BytesIO(adviser.get(
            f"/sroi/contracten/{contract.id}/verantwoording.xlsx").data))
        statement, claims, labour = book.worksheets
        for sheet in (claims, labour):
            assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        for row in claims.iter_rows(min_row=2):
            number, day, kind_of_supplier, status, value = row[0], row[2], row[5], row[7], row[8]
            assert number.data_type == "n"
            assert day.is_date and day.number_format == "dd-mm-yyyy"
            assert kind_of_supplier.value not in SUPPLIER_CODES, kind_of_supplier.value
            assert status.value in {s.label for s in ClaimStatus}
            assert value.data_type == "n" and "€" in value.number_format
        for row in labour.iter_rows(min_row=2):
            assert row[2].is_date and row[3].is_date
            assert row[4].value in {"gepland", "loopt", "afgerond", "concept", "ingediend",
                                    "goedgekeurd", "afgewezen"}, row[4].value
        dates = [c for row in statement.iter_rows() for c in row if isinstance(c.value, datetime)]
        assert dates and all(c.number_format == "dd-mm-yyyy" for c in dates)
    assert labour_seen  # the labour table was among the tables read back


def test_a_contract_reference_outside_latin_1_gives_an_ascii_download_name(adviseur_client,
                                                                          world):
    contract = make_contract(world, reference="ŁÓDŹ–Ærø 2026")
    make_claim(contract, user=world.user("intaker"), amount=Decimal("1000.00"))
    for path in ("verantwoording.pdf", "verantwoording.xlsx"):
        response = adviseur_client.get(f"/sroi/contracten/{contract.id}/{path}")
        assert response.status_code == 200
        header = response.headers["Content-Disposition"]
        assert header.isascii(), header
        assert re.search(r'filename="sroi-verantwoording-LODZ-AEro-2026-[0-9-]+\.(pdf|xlsx)"',
                         header), header
        assert "filename*=UTF-8''sroi-verantwoording-%C5%81%C3%93D%C5%B9" in header


def test_a_large_contract_prints_its_labour_per_year_and_status(app, monkeypatch):
    """Above the limit the labour lines print per year and status (WeasyPrint lays out a
    table of thousands of rows in minutes); the groups add up to every line, and the
    Excel statement keeps every line."""
    from trajectory.valuation import pdf

    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    adviser = app.test_client()
    assert login(adviser, "adviseur").status_code == 302
    with app.test_request_context():
        ledgers = [contract_ledger(c) for c in db.session.scalars(sa.select(Contract))]
    ledger = max(ledgers, key=lambda x: len(x.labour))
    assert len(ledger.labour) >= 2
    monkeypatch.setattr(pdf, "LABOUR_DETAIL_LIMIT", 1)
    with app.test_request_context():
        html = statement_html(contract_ledger(ledger.contract))
        groups = pdf.labour_groups(ledger.labour)
    assert sum(g.count for g in groups) == len(ledger.labour)
    assert sum(g.value for g in groups) == sum(line.value for line in ledger.labour)
    assert len({(g.year, g.status) for g in groups}) == len(groups)
    # The view sums the groups and the figures in SQL (no line loaded): the same statement.
    with app.test_request_context():
        assert pdf.stored_labour_groups(ledger.contract) == groups
        assert pdf.contract_statement_html(ledger.contract) == html
    assert "“Arbeidsparticipatie”" in html  # the sheet that holds every line
    assert not any(line.person in html for line in ledger.labour if line.person)
    response = adviser.get(f"/sroi/contracten/{ledger.contract.id}/verantwoording.pdf")
    assert response.status_code == 200
    text = assert_prints_whole(html, response.data, expected_headers=4)
    assert "Arbeidsparticipatie" in text
    book = openpyxl.load_workbook(io.BytesIO(adviser.get(
        f"/sroi/contracten/{ledger.contract.id}/verantwoording.xlsx").data))
    assert book.worksheets[2].max_row - 1 == len(ledger.labour)
