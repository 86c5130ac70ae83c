"""On the demo, as the adviser: labour lines in every state, and approving the submitted one
raises the contract's realised percentage by its value on the page and in `sroi ledger`."""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import login
from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import DEMO_PASSWORD, DEMO_STEPS, load_demo
from trajectory.extensions import db
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus


def _ledger_json(app, reference: str) -> dict:
    result = app.test_cli_runner().invoke(args=["sroi", "ledger", "--contract", reference,
                                                "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["contracts"][0]


def test_demo_labour_lines_in_every_state_and_approving_one(app, client):
    steps = [name for name, _step in DEMO_STEPS]
    assert steps.index("labour") > max(steps.index("stages"), steps.index("valuation"))
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    lines = list(db.session.scalars(sa.select(Claim).where(Claim.kind == ClaimKind.LABOUR)))
    assert {c.status for c in lines} == {ClaimStatus.CONCEPT, ClaimStatus.SUBMITTED,
                                         ClaimStatus.APPROVED, ClaimStatus.REJECTED}
    assert all(c.evidence for c in lines if c.status is not ClaimStatus.CONCEPT)

    waiting = next(c for c in lines if c.status is ClaimStatus.SUBMITTED)
    contract = waiting.contract
    before = _ledger_json(app, contract.reference)
    ledger = contract_ledger(contract)
    value = next(line.value for line in ledger.labour if line.claim is waiting)
    assert value > 0

    login(client, "adviseur", DEMO_PASSWORD)
    response = client.post(f"/sroi/claims/{waiting.id}/beoordelen",
                                           data={"confirmed": "1", "decision": "approve", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    after = _ledger_json(app, contract.reference)
    obligation = Decimal(after["obligation"])
    gained = Decimal(after["approved"]["labour"]) - Decimal(before["approved"]["labour"])
    assert gained == value
    assert Decimal(after["submitted"]["labour"]) == Decimal(before["submitted"]["labour"]) - value
    expected = (Decimal(before["realised_percent"]) if before["realised_percent"] else 0) \
        + value * 100 / obligation
    assert abs(Decimal(after["realised_percent"]) - expected) <= Decimal("0.1")
    page = client.get(f"/sroi/contracten/{contract.id}").text
    assert after["realised_percent"].replace(".", ",") in page
