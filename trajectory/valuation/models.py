"""Contracts, their yearly revenue, the claims that count towards Social Return, evidence.

Money is ``Numeric(12, 2)`` / ``Decimal`` everywhere. No euro of Social Return is
computed here: the ledger (``ledger.py``) asks the engine. What an SROI adviser
approved is stored on the claim (value, explanation, edition, date) and never
recomputed, so a later edition or a changed figure cannot alter it silently.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.organisations.models import Organisation
from trajectory.timeutil import utcnow
from trajectory.valuation.engine import add_months

if TYPE_CHECKING:
    from trajectory.stages.models import Stage

Money = sa.Numeric(12, 2)


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """Non-native enums (a VARCHAR with its values), as the foundation's models do."""
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class ClaimKind(enum.StrEnum):
    LABOUR = "arbeid"
    PURCHASE = "inkoop"
    ACTIVITY = "activiteit"
    FUND = "fonds"

    @property
    def label(self) -> str:
        return label_text(CLAIM_KIND_LABELS[self])


CLAIM_KIND_LABELS = {
    ClaimKind.LABOUR: _l("Labour participation"),
    ClaimKind.PURCHASE: _l("Social purchase"),
    ClaimKind.ACTIVITY: _l("Social activity"),
    ClaimKind.FUND: _l("Fund payment"),
}


class ClaimStatus(enum.StrEnum):
    """concept → ingediend → goedgekeurd / afgewezen; an activity may first be
    proposed (voorgesteld → voorstel_akkoord) and then accounted and submitted."""

    CONCEPT = "concept"
    PROPOSED = "voorgesteld"
    AGREED = "voorstel_akkoord"
    SUBMITTED = "ingediend"
    APPROVED = "goedgekeurd"
    REJECTED = "afgewezen"

    @property
    def label(self) -> str:
        return label_text(CLAIM_STATUS_LABELS[self])

    @property
    def tone(self) -> str:
        return {ClaimStatus.APPROVED: "ok", ClaimStatus.REJECTED: "error",
                ClaimStatus.SUBMITTED: "warning", ClaimStatus.PROPOSED: "warning"}.get(self, "neutral")


CLAIM_STATUS_LABELS = {
    ClaimStatus.CONCEPT: _l("draft"),
    ClaimStatus.PROPOSED: _l("proposed"),
    ClaimStatus.AGREED: _l("proposal agreed"),
    ClaimStatus.SUBMITTED: _l("submitted"),
    ClaimStatus.APPROVED: _l("approved"),
    ClaimStatus.REJECTED: _l("rejected"),
}

EVIDENCE_PLAN = "plan_van_aanpak"
EVIDENCE_CLAIM = "bewijs"
# Evidence of a labour line (domain brief, "Accountability"): the benefit background,
# the employment or learn-work contract, and the proof for a bonus.
EVIDENCE_BENEFIT = "uitkering"
EVIDENCE_EMPLOYMENT = "arbeidscontract"
EVIDENCE_BONUS = "bonus"
LABOUR_EVIDENCE = (EVIDENCE_BENEFIT, EVIDENCE_EMPLOYMENT, EVIDENCE_BONUS)
# The PSO certificate of a contract (the newest upload is the current one).
EVIDENCE_PSO = "pso_certificaat"
EVIDENCE_LABELS = {
    EVIDENCE_PLAN: _l("Plan of approach"),
    EVIDENCE_CLAIM: _l("Evidence"),
    EVIDENCE_BENEFIT: _l("Benefit background"),
    EVIDENCE_EMPLOYMENT: _l("Employment, learn-work or placement contract"),
    EVIDENCE_BONUS: _l("Proof for a bonus"),
    EVIDENCE_PSO: _l("PSO certificate"),
}

# The provider may change a claim only while it is its own work in progress.
EDITABLE = frozenset({ClaimStatus.CONCEPT, ClaimStatus.AGREED})


