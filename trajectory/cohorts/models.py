"""Cohorts (waves) at the overlegtafel and their quarterly evaluations.

A cohort has a name, a start quarter, its municipalities, 5 or 6 candidates
(proposed by klantmanagers, accepted by the coordinator), the 5 or 6 providers
at the table and per candidate the agreement who does what. Each quarter the
table evaluates the cohort; closing an evaluation freezes its figures in
``snapshot`` (JSON), so later changes to the daily data do not change it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.cohorts.labels import stage_kind_label
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.organisations.models import Organisation
from trajectory.timeutil import utcnow


def _enum(cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


def quarter_start(day: date) -> date:
    """The first day of the quarter ``day`` falls in."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: date) -> date:
    """The last day of the quarter that starts on ``start``."""
    month = start.month + 3
    year = start.year + (month > 12)
    month = month - 12 if month > 12 else month
    return date.fromordinal(date(year, month, 1).toordinal() - 1)


def next_quarter(start: date) -> date:
    return date.fromordinal(quarter_end(start).toordinal() + 1)


def quarter_label(start: date) -> str:
    """``K2 2026`` in every language (the overlegtafel's own notation)."""
    return f"K{(start.month - 1) // 3 + 1} {start.year}"


class CohortCandidateStatus(enum.StrEnum):
    PROPOSED = "voorgesteld"
    ACCEPTED = "geaccepteerd"
    DECLINED = "afgewezen"

    @property
    def label(self) -> str:
        return label_text(STATUS_LABELS[self])


STATUS_LABELS = {
    CohortCandidateStatus.PROPOSED: _l("proposed"),
    CohortCandidateStatus.ACCEPTED: _l("at the table"),
    CohortCandidateStatus.DECLINED: _l("not taken up"),
}


class DecisionKind(enum.StrEnum):
    DECISION = "besluit"
    LESSON = "les"

    @property
    def label(self) -> str:
        return label_text(DECISION_LABELS[self])


DECISION_LABELS = {
    DecisionKind.DECISION: _l("Decision"),
    DecisionKind.LESSON: _l("Lesson for the next cohort"),
}


class Cohort(db.Model):
    """A wave of candidates and providers at the overlegtafel."""

    __tablename__ = "cohort"
    __audit__ = True
    __label__ = _l("Cohort")
    __title__ = "name"
    __table_args__ = (sa.Index("ix_cohort_list", "start_quarter", "name", "id"),)  # the list

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True, info={"label": _l("Name")})
    start_quarter: so.Mapped[date] = so.mapped_column(sa.Date, index=True,
                                                      info={"label": _l("Start quarter"), "values": lambda value: quarter_label(date.fromisoformat(value)) if isinstance(value, str) else None})
    description: so.Mapped[str] = so.mapped_column(sa.String(1000), default="",
                                                   info={"label": _l("Description")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                            info={"shown": False})

    municipality_rows: so.Mapped[list[CohortMunicipality]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortMunicipality.id")
    candidate_rows: so.Mapped[list[CohortCandidate]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortCandidate.id")
    provider_rows: so.Mapped[list[CohortProvider]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortProvider.id")
    agreements: so.Mapped[list[CohortAgreement]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortAgreement.id")
    evaluations: so.Mapped[list[Evaluation]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan",
        order_by="Evaluation.quarter_start")

    def __repr__(self) -> str:
        return f"<Cohort {self.name!r}>"

    @classmethod
    def scope_filter(cls, user: Any) -> sa.ColumnElement[bool]:
        """The coordinator sees every cohort; a klantmanager the cohorts of their
        municipality; an intaker the cohorts their provider sits at the table of."""
        conditions: list[sa.ColumnElement[bool]] = []
        if user.has_role(Role.COORDINATOR):
            conditions.append(sa.true())
        if user.has_role(Role.KLANTMANAGER):
            conditions.append(cls.id.in_(sa.select(CohortMunicipality.cohort_id).where(
                CohortMunicipality.municipality_id == user.organisation_id)))
        if user.has_role(Role.INTAKER):
            conditions.append(cls.id.in_(sa.select(CohortProvider.cohort_id).where(
                CohortProvider.provider_id == user.organisation_id)))
        return sa.or_(*conditions) if conditions else sa.false()

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.start_quarter)

    @property
    def municipalities(self) -> list[Organisation]:
        return sorted((row.municipality for row in self.municipality_rows), key=lambda o: o.name)

    @property
    def providers(self) -> list[Organisation]:
        return sorted((row.provider for row in self.provider_rows), key=lambda o: o.name)

    @property
    def accepted(self) -> list[CohortCandidate]:
        return [row for row in self.candidate_rows
                if row.status is CohortCandidateStatus.ACCEPTED]

    @property
    def proposed(self) -> list[CohortCandidate]:
        return [row for row in self.candidate_rows
                if row.status is CohortCandidateStatus.PROPOSED]


class CohortMunicipality(db.Model):
    __tablename__ = "cohort_municipality"
    __audit__ = True
    __label__ = _l("Municipality at the cohort")
    __table_args__ = (sa.UniqueConstraint("cohort_id", "municipality_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"),
                                                 index=True, info={"label": _l("Cohort")})
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"),
                                                       index=True,
                                                       info={"label": _l("Municipality")})

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="municipality_rows")
    municipality: so.Mapped[Organisation] = so.relationship()


class CohortCandidate(db.Model):
    """A candidate proposed for (and possibly accepted at) the cohort's table."""

    __tablename__ = "cohort_candidate"
    __audit__ = True
    __label__ = _l("Place at a cohort's table")
    __table_args__ = (sa.UniqueConstraint("cohort_id", "candidate_id"),
                      sa.Index("ix_cohort_candidate_status_candidate", "status", "candidate_id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"),
                                                 index=True, info={"label": _l("Cohort")})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    status: so.Mapped[CohortCandidateStatus] = so.mapped_column(
        _enum(CohortCandidateStatus), default=CohortCandidateStatus.PROPOSED,
        info={"label": _l("Status")})
    motivation: so.Mapped[str] = so.mapped_column(sa.String(500), default="",
                                                  info={"label": _l("Motivation")})
    proposed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                             info={"label": _l("Proposed by")})
    proposed_on: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("Proposed on")})
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                            info={"label": _l("Decided by")})
    decided_on: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("Decided on")})
    # Optimistic lock (migration 0009): of two decisions at the same moment only the first is
    # written; the second gets the conflict page (trajectory/main/errors.py).
    lock_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1",
                                                    info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="candidate_rows")
    candidate: so.Mapped[Candidate] = so.relationship()
    proposed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[proposed_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return ("Candidate", self.candidate_id)

    @property
    def accepted(self) -> bool:
        return self.status is CohortCandidateStatus.ACCEPTED

    @property
    def joined_on(self) -> date:
        """The day the candidate came to the table (the inflow date)."""
        return self.decided_on or self.proposed_on


class CohortProvider(db.Model):
    """A provider at the cohort's table."""

    __tablename__ = "cohort_provider"
    __audit__ = True
    __label__ = _l("Provider at the cohort")
    __table_args__ = (sa.UniqueConstraint("cohort_id", "provider_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"),
                                                 index=True, info={"label": _l("Cohort")})
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                   info={"label": _l("Provider")})

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="provider_rows")
    provider: so.Mapped[Organisation] = so.relationship()


