"""The demo's Social Return: every state the pages can show."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from trajectory.audit.trail import Actor, acting_as
from trajectory.extensions import db
from trajectory.valuation.demo import load_valuation_demo, tiny_pdf, tiny_png
from trajectory.valuation.evidence import PDF, PNG, sniff
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import Claim, ClaimStatus, Contract, Evidence


def test_the_demo_has_every_state(world):
    with acting_as(Actor(None, "demo", None)):
        load_valuation_demo()
    db.session.commit()
    contracts = db.session.scalars(sa.select(Contract).order_by(Contract.id)).all()
    assert {c.provider.name for c in contracts} >= {
        "Zorggroep Scheldezoom", "Stichting Welzijn De Bevelanden", "Thuiszorg Zeeuwse Stroom",
        "Oosterschelde Wonen en Zorg", "Zorgcoöperatie Tholen-Schouwen",
        "Begeleid Wonen Zeeland-Oost"}
    statuses = set(db.session.scalars(sa.select(Claim.status)))
    assert statuses == set(ClaimStatus) - {ClaimStatus.AGREED}
    ledgers = [contract_ledger(c) for c in contracts]
    assert any(lg.required == 0 and lg.base_revenue == Decimal("180000.00") for lg in ledgers)
    assert any(lg.pso.applies for lg in ledgers)
    assert any(lg.pso.step and not lg.pso.applies for lg in ledgers)
    assert any(c.extensions and c.client.is_region for c in contracts)
    # A live contract takes an adopted edition (the 2025 concept is for the calculator and
    # "what if"); the Borsele contract used to carry it.
    assert {c.rulebook for c in contracts} == {"bouwblokken-2023"}
    assert any(0 < lg.pso.share < 1 and lg.contract.pso_certificate for lg in ledgers)
    assert any(lg.provisional for lg in ledgers) and any(not lg.provisional for lg in ledgers)
    assert {c.sroi_percentage for c in contracts} == {Decimal("5.00")}
    assert any(c.evaluation and c.evaluation.shortfall > 0 for c in contracts)
    assert any(lg.at_risk for lg in ledgers) and any(not lg.at_risk for lg in ledgers)
    assert all(c.status is not ClaimStatus.APPROVED or c.approved_value is not None
               for c in db.session.scalars(sa.select(Claim)))
    kinds = {e.content_type for e in db.session.scalars(sa.select(Evidence))}
    assert {PDF, PNG} <= kinds


def test_the_demo_files_are_real():
    assert sniff(tiny_pdf(["Factuur"])) == PDF
    assert sniff(tiny_png()) == PNG
    import io

    from pypdf import PdfReader
    assert "Factuur € 5" in PdfReader(io.BytesIO(tiny_pdf(["Factuur € 5"]))).pages[0].extract_text()