class Remedy(enum.StrEnum):
    """What was agreed at the final evaluation when the obligation was not met (handhaving)."""

    NONE = "geen"
    EXTENSION = "verlenging"
    SUBSTITUTE = "vervangende_activiteit"
    FUND = "storting_fonds"
    OTHER = "andere_maatregel"

    @property
    def label(self) -> str:
        return label_text(REMEDY_LABELS[self])


REMEDY_LABELS = {
    Remedy.NONE: _l("No measure needed (obligation met)"),
    Remedy.EXTENSION: _l("Extension of the period to deliver"),
    Remedy.SUBSTITUTE: _l("Substitute activity"),
    Remedy.FUND: _l("Payment into the Social Return fund"),
    Remedy.OTHER: _l("Another measure the contract allows"),
}


def region_of(user: User) -> int | None:
    """The region the user works in: their own organisation, or its region."""
    org = user.organisation
    return org.id if org.is_region else org.region_id


def _client_in_region(region_id: int | None) -> sa.ColumnElement[bool]:
    if region_id is None:
        return sa.false()
    in_region = sa.select(Organisation.id).where(Organisation.region_id == region_id)
    return sa.or_(Contract.client_id == region_id, Contract.client_id.in_(in_region))


class Contract(db.Model):
    """A contract between a municipality (or the region) and a provider, under Social Return."""

    __tablename__ = "sroi_contract"
    __audit__ = True
    __label__ = _l("Contract")
    __title__ = "name"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(160), info={"label": _l("Name")})
    reference: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True,
                                                 info={"label": _l("Reference")})
    client_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 info={"label": _l("Client")})
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                   info={"label": _l("Provider")})
    start: so.Mapped[date] = so.mapped_column(info={"label": _l("Start")})
    end: so.Mapped[date] = so.mapped_column(info={"label": _l("End")})
    rulebook: so.Mapped[str] = so.mapped_column(sa.String(60),
                                                info={"label": _l("Edition of the rules")})
    pso_step: so.Mapped[str | None] = so.mapped_column(sa.String(20),
                                                       info={"label": _l("PSO step")})
    pso_valid_from: so.Mapped[date | None] = so.mapped_column(info={"label": _l("PSO valid from")})
    pso_valid_until: so.Mapped[date | None] = so.mapped_column(info={"label": _l("PSO valid until")})
    # The Social Return percentage of this contract ("in principe" 5 %, the edition's default).
    sroi_percentage: so.Mapped[Decimal] = so.mapped_column(
        sa.Numeric(5, 2), default=Decimal("5.00"), server_default="5.00",
        info={"label": _l("Social Return percentage")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    # The optimistic lock (see Claim.lock_version): the form carries it, a stale save is refused.
    lock_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1",
                                                    info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    client: so.Mapped[Organisation] = so.relationship(foreign_keys=[client_id])
    provider: so.Mapped[Organisation] = so.relationship(foreign_keys=[provider_id])
    years: so.Mapped[list[ContractYear]] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractYear.year")
    extensions: so.Mapped[list[Extension]] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Extension.start")
    subcontractors: so.Mapped[list[Subcontractor]] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Subcontractor.name")
    claims: so.Mapped[list[Claim]] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Claim.id")
    evidence: so.Mapped[list[Evidence]] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Evidence.id")
    evaluation: so.Mapped[FinalEvaluation | None] = so.relationship(
        back_populates="contract", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Contract {self.reference!r}>"

    @classmethod
    def scope_filter(cls, user: User) -> sa.ColumnElement[bool]:
        """Adviser and coordinator: the region's contracts; intaker: their provider's;
        klantmanager: their municipality's and the region's; everyone else: none."""
        conditions = []
        if user.has_role(Role.SROI_ADVISEUR, Role.COORDINATOR):
            conditions.append(_client_in_region(region_of(user)))
        if user.has_role(Role.INTAKER):
            conditions.append(cls.provider_id == user.organisation_id)
        if user.has_role(Role.KLANTMANAGER):
            own = [user.organisation_id]
            if user.organisation.region_id is not None:
                own.append(user.organisation.region_id)
            conditions.append(cls.client_id.in_(own))
        return sa.or_(*conditions) if conditions else sa.false()

    @property
    def base_years(self) -> list[ContractYear]:
        return [y for y in self.years if y.extension_id is None]

    @property
    def plan(self) -> Evidence | None:
        """The plan of approach: the newest file uploaded as such."""
        plans = [e for e in self.evidence if e.kind == EVIDENCE_PLAN]
        return plans[-1] if plans else None

    @property
    def pso_certificate(self) -> Evidence | None:
        """The PSO certificate: the newest file uploaded as such (earlier files are kept)."""
        files = [e for e in self.evidence if e.kind == EVIDENCE_PSO]
        return files[-1] if files else None

    @property
    def period_end(self) -> date:
        """The end of the base period or of the last exercised extension."""
        ends = [e.end for e in self.extensions if e.exercised]
        return max([self.end, *ends])


class Extension(db.Model):
    """An extension period the contract allows; counts once exercised."""

    __tablename__ = "sroi_extension"
    __audit__ = True
    __label__ = _l("Contract extension")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), index=True, info={"shown": False})
    start: so.Mapped[date] = so.mapped_column(info={"label": _l("Start")})
    end: so.Mapped[date] = so.mapped_column(info={"label": _l("End")})
    exercised: so.Mapped[bool] = so.mapped_column(default=False, info={"label": _l("Exercised")})

    contract: so.Mapped[Contract] = so.relationship(back_populates="extensions")


class ContractYear(db.Model):
    """One calendar year's revenue: the forecast (due 1 June), later the actual figure
    (due 1 March the year after), and the adviser's yearly review."""

    __tablename__ = "sroi_contract_year"
    __audit__ = True
    __label__ = _l("Contract year")
    __table_args__ = (sa.UniqueConstraint("contract_id", "year"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), index=True, info={"shown": False})
    extension_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sroi_extension.id", ondelete="SET NULL"), info={"shown": False})
    year: so.Mapped[int] = so.mapped_column(info={"label": _l("Year")})
    forecast: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                           info={"label": _l("Forecast revenue"), "format": "money"})
    actual: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                         info={"label": _l("Actual revenue"), "format": "money"})
    forecast_due: so.Mapped[date] = so.mapped_column(info={"label": _l("Forecast due")})
    actual_due: so.Mapped[date] = so.mapped_column(info={"label": _l("Actual figure due")})
    forecast_submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                         info={"label": _l("Forecast submitted on")})
    actual_submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                       info={"label": _l("Actual figure submitted on")})
    reviewed_on: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Reviewed on")})
    reviewed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                             info={"label": _l("Reviewed by")})
    # The optimistic lock (see Claim.lock_version): the form carries it, a stale save is refused.
    lock_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1",
                                                    info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    contract: so.Mapped[Contract] = so.relationship(back_populates="years")
    extension: so.Mapped[Extension | None] = so.relationship()
    reviewed_by: so.Mapped[User | None] = so.relationship()

    @property
    def revenue(self) -> Decimal:
        """What counts for the obligation: the actual figure once given, else the forecast."""
        if self.actual is not None:
            return self.actual
        return self.forecast if self.forecast is not None else Decimal("0.00")

    @property
    def review_due(self) -> date:
        """The adviser reviews a year's figures within three months after the actual is due."""
        return add_months(self.actual_due, 3)


