"""Labour participation as claims: the intaker submits a stage with its evidence, the adviser
judges it, and every figure (page, Excel, PDF, `sroi ledger --json`) counts it the same."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.labour.conftest import paid_job, upload
from tests.stages.conftest import P2
from trajectory.extensions import db
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import (
    EVIDENCE_BENEFIT,
    EVIDENCE_EMPLOYMENT,
    Claim,
    ClaimKind,
    ClaimStatus,
)

NEW = "/sroi/arbeid/contracten/{}/nieuw"


def _form(stage, start="2025-02-01", end="2025-07-31", **files) -> dict:
    return {"stage_id": str(stage.id), "period_start": start, "period_end": end,
            "subcontractor_id": "", "description": "", **files}


def _create(client, contract, stage, **kwargs):
    files = kwargs.pop("files", {"employment_file": upload("arbeidsovereenkomst.pdf"),
                                 "benefit_file": upload("uitkering.pdf", "Verklaring UWV")})
    return client.post(NEW.format(contract.id), data=_form(stage, **kwargs, **files),
                       content_type="multipart/form-data")


def _labour_claim() -> Claim:
    return db.session.scalars(sa.select(Claim).where(Claim.kind == ClaimKind.LABOUR)).one()


def _approved_labour(contract) -> Decimal:
    db.session.expire_all()
    return contract_ledger(contract).blocks["labour"].approved


def test_the_form_suggests_the_stage_and_its_unclaimed_period(intaker_client, world, contract):
    stage = paid_job(world)
    page = intaker_client.get(NEW.format(contract.id) + f"?fase={stage.id}").text
    assert f'selected value="{stage.id}"' in page
    assert 'value="2025-02-01"' in page or "01-02-2025" in page
    assert "30.000,00" in page  # what is not claimed yet


def test_an_intaker_submits_a_paid_job_and_the_adviser_approves_it(
        intaker_client, adviseur_client, world, contract, app):
    stage = paid_job(world)
    before = contract_ledger(contract)
    assert before.blocks["labour"].approved == 0
    assert before.blocks["labour"].planned == Decimal("30000.00")  # forecast until claimed

    response = _create(intaker_client, contract, stage)
    assert response.status_code == 302, response.text
    claim = _labour_claim()
    assert (claim.status, claim.stage_id, claim.period_start, claim.period_end) == (
        ClaimStatus.CONCEPT, stage.id, date(2025, 2, 1), date(2025, 7, 31))
    assert sorted(e.kind for e in claim.evidence) == sorted([EVIDENCE_EMPLOYMENT,
                                                             EVIDENCE_BENEFIT])
    page = intaker_client.get(f"/sroi/claims/{claim.id}").text
    assert "30.000,00" in page and "Arbeidsovereenkomst" not in page  # the file, not its text

    assert intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"}).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED
    assert contract_ledger(contract).blocks["labour"].submitted == Decimal("30000.00")

    percent_before = contract_ledger(contract).percent_fulfilled
    response = adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen",
                                    data={"confirmed": "1", "decision": "approve", "reason": ""})
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.APPROVED
    assert claim.approved_value == Decimal("30000.00")
    assert claim.approved_rulebook == "bouwblokken-2023" and claim.approved_on is not None
    assert any("Bonus vast contract" in line for line in claim.approved_explain)

    ledger = contract_ledger(contract)
    assert ledger.blocks["labour"].approved == Decimal("30000.00")
    assert ledger.blocks["labour"].planned == 0
    # € 80.000 obligation: the approved labour raises the realised share by 37,5 points.
    assert ledger.percent_fulfilled - (percent_before or 0) == Decimal("37.5")

    # The page, the Excel, the PDF and the command show the same figures.
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert "30.000,00" in page and "37,5" in page
    book = load_workbook(io.BytesIO(adviseur_client.get(
        f"/sroi/contracten/{contract.id}/verantwoording.xlsx").data))
    sheet = book[book.sheetnames[-1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[5] for r in rows if r[4] == "goedgekeurd"] == [30000]
    pdf = PdfReader(io.BytesIO(adviseur_client.get(
        f"/sroi/contracten/{contract.id}/verantwoording.pdf").data))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "30.000,00" in text and "goedgekeurd" in text
    result = app.test_cli_runner().invoke(args=["sroi", "ledger", "--contract",
                                                contract.reference, "--json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.output)["contracts"][0]
    assert row["approved"]["labour"] == "30000.00"
    assert row["realised_percent"] == f"{ledger.percent_fulfilled:.1f}"


def test_rejecting_a_labour_line_does_not_count(intaker_client, adviseur_client, world,
                                                contract):
    stage = paid_job(world)
    _create(intaker_client, contract, stage)
    claim = _labour_claim()
    intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"})
    response = adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen",
                                    data={"confirmed": "1", "decision": "reject",
                                          "reason": "Het contract is niet ondertekend."})
    assert response.status_code == 302
    ledger = contract_ledger(contract)
    assert ledger.blocks["labour"].approved == 0
    assert ledger.blocks["labour"].rejected == Decimal("30000.00")
    assert ledger.blocks["labour"].planned == 0  # a rejected period leaves the forecast
    # The provider enters the period again with the signed contract.
    assert _create(intaker_client, contract, stage).status_code == 302


def test_submission_needs_its_evidence_and_a_period_that_has_passed(
        intaker_client, world, contract):
    stage = paid_job(world)
    _create(intaker_client, contract, stage, files={})
    claim = _labour_claim()
    response = intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"},
                                   follow_redirects=True)
    assert "arbeids-, leerwerk- of plaatsingscontract" in response.text
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT
    intaker_client.post(f"/sroi/claims/{claim.id}/bewijs", content_type="multipart/form-data",
                        data={"kind": EVIDENCE_EMPLOYMENT,
                              "file": upload("arbeidsovereenkomst.pdf")})
    response = intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"},
                                   follow_redirects=True)
    assert "uitkeringsachtergrond" in response.text  # a paid job needs the benefit proof
    intaker_client.post(f"/sroi/claims/{claim.id}/bewijs", content_type="multipart/form-data",
                        data={"kind": EVIDENCE_BENEFIT, "file": upload("uitkering.pdf")})
    assert intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"}).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED


def test_bad_periods_are_refused_with_the_input_kept(intaker_client, world, contract):
    stage = paid_job(world)
    response = _create(intaker_client, contract, stage, start="2025-01-01")
    assert response.status_code == 200
    assert "buiten de trajectstap" in response.text and 'value="2025-01-01"' in response.text
    response = _create(intaker_client, contract, stage, start="2025-05-01", end="2025-04-01")
    assert "niet vóór het begin" in response.text
    assert _create(intaker_client, contract, stage).status_code == 302
    response = _create(intaker_client, contract, stage, start="2025-06-01")
    assert "dekt" in response.text  # another labour line covers it
    response = _create(intaker_client, contract, stage, start="2025-x-01")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 1


def test_only_the_providers_own_intaker_may_claim(client_for, world, contract):
    stage = paid_job(world)
    assert client_for("intaker2").get(NEW.format(contract.id)).status_code == 404
    assert client_for("klantmanager").get(NEW.format(contract.id)).status_code == 403
    # A stage of another provider cannot be claimed on this contract.
    other = paid_job(world, provider=P2, first_name="Anna")
    response = _create(client_for("intaker"), contract, other)
    assert response.status_code == 200 and "Kies een trajectstap bij" in response.text
    del stage


def test_a_long_job_is_claimed_per_year_and_the_years_add_up(intaker_client, world, contract):
    stage = paid_job(world, start=date(2025, 7, 1), end=date(2026, 6, 30), permanent=False)
    # 12 months at 1 FTE, Participatiewet > 2 years: € 40.000, no bonus.
    assert contract_ledger(contract).blocks["labour"].planned == Decimal("40000.00")
    _create(intaker_client, contract, stage, start="2025-07-01", end="2025-12-31")
    _create(intaker_client, contract, stage, start="2026-01-01", end="2026-06-30")
    ledger = contract_ledger(contract)
    values = sorted(line.value for line in ledger.labour)
    assert values == [Decimal("20000.00"), Decimal("20000.00")]
    assert ledger.blocks["labour"].concept == Decimal("40000.00")
    assert set(ledger.years) >= {2025, 2026}


def test_the_approved_value_stays_frozen_when_the_facts_change(
        intaker_client, adviseur_client, world, contract):
    stage = paid_job(world)
    _create(intaker_client, contract, stage)
    claim = _labour_claim()
    intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"})
    adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen", data={"confirmed": "1", "decision": "approve"})
    stage.contract_hours = Decimal(18)  # corrected later: half time
    db.session.commit()
    assert _approved_labour(contract) == Decimal("30000.00")
    page = adviseur_client.get(f"/sroi/claims/{claim.id}").text
    assert "15.000,00" in page  # the "what if" with today's facts: 6 months x 0,5 + 5.000


def test_the_contract_page_needs_the_same_queries_as_labour_lines_grow(
        adviseur_client, intaker_client, world, contract, count_queries):
    url = f"/sroi/contracten/{contract.id}"

    def add(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            stage = paid_job(world, first_name=f"Persoon{i}")
            _create(intaker_client, contract, stage)

    add(1, 0)
    adviseur_client.get(url)
    with count_queries() as one:
        assert adviseur_client.get(url).status_code == 200
    add(4, 1)
    with count_queries() as five:
        page = adviseur_client.get(url).text
    assert page.count("/sroi/claims/") >= 5
    assert five.count == one.count, (one.count, five.count)


def test_the_stage_page_lists_its_labour_lines_and_offers_to_submit(
        intaker_client, client_for, world, contract):
    stage = paid_job(world)
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert f"/sroi/arbeid/contracten/{contract.id}/nieuw?fase={stage.id}" in page
    _create(intaker_client, contract, stage)
    claim = _labour_claim()
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert f"/sroi/claims/{claim.id}" in page and "01-02-2025 – 31-07-2025" in page
    buddy_page = client_for("buddy").get(f"/trajecten/{stage.id}")
    assert f"/sroi/claims/{claim.id}" not in buddy_page.text


def test_the_overview_and_provider_page_need_the_same_queries_as_labour_lines_grow(
        client_for, intaker_client, world, contract, count_queries):
    adviser = client_for("adviseur")
    urls = ["/sroi/", f"/sroi/aanbieders/{world.org('Zorggroep Scheldezoom').id}"]

    def counted() -> list[int]:
        counts = []
        for url in urls:
            adviser.get(url)
            with count_queries() as counter:
                assert adviser.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    _create(intaker_client, contract, paid_job(world, first_name="Persoon0"))
    few = counted()
    for i in range(1, 5):
        _create(intaker_client, contract, paid_job(world, first_name=f"Persoon{i}"))
    assert counted() == few


def test_a_line_delivered_by_a_subcontractor_counts_for_the_main_provider(
        intaker_client, world, contract):
    from trajectory.valuation import services

    helper = services.add_subcontractor(contract, "Thuishulp Walcheren")
    db.session.commit()
    stage = paid_job(world)
    response = _create(intaker_client, contract, stage, subcontractor_id=str(helper.id))
    assert response.status_code == 302
    [line] = [line for line in contract_ledger(contract).labour if line.claim is not None]
    assert line.delivered_by == "Thuishulp Walcheren" and line.value == Decimal("30000.00")
    page = intaker_client.get(f"/sroi/contracten/{contract.id}").text
    assert "Thuishulp Walcheren" in page


def test_sroi_ledger_refuses_an_unknown_contract_in_one_line(app, contract):
    result = app.test_cli_runner().invoke(
        args=["sroi", "ledger", "--contract", "BESTAAT-NIET", "--json"])
    assert result.exit_code == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert "BESTAAT-NIET" in result.stderr
