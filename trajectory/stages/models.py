"""Stages of a learning line (leerlijn).

A stage is one step of a candidate at one provider: an intake, coaching, a
werkervaringsplaats, a BBL place, a BOL or VSO internship, a VSO workplace, a
paid job or an additional project. The kinds and their fields are exactly the
valuation engine's (``shared/sroi-scenarios/FORMAT.md``) plus
``additional_project`` (valued as hours at the activity rate), so the engine can
value a stage as it is (``trajectory.stages.valuation``). What each kind shows,
asks and means is described once, in ``trajectory.stages.kinds`` (``StageKind``
lives there and is imported here as before).

Every row names the candidate as its data subject, so the candidate's
"Geschiedenis" shows stage changes too. ``version`` is the optimistic lock:
forms carry it and a stale save is refused with a conflict message.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.organisations.models import Organisation
from trajectory.providers.models import OfferItem, Vacancy
from trajectory.stages.kinds import StageKind, kinds_where
from trajectory.timeutil import today, utcnow


def _enum(cls: type[enum.Enum], length: int = 30) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


# A stage of these kinds at a provider absorbs that provider's coaching (FORMAT.md rule 9).
ABSORBING_KINDS = kinds_where(lambda k: k.absorbs_coaching)


class StageStatus(enum.StrEnum):
    VOORGESTELD = "voorgesteld"   # proposed by the klantmanager, waiting for the provider
    AFGEWEZEN = "afgewezen"       # declined by the provider, with a reason
    GEPLAND = "gepland"           # accepted, not started
    LOPEND = "lopend"
    AFGEROND = "afgerond"
    AFGEBROKEN = "afgebroken"     # stopped early (or cancelled before the start), with a reason

    @property
    def label(self) -> str:
        return label_text(STATUS_LABELS[self])

    @property
    def tone(self) -> str:
        return STATUS_TONES[self]


STATUS_LABELS = {
    StageStatus.VOORGESTELD: _l("proposed"),
    StageStatus.AFGEWEZEN: _l("declined"),
    StageStatus.GEPLAND: _l("planned"),
    StageStatus.LOPEND: _l("running"),
    StageStatus.AFGEROND: _l("completed"),
    StageStatus.AFGEBROKEN: _l("stopped"),
}
STATUS_TONES = {
    StageStatus.VOORGESTELD: "warning",
    StageStatus.AFGEWEZEN: "muted",
    StageStatus.GEPLAND: "neutral",
    StageStatus.LOPEND: "ok",
    StageStatus.AFGEROND: "neutral",
    StageStatus.AFGEBROKEN: "error",
}
# Statuses that take a place of the provider's offer.
USING_CAPACITY = (StageStatus.GEPLAND, StageStatus.LOPEND)
ENDED = (StageStatus.AFGEROND, StageStatus.AFGEBROKEN)


class CareChoice(enum.StrEnum):
    """The recorded choice when the candidate is also a care client of the provider."""

    SOCIALE_RETURN = "sociale_return"
    ZORG = "zorg"

    @property
    def label(self) -> str:
        return label_text(CARE_LABELS[self])


CARE_LABELS = {
    CareChoice.SOCIALE_RETURN: _l("Social Return"),
    CareChoice.ZORG: _l("Care (not Social Return)"),
}


class ContractType(enum.StrEnum):
    PERMANENT = "onbepaalde_tijd"
    TEMPORARY = "bepaalde_tijd"
    ON_CALL = "oproep"

    @property
    def label(self) -> str:
        return label_text(CONTRACT_LABELS[self])


CONTRACT_LABELS = {
    ContractType.PERMANENT: _l("Permanent contract"),
    ContractType.TEMPORARY: _l("Temporary contract"),
    ContractType.ON_CALL: _l("On-call contract"),
}

TRANSFER_REASON = "doorplaatsing"


# An outcome recorded and not marked handled since (the partial index's WHERE; the task
# lists say the same with the columns).
HANDOVER_OPEN = ("outcome_recorded_at IS NOT NULL AND (outcome_handled_at IS NULL "
                 "OR outcome_handled_at < outcome_recorded_at)")


class Stage(db.Model):
    """One stage of a candidate's learning line at one provider."""

    __tablename__ = "stage"
    __audit__ = True
    __label__ = _l("Stage")
    __title__ = "kind"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                   info={"label": _l("Provider")})
    kind: so.Mapped[StageKind] = so.mapped_column(_enum(StageKind), index=True,
                                                  info={"label": _l("Kind of stage")})
    status: so.Mapped[StageStatus] = so.mapped_column(
        _enum(StageStatus, 20), default=StageStatus.VOORGESTELD, index=True,
        info={"label": _l("Status")})
    # Responsible person: a user of the provider, or a name typed in.
    responsible_user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id"), index=True, info={"label": _l("Responsible person")})
    responsible_name: so.Mapped[str | None] = so.mapped_column(sa.String(120),
                                                               info={"label": _l("Responsible person")})
    planned_start: so.Mapped[date] = so.mapped_column(info={"label": _l("Planned start")})
    planned_end: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Planned end")})  # None: open-ended (a permanent job)
    actual_start: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Start date")})
    actual_end: so.Mapped[date | None] = so.mapped_column(info={"label": _l("End date")})
    end_reason: so.Mapped[str | None] = so.mapped_column(sa.String(500),
                                                         info={"label": _l("Reason for the end")})
    note: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"label": _l("Note")})
    # Hand-over: proposed by the klantmanager, answered by the provider's intaker.
    proposed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                             info={"label": _l("Proposed by")})
    proposed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                        info={"shown": False})
    answer_due: so.Mapped[date | None] = so.mapped_column(index=True, info={"shown": False})
    answered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                             info={"label": _l("Answered by")})
    answered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                               info={"shown": False})
    decline_reason: so.Mapped[str | None] = so.mapped_column(sa.String(500),
                                                             info={"label": _l("Reason for declining")})
    # Plan fields (FORMAT.md); which kind has which: trajectory/stages/kinds.py.
    level: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Level")})
    hours_per_week: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2),
                                                                 info={"label": _l("Hours per week")})
    permanent: so.Mapped[bool] = so.mapped_column(default=False,
                                                  info={"label": _l("Permanent contract")})
    job_title: so.Mapped[str | None] = so.mapped_column(sa.String(160),
                                                        info={"label": _l("Job title")})
    hours: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(7, 2),
                                                        info={"label": _l("Hours")})
    # Outcome fields; which kind asks which: trajectory/stages/kinds.py.
    suitable_for_care: so.Mapped[bool | None] = so.mapped_column(info={"label": _l("Suitable for care work")})              # intake
    suitable_level: so.Mapped[int | None] = so.mapped_column(info={"label": _l("At which level")})                  # intake
    suitable_function: so.Mapped[str | None] = so.mapped_column(sa.String(160),
                                                                info={"label": _l("In which function")})  # intake
    next_step_decision: so.Mapped[str | None] = so.mapped_column(sa.Text,
                                                                 info={"label": _l("Decision on the next step")})  # werkervaringsplaats
    next_step_decided_on: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Decided on")})           # werkervaringsplaats
    diploma: so.Mapped[bool | None] = so.mapped_column(info={"label": _l("Diploma obtained")})                        # bbl, bol
    contract_type: so.Mapped[ContractType | None] = so.mapped_column(_enum(ContractType, 20),
                                                                     info={"label": _l("Type of contract")})
    contract_hours: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2),
                                                                 info={"label": _l("Contract hours per week")})
    contract_start: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Contract start")})
    # werkervaringsplaats: the end agreed with the candidate (TRAJECTORIES.md T7); None:
    # the planned end is the agreement.
    agreed_end: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Agreed end")})
    outcome_note: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"label": _l("Outcome")})
    outcome_recorded_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                       info={"shown": False})
    outcome_recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id"), info={"label": _l("Outcome recorded by")})
    # Hand-over (migration 0014): the klantmanager marked the recorded outcome (an intake's,
    # a werkervaringsplaats's decision) handled; an outcome recorded later is a new task.
    outcome_handled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                      info={"shown": False})
    outcome_handled_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id"), info={"label": _l("Outcome handled by")})
    # Care-client overlap: the candidate is a care client of this provider.
    care_client: so.Mapped[bool] = so.mapped_column(default=False,
                                                    info={"label": _l("Care client of this provider")})
    care_choice: so.Mapped[CareChoice | None] = so.mapped_column(_enum(CareChoice, 20),
                                                                 info={"label": _l("Counts as")})
    care_reason: so.Mapped[str | None] = so.mapped_column(sa.String(1000),
                                                          info={"label": _l("Reason for the choice")})
    care_decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                                 info={"label": _l("Care choice made by")})
    care_decided_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                   info={"shown": False})
    # Links: the stage this one follows from (an outcome, or a doorplaatsing),
    # the place of the provider's offer it uses, the vacancy it fills.
    previous_stage_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("stage.id", ondelete="SET NULL"), index=True, info={"label": _l("Follows")})
    via_transfer: so.Mapped[bool] = so.mapped_column(default=False, info={"shown": False})
    offer_item_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("offer_item.id", ondelete="SET NULL"), index=True,
        info={"label": _l("Place from the offer")})
    vacancy_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("vacancy.id", ondelete="SET NULL"), index=True,
        info={"label": _l("Fills vacancy")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, info={"shown": False})
    version: so.Mapped[int] = so.mapped_column(default=1, info={"shown": False})

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint("level IS NULL OR (level >= 1 AND level <= 4)", name="level_1_4"),
        sa.CheckConstraint("planned_end IS NULL OR planned_end >= planned_start",
                           name="planned_end_after_start"),
        # The task lists, the signals and the learning line (migration 0017).
        sa.Index("ix_stage_candidate_status", "candidate_id", "status"),
        # The intaker's scope reads the provider's stages from the index only (0019).
        sa.Index("ix_stage_provider_status_end", "provider_id", "status", "actual_end",
                 "candidate_id"),
        # A task section is a status and a date range or order ("ending within 30 days").
        sa.Index("ix_stage_status_planned_start", "status", "planned_start"),
        sa.Index("ix_stage_status_planned_end", "status", "planned_end"),
        sa.Index("ix_stage_status_answered_at", "status", "answered_at"),
        sa.Index("ix_stage_status_actual_end", "status", "actual_end"),
        # The places in use per offer item (the coordinator's and klantmanager's offer panel):
        # the planned and running stages with an offer item, from the index alone.
        sa.Index("ix_stage_status_offer_item", "status", "offer_item_id"),
        # The provider's proposals to answer by due date (the intaker's home): without it
        # PostgreSQL walked ix_stage_answer_due past every stage of the region (0021).
        sa.Index("ix_stage_provider_status_due", "provider_id", "status", "answer_due", "id"),
        # The places in use of given offer items (the provider's own offer panel): without
        # it SQLite read every running stage of the region to find the few linked ones.
        sa.Index("ix_stage_offer_item_status", "offer_item_id", "status"),
        # The outcomes still to act on (the klantmanager's hand-over sections, tasks.py
        # ``_handover_open``), in their order: a few thousand rows of the region instead of
        # every intake and work-experience stage; and the later proposal of a candidate
        # that answers one (0028).
        sa.Index("ix_stage_handover_open", "kind", "outcome_recorded_at", "id", "candidate_id",
                 "outcome_handled_at", "next_step_decision",
                 sqlite_where=sa.text(HANDOVER_OPEN), postgresql_where=sa.text(HANDOVER_OPEN)),
        sa.Index("ix_stage_candidate_proposed", "candidate_id", "proposed_at"),
        # The klantmanager's proposals to answer by due date: PostgreSQL walked
        # ix_stage_answer_due past the region's answered stages (315 ms at 100,000; 0028).
        sa.Index("ix_stage_status_due", "status", "answer_due", "id"),
    )

    candidate: so.Mapped[Candidate] = so.relationship()
    provider: so.Mapped[Organisation] = so.relationship(foreign_keys=[provider_id])
    responsible_user: so.Mapped[User | None] = so.relationship(foreign_keys=[responsible_user_id])
    proposed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[proposed_by_id])
    answered_by: so.Mapped[User | None] = so.relationship(foreign_keys=[answered_by_id])
    outcome_recorded_by: so.Mapped[User | None] = so.relationship(
        foreign_keys=[outcome_recorded_by_id])
    care_decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[care_decided_by_id])
    outcome_handled_by: so.Mapped[User | None] = so.relationship(
        foreign_keys=[outcome_handled_by_id])
    previous_stage: so.Mapped[Stage | None] = so.relationship(remote_side=[id])
    offer_item: so.Mapped[OfferItem | None] = so.relationship()
    vacancy: so.Mapped[Vacancy | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<Stage {self.id} {self.kind.value} {self.status.value}>"

    @property
    def audit_subject(self) -> tuple[str, int]:
        return ("Candidate", self.candidate_id)

    @classmethod
    def scope_filter(cls, user: Any) -> sa.ColumnElement[bool]:
        from trajectory.stages.scope import stage_scope

        return stage_scope(user)

    # ---------------------------------------------------------------- reading

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def title(self) -> str:
        """"Werkervaringsplaats — Gastvrouw" as lists show a stage."""
        detail = self.job_title or (self.offer_item.title if self.offer_item_id and self.offer_item
                                    else None)
        return f"{self.kind.label} – {detail}" if detail else self.kind.label

    @property
    def responsible(self) -> str | None:
        if self.responsible_user is not None:
            return self.responsible_user.full_name
        return self.responsible_name

    @property
    def start(self) -> date:
        """The start as it happened, else as planned."""
        return self.actual_start or self.planned_start

    @property
    def end(self) -> date | None:
        """The end as it happened, else as planned (None: open-ended)."""
        if self.actual_end is not None:
            return self.actual_end
        return self.planned_end

    @property
    def never_started(self) -> bool:
        """Stopped (or declined) before it started."""
        return self.actual_start is None and self.status in (StageStatus.AFGEBROKEN,
                                                              StageStatus.AFGEWEZEN)

    @property
    def is_zorg(self) -> bool:
        return self.care_choice is CareChoice.ZORG

    @property
    def care_choice_missing(self) -> bool:
        return self.care_client and self.care_choice is None

    @property
    def has_outcome(self) -> bool:
        return self.outcome_recorded_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in (StageStatus.VOORGESTELD, StageStatus.GEPLAND, StageStatus.LOPEND)

    @property
    def answer_overdue(self) -> bool:
        return (self.status is StageStatus.VOORGESTELD and self.answer_due is not None
                and self.answer_due < today())

    def overlaps(self, other: Stage) -> bool:
        far = date.max
        return self.start <= (other.end or far) and other.start <= (self.end or far)

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def provider_users_with_role(provider_id: int, role: Role) -> sa.Select:
    from trajectory.auth.models import UserRole

    return (sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id == provider_id, UserRole.role == role,
                   User.active.is_(True)))