class CohortAgreement(db.Model):
    """Who does what for one candidate: a provider takes a stage kind or a support task."""

    __tablename__ = "cohort_agreement"
    __audit__ = True
    __label__ = _l("Cohort agreement")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"),
                                                 index=True, info={"label": _l("Cohort")})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                   info={"label": _l("Provider")})
    stage_kind: so.Mapped[str | None] = so.mapped_column(sa.String(30),
                                                         info={"label": _l("Kind of stage"), "values": stage_kind_label})
    support: so.Mapped[str | None] = so.mapped_column(sa.String(300), info={"label": _l("Support")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="agreements")
    candidate: so.Mapped[Candidate] = so.relationship()
    provider: so.Mapped[Organisation] = so.relationship()

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return ("Candidate", self.candidate_id)


class Evaluation(db.Model):
    """The overlegtafel's evaluation of one cohort in one quarter.

    Open: the figures are computed from the daily work on every view. Closed:
    ``snapshot`` holds them as they were at closing, and nothing changes any more.
    """

    __tablename__ = "cohort_evaluation"
    __audit__ = True
    __label__ = _l("Quarterly evaluation")
    # The snapshot is the closed evaluation itself; the trail only notes it was written.
    __audit_redact__ = frozenset({"snapshot"})
    __table_args__ = (sa.UniqueConstraint("cohort_id", "quarter_start"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"),
                                                 index=True, info={"label": _l("Cohort")})
    quarter_start: so.Mapped[date] = so.mapped_column(sa.Date,
                                                      info={"label": _l("Quarter"), "values": lambda value: quarter_label(date.fromisoformat(value)) if isinstance(value, str) else None})
    works: so.Mapped[str] = so.mapped_column(sa.Text, default="", info={"label": _l("What works")})
    obstacles: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                                 info={"label": _l("What gets in the way")})
    energy: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                              info={"label": _l("What gives energy")})
    yields: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                              info={"label": _l("What it yields")})
    closed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                             info={"label": _l("Closed on")})
    closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                           info={"label": _l("Closed by")})
    snapshot: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON, info={"shown": False})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})
    lock_version: so.Mapped[int] = so.mapped_column(default=1, info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="evaluations")
    closed_by: so.Mapped[User | None] = so.relationship()
    decisions: so.Mapped[list[Decision]] = so.relationship(
        back_populates="evaluation", cascade="all, delete-orphan",
        order_by="(Decision.due_on, Decision.id)")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter_start)

    @property
    def quarter_end(self) -> date:
        return quarter_end(self.quarter_start)


class Decision(db.Model):
    """A decision or a lesson for the next cohort, with an owner and a date."""

    __tablename__ = "cohort_decision"
    __audit__ = True
    __label__ = _l("Decision or lesson")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    evaluation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cohort_evaluation.id", ondelete="CASCADE"), index=True,
        info={"shown": False})
    kind: so.Mapped[DecisionKind] = so.mapped_column(_enum(DecisionKind, 10),
                                                     info={"label": _l("Kind")})
    text: so.Mapped[str] = so.mapped_column(sa.String(500), info={"label": _l("Text")})
    owner: so.Mapped[str] = so.mapped_column(sa.String(120), info={"label": _l("Who")})
    due_on: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("By when")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    evaluation: so.Mapped[Evaluation] = so.relationship(back_populates="decisions")