class Subcontractor(db.Model):
    """A subcontractor whose contributions count for the main provider (which stays responsible)."""

    __tablename__ = "sroi_subcontractor"
    __audit__ = True
    __label__ = _l("Subcontractor")
    __title__ = "name"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), index=True, info={"shown": False})
    name: so.Mapped[str] = so.mapped_column(sa.String(160), info={"label": _l("Name")})

    contract: so.Mapped[Contract] = so.relationship(back_populates="subcontractors")


class Evidence(db.Model):
    """An uploaded file (invoice, proof, plan of approach), stored outside the static folder
    under a random name; only its owner provider's staff and the SROI adviser download it."""

    __tablename__ = "sroi_evidence"
    __audit__ = True
    __label__ = _l("Evidence")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), index=True, info={"shown": False})
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default=EVIDENCE_CLAIM,
                                            info={"label": _l("Kind"), "values": EVIDENCE_LABELS})
    claim_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sroi_claim.id", ondelete="CASCADE"), index=True, info={"label": _l("Claim")})
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True,
                                                   info={"shown": False})
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255),
                                                     info={"label": _l("File name")})
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100), info={"shown": False})
    size: so.Mapped[int] = so.mapped_column(info={"shown": False})
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), info={"shown": False})
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                             info={"label": _l("Uploaded by")})
    uploaded_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                        info={"shown": False})

    contract: so.Mapped[Contract] = so.relationship(back_populates="evidence")
    claim: so.Mapped[Claim | None] = so.relationship(back_populates="evidence")
    uploaded_by: so.Mapped[User | None] = so.relationship()

    @property
    def kind_label(self) -> str:
        return str(EVIDENCE_LABELS.get(self.kind, self.kind))

    @property
    def audit_subject(self) -> tuple[str, int | None] | None:
        """A claim's file is about whom its claim is about (retention blanks its trail with
        theirs); a contract's plan or PSO file is about no one person."""
        return self.claim.audit_subject if self.claim is not None else None

    @classmethod
    def scope_filter(cls, user: User) -> sa.ColumnElement[bool]:
        """Evidence may hold personal data: the provider's own intakers and the region's adviser only."""
        conditions = []
        if user.has_role(Role.SROI_ADVISEUR):
            conditions.append(cls.contract_id.in_(
                sa.select(Contract.id).where(_client_in_region(region_of(user)))))
        if user.has_role(Role.INTAKER):
            conditions.append(cls.contract_id.in_(
                sa.select(Contract.id).where(Contract.provider_id == user.organisation_id)))
        return sa.or_(*conditions) if conditions else sa.false()


