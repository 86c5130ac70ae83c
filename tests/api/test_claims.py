"""Claims through a provider's token: the pages' services, rules and scope (issue 14)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.api.support import bearer, token_for
from tests.conftest import base_config
from tests.valuation.web.sample import (
    OTHER_PROVIDER,
    PROVIDER,
    make_claim,
    make_contract,
    pdf_bytes,
    png_bytes,
)
from trajectory.audit.models import SecurityEvent
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus

PROBLEM = "application/problem+json"
PURCHASE = {"kind": "inkoop", "day": "2025-03-31", "supplierName": "Orionis Walcheren",
            "supplierType": "sw_bedrijf", "amount": "18450.00",
            "description": "Catering via het sociaal werkbedrijf"}


@pytest.fixture
def evidence_dir(tmp_path):
    return tmp_path / "evidence"


@pytest.fixture
def app_config(database_uri, evidence_dir):
    return {**base_config(database_uri), "EVIDENCE_DIR": str(evidence_dir)}


def _file(name: str, data: bytes) -> dict:
    return {"file": (io.BytesIO(data), name)}


def _post_file(client, claim_id, plain, name="factuur OW-2291.pdf", data=None):
    return client.post(f"/api/v1/claims/{claim_id}/evidence", headers=bearer(plain),
                       data=_file(name, pdf_bytes() if data is None else data),
                       content_type="multipart/form-data")


def test_done_when_a_provider_submits_a_purchase_with_an_invoice_reads_the_judgement_and_ledger(
        client, adviseur_client, world, evidence_dir):
    """Issue 14's "done when": a provider's token submits a purchase with an invoice and
    reads the adviser's judgement and its ledger; another provider's token gets 404."""
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write", "ledger:read"})

    created = client.post("/api/v1/claims", headers=bearer(plain),
                          json={"contract": contract.id, **PURCHASE})
    assert created.status_code == 201, created.get_json()
    claim_id = created.get_json()["id"]
    assert created.headers["Location"] == f"/api/v1/claims/{claim_id}"
    assert created.get_json()["status"] == "concept"

    early = client.post(f"/api/v1/claims/{claim_id}/submit", headers=bearer(plain))
    assert early.status_code == 422
    assert early.get_json()["invalidParams"][0]["name"] == "file"

    attached = _post_file(client, claim_id, plain)
    assert attached.status_code == 201, attached.get_json()
    assert attached.get_json()["fileName"] == "factuur OW-2291.pdf"
    assert attached.get_json()["contentType"] == "application/pdf"
    assert [p.name for p in evidence_dir.iterdir()] == [
        db.session.get(Claim, claim_id).evidence[0].stored_name]

    submitted = client.post(f"/api/v1/claims/{claim_id}/submit", headers=bearer(plain))
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "ingediend"
    again = client.post(f"/api/v1/claims/{claim_id}/submit", headers=bearer(plain))
    assert again.status_code == 409 and again.mimetype == PROBLEM

    # The adviser judges on the page, as every day.
    judged = adviseur_client.post(f"/sroi/claims/{claim_id}/beoordelen",
                                  data={"confirmed": "1", "decision": "approve", "reason": ""})
    assert judged.status_code == 302

    read = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(plain)).get_json()
    assert read["status"] == "goedgekeurd"
    assert read["judgement"]["approvedValue"] == "18450.00"
    assert read["judgement"]["approvedRulebook"] == "bouwblokken-2023"
    assert read["judgement"]["explain"] and read["judgement"]["rejectionReason"] is None
    ledger = client.get(f"/api/v1/contracts/{contract.id}/ledger", headers=bearer(plain))
    assert ledger.status_code == 200
    assert ledger.get_json()["approved"]["purchase"] == "18450.00"

    _other, theirs = token_for(world, OTHER_PROVIDER, Role.INTAKER,
                               {"claims:write", "ledger:read"})
    for url in (f"/api/v1/claims/{claim_id}", f"/api/v1/contracts/{contract.id}",
                f"/api/v1/contracts/{contract.id}/ledger"):
        response = client.get(url, headers=bearer(theirs))
        assert response.status_code == 404, url
        assert "18450" not in response.text
    assert client.post(f"/api/v1/claims/{claim_id}/submit",
                       headers=bearer(theirs)).status_code == 404
    assert client.get("/api/v1/claims", headers=bearer(theirs)).get_json()["items"] == []


def test_the_trail_names_the_client_application(client, world):
    from trajectory.audit.trail import history_for

    contract = make_contract(world)
    row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"},
                           client_name="Boekhouding Scheldezoom")
    claim_id = client.post("/api/v1/claims", headers=bearer(plain),
                           json={"contract": contract.id, **PURCHASE}).get_json()["id"]
    events = history_for("Claim", claim_id)
    assert events and all(e.actor_name == f"api:{row.id}:Boekhouding Scheldezoom" for e in events)


@pytest.mark.parametrize("body,field,status", [
    ({"kind": "inkoop", "day": "2031-01-01", "supplierType": "sw_bedrijf", "amount": "10.00"},
     "day", 422),
    ({"kind": "inkoop", "day": "2025-01-01", "supplierType": "bakker", "amount": "10.00"},
     "supplierType", 422),
    ({"kind": "fonds", "day": "2025-01-01", "amount": "0"}, "amount", 422),
    ({"kind": "activiteit", "day": "2025-01-01"}, "description", 422),
    ({"kind": "inkoop", "amount": "1.005"}, "amount", 400),
    ({"kind": "inkoop", "amount": 12.5}, "amount", 400),
    ({"kind": "arbeid"}, "kind", 400),
    ({"kind": "fonds", "bsn": "123456782"}, "bsn", 400),
])
def test_refusals_name_the_field_and_store_nothing(client, world, body, field, status):
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"})
    response = client.post("/api/v1/claims", headers=bearer(plain),
                           json={"contract": contract.id, **body})
    assert response.status_code == status, response.get_json()
    assert response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["title"] == {400: "Ongeldig verzoek", 422: "Niet te verwerken"}[status]
    names = [p["name"] for p in problem["invalidParams"]]
    assert field in names or (field == "supplierType" and "supplier_type" in names)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0


def test_not_json_and_not_an_object_are_400(client, world):
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"})
    for data in (b"{nee", b"[1]"):
        response = client.post("/api/v1/claims", headers=bearer(plain), data=data,
                               content_type="application/json", csrf=False)
        assert response.status_code == 400
        assert response.get_json()["invalidParams"][0]["name"] == "body"


def test_evidence_gets_the_web_uploads_checks(client, world, evidence_dir):
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"})
    claim = make_claim(contract, evidence=False)
    for name, data in (("factuur.pdf", png_bytes()), ("setup.exe", b"MZ\x90\x00" + b"\0" * 64),
                       ("leeg.pdf", b"")):
        response = _post_file(client, claim.id, plain, name, data)
        assert response.status_code == 422, name
        assert response.get_json()["invalidParams"][0]["name"] == "file"
    missing = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=bearer(plain),
                          data={"bestand": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 400
    as_json = client.post(f"/api/v1/claims/{claim.id}/evidence", headers=bearer(plain), json={})
    assert as_json.status_code == 415
    assert not evidence_dir.exists() or not list(evidence_dir.iterdir())


def test_a_submitted_claim_takes_no_more_evidence(client, world):
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"claims:write"})
    claim = make_claim(contract, submit=True)
    response = _post_file(client, claim.id, plain)
    assert response.status_code == 409
    db.session.refresh(claim)
    assert len(claim.evidence) == 1


def test_a_rejection_shows_its_reason(client, world):
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    claim = make_claim(contract, ClaimKind.FUND, reject_by=world.user("adviseur"))
    body = client.get(f"/api/v1/claims/{claim.id}", headers=bearer(plain)).get_json()
    assert body["status"] == ClaimStatus.REJECTED.value == "afgewezen"
    assert body["judgement"]["rejectionReason"] == "Geen bewijs van de doelgroep."
    assert body["judgement"]["approvedValue"] is None


def test_list_filters_and_readers(client, world):
    contract = make_contract(world)
    purchase = make_claim(contract, submit=True)
    make_claim(contract, ClaimKind.ACTIVITY)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    listed = client.get(f"/api/v1/claims?contract={contract.id}&status=ingediend",
                        headers=bearer(plain)).get_json()
    assert [c["id"] for c in listed["items"]] == [purchase.id]
    assert listed["items"][0]["evidence"][0]["fileName"] == "factuur.pdf"
    # The klantmanager reads the municipality's claims but not the files' names (as the pages).
    _km, km = token_for(world, "Goes", Role.KLANTMANAGER, {"ledger:read"})
    seen = client.get(f"/api/v1/claims/{purchase.id}", headers=bearer(km)).get_json()
    assert seen["status"] == "ingediend" and seen["evidence"] == []
    # ... and may not create or submit (the provider's staff only).
    assert client.post(f"/api/v1/claims/{purchase.id}/submit",
                       headers=bearer(km)).status_code == 403


def test_a_labour_line_is_not_in_the_api(client, world):
    contract = make_contract(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    claim = make_claim(contract, ClaimKind.FUND)
    claim.kind = ClaimKind.LABOUR
    db.session.commit()
    assert client.get(f"/api/v1/claims/{claim.id}", headers=bearer(plain)).status_code == 404
    assert client.get("/api/v1/claims", headers=bearer(plain)).get_json()["items"] == []


def test_another_providers_contract_is_a_404_and_a_security_event(client, world):
    contract = make_contract(world)
    _row, theirs = token_for(world, OTHER_PROVIDER, Role.INTAKER, {"claims:write"})
    response = client.post("/api/v1/claims", headers=bearer(theirs),
                           json={"contract": contract.id, **PURCHASE})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Claim)) == 0
    events = db.session.scalars(sa.select(SecurityEvent.event)).all()
    assert "out_of_scope" in events
