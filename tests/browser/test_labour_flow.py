"""Labour participation in a real browser: Fatma El Amrani (intaker, Zorggroep Scheldezoom)
submits Anouk Bakker's paid job with its employment contract, Marco de Kok (SROI adviser)
approves it, and the claim page shows the frozen value."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.browser.conftest import check_accessibility
from trajectory.valuation.demo import tiny_pdf


def _anouks_job(live_server) -> tuple[int, int]:
    """(contract id, stage id) of Anouk Bakker's job at Zorggroep Scheldezoom in the demo."""
    from trajectory.candidates.models import Candidate
    from trajectory.extensions import db
    from trajectory.stages.models import Stage, StageKind
    from trajectory.stages.valuation import people

    with live_server.app.app_context():
        stage = db.session.scalar(
            sa.select(Stage).join(Candidate, Candidate.id == Stage.candidate_id)
            .where(Candidate.first_name == "Anouk", Stage.kind == StageKind.PAID_JOB))
        contract_id = people([stage.candidate_id])[stage.candidate_id].value(stage.id).contract_id
        result = contract_id, stage.id
        db.session.remove()
    return result


def test_an_intaker_submits_a_paid_job_and_the_adviser_approves_it(page_for, live_server,
                                                                    tmp_path):
    contract_id, stage_id = _anouks_job(live_server)
    contract_pdf = tmp_path / "arbeidsovereenkomst-bakker.pdf"
    contract_pdf.write_bytes(tiny_pdf(["Arbeidsovereenkomst", "Gastvrouw restaurant, 20 uur"]))
    benefit_pdf = tmp_path / "uitkering-bakker.pdf"
    benefit_pdf.write_bytes(tiny_pdf(["Verklaring gemeente Goes", "Participatiewet"]))

    page = page_for("intaker")
    page.goto(live_server(f"/sroi/contracten/{contract_id}"))
    with page.expect_navigation():
        page.locator(f"main a[href$='/nieuw?fase={stage_id}']").first.click()
    assert re.search(r"/sroi/arbeid/contracten/\d+/nieuw", page.url)
    check_accessibility(page, "labour-new", widths=(1280, 360))
    # The stage and its first unclaimed period are filled in already.
    assert page.locator("#stage_id").input_value() == str(stage_id)
    assert page.locator("#period_start").input_value()
    page.set_input_files("#employment_file", str(contract_pdf))
    page.set_input_files("#benefit_file", str(benefit_pdf))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert re.search(r"/sroi/claims/\d+$", page.url), page.url
    claim_url = page.url
    assert "arbeidsovereenkomst-bakker.pdf" in page.locator("main").inner_text()
    check_accessibility(page, "labour-claim-draft", widths=(1280, 360))
    with page.expect_navigation():
        page.get_by_role("button", name="Indienen bij de SROI-adviseur").click()
    # Submitting cannot be undone: a confirmation page of its own first (no JavaScript).
    check_accessibility(page, "confirm-submit-claim", widths=(1280, 360))
    with page.expect_navigation():
        page.locator("main form[data-confirm] button[type=submit]").click()
    assert "ingediend" in page.locator("main").inner_text()

    adviser = page_for("adviseur")
    adviser.goto(claim_url)
    value_now = adviser.locator("#waarde ~ p strong").first.inner_text()
    amount = re.search(r"€\s?[\d.]+,\d\d", value_now).group(0)
    check_accessibility(adviser, "labour-claim-judge", widths=(1280, 360))
    adviser.locator("main form input[value=approve]").check()
    with adviser.expect_navigation():
        adviser.get_by_role("button", name="Beoordeling opslaan").click()
    assert amount in adviser.locator("main").inner_text()  # the value that will be frozen
    check_accessibility(adviser, "confirm-judge-claim", widths=(1280, 360))
    with adviser.expect_navigation():
        adviser.locator("main form[data-confirm] button[type=submit]").click()
    text = adviser.locator("main").inner_text().replace("\xa0", " ")
    assert "goedgekeurd" in text
    assert f"Goedgekeurde waarde: {amount.replace(chr(160), ' ')}" in text
    assert "Vastgelegd op" in text  # frozen: value, explanation, edition and date
    # The contract page counts it as approved labour participation.
    adviser.goto(live_server(f"/sroi/contracten/{contract_id}"))
    row = adviser.locator("#arbeid ~ div table tr", has_text="Gastvrouw restaurant").filter(
        has_text="goedgekeurd")
    assert row.count() >= 1
