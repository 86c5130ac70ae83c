"""Claims: entered with evidence by the provider, judged in order by the adviser, frozen."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from tests.valuation.web.sample import make_claim, make_contract, pdf_bytes, png_bytes, xlsx_bytes
from trajectory.extensions import db
from trajectory.timeutil import today
from trajectory.valuation import engine
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus, Evidence


def _purchase(**changes) -> dict:
    data = {"supplier_name": "Orionis Walcheren", "supplier_type": "sw_bedrijf",
            "day": "2025-03-31", "amount": "18.450,00", "description": "Schoonmaak",
            "subcontractor_id": ""}
    data.update(changes)
    return data


def _upload(name: str, data: bytes) -> tuple[io.BytesIO, str]:
    return (io.BytesIO(data), name)


def _stored(evidence_dir) -> list:
    return list(evidence_dir.iterdir()) if evidence_dir.exists() else []


def test_a_purchase_with_a_real_pdf_is_approved_and_frozen(intaker_client, adviseur_client,
                                                            world, evidence_dir):
    contract = make_contract(world)
    response = intaker_client.post(
        f"/sroi/contracten/{contract.id}/claims/nieuw/inkoop",
        data=_purchase(file=_upload("factuur OW-2291.pdf", pdf_bytes())),
        content_type="multipart/form-data")
    assert response.status_code == 302
    claim = db.session.scalars(sa.select(Claim)).one()
    evidence = claim.evidence[0]
    assert (evidence.content_type, evidence.original_name) == ("application/pdf",
                                                               "factuur OW-2291.pdf")
    assert len(evidence.sha256) == 64 and evidence.uploaded_by.username == "intaker"
    assert [p.name for p in _stored(evidence_dir)] == [evidence.stored_name]
    assert "static" not in str(evidence_dir)

    assert intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"}).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED

    page = adviseur_client.get(f"/sroi/claims/{claim.id}").text
    assert f"/sroi/bewijs/{evidence.id}" in page
    response = adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen",
                                    data={"confirmed": "1", "decision": "approve", "reason": ""})
    assert response.status_code == 302
    db.session.refresh(claim)
    expected = engine.value_purchase(
        engine.Purchase("sw_bedrijf", Decimal("18450.00")), engine.load_rulebook("bouwblokken-2023"))
    assert claim.status is ClaimStatus.APPROVED
    assert claim.approved_value == expected.value == Decimal("18450.00")
    assert claim.approved_explain == list(expected.explain)
    assert claim.approved_rulebook == "bouwblokken-2023" and claim.approved_on is not None
    assert claim.judged_by.username == "adviseur"
    assert contract_ledger(contract).approved == Decimal("18450.00")


def test_a_fake_pdf_or_an_exe_is_refused_and_nothing_is_stored(intaker_client, world,
                                                               evidence_dir):
    contract = make_contract(world)
    url = f"/sroi/contracten/{contract.id}/claims/nieuw/inkoop"
    for name, data in (("factuur.pdf", png_bytes()), ("factuur.pdf", b"MZ\x90\x00" + b"\0" * 64),
                       ("setup.exe", b"MZ\x90\x00" + b"\0" * 64),
                       ("factuur.xlsx", _zip({"word/document.xml": "x"}))):
        response = intaker_client.post(url, data=_purchase(file=_upload(name, data)),
                                       content_type="multipart/form-data")
        assert response.status_code == 200, name
        assert "error-summary" in response.text
        assert 'value="Orionis Walcheren"' in response.text  # the input is kept
        assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == 0
        assert _stored(evidence_dir) == []


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_png_jpeg_and_xlsx_are_accepted_by_their_content(intaker_client, world):
    contract = make_contract(world)
    claim = make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"))
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 32
    for name, data, kind in (("foto.png", png_bytes(), "image/png"),
                             ("foto.jpg", jpeg, "image/jpeg"),
                             ("uren.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-"
                                                         "officedocument.spreadsheetml.sheet"),
                             ("scan zonder extensie", pdf_bytes(), "application/pdf")):
        response = intaker_client.post(f"/sroi/claims/{claim.id}/bewijs",
                                       data={"file": _upload(name, data)},
                                       content_type="multipart/form-data")
        assert response.status_code == 302, name
        assert db.session.scalars(sa.select(Evidence).order_by(Evidence.id.desc())
                                  ).first().content_type == kind


def test_a_file_over_the_limit_is_refused(app, intaker_client, world, evidence_dir):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    contract = make_contract(world)
    claim = make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"))
    big = pdf_bytes() + b"%" + b"0" * 2000
    response = intaker_client.post(f"/sroi/claims/{claim.id}/bewijs",
                                   data={"file": _upload("groot.pdf", big)},
                                   content_type="multipart/form-data")
    assert response.status_code == 200 and "error-summary" in response.text
    assert _stored(evidence_dir) == []


def test_evidence_downloads_only_for_the_provider_and_the_adviser(
        adviseur_client, intaker_client, intaker2_client, buddy_client, coordinator_client,
        world):
    contract = make_contract(world)
    claim = make_claim(contract, user=world.user("intaker"))
    evidence = claim.evidence[0]
    url = f"/sroi/bewijs/{evidence.id}"
    for client in (adviseur_client, intaker_client):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "factuur.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.data == pdf_bytes()
    assert intaker2_client.get(url).status_code == 404  # another provider: out of scope
    assert buddy_client.get(url).status_code == 403  # the role may never download evidence
    assert coordinator_client.get(url).status_code == 403
    # a buddy's evidence scope is empty (404 should the role ever be let in)
    assert db.session.scalars(sa.select(Evidence).where(
        Evidence.scope_filter(world.user("buddy")))).all() == []
    assert buddy_client.get("/sroi/bewijs/999999").status_code == 403


def test_judging_a_claim_that_was_not_submitted_is_refused(adviseur_client, world):
    contract = make_contract(world)
    claim = make_claim(contract, user=world.user("intaker"))
    response = adviseur_client.post(f"/sroi/claims/{claim.id}/beoordelen",
                                    data={"confirmed": "1", "decision": "approve"}, follow_redirects=True)
    assert "alleen een ingediende claim of een voorstel beoordelen" in response.text
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT and claim.approved_value is None


def test_rejecting_needs_a_reason_which_the_provider_then_sees(adviseur_client, intaker_client,
                                                              world):
    contract = make_contract(world)
    claim = make_claim(contract, user=world.user("intaker"), submit=True)
    url = f"/sroi/claims/{claim.id}/beoordelen"
    response = adviseur_client.post(url, data={"confirmed": "1", "decision": "reject", "reason": "  "})
    assert response.status_code == 200 and "error-summary" in response.text
    response = adviseur_client.post(url, data={"confirmed": "1", "decision": "maybe"})
    assert response.status_code == 200 and "error-summary" in response.text
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED
    reason = "De factuur is van vóór de contractperiode."
    assert adviseur_client.post(url, data={"confirmed": "1", "decision": "reject", "reason": reason}
                                ).status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED and claim.rejection_reason == reason
    assert reason in intaker_client.get(f"/sroi/claims/{claim.id}").text
    assert contract_ledger(contract).totals.rejected == Decimal("1000.00")
    # judged once: a second judgement is refused
    adviseur_client.post(url, data={"confirmed": "1", "decision": "approve"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED


def test_the_provider_cannot_change_a_submitted_claim(intaker_client, world):
    contract = make_contract(world)
    claim = make_claim(contract, user=world.user("intaker"), submit=True)
    response = intaker_client.get(f"/sroi/claims/{claim.id}/bewerken")
    assert response.status_code == 302
    response = intaker_client.post(f"/sroi/claims/{claim.id}/bewerken",
                                   data=_purchase(amount="99.999,00"))
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.amount == Decimal("1000.00")
    response = intaker_client.post(f"/sroi/claims/{claim.id}/bewijs",
                                   data={"file": _upload("extra.pdf", pdf_bytes())},
                                   content_type="multipart/form-data")
    assert response.status_code == 200
    assert len(claim.evidence) == 1


def test_a_purchase_needs_its_invoice_before_submitting(intaker_client, world):
    contract = make_contract(world)
    claim = make_claim(contract, user=world.user("intaker"), evidence=False)
    intaker_client.post(f"/sroi/claims/{claim.id}/indienen", data={"confirmed": "1"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT


def test_bad_claim_input_is_shown_with_the_input_kept(intaker_client, world):
    contract = make_contract(world)
    base = f"/sroi/contracten/{contract.id}/claims/nieuw"
    response = intaker_client.post(f"{base}/inkoop", data=_purchase(amount="abc", day="2020-01-01"))
    assert response.status_code == 200
    assert 'value="abc"' in response.text and "error-summary" in response.text
    response = intaker_client.post(f"{base}/inkoop", data=_purchase(day="2020-01-01"))
    assert response.status_code == 200  # outside the contract period
    assert 'value="2020-01-01"' in response.text
    response = intaker_client.post(f"{base}/activiteit", data={"description": "", "day": "x",
                                                               "hours": "zes"})
    assert response.status_code == 200 and 'value="zes"' in response.text
    response = intaker_client.post(f"{base}/fonds", data={"day": "2025-06-01", "amount": "-5"})
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == 0
    assert intaker_client.get(f"{base}/onbekend").status_code == 404
    response = intaker_client.post(f"{base}/fonds", data={"day": "01-06-2025",
                                                         "amount": "1.500,50"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Claim)).one().amount == Decimal("1500.50")


def test_the_frozen_value_survives_a_new_edition_and_what_if_shows_the_difference(
        adviseur_client, world):
    contract = make_contract(world)
    claim = make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"),
                       approve_by=world.user("adviseur"))
    assert claim.approved_value == Decimal("600.00")  # 6 h × 100 (2023)
    # A contract that carries the 2025 edition (a concept cannot be chosen on the form any
    # more, docs/valuation.md; a contract that already has one keeps it when edited).
    contract.rulebook = "bouwblokken-2025"
    db.session.commit()
    form = {"name": contract.name, "reference": contract.reference,
            "client_id": str(contract.client_id), "provider_id": str(contract.provider_id),
            "start": "2024-01-01", "end": "2027-12-31", "rulebook": "bouwblokken-2025",
            "sroi_percentage": "5", "pso_step": "", "pso_valid_from": "",
            "pso_valid_until": ""}
    assert adviseur_client.post(f"/sroi/contracten/{contract.id}/bewerken",
                                data=form).status_code == 302
    db.session.refresh(contract)
    db.session.refresh(claim)
    assert contract.rulebook == "bouwblokken-2025"
    assert claim.approved_value == Decimal("600.00")
    assert claim.approved_rulebook == "bouwblokken-2023"
    assert contract_ledger(contract).approved == Decimal("600.00")
    page = adviseur_client.get(f"/sroi/claims/{claim.id}").text
    assert "660,00" in page and "60,00" in page  # 6 h × 110 under 2025, 60 more
    page = adviseur_client.get(f"/sroi/claims/{claim.id}?editie=bouwblokken-2023").text
    assert "600,00" in page


def test_an_activity_is_proposed_judged_then_accounted(intaker_client, adviseur_client, world):
    later = today() + timedelta(days=60)
    contract = make_contract(world, end=date(later.year + 1, 12, 31))
    claim = make_claim(contract, ClaimKind.ACTIVITY, user=world.user("intaker"),
                       description="Taalcafé op de werkvloer", day=later, hours=Decimal("40"))
    url = f"/sroi/claims/{claim.id}"
    # not carried out yet: submitting is refused, proposing works
    intaker_client.post(f"{url}/indienen", data={"confirmed": "1"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.CONCEPT
    intaker_client.post(f"{url}/indienen", data={"voorstel": "1", "confirmed": "1"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.PROPOSED and claim.planned_hours == Decimal("40")
    assert contract_ledger(contract).totals.planned == Decimal("4000.00")
    adviseur_client.post(f"{url}/beoordelen", data={"confirmed": "1", "decision": "approve"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.AGREED and claim.approved_value is None
    # carried out: the provider enters the real hours and submits
    response = intaker_client.post(f"{url}/bewerken", data={
        "description": "Taalcafé op de werkvloer", "day": "2025-11-03", "hours": "36,5",
        "custom_value": "", "subcontractor_id": ""})
    assert response.status_code == 302
    intaker_client.post(f"{url}/indienen", data={"confirmed": "1"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SUBMITTED
    adviseur_client.post(f"{url}/beoordelen", data={"confirmed": "1", "decision": "approve",
                                                    "custom_value": "3.000,00"})
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.APPROVED
    assert claim.approved_value == Decimal("3000.00")  # the adviser's value wins
    assert "vastgesteld door de SROI-adviseur" in claim.approved_explain[0]


def test_a_fund_payment_counts_at_its_amount(world):
    contract = make_contract(world)
    make_claim(contract, ClaimKind.FUND, user=world.user("intaker"),
               approve_by=world.user("adviseur"))
    ledger = contract_ledger(contract)
    assert ledger.blocks["fund"].approved == Decimal("5000.00")
    assert ledger.years[2025].approved == Decimal("5000.00")