class StageValue(db.Model):
    """A stage's value as the person's valuation gave it, stored so the sums are SQL.

    Written only by ``trajectory.stages.stored_values`` (never by hand): the value, the
    explanation lines and the reason, the contract and edition it counts under, the
    valued days (``tally``: enough to value any part of them exactly, as the engine's
    running totals do) and what the ledger's forecast line of the stage holds (what
    labour claims do not cover yet, and the year it counts in). Not audited: it is
    derived from audited rows and rebuilt from them at any time.
    """

    __tablename__ = "stage_value"

    stage_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("stage.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # The contract the valuation credits (None: no contract covers it, or no value).
    contract_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="SET NULL"), index=True)
    # The contract whose ledger lists the stage (also a stage without a value yet).
    line_contract_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="SET NULL"))
    rulebook: so.Mapped[str | None] = so.mapped_column(sa.String(60))  # edition name
    value: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(12, 2))
    explain: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    flags: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    valued_start: so.Mapped[date | None] = so.mapped_column()
    valued_end: so.Mapped[date | None] = so.mapped_column()
    tally: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    # The forecast line: None when labour claims cover every valued day.
    forecast_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    forecast_value: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(12, 2))
    forecast_year: so.Mapped[int | None] = so.mapped_column()
    forecast_note: so.Mapped[str | None] = so.mapped_column(sa.Text)  # "not claimed yet: ..."
    computed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                        default=utcnow)

    stage: so.Mapped[Stage] = so.relationship(viewonly=True)

    __table_args__ = (
        # The ledgers' sums per contract and year read the index only (widened in 0019).
        sa.Index("ix_stage_value_line_contract_year", "line_contract_id", "forecast_year",
                 "forecast_status", "forecast_value"),
        sa.Index("ix_stage_value_provider_year", "provider_id", "forecast_year"),
        # The provider's stages to submit, counted and ordered per contract (0019).
        sa.Index("ix_stage_value_line_forecast", "line_contract_id", "forecast_status",
                 "valued_start", "stage_id", "forecast_value"),
    )


class StageClaimValue(db.Model):
    """A labour claim's part of its stage, valued now (an approved claim keeps its frozen
    ``approved_value`` on the claim itself; this row is the value before approval)."""

    __tablename__ = "stage_claim_value"

    claim_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_claim.id", ondelete="CASCADE"), primary_key=True)
    stage_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("stage.id", ondelete="CASCADE"), index=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    contract_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sroi_contract.id", ondelete="CASCADE"))
    year: so.Mapped[int] = so.mapped_column()
    value: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(12, 2))
    explain: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    flags: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    computed_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                        default=utcnow)

    stage: so.Mapped[Stage] = so.relationship(viewonly=True)

    __table_args__ = (sa.Index("ix_stage_claim_value_contract_year", "contract_id", "year"),)
