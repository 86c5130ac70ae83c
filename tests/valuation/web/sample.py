"""Builders for the Social Return tests and the access matrix's sample objects.

Everything goes through the real services, as a person's actions would.
"""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from trajectory.extensions import db
from trajectory.valuation import services
from trajectory.valuation.demo import tiny_pdf, tiny_png
from trajectory.valuation.evidence import store_bytes
from trajectory.valuation.models import Claim, ClaimKind, Contract, Evidence, Extension

SAMPLE_REFERENCE = "MATRIX-SAMPLE-001"
PROVIDER = "Zorggroep Scheldezoom"
OTHER_PROVIDER = "Stichting Welzijn De Bevelanden"
_TEMP_DIR: str | None = None


def ensure_evidence_dir() -> None:
    """Tests that do not set EVIDENCE_DIR (the access matrix) store files in a temporary folder."""
    global _TEMP_DIR
    if current_app.config.get("EVIDENCE_DIR"):
        return
    if _TEMP_DIR is None:
        _TEMP_DIR = tempfile.mkdtemp(prefix="trajectory-evidence-")
        atexit.register(shutil.rmtree, _TEMP_DIR, True)
    current_app.config["EVIDENCE_DIR"] = _TEMP_DIR


def pdf_bytes(text: str = "Factuur 2026-001") -> bytes:
    return tiny_pdf([text, "Bedrag excl. btw: EUR 1.000,00"])


def png_bytes() -> bytes:
    return tiny_png()


def xlsx_bytes() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write_string(0, 0, "uren")
    book.close()
    return buffer.getvalue()


def make_contract(world, *, provider: str = PROVIDER, client: str = "Goes",
                  reference: str = "TEST-001", start: date = date(2024, 1, 1),
                  end: date = date(2027, 12, 31), rulebook: str = "bouwblokken-2023",
                  revenue: str | None = "400000.00", pso: tuple[str, date, date] | None = None,
                  name: str = "Wmo-begeleiding testcontract") -> Contract:
    """A contract with the same forecast every base year (actuals left empty)."""
    step, valid_from, valid_until = pso or (None, None, None)
    contract = services.create_contract(services.ContractTerms(
        name=name, reference=reference, client=world.org(client), provider=world.org(provider),
        start=start, end=end, rulebook=rulebook, pso_step=step, pso_valid_from=valid_from,
        pso_valid_until=valid_until))
    if revenue is not None:
        for row in contract.years:
            services.save_year_figures(row, forecast=Decimal(revenue), actual=None)
    db.session.commit()
    return contract


def make_claim(contract: Contract, kind: ClaimKind = ClaimKind.PURCHASE, *, user=None,
               submit: bool = False, approve_by=None, reject_by=None, evidence: bool = True,
               **fields) -> Claim:
    """A claim (a purchase by default), optionally submitted and judged."""
    defaults = {
        ClaimKind.PURCHASE: {"day": date(2025, 3, 31), "supplier_name": "Orionis Walcheren",
                             "supplier_type": "sw_bedrijf", "amount": Decimal("1000.00")},
        ClaimKind.ACTIVITY: {"day": date(2025, 10, 8), "hours": Decimal("6"),
                             "description": "Gastles 'Werken in de zorg' op het Scalda"},
        ClaimKind.FUND: {"day": date(2025, 6, 1), "amount": Decimal("5000.00")},
    }[kind]
    claim = services.create_claim(contract, kind, services.ClaimData(**{**defaults, **fields}),
                                  user)
    if evidence and kind is ClaimKind.PURCHASE:
        ensure_evidence_dir()
        store_bytes(pdf_bytes(), "factuur.pdf", contract=contract, user=user, claim=claim)
    if submit or approve_by or reject_by:
        services.submit_claim(claim, user)
    if approve_by:
        services.judge_claim(claim, approve_by, approve=True)
    if reject_by:
        services.judge_claim(claim, reject_by, approve=False, reason="Geen bewijs van de doelgroep.")
    db.session.commit()
    return claim


@dataclass
class Sample:
    contract: Contract
    extension: Extension
    claim: Claim
    evidence: Evidence

    @property
    def year_args(self) -> dict:
        return {"contract_id": self.contract.id, "year": self.contract.start.year}


def valuation_sample(world) -> Sample:
    """One contract (Goes, Zorggroep Scheldezoom) with an extension, a submitted purchase and
    its invoice: reachable by every role that may read Social Return. Built once per test."""
    ensure_evidence_dir()
    contract = db.session.scalar(sa.select(Contract).where(Contract.reference == SAMPLE_REFERENCE))
    if contract is None:
        contract = make_contract(world, reference=SAMPLE_REFERENCE)
        services.save_extension(contract, None, start=date(2028, 1, 1), end=date(2028, 12, 31),
                                exercised=False)
        make_claim(contract, user=world.user("intaker"), submit=True)
        db.session.commit()
    claim = contract.claims[0]
    return Sample(contract, contract.extensions[0], claim, claim.evidence[0])
