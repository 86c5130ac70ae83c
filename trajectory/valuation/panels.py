"""Home panels: what the adviser must judge, what the provider must deliver, the region's ledger."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.main.home import register_panel
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.models import Claim, ClaimStatus
from trajectory.valuation.services import cycle

WAITING = (ClaimStatus.SUBMITTED, ClaimStatus.PROPOSED)


def _claims(user: Any, *statuses: ClaimStatus, limit: int = 5) -> tuple[list[Claim], int]:
    condition = sa.and_(Claim.scope_filter(user), Claim.status.in_(statuses))
    total = db.session.scalar(sa.select(sa.func.count(Claim.id)).where(condition)) or 0
    items = db.session.scalars(
        sa.select(Claim).where(condition).options(so.joinedload(Claim.contract))
        .order_by(Claim.submitted_at.asc().nulls_last(), Claim.id).limit(limit)).all()
    return list(items), total


def adviser_context(user: Any) -> dict[str, Any]:
    ledgers = ledger_mod.ledgers_for(user)
    waiting, waiting_total = _claims(user, *WAITING)
    late = [due for lg in ledgers for row in lg.contract.years for due in cycle(row)
            if due.late]
    # The ledgers stay in the context: their contracts are the ones the late dues name
    # (the session holds loaded rows only weakly; without them each would load again).
    return {"waiting": waiting, "waiting_total": waiting_total,
            "late": sorted(late, key=lambda d: d.due)[:5], "late_total": len(late),
            "at_risk": [lg for lg in ledgers if lg.at_risk], "ledgers": ledgers}


def provider_context(user: Any) -> dict[str, Any]:
    ledgers = ledger_mod.ledgers_for(user)
    dues = [due for lg in ledgers for row in lg.contract.years for due in cycle(row)
            if due.state != "done" and due.what != "review"]
    concept, concept_total = _claims(user, ClaimStatus.CONCEPT, ClaimStatus.AGREED)
    rejected, rejected_total = _claims(user, ClaimStatus.REJECTED)
    # Stages that have started and are not claimed yet: labour participation to submit.
    to_submit, pending_total = ledger_mod.labour_pending([lg.contract for lg in ledgers])
    return {"dues": sorted(dues, key=lambda d: d.due)[:5], "dues_total": len(dues),
            "to_submit": to_submit, "to_submit_total": pending_total,
            "concept": concept, "concept_total": concept_total, "rejected": rejected,
            "rejected_total": rejected_total, "provider_id": user.organisation_id,
            "contracts": len(ledgers)}


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
