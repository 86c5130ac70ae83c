"""Contracts: terms, the obligation with its explanation, PSO coverage, the threshold, the
yearly figures, extensions, the final evaluation, and who may do what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tests.confirmation import asked, say_yes
from tests.valuation.web.sample import OTHER_PROVIDER, make_claim, make_contract
from trajectory.extensions import db
from trajectory.timeutil import today
from trajectory.valuation import engine
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import Contract, ContractYear, Remedy


def _form(world, **changes) -> dict:
    data = {"name": "Wmo-begeleiding Kapelle", "reference": "WMO-KAP-2026-001",
            "client_id": str(world.org("Kapelle").id),
            "provider_id": str(world.org("Zorggroep Scheldezoom").id),
            "start": "2026-01-01", "end": "31-12-2029", "rulebook": "bouwblokken-2023",
            "sroi_percentage": "5", "pso_step": "", "pso_valid_from": "",
            "pso_valid_until": ""}
    data.update(changes)
    return data


def test_the_adviser_adds_a_contract_with_a_year_row_per_base_year(adviseur_client, world):
    response = adviseur_client.post("/sroi/contracten/nieuw", data=_form(world))
    assert response.status_code == 302
    contract = db.session.scalars(sa.select(Contract)).one()
    assert contract.end == date(2029, 12, 31)
    assert [y.year for y in contract.years] == [2026, 2027, 2028, 2029]
    assert contract.years[0].forecast_due == date(2026, 6, 1)
    assert contract.years[0].actual_due == date(2027, 3, 1)
    page = adviseur_client.get(response.headers["Location"]).text
    assert "Wmo-begeleiding Kapelle" in page


def test_bad_contract_input_is_shown_with_the_input_kept(adviseur_client, world):
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, start="abc", end="2025-01-01", name=""))
    assert response.status_code == 200
    page = response.text
    assert 'value="abc"' in page
    assert 'aria-invalid="true"' in page
    assert "error-summary" in page
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0
    # the service's own rule: the end must lie after the start
    response = adviseur_client.post("/sroi/contracten/nieuw",
                                    data=_form(world, start="2026-01-01", end="2025-01-01"))
    assert response.status_code == 200
    assert 'value="2025-01-01"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_the_obligation_is_the_engines_with_its_explanation(adviseur_client, world):
    contract = make_contract(world, revenue="375000.00")  # 4 × 375.000 = 1.500.000
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    expected = engine.compute_obligation(
        engine.Contract(start=contract.start, end=contract.end, revenue=Decimal("1500000.00")),
        engine.load_rulebook("bouwblokken-2023"))
    assert expected.amount == Decimal("75000.00")
    assert "75.000,00" in page
    for line in expected.explain:
        assert line in page


def test_a_contract_at_or_under_the_threshold_says_why_it_has_no_obligation(adviseur_client,
                                                                            world):
    contract = make_contract(world, revenue="45000.00")  # 180.000 over the base period
    ledger = contract_ledger(contract)
    assert ledger.required == Decimal("0.00")
    assert ledger.percent_fulfilled is None and not ledger.at_risk
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert "niet boven de drempel van € 200.000,00: geen verplichting" in page
    exactly = make_contract(world, reference="TEST-002", revenue="50000.00")  # exactly 200.000
    assert contract_ledger(exactly).required == Decimal("0.00")


def test_the_pso_discount_applies_pro_rata_to_the_base_period_the_certificate_covers(world):
    covered = make_contract(world, revenue="375000.00",
                            pso=("step2", date(2023, 6, 1), date(2028, 5, 31)))
    ledger = contract_ledger(covered)
    assert ledger.pso.applies
    assert ledger.required == Decimal("56250.00")  # 75.000 less 25%
    assert any("PSO trede 2" in line for line in ledger.obligation.explain)

    # The new reading (docs/valuation.md): 2024-2025 are 731 of the 1.461 days of 2024-2027.
    # 75.000 × (1 − 25% × 731/1.461) = 75.000 − 9.381,42 = 65.618,58 (was 75.000,00: no
    # discount at all under the former strict reading).
    short = make_contract(world, reference="TEST-002", revenue="375000.00",
                          pso=("step2", date(2023, 6, 1), date(2025, 12, 31)))
    ledger = contract_ledger(short)
    assert ledger.pso.applies
    assert ledger.required == Decimal("65618.58")
    assert "31-12-2025" in ledger.pso.message and "PSO trede 2" in ledger.pso.message


def test_the_page_says_whether_the_pso_discount_applies(adviseur_client, world):
    short = make_contract(world, revenue="375000.00",
                          pso=("step2", date(2023, 6, 1), date(2025, 12, 31)))
    page = adviseur_client.get(f"/sroi/contracten/{short.id}").text
    assert ("PSO trede 2 geldig van 01-06-2023 tot 31-12-2025: de korting geldt naar rato, het "
            "certificaat dekt 731 van de 1.461 dagen van de basisperiode (01-01-2024 tot en met "
            "31-12-2027)") in page
    assert ("Korting PSO trede 2: 25% over 731 van 1.461 dagen van de basisperiode (pro rata) "
            "= € 9.381,42") in page


def test_revenue_counts_the_actual_figure_where_given(world):
    contract = make_contract(world, revenue="100000.00")
    row = contract.years[0]
    from trajectory.valuation import services
    services.save_year_figures(row, forecast=row.forecast, actual=Decimal("180000.00"))
    db.session.commit()
    assert contract_ledger(contract).base_revenue == Decimal("480000.00")


def test_the_provider_enters_figures_in_dutch_notation(intaker_client, world):
    contract = make_contract(world, revenue=None)
    url = f"/sroi/contracten/{contract.id}/omzet/2025"
    response = intaker_client.post(url, data={"forecast": "1.500,50", "actual": "abc"})
    assert response.status_code == 200
    assert 'value="abc"' in response.text and 'value="1.500,50"' in response.text
    assert "1.500,50" in response.text
    response = intaker_client.post(url, data={"forecast": "401.500,50", "actual": "398.000"})
    assert response.status_code == 302
    row = db.session.scalars(sa.select(ContractYear).where(ContractYear.year == 2025)).one()
    assert row.forecast == Decimal("401500.50") and row.actual == Decimal("398000.00")
    assert row.forecast_submitted_at is not None


def test_the_actual_revenue_waits_until_the_year_is_over(intaker_client, world):
    year = today().year
    contract = make_contract(world, revenue=None, start=date(year - 1, 1, 1),
                             end=date(year + 1, 12, 31))
    response = intaker_client.post(f"/sroi/contracten/{contract.id}/omzet/{year}",
                                   data={"forecast": "", "actual": "100.000,00"})
    assert response.status_code == 200
    assert "error-summary" in response.text
    assert db.session.scalars(sa.select(ContractYear).where(ContractYear.year == year)
                              ).one().actual is None


def test_the_adviser_reviews_a_year_and_a_change_reopens_the_review(adviseur_client,
                                                                   intaker_client, world):
    contract = make_contract(world)
    url = f"/sroi/contracten/{contract.id}/omzet/2024"
    assert adviseur_client.post(url + "/beoordelen").status_code == 302
    row = db.session.scalars(sa.select(ContractYear).where(ContractYear.year == 2024)).one()
    assert row.reviewed_on is None  # no actual figure yet: refused
    intaker_client.post(url, data={"forecast": "400.000,00", "actual": "410.000,00"})
    page = asked(adviseur_client.post(url + "/beoordelen"), url + "/beoordelen")
    db.session.refresh(row)
    assert row.reviewed_on is None  # asked first
    assert say_yes(adviseur_client, page).status_code == 302
    db.session.refresh(row)
    assert row.reviewed_on is not None and row.reviewed_by.username == "adviseur"
    intaker_client.post(url, data={"forecast": "400.000,00", "actual": "411.000,00"})
    db.session.refresh(row)
    assert row.reviewed_on is None


def test_an_exercised_extension_adds_its_revenue_to_the_obligation(adviseur_client, world):
    contract = make_contract(world, revenue="375000.00")
    url = f"/sroi/contracten/{contract.id}/verlengingen/nieuw"
    response = adviseur_client.post(url, data={"start": "2027-06-01", "end": "2028-12-31"})
    assert response.status_code == 200  # must start after the base period
    assert 'value="2027-06-01"' in response.text
    response = adviseur_client.post(url, data={"start": "2028-01-01", "end": "2029-12-31",
                                               "exercised": "y"})
    assert response.status_code == 302
    db.session.refresh(contract)
    assert [y.year for y in contract.years] == [2024, 2025, 2026, 2027, 2028, 2029]
    for row in contract.years[-2:]:
        row.forecast = Decimal("375000.00")
    db.session.commit()
    ledger = contract_ledger(contract)
    assert ledger.extension_revenue == Decimal("750000.00")
    assert ledger.required == Decimal("112500.00")  # 5% of 2.250.000
    assert contract.period_end == date(2029, 12, 31)


def test_the_klantmanager_reads_but_gets_403_on_every_edit(klantmanager_client, world):
    contract = make_contract(world)  # Goes: the klantmanager's municipality
    claim = make_claim(contract, user=world.user("intaker"), submit=True)
    base = f"/sroi/contracten/{contract.id}"
    assert klantmanager_client.get(base).status_code == 200
    assert klantmanager_client.get(f"/sroi/claims/{claim.id}").status_code == 200
    for url in (f"{base}/bewerken", f"{base}/verlengingen/nieuw", f"{base}/omzet/2024",
                f"{base}/plan", f"{base}/claims/nieuw/inkoop", f"{base}/eindevaluatie",
                f"/sroi/claims/{claim.id}/bewerken", f"/sroi/bewijs/{claim.evidence[0].id}"):
        assert klantmanager_client.get(url).status_code == 403, url
    for url in (f"{base}/bewerken", f"{base}/onderaannemers", f"{base}/omzet/2024/beoordelen",
                f"/sroi/claims/{claim.id}/beoordelen", f"/sroi/claims/{claim.id}/indienen"):
        assert klantmanager_client.post(url, data={"decision": "approve"}).status_code == 403, url


def test_a_klantmanager_of_another_municipality_gets_404(client_for, world):
    contract = make_contract(world)  # Goes
    tholen = client_for("klantmanager2")
    assert tholen.get(f"/sroi/contracten/{contract.id}").status_code == 404
    region = make_contract(world, reference="REGIO-1", client="Regio Oosterschelde")
    assert tholen.get(f"/sroi/contracten/{region.id}").status_code == 200


def test_an_intaker_of_another_provider_gets_404_on_contract_claim_and_evidence(
        intaker2_client, world):
    contract = make_contract(world)  # Zorggroep Scheldezoom
    claim = make_claim(contract, user=world.user("intaker"), submit=True)
    for url in (f"/sroi/contracten/{contract.id}", f"/sroi/claims/{claim.id}",
                f"/sroi/bewijs/{claim.evidence[0].id}", f"/sroi/contracten/{contract.id}/plan",
                f"/sroi/contracten/{contract.id}/verantwoording.xlsx",
                f"/sroi/claims/{claim.id}/bewerken",
                f"/sroi/aanbieders/{contract.provider_id}"):
        assert intaker2_client.get(url).status_code == 404, url
    assert intaker2_client.post(f"/sroi/claims/{claim.id}/indienen").status_code == 404
    own = make_contract(world, reference="TEST-2", provider=OTHER_PROVIDER)
    assert intaker2_client.get(f"/sroi/contracten/{own.id}").status_code == 200


def test_beheerder_and_buddy_have_no_social_return_pages(beheer_client, buddy_client, world):
    contract = make_contract(world)
    for client in (beheer_client, buddy_client):
        assert client.get("/sroi/").status_code == 403
        assert client.get(f"/sroi/contracten/{contract.id}").status_code == 403
        assert client.get("/sroi/rekenhulp").status_code == 200
    # and their scope is empty, should a role ever let them in
    for username in ("beheer", "buddy"):
        user = world.user(username)
        assert db.session.scalars(sa.select(Contract).where(Contract.scope_filter(user))).all() == []


def test_the_final_evaluation_records_the_remedy_for_a_shortfall(adviseur_client, world):
    contract = make_contract(world, start=date(2021, 1, 1), end=date(2024, 12, 31),
                             revenue="300000.00")  # obligation 60.000
    make_claim(contract, user=world.user("intaker"), day=date(2023, 3, 1),
               amount=Decimal("20000.00"), approve_by=world.user("adviseur"))
    url = f"/sroi/contracten/{contract.id}/eindevaluatie"
    page = adviseur_client.get(url).text
    assert "40.000,00" in page  # the shortfall
    response = adviseur_client.post(url, data={"remedy": "geen", "decision": "Akkoord",
                                               "decided_on": "2025-03-01"})
    assert response.status_code == 200 and "error-summary" in response.text
    response = adviseur_client.post(url, data={
        "remedy": "storting_fonds", "decided_on": "15-03-2025",
        "decision": "De aanbieder stort het tekort vóór 1 juli in het fonds."})
    assert response.status_code == 302
    db.session.refresh(contract)
    evaluation = contract.evaluation
    assert evaluation.remedy is Remedy.FUND and evaluation.shortfall == Decimal("40000.00")
    assert evaluation.decided_on == date(2025, 3, 15) and evaluation.decided_by_name == "Marco de Kok"
    assert not contract_ledger(contract).at_risk  # settled
    assert "vóór 1 juli" in adviseur_client.get(f"/sroi/contracten/{contract.id}").text


def test_the_final_evaluation_waits_for_the_contract_end(adviseur_client, world):
    contract = make_contract(world, end=date(2099, 12, 31), revenue=None)
    response = adviseur_client.post(f"/sroi/contracten/{contract.id}/eindevaluatie", data={
        "remedy": "geen", "decision": "Te vroeg", "decided_on": "2026-01-01"})
    assert response.status_code == 200
    db.session.refresh(contract)
    assert contract.evaluation is None


def test_subcontractors_count_for_the_main_provider_and_are_shown_as_such(intaker_client, world):
    contract = make_contract(world)
    response = intaker_client.post(f"/sroi/contracten/{contract.id}/onderaannemers",
                                   data={"name": "Thuishulp Walcheren"})
    assert response.status_code == 302
    db.session.refresh(contract)
    helper = contract.subcontractors[0]
    response = intaker_client.post(f"/sroi/contracten/{contract.id}/onderaannemers",
                                   data={"name": "thuishulp walcheren"})
    assert response.status_code == 200 and "error-summary" in response.text
    claim = make_claim(contract, user=world.user("intaker"), subcontractor_id=helper.id,
                       approve_by=world.user("adviseur"))
    assert contract_ledger(contract).approved == claim.approved_value
    page = intaker_client.get(f"/sroi/claims/{claim.id}").text
    assert "Thuishulp Walcheren" in page


def test_the_provider_attaches_its_plan_of_approach(intaker_client, adviseur_client, world):
    import io

    from tests.valuation.web.sample import pdf_bytes, png_bytes

    contract = make_contract(world)
    url = f"/sroi/contracten/{contract.id}/plan"
    response = intaker_client.post(url, data={})
    assert response.status_code == 200 and "error-summary" in response.text
    response = intaker_client.post(url, data={"file": (io.BytesIO(png_bytes()), "plan.pdf")},
                                   content_type="multipart/form-data")
    assert response.status_code == 200 and "error-summary" in response.text
    response = intaker_client.post(url, data={"file": (io.BytesIO(pdf_bytes()), "plan.pdf")},
                                   content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(contract)
    assert contract.plan.original_name == "plan.pdf" and contract.plan.claim_id is None
    page = adviseur_client.get(f"/sroi/contracten/{contract.id}").text
    assert f"/sroi/bewijs/{contract.plan.id}" in page


def test_the_provider_page_shows_what_is_due_and_late(intaker_client, world):
    contract = make_contract(world, start=date(2024, 1, 1), revenue=None)
    page = intaker_client.get(f"/sroi/aanbieders/{contract.provider_id}").text
    assert "te laat" in page  # the 2024 forecast was due on 01-06-2024
    assert "01-06-2024" in page
    home = intaker_client.get("/").text
    assert f"/sroi/contracten/{contract.id}/omzet/2024" in home