class Claim(db.Model):
    """One contribution the provider claims: a purchase, a social activity or a fund payment.

    Approval freezes ``approved_value``, ``approved_explain``, ``approved_rulebook`` and
    ``approved_on``; the ledger then uses those, never a recomputation.
    """

    __tablename__ = "sroi_claim"
    __audit__ = True
    __label__ = _l("Claim")
    __title__ = "description"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), index=True, info={"shown": False})
    kind: so.Mapped[ClaimKind] = so.mapped_column(_enum(ClaimKind), info={"label": _l("Kind")})
    status: so.Mapped[ClaimStatus] = so.mapped_column(_enum(ClaimStatus), default=ClaimStatus.CONCEPT,
                                                      info={"label": _l("Status")})
    description: so.Mapped[str] = so.mapped_column(sa.String(300), default="",
                                                   info={"label": _l("Description")})
    day: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Date")})
    subcontractor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sroi_subcontractor.id", ondelete="SET NULL"),
        info={"label": _l("Subcontractor")})
    # labour participation: the stage and the part of it claimed (both ends inclusive)
    stage_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("stage.id", ondelete="SET NULL"), index=True, info={"label": _l("Stage")})
    period_start: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Period from")})
    period_end: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Period to")})
    # purchase
    supplier_name: so.Mapped[str | None] = so.mapped_column(sa.String(160),
                                                            info={"label": _l("Supplier")})
    supplier_type: so.Mapped[str | None] = so.mapped_column(sa.String(40),
                                                            info={"label": _l("Kind of supplier")})
    # purchase (invoice excluding VAT) and fund (the payment)
    amount: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                         info={"label": _l("Amount"), "format": "money"})
    # activity: the real hours or custom value, and what was planned in a proposal
    hours: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(8, 2),
                                                        info={"label": _l("Hours")})
    custom_value: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                               info={"label": _l("Value"), "format": "money"})
    planned_hours: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(8, 2),
                                                                info={"label": _l("Planned hours")})
    planned_value: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                                info={"label": _l("Planned value"), "format": "money"})
    # the flow
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                            info={"label": _l("Created by")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                info={"label": _l("Submitted on")})
    judged_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                             info={"label": _l("Judged on")})
    judged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                           info={"label": _l("Judged by")})
    proposal_judged_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                      info={"label": _l("Proposal judged on")})
    rejection_reason: so.Mapped[str | None] = so.mapped_column(sa.Text,
                                                               info={"label": _l("Reason for rejection")})
    # frozen at approval
    approved_value: so.Mapped[Decimal | None] = so.mapped_column(Money,
                                                                 info={"label": _l("Approved value"), "format": "money"})
    approved_explain: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON, info={"shown": False})
    approved_rulebook: so.Mapped[str | None] = so.mapped_column(sa.String(60),
                                                                info={"label": _l("Edition of the rules")})
    approved_on: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Approved on")})
    # The optimistic lock: every form on a claim (edit, submit, judge) carries the version it
    # was loaded with; a stale one is refused and the UPDATE checks it too (two advisers).
    lock_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1",
                                                    info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}
    # The ledgers read a contract's claims by kind (purchases, activities and funds loaded,
    # labour summed with its status and frozen value from the index alone); the home panels
    # read the claims waiting in a status, oldest submitted first.
    __table_args__ = (
        sa.Index("ix_sroi_claim_contract_kind", "contract_id", "kind", "status",
                 "approved_value"),
        sa.Index("ix_sroi_claim_status_contract", "status", "contract_id", "submitted_at"),
    )

    contract: so.Mapped[Contract] = so.relationship(back_populates="claims")
    stage: so.Mapped[Stage | None] = so.relationship("Stage")
    subcontractor: so.Mapped[Subcontractor | None] = so.relationship()
    evidence: so.Mapped[list[Evidence]] = so.relationship(
        back_populates="claim", order_by="Evidence.id", cascade="all, delete-orphan")
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    judged_by: so.Mapped[User | None] = so.relationship(foreign_keys=[judged_by_id])

    @classmethod
    def scope_filter(cls, user: User) -> sa.ColumnElement[bool]:
        """A claim is in scope when its contract is."""
        return cls.contract_id.in_(sa.select(Contract.id).where(Contract.scope_filter(user)))

    @property
    def audit_subject(self) -> tuple[str, int | None] | None:
        """A labour claim is about the candidate of its stage, so destroying their file
        blanks its trail too; a purchase, an activity or a fund payment names no stage and
        is about the provider, no one person (docs/security.md)."""
        stage = self.stage
        return ("Candidate", stage.candidate_id) if stage is not None else None

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def title(self) -> str:
        if self.kind is ClaimKind.PURCHASE:
            return self.supplier_name or self.description or self.kind.label
        return self.description or self.kind.label

    @property
    def is_proposal(self) -> bool:
        return self.status in (ClaimStatus.PROPOSED, ClaimStatus.AGREED)


