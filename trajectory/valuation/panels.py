"""Home panels: what the adviser must judge, what the provider must deliver, the region's ledger."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.main.home import register_panel
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.models import Claim, ClaimStatus, Contract
from trajectory.valuation.services import cycle

WAITING = (ClaimStatus.SUBMITTED, ClaimStatus.PROPOSED)
SHOWN = 5


def _claims(user: Any, groups: dict[str, tuple[ClaimStatus, ...]], limit: int = SHOWN
            ) -> dict[str, tuple[list[Claim], int]]:
    """Per group of statuses the first ``limit`` claims in scope (oldest submitted first)
    and how many there are: one query for every group. Each group's first rows are chosen
    by a LIMIT beside its count (ix_sroi_claim_status_contract): a window over every
    waiting claim would number and sort them all to show five."""
    order = (Claim.submitted_at.asc().nulls_last(), Claim.id)
    parts = []
    for key, statuses in groups.items():
        where = (Claim.scope_filter(user), Claim.status.in_(statuses))
        total = sa.select(sa.func.count()).select_from(Claim).where(*where).scalar_subquery()
        first = (sa.select(Claim.id).where(*where).order_by(*order).limit(limit)
                 .subquery())
        parts.append(sa.select(first.c.id, sa.literal(key).label("grp"),
                               total.label("total")))
    chosen = sa.union_all(*parts).subquery()
    rows = db.session.execute(
        sa.select(Claim, chosen.c.grp, chosen.c.total).join(chosen, chosen.c.id == Claim.id)
        .options(so.joinedload(Claim.contract))
        .order_by(chosen.c.grp, *order)).all()
    found: dict[str, tuple[list[Claim], int]] = {key: ([], 0) for key in groups}
    for claim, key, total in rows:
        found[key][0].append(claim)
        found[key] = (found[key][0], int(total))
    return found


def adviser_context(user: Any) -> dict[str, Any]:
    ledgers = ledger_mod.ledgers_for(user)
    waiting, waiting_total = _claims(user, {"waiting": WAITING})["waiting"]
    late = [due for lg in ledgers for row in lg.contract.years for due in cycle(row)
            if due.late]
    # The ledgers stay in the context: their contracts are the ones the late dues name
    # (the session holds loaded rows only weakly; without them each would load again).
    return {"waiting": waiting, "waiting_total": waiting_total,
            "late": sorted(late, key=lambda d: d.due)[:5], "late_total": len(late),
            "at_risk": [lg for lg in ledgers if lg.at_risk], "ledgers": ledgers}


def provider_context(user: Any) -> dict[str, Any]:
    """What the provider must deliver: figures due, stages to submit, drafts and rejected
    claims. The panel shows no ledger figures, so it loads the contracts with their years
    only (two queries), not their ledgers (seven, summing every stage value)."""
    contracts = list(db.session.scalars(
        sa.select(Contract).where(Contract.scope_filter(user))
        .options(so.selectinload(Contract.years))
        .order_by(Contract.start.desc(), Contract.id)))
    dues = [due for contract in contracts for row in contract.years for due in cycle(row)
            if due.state != "done" and due.what != "review"]
    claims = _claims(user, {"concept": (ClaimStatus.CONCEPT, ClaimStatus.AGREED),
                            "rejected": (ClaimStatus.REJECTED,)}) if contracts else {}
    concept, concept_total = claims.get("concept", ([], 0))
    rejected, rejected_total = claims.get("rejected", ([], 0))
    # Stages that have started and are not claimed yet: labour participation to submit.
    to_submit, pending_total = (ledger_mod.labour_pending(contracts) if contracts
                                else ([], 0))
    return {"dues": sorted(dues, key=lambda d: d.due)[:SHOWN], "dues_total": len(dues),
            "to_submit": to_submit, "to_submit_total": pending_total,
            "concept": concept, "concept_total": concept_total, "rejected": rejected,
            "rejected_total": rejected_total, "provider_id": user.organisation_id,
            "contracts": len(contracts)}


def coordinator_context(user: Any) -> dict[str, Any]:
    ledgers = ledger_mod.ledgers_for(user)
    return {"total": ledger_mod.summarise(ledgers, ""),
            "providers": ledger_mod.by_provider(ledgers)}


register_panel("valuation_adviser", {Role.SROI_ADVISEUR}, "valuation/_panel_adviser.html",
               adviser_context, order=20)
register_panel("valuation_provider", {Role.INTAKER}, "valuation/_panel_provider.html",
               provider_context, order=40)
register_panel("valuation_coordinator", {Role.COORDINATOR}, "valuation/_panel_coordinator.html",
               coordinator_context, order=30)
