"""Labour lines as claims: what a provider may claim, and creating and changing the claim.

Submitting and judging are the claims' own flow (``trajectory.valuation.services``):
in order, with a reason on rejection, the value, explanation, edition and date
frozen at approval. Here: which stages a contract can claim, the suggested periods
(a long job per calendar year), and the checks on a new or changed labour line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.labour.lines import (
    claims_of_stages,
    covered,
    credited_contract,
    labour_claims,
    unclaimed,
)
from trajectory.services import ServiceError
from trajectory.stages import stored_values
from trajectory.stages.models import Stage, StageStatus, StageValue
from trajectory.stages.valuation import (
    PersonValues,
    contract_periods,
    contracts_in_order,
    people,
)
from trajectory.timeutil import today
from trajectory.valuation import engine
from trajectory.valuation.adapters import day_text
from trajectory.valuation.evidence import store_upload
from trajectory.valuation.models import (
    EVIDENCE_BENEFIT,
    EVIDENCE_BONUS,
    EVIDENCE_EMPLOYMENT,
    Claim,
    ClaimKind,
    ClaimStatus,
    Contract,
)

# A stage is claimed once it has started; a planned stage is forecast only.
CLAIMABLE_STATUSES = frozenset({StageStatus.LOPEND, StageStatus.AFGEROND,
                                StageStatus.AFGEBROKEN})


@dataclass
class Claimable:
    """A stage credited to the contract with days not claimed yet."""

    stage: Stage
    person: PersonValues | stored_values.StoredPerson
    claims: list[Claim]
    periods: list[engine.Period] = field(default_factory=list)  # suggested, passed days only

    @property
    def value(self):
        return self.person.value(self.stage.id)

    @property
    def open_value(self):
        return sum((self.person.part(self.stage.id, p.start, p.end) for p in self.periods),
                   engine.round_half_up(0))


def by_year(periods: list[engine.Period], on: date) -> list[engine.Period]:
    """Unclaimed days up to ``on``, cut at each 31 December (a long job is claimed per year)."""
    out = []
    for period in periods:
        start, end = period.start, min(period.end, on)
        while start <= end:
            stop = min(end, date(start.year, 12, 31))
            out.append(engine.Period(start, stop))
            start = date(start.year + 1, 1, 1)
    return out


def _people_of(stages: list[Stage]) -> tuple[dict[int, PersonValues], dict[int, list[Claim]]]:
    ids = sorted({s.candidate_id for s in stages})
    return people(ids), labour_claims(ids)


def claimable(contract: Contract, on: date | None = None) -> list[Claimable]:
    """The contract's stages that can be claimed now, with their suggested periods (from the
    stored values: the stages the valuation credits to this contract)."""
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    on = on or today()
    stored_values.settle()
    rows = list(db.session.scalars(
        sa.select(StageValue).join(Stage, Stage.id == StageValue.stage_id)
        .where(StageValue.contract_id == contract.id,
               Stage.status.in_(tuple(CLAIMABLE_STATUSES)))
        .options(so.joinedload(StageValue.stage).joinedload(Stage.candidate))
        .order_by(StageValue.stage_id)))
    claims = claims_of_stages(sa.select(StageValue.stage_id).where(
        StageValue.contract_id == contract.id))
    found = []
    for row in rows:
        person, stage = stored_values.person_of(row.candidate_id, [row]), row.stage
        own = claims.get(stage.id, [])
        # A rejected period may be claimed again (with better evidence).
        pending = [c for c in own if c.status is not ClaimStatus.REJECTED]
        periods = by_year(unclaimed(person, stage.id, pending), on)
        if periods:
            found.append(Claimable(stage, person, own, periods))
    return found


@dataclass
class LabourClaimData:
    """What the provider enters on a labour line (the form's data, checked here)."""

    stage: Stage
    period_start: date
    period_end: date
    subcontractor_id: int | None = None
    description: str = ""


def _check(contract: Contract, data: LabourClaimData, claim: Claim | None) -> None:
    stage = data.stage
    if stage.provider_id != contract.provider_id:
        raise ServiceError(_("This stage is not at %(provider)s.",
                             provider=contract.provider.name), "stage_id")
    if stage.status not in CLAIMABLE_STATUSES:
        raise ServiceError(_("A stage is claimed once it has started; until then it counts in "
                             "the forecast."), "stage_id")
    if data.period_end < data.period_start:
        raise ServiceError(_("The end must not lie before the start."), "period_end")
    persons, claims = _people_of([stage])
    person = persons[stage.candidate_id]
    value = person.value(stage.id)
    candidate_contracts = contracts_in_order(stage.candidate, [contract])
    if value.value is None:
        raise ServiceError(value.reason or _("This stage cannot be valued yet."), "stage_id")
    credited = credited_contract(person, stage.id, candidate_contracts)
    if credited != contract.id:
        raise ServiceError(_("This stage counts for another contract of %(provider)s, not for "
                             "this one.", provider=contract.provider.name), "stage_id")
    end = person.ends.get(stage.id) or stage.end or stage.start
    if data.period_start < stage.start or data.period_end > end:
        raise ServiceError(_("The period lies outside the stage (%(start)s to %(end)s).",
                             start=day_text(stage.start), end=day_text(end)), "period_start")
    if not any(p.start <= data.period_start and data.period_end <= p.end
               for p in contract_periods(contract).days):
        raise ServiceError(_("The period lies outside the contract period (%(start)s to "
                             "%(end)s); only what happens inside it counts.",
                             start=day_text(contract.start), end=day_text(contract.period_end)),
                           "period_start")
    others = [c for c in claims.get(stage.id, [])
              if c is not claim and c.status is not ClaimStatus.REJECTED]
    for other in covered(others):
        if data.period_start <= other.end and other.start <= data.period_end:
            raise ServiceError(_("Another labour line of this stage already covers %(start)s to "
                                 "%(end)s.", start=day_text(other.start), end=day_text(other.end)),
                               "period_start")
    if data.subcontractor_id is not None and data.subcontractor_id not in {
            s.id for s in contract.subcontractors}:
        raise ServiceError(_("Choose a subcontractor of this contract."), "subcontractor_id")
    if person.part(stage.id, data.period_start, data.period_end) <= 0:
        raise ServiceError(_("This period has no value to claim: see the stage's explanation."),
                           "period_start")


def _apply(claim: Claim, data: LabourClaimData) -> None:
    claim.stage = data.stage
    claim.period_start, claim.period_end = data.period_start, data.period_end
    claim.day = data.period_start  # the year it counts in, and the contract-period check
    claim.subcontractor_id = data.subcontractor_id
    claim.description = (data.description or "").strip() or data.stage.title


def create_labour_claim(contract: Contract, data: LabourClaimData, user: User | None,
                        uploads: dict[str, object] | None = None) -> Claim:
    """A draft labour line for a period of a stage, with the evidence files given."""
    _check(contract, data, None)
    claim = Claim(kind=ClaimKind.LABOUR, status=ClaimStatus.CONCEPT, created_by=user)
    _apply(claim, data)
    contract.claims.append(claim)
    db.session.flush()
    attach(claim, uploads, user)
    return claim


def update_labour_claim(claim: Claim, data: LabourClaimData, user: User,
                        uploads: dict[str, object] | None = None) -> None:
    if not claim.editable:
        raise ServiceError(_("This claim has been %(status)s and can no longer be changed.",
                             status=claim.status.label))
    _check(claim.contract, data, claim)
    _apply(claim, data)
    db.session.flush()
    attach(claim, uploads, user)


EVIDENCE_FIELDS = {"employment_file": EVIDENCE_EMPLOYMENT, "benefit_file": EVIDENCE_BENEFIT,
                   "bonus_file": EVIDENCE_BONUS}


def attach(claim: Claim, uploads: dict[str, object] | None, user: User | None) -> None:
    """Store the files given, keyed by form field (``EVIDENCE_FIELDS``); a refused file
    raises on its own field and the view rolls back, so nothing half-written stays."""
    for name, upload in (uploads or {}).items():
        if not upload:
            continue
        try:
            store_upload(upload, contract=claim.contract, user=user, claim=claim,
                         kind=EVIDENCE_FIELDS[name])
        except ServiceError as error:
            raise ServiceError(error.message, name) from None