class FinalEvaluation(db.Model):
    """The evaluation at the contract's end: the figures at the decision, the shortfall and
    the agreed remedy (handhaving), with the decision, its date and who decided."""

    __tablename__ = "sroi_final_evaluation"
    __audit__ = True
    __label__ = _l("Final evaluation")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"), unique=True, info={"shown": False})
    obligation: so.Mapped[Decimal] = so.mapped_column(Money,
                                                      info={"label": _l("Obligation"), "format": "money"})
    approved: so.Mapped[Decimal] = so.mapped_column(Money,
                                                    info={"label": _l("Approved"), "format": "money"})
    shortfall: so.Mapped[Decimal] = so.mapped_column(Money,
                                                     info={"label": _l("Shortfall"), "format": "money"})
    remedy: so.Mapped[Remedy] = so.mapped_column(_enum(Remedy, 30), info={"label": _l("Remedy")})
    decision: so.Mapped[str] = so.mapped_column(sa.Text, info={"label": _l("Decision")})
    decided_on: so.Mapped[date] = so.mapped_column(info={"label": _l("Decided on")})
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                            info={"label": _l("Decided by")})
    decided_by_name: so.Mapped[str] = so.mapped_column(sa.String(120),
                                                       info={"label": _l("Decided by (name)")})
    # The optimistic lock (see Claim.lock_version): the form carries it, a stale save is refused.
    lock_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1",
                                                    info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    contract: so.Mapped[Contract] = so.relationship(back_populates="evaluation")
    decided_by: so.Mapped[User | None] = so.relationship()
