"""Generated Social Return work (``trajectory.demo.generator``): contracts between the
demo providers and the municipalities (or the region), their revenue years, claims in
every state, and labour lines on the generated learning lines.

Contracts and their purchase, activity and fund claims are few (a few per 2,000
candidates) and go through ``trajectory.valuation.services``, so approved values are
frozen by the engine exactly as in real work. Labour lines are many: they are written
in bulk after the stored stage values exist, one line per ended stage credited to a
contract, covering the whole valued stage, so an approved line freezes the stage's
stored value (the same running total). Their evidence files are tiny PDFs.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.stages.models import Stage, StageKind, StageStatus, StageValue
from trajectory.timeutil import today
from trajectory.valuation import engine, services
from trajectory.valuation.evidence import evidence_dir, store_bytes
from trajectory.valuation.models import (
    EVIDENCE_BENEFIT,
    EVIDENCE_EMPLOYMENT,
    Claim,
    ClaimKind,
    ClaimStatus,
    Contract,
    Evidence,
)

CLAIM = Claim.__table__
EVIDENCE = Evidence.__table__
ORDER = [CLAIM, EVIDENCE]
CANDIDATES_PER_CONTRACT = 2_000
MAX_CONTRACTS = 60
LABOUR_SHARE = 0.15  # of the ended stages credited to a contract
LABOUR_STATES = ((ClaimStatus.CONCEPT, 20), (ClaimStatus.SUBMITTED, 25),
                 (ClaimStatus.APPROVED, 45), (ClaimStatus.REJECTED, 10))


def _tiny_pdf(lines: list[str]) -> bytes:
    from trajectory.valuation.demo import tiny_pdf

    return tiny_pdf([*lines, "Gegenereerd demobestand Trajectory (verzonnen gegevens)."])


def contracts(ctx, n: int) -> list[int]:
    """A few contracts per 2,000 candidates, each with its years and a claim in every state
    (through the services); returns their ids."""
    rng, day, world = ctx.rng, ctx.day, ctx.world
    count = max(3, min(MAX_CONTRACTS, n // CANDIDATES_PER_CONTRACT))
    orgs = {o.id: o for o in db.session.scalars(sa.select(Organisation))}
    adviser = db.session.get(User, world.adviser_id) if world.adviser_id else None
    taken = db.session.scalar(sa.select(sa.func.count(Contract.id)).where(
        Contract.reference.like("GEN-%"))) or 0
    clients = list(world.municipalities.values())
    made = []
    for index in range(count):
        provider = orgs[world.providers[index % len(world.providers)]]
        client = orgs[world.region_id] if rng.random() < 0.2 else orgs[rng.choice(clients)]
        start = date(day.year - rng.randrange(2, 5), 1, 1)
        end = date(day.year + rng.randrange(0, 3), 12, 31)
        number = taken + index + 1
        contract = services.create_contract(services.ContractTerms(
            name=f"Zorg en ondersteuning {client.name} ({provider.name})",
            reference=f"GEN-{start.year}-{number:04d}", client=client, provider=provider,
            start=start, end=end, rulebook=services.default_rulebook(start),
            sroi_percentage=Decimal(rng.choice(("3.00", "4.00", "5.00", "5.00")))))
        _years(ctx, contract, adviser)
        if adviser is not None:
            _claims(ctx, contract, adviser)
        made.append(contract.id)
    return made


def _years(ctx, contract: Contract, adviser: User | None) -> None:
    rng, day = ctx.rng, ctx.day
    for row in contract.years:
        forecast = Decimal(rng.randrange(200, 900) * 1000)
        actual = None
        if row.year < day.year:
            actual = forecast + Decimal(rng.randrange(-40, 40) * 1000)
        services.save_year_figures(row, forecast=forecast, actual=actual)
        if actual is not None and adviser is not None and rng.random() < 0.6:
            services.review_year(row, adviser, on=date(row.year + 1, 4, 15))


def _claims(ctx, contract: Contract, adviser: User) -> None:
    """Purchase, activity and fund claims in every state of their flow."""
    rng, day = ctx.rng, ctx.day
    intakers = ctx.world.intakers[contract.provider_id]
    user = db.session.get(User, rng.choice(intakers)) if intakers else None
    first = max(contract.start, day - timedelta(days=700))
    book = engine.load_rulebook(contract.rulebook)
    supplier_types = [c.key for c in book.suppliers] or [None]

    def past(low: int = 10) -> date:
        span = max((day - first).days - low, 1)
        return first + timedelta(days=rng.randrange(span))

    def purchase(status: ClaimStatus) -> None:
        when = past(30)
        amount = Decimal(rng.randrange(1500, 40000))
        claim = services.create_claim(contract, ClaimKind.PURCHASE, services.ClaimData(
            description="Inkoop bij een sociale onderneming", day=when,
            supplier_name=rng.choice(("Orionis Walcheren", "Drukkerij Emergo",
                                      "Lunchroom De Kade", "Groenbedrijf De Schelde")),
            supplier_type=rng.choice(supplier_types), amount=amount), user)
        if status is ClaimStatus.CONCEPT:
            return
        store_bytes(_tiny_pdf([f"FACTUUR {claim.id}", f"Bedrag excl. btw: EUR {amount}"]),
                    f"factuur-{claim.id}.pdf", contract=contract, user=user, claim=claim)
        _judge(claim, user, adviser, when, status)

    def activity(status: ClaimStatus) -> None:
        if status in (ClaimStatus.PROPOSED, ClaimStatus.AGREED):
            when = min(day + timedelta(days=rng.randrange(10, 90)), contract.end)
            claim = services.create_claim(contract, ClaimKind.ACTIVITY, services.ClaimData(
                description="Meeloopdagen voor mensen met afstand tot werk", day=when,
                hours=Decimal(rng.randrange(8, 60))), user)
            services.propose_claim(claim, user)
            if status is ClaimStatus.AGREED:
                services.judge_claim(claim, adviser, approve=True)
            return
        when = past()
        claim = services.create_claim(contract, ClaimKind.ACTIVITY, services.ClaimData(
            description="Gastles 'Werken in de zorg' op het Scalda", day=when,
            hours=Decimal(rng.randrange(4, 40))), user)
        _judge(claim, user, adviser, when, status)

    def fund(status: ClaimStatus) -> None:
        when = past()
        claim = services.create_claim(contract, ClaimKind.FUND, services.ClaimData(
            description="Storting Social Return-fonds", day=when,
            amount=Decimal(rng.randrange(5, 50) * 1000)), user)
        _judge(claim, user, adviser, when, status)

    for status in (ClaimStatus.CONCEPT, ClaimStatus.SUBMITTED, ClaimStatus.APPROVED,
                   ClaimStatus.REJECTED, ClaimStatus.APPROVED):
        purchase(status)
    for status in (ClaimStatus.PROPOSED, ClaimStatus.AGREED, ClaimStatus.APPROVED,
                   ClaimStatus.SUBMITTED, ClaimStatus.REJECTED):
        activity(status)
    fund(rng.choice((ClaimStatus.SUBMITTED, ClaimStatus.APPROVED)))


def _judge(claim: Claim, user: User | None, adviser: User, when: date,
           status: ClaimStatus) -> None:
    if status is ClaimStatus.CONCEPT:
        return
    day = min(when + timedelta(days=10), today())
    services.submit_claim(claim, user, on=day)
    if status is ClaimStatus.SUBMITTED:
        return
    services.judge_claim(claim, adviser, approve=status is ClaimStatus.APPROVED,
                         reason=None if status is ClaimStatus.APPROVED else
                         "Dit telt niet als Social Return: het helpt niemand uit de doelgroep "
                         "op weg naar werk.",
                         on=min(day + timedelta(days=14), today()))


# ------------------------------------------------------------------ labour lines

def labour_lines(ctx, first_stage_id: int) -> set[int]:
    """A labour line for part of the ended stages generated in this run that the stored
    values credit to a contract; returns the candidates whose values change with them."""
    rng, day, world = ctx.rng, ctx.day, ctx.world
    rows = db.session.execute(
        sa.select(StageValue.stage_id, StageValue.candidate_id, StageValue.contract_id,
                  StageValue.value, StageValue.explain, StageValue.rulebook,
                  StageValue.valued_start, StageValue.valued_end, Stage.kind, Stage.job_title,
                  Stage.provider_id, Stage.actual_end)
        .join(Stage, Stage.id == StageValue.stage_id)
        .join(Contract, Contract.id == StageValue.contract_id)
        .where(StageValue.stage_id >= first_stage_id, StageValue.value > 0,
               Stage.status.in_((StageStatus.AFGEROND, StageStatus.AFGEBROKEN)),
               Stage.actual_end < day - timedelta(days=30),
               StageValue.valued_start >= Contract.start, StageValue.valued_end <= Contract.end)
        .order_by(StageValue.stage_id)).all()
    documents = {kind: _tiny_pdf(lines) for kind, lines in (
        (EVIDENCE_EMPLOYMENT, ["Plaatsings- of arbeidsovereenkomst"]),
        (EVIDENCE_BENEFIT, ["Verklaring uitkeringsachtergrond"]))}
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    touched: set[int] = set()
    for row in rows:
        if rng.random() >= LABOUR_SHARE:
            continue
        status = rng.choices([s for s, _ in LABOUR_STATES], weights=[w for _, w in LABOUR_STATES])[0]
        intakers = world.intakers.get(row.provider_id) or [None]
        author = rng.choice(intakers)
        created = row.actual_end + timedelta(days=rng.randrange(3, 20))
        kind = StageKind(row.kind)
        claim: dict[str, Any] = {
            "contract_id": row.contract_id, "kind": ClaimKind.LABOUR, "status": status,
            "description": row.job_title or str(kind.label), "day": row.valued_start,
            "stage_id": row.stage_id, "period_start": row.valued_start,
            "period_end": row.valued_end, "created_by_id": author,
            "created_at": ctx.moment(created, 10), "submitted_at": None, "judged_at": None,
            "judged_by_id": None, "rejection_reason": None, "lock_version": 1}
        if status is not ClaimStatus.CONCEPT:
            submitted = min(created + timedelta(days=rng.randrange(1, 10)), day)
            claim["submitted_at"] = ctx.moment(submitted, 11)
            if status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
                judged = min(submitted + timedelta(days=rng.randrange(5, 25)), day)
                claim.update(judged_at=ctx.moment(judged, 14), judged_by_id=world.adviser_id)
                if status is ClaimStatus.REJECTED:
                    claim["rejection_reason"] = ("De arbeidsovereenkomst is niet ondertekend. "
                                                 "Dien de periode opnieuw in.")
                else:
                    claim.update(approved_value=row.value, approved_explain=list(row.explain),
                                 approved_rulebook=row.rulebook, approved_on=judged)
        ctx.add(CLAIM, claim)
        touched.add(row.candidate_id)
        if status is ClaimStatus.CONCEPT:
            continue
        kinds = [EVIDENCE_EMPLOYMENT] + ([EVIDENCE_BENEFIT] if kind is StageKind.PAID_JOB else [])
        for evidence_kind in kinds:
            data = documents[evidence_kind]
            stored = secrets.token_hex(16)
            path = folder / stored
            with open(path, "xb") as out:
                out.write(data)
            os.chmod(path, 0o600)
            ctx.add(EVIDENCE, {
                "contract_id": row.contract_id, "kind": evidence_kind, "claim_id": claim["id"],
                "stored_name": stored, "original_name": f"{evidence_kind}-{claim['id']}.pdf",
                "content_type": "application/pdf", "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "uploaded_by_id": author,
                "uploaded_at": claim["submitted_at"] or claim["created_at"]})
    return touched
