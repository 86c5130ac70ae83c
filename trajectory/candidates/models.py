"""The candidate file: the person, their buddy, their personal plan and ladder.

Every model here is audited (``__audit__``) and names the candidate as the
data subject (``audit_subject``), so "Geschiedenis" can be read per person.
Plan items carry ``candidate_id`` themselves for that reason: the audit
listener runs inside a flush and must not lazy-load a parent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today, utcnow

LABELS: dict[enum.Enum, Any] = {}


class Labelled(enum.StrEnum):
    """A stored code with a translated label (``LABELS``)."""

    @property
    def label(self) -> str:
        return label_text(LABELS[self])


def _enum(cls: type[enum.Enum], length: int = 30) -> sa.Enum:
    """Non-native enums storing the values, as in trajectory/organisations/models.py."""
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class Benefit(Labelled):
    PARTICIPATIEWET = "participatiewet"
    WW = "ww"
    WAJONG = "wajong"
    WIA_WAO = "wia_wao"
    WSW = "wsw"
    NUG = "nug"


class CandidateStatus(Labelled):
    AANGEMELD = "aangemeld"
    ACTIEF = "actief"
    GEPAUZEERD = "gepauzeerd"
    UITGESTROOMD = "uitgestroomd"


class OutflowReason(Labelled):
    BETAALD_WERK = "betaald_werk"
    OPLEIDING = "opleiding"
    VERHUISD = "verhuisd"
    GESTOPT = "gestopt"
    OVERIG = "overig"


class GoalStatus(Labelled):
    OPEN = "open"
    BEZIG = "bezig"
    BEHAALD = "behaald"
    LOSGELATEN = "losgelaten"


class BarrierCategory(Labelled):
    SCHULDEN = "schulden"
    MEDISCH = "medisch"
    PSYCHISCH = "psychisch"
    SOCIAAL_GEZIN = "sociaal_gezin"
    TAAL = "taal_nt2"
    GEEN_WERKERVARING = "geen_werkervaring"
    GEEN_WERKRITME = "geen_werkritme"
    VERVOER = "vervoer"
    HUISVESTING = "huisvesting"
    KINDEROPVANG = "kinderopvang"
    VERSLAVING = "verslaving"
    JUSTITIE = "justitie"
    OVERIG = "overig"


class Solvable(Labelled):
    JA = "ja"
    NEE = "nee"
    DEELS = "deels"


class BarrierStatus(Labelled):
    OPEN = "open"
    IN_BEHANDELING = "in_behandeling"
    OPGELOST = "opgelost"
    BLIJFT = "blijft"


class TrainingStatus(Labelled):
    GEPLAND = "gepland"
    BEZIG = "bezig"
    AFGEROND = "afgerond"
    GESTOPT = "gestopt"


class MeasurementKind(Labelled):
    INTAKE = "intake"
    REVIEW = "review"


class ZrmDomain(Labelled):
    """The 13 domains of the current ZRM; only the code is stored (licence: no criteria)."""

    FINANCIEN = "financien"
    WERK_OPLEIDING = "werk_opleiding"
    TIJDSBESTEDING = "tijdsbesteding"
    HUISVESTING = "huisvesting"
    HUISELIJKE_RELATIES = "huiselijke_relaties"
    GEESTELIJKE_GEZONDHEID = "geestelijke_gezondheid"
    LICHAMELIJKE_GEZONDHEID = "lichamelijke_gezondheid"
    VERSLAVING = "verslaving"
    BASALE_ADL = "basale_adl"
    INSTRUMENTELE_ADL = "instrumentele_adl"
    SOCIAAL_NETWERK = "sociaal_netwerk"
    MAATSCHAPPELIJKE_PARTICIPATIE = "maatschappelijke_participatie"
    JUSTITIE = "justitie"


LABELS.update({
    Benefit.PARTICIPATIEWET: _l("Participatiewet"),
    Benefit.WW: _l("WW"),
    Benefit.WAJONG: _l("Wajong"),
    Benefit.WIA_WAO: _l("WIA/WAO"),
    Benefit.WSW: _l("WSW"),
    Benefit.NUG: _l("NUG (no benefit)"),
    CandidateStatus.AANGEMELD: _l("Registered"),
    CandidateStatus.ACTIEF: _l("Active"),
    CandidateStatus.GEPAUZEERD: _l("Paused"),
    CandidateStatus.UITGESTROOMD: _l("Left the programme"),
    OutflowReason.BETAALD_WERK: _l("Paid work"),
    OutflowReason.OPLEIDING: _l("Education"),
    OutflowReason.VERHUISD: _l("Moved away"),
    OutflowReason.GESTOPT: _l("Stopped"),
    OutflowReason.OVERIG: _l("Other"),
    GoalStatus.OPEN: _l("Open"),
    GoalStatus.BEZIG: _l("In progress"),
    GoalStatus.BEHAALD: _l("Achieved"),
    GoalStatus.LOSGELATEN: _l("Let go"),
    BarrierCategory.SCHULDEN: _l("Debts"),
    BarrierCategory.MEDISCH: _l("Medical"),
    BarrierCategory.PSYCHISCH: _l("Mental health"),
    BarrierCategory.SOCIAAL_GEZIN: _l("Social / family"),
    BarrierCategory.TAAL: _l("Language (NT2)"),
    BarrierCategory.GEEN_WERKERVARING: _l("No work experience"),
    BarrierCategory.GEEN_WERKRITME: _l("No work rhythm"),
    BarrierCategory.VERVOER: _l("Transport"),
    BarrierCategory.HUISVESTING: _l("Housing"),
    BarrierCategory.KINDEROPVANG: _l("Childcare"),
    BarrierCategory.VERSLAVING: _l("Addiction"),
    BarrierCategory.JUSTITIE: _l("Justice"),
    BarrierCategory.OVERIG: _l("Other"),
    Solvable.JA: _l("Yes"),
    Solvable.NEE: _l("No"),
    Solvable.DEELS: _l("Partly"),
    BarrierStatus.OPEN: _l("Open"),
    BarrierStatus.IN_BEHANDELING: _l("Being worked on"),
    BarrierStatus.OPGELOST: _l("Solved"),
    BarrierStatus.BLIJFT: _l("Remains"),
    TrainingStatus.GEPLAND: _l("Planned"),
    TrainingStatus.BEZIG: _l("In progress"),
    TrainingStatus.AFGEROND: _l("Completed"),
    TrainingStatus.GESTOPT: _l("Stopped"),
    MeasurementKind.INTAKE: _l("Intake"),
    MeasurementKind.REVIEW: _l("Review"),
    ZrmDomain.FINANCIEN: _l("Finances"),
    ZrmDomain.WERK_OPLEIDING: _l("Work and education"),
    ZrmDomain.TIJDSBESTEDING: _l("Use of time"),
    ZrmDomain.HUISVESTING: _l("Housing"),
    ZrmDomain.HUISELIJKE_RELATIES: _l("Domestic relations"),
    ZrmDomain.GEESTELIJKE_GEZONDHEID: _l("Mental health"),
    ZrmDomain.LICHAMELIJKE_GEZONDHEID: _l("Physical health"),
    ZrmDomain.VERSLAVING: _l("Addiction (substance use)"),
    ZrmDomain.BASALE_ADL: _l("Basic ADL"),
    ZrmDomain.INSTRUMENTELE_ADL: _l("Instrumental ADL"),
    ZrmDomain.SOCIAAL_NETWERK: _l("Social network"),
    ZrmDomain.MAATSCHAPPELIJKE_PARTICIPATIE: _l("Social participation"),
    ZrmDomain.JUSTITIE: _l("Justice"),
})

# Barrier severity is stored as 1-3.
SEVERITY_LABELS = {1: _l("Mild"), 2: _l("Moderate"), 3: _l("Severe")}

# Participatieladder (VNG/Regioplan 2008), domain-anchors §6.1.
LADDER_RUNGS = {
    1: _l("Isolated"),
    2: _l("Social contacts outside the home"),
    3: _l("Taking part in organised activities"),
    4: _l("Unpaid work"),
    5: _l("Paid work with support"),
    6: _l("Paid work"),
}

# ZRM levels (names only, no criteria texts).
ZRM_LEVELS = {
    1: _l("Acute problem"),
    2: _l("Not self-reliant"),
    3: _l("Limited self-reliance"),
    4: _l("Sufficiently self-reliant"),
    5: _l("Fully self-reliant"),
}

OPEN_STATUSES = (CandidateStatus.AANGEMELD, CandidateStatus.ACTIEF, CandidateStatus.GEPAUZEERD)


def _subject(candidate_id: int | None) -> tuple[str, int | None]:
    return ("Candidate", candidate_id)


class Candidate(db.Model):
    """A benefit recipient in a Social Return trajectory, registered by a municipality."""

    __tablename__ = "candidate"
    __audit__ = True
    __label__ = _l("Personal details")
    __audit_redact__ = frozenset({"bsn"})
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "client_number", name="uq_candidate_client_number"),
        # The list's filters and sorts, the signals' order (migration 0017).
        sa.Index("ix_candidate_name", "last_name", "first_name", "id"),
        sa.Index("ix_candidate_municipality_name", "municipality_id", "last_name", "first_name",
                 "id"),
        sa.Index("ix_candidate_municipality_status", "municipality_id", "status"),
        sa.Index("ix_candidate_postcode", "postcode"),
        sa.Index("ix_candidate_benefit", "benefit"),
        # Name search: a trigram index for LIKE '%word%' on PostgreSQL (plain on SQLite).
        sa.Index("ix_candidate_search_name_trgm", "search_name", postgresql_using="gin",
                 postgresql_ops={"search_name": "gin_trgm_ops"}),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    municipality_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                       info={"label": _l("Municipality")})
    klantmanager_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                       index=True,
                                                       info={"label": _l("Client manager")})
    first_name: so.Mapped[str] = so.mapped_column(sa.String(80), info={"label": _l("First name")})
    tussenvoegsel: so.Mapped[str | None] = so.mapped_column(sa.String(20),
                                                            info={"label": _l("Tussenvoegsel")})
    last_name: so.Mapped[str] = so.mapped_column(sa.String(80), info={"label": _l("Last name")})
    # Lower case, no diacritics: what name search and the duplicate check compare.
    search_name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True,
                                                   info={"shown": False})
    date_of_birth: so.Mapped[date] = so.mapped_column(sa.Date, index=True,
                                                      info={"label": _l("Date of birth")})
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(30),
                                                    info={"label": _l("Phone number")})
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254),
                                                    info={"label": _l("Email address")})
    street: so.Mapped[str | None] = so.mapped_column(sa.String(120),
                                                     info={"label": _l("Street and house number")})
    postcode: so.Mapped[str | None] = so.mapped_column(sa.String(7), info={"label": _l("Postcode")})
    place: so.Mapped[str | None] = so.mapped_column(sa.String(80), info={"label": _l("Place")})
    benefit: so.Mapped[Benefit] = so.mapped_column(_enum(Benefit, 20),
                                                   info={"label": _l("Benefit")})
    benefit_since: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("Benefit since")})
    doelgroepregister: so.Mapped[bool] = so.mapped_column(default=False,
                                                          info={"label": _l("Doelgroepregister")})
    statushouder: so.Mapped[bool] = so.mapped_column(default=False,
                                                     info={"label": _l("Status holder")})
    nt2: so.Mapped[bool] = so.mapped_column(default=False, info={"label": _l("NT2")})
    driving_licence: so.Mapped[bool] = so.mapped_column(default=False,
                                                        info={"label": _l("Driving licence")})
    own_transport: so.Mapped[bool] = so.mapped_column(default=False,
                                                      info={"label": _l("Own transport")})
    bsn: so.Mapped[str | None] = so.mapped_column(sa.String(9), unique=True,
                                                  info={"label": _l("BSN")})
    # The municipality's own number for the person in its benefit system (migration 0015):
    # matches an export's rows to that system; unique within the municipality.
    client_number: so.Mapped[str | None] = so.mapped_column(
        sa.String(30), info={"label": _l("Client number (benefit system)")})
    consent_given_on: so.Mapped[date | None] = so.mapped_column(sa.Date,
                                                                info={"label": _l("Consent given on")})
    consent_providers: so.Mapped[bool] = so.mapped_column(default=False,
                                                          info={"label": _l("Share with providers")})
    consent_buddy: so.Mapped[bool] = so.mapped_column(default=False,
                                                      info={"label": _l("Share with the buddy")})
    consent_overlegtafel: so.Mapped[bool] = so.mapped_column(default=False,
                                                             info={"label": _l("Share with the overlegtafel")})
    consent_expires_on: so.Mapped[date | None] = so.mapped_column(sa.Date, index=True,
                                                                  info={"label": _l("Consent expires on")})
    status: so.Mapped[CandidateStatus] = so.mapped_column(
        _enum(CandidateStatus, 20), default=CandidateStatus.AANGEMELD, index=True,
        info={"label": _l("Status")})
    pause_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300),
                                                           info={"label": _l("Reason for the pause")})
    outflow_reason: so.Mapped[OutflowReason | None] = so.mapped_column(_enum(OutflowReason, 20),
                                                                       info={"label": _l("Reason for leaving")})
    outflow_note: so.Mapped[str | None] = so.mapped_column(sa.String(500),
                                                           info={"label": _l("Note on leaving")})
    closed_on: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("Closed on")})
    registered_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                          default=utcnow, index=True,
                                                          info={"shown": False})

    municipality: so.Mapped[Organisation] = so.relationship(foreign_keys=[municipality_id])
    klantmanager: so.Mapped[User] = so.relationship(foreign_keys=[klantmanager_id])
    assignments: so.Mapped[list[BuddyAssignment]] = so.relationship(
        back_populates="candidate", cascade="all, delete-orphan",
        order_by="BuddyAssignment.start_date")
    plan: so.Mapped[Plan | None] = so.relationship(back_populates="candidate",
                                                   cascade="all, delete-orphan")
    measurements: so.Mapped[list[Measurement]] = so.relationship(
        back_populates="candidate", cascade="all, delete-orphan",
        order_by="(Measurement.measured_on, Measurement.id)")
    zrm_scores: so.Mapped[list[ZrmScore]] = so.relationship(
        cascade="all, delete-orphan", order_by="(ZrmScore.scored_on, ZrmScore.id)")
    benefit_periods: so.Mapped[list[BenefitPeriod]] = so.relationship(
        back_populates="candidate", cascade="all, delete-orphan",
        order_by="(BenefitPeriod.start, BenefitPeriod.id)")

    def __repr__(self) -> str:
        return f"<Candidate {self.id}>"

    @classmethod
    def scope_filter(cls, user: Any) -> sa.ColumnElement[bool]:
        """The candidates ``user`` may see at all (trajectory.candidates.scope)."""
        from trajectory.candidates.scope import candidate_scope

        return candidate_scope(user)

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.id)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.tussenvoegsel, self.last_name) if p)

    @property
    def sort_name(self) -> str:
        """"Vries, Jan de" as Dutch lists sort."""
        tail = f" {self.tussenvoegsel}" if self.tussenvoegsel else ""
        return f"{self.last_name}, {self.first_name}{tail}"

    def age(self, on: date | None = None) -> int:
        on = on or today()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def assignment_on(self, day: date | None = None) -> BuddyAssignment | None:
        day = day or today()
        for assignment in self.assignments:
            if assignment.is_active_on(day):
                return assignment
        return None

    @property
    def current_assignment(self) -> BuddyAssignment | None:
        return self.assignment_on()

    @property
    def current_buddy(self) -> User | None:
        assignment = self.current_assignment
        return assignment.buddy if assignment else None

    def consent_in_force(self, on: date | None = None) -> bool:
        """Consent was given and has not expired."""
        on = on or today()
        return (self.consent_given_on is not None and self.consent_given_on <= on
                and (self.consent_expires_on is None or self.consent_expires_on >= on))

    def consent_expiring(self, within_days: int = 30) -> bool:
        if self.consent_expires_on is None:
            return False
        return self.consent_expires_on <= today() + timedelta(days=within_days)

    @property
    def is_closed(self) -> bool:
        return self.status is CandidateStatus.UITGESTROOMD

    @property
    def address_lines(self) -> list[str]:
        second = " ".join(p for p in (self.postcode, self.place) if p)
        return [line for line in (self.street, second) if line]


class BenefitPeriod(db.Model):
    """One period in which the candidate received a benefit (end inclusive; None: still running).

    The valuation reads these (TRAJECTORIES.md T2: the benefit in force the day before
    a job starts). No period means no benefit (NUG), so a period is never ``nug``.
    ``Candidate.benefit`` and ``benefit_since`` mirror the latest period for lists and
    filters; only ``trajectory.candidates.benefits`` writes either.
    """

    __tablename__ = "candidate_benefit_period"
    __audit__ = True
    __label__ = _l("Benefit period")
    __table_args__ = (
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="end_after_start"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    benefit: so.Mapped[Benefit] = so.mapped_column(_enum(Benefit, 20),
                                                   info={"label": _l("Benefit")})
    start: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("From")})
    end: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("To")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})

    candidate: so.Mapped[Candidate] = so.relationship(back_populates="benefit_periods")

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)

    def in_force_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class BuddyAssignment(db.Model):
    """One period in which a buddy accompanies a candidate (end date inclusive)."""

    __tablename__ = "buddy_assignment"
    __audit__ = True
    __label__ = _l("Buddy")
    __table_args__ = (sa.Index("ix_buddy_assignment_buddy_candidate", "buddy_id",
                               "candidate_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    buddy_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True,
                                                info={"label": _l("Buddy")})
    start_date: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("Start date")})
    end_date: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("End date")})
    # The number the candidate may call for this buddy (a volunteer chooses
    # which number to give; accounts have no phone number).
    contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(30),
                                                            info={"label": _l("Phone number")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    candidate: so.Mapped[Candidate] = so.relationship(back_populates="assignments")
    buddy: so.Mapped[User] = so.relationship()

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @classmethod
    def active_on(cls, day: date, alias: Any = None) -> sa.ColumnElement[bool]:
        """SQL twin of ``is_active_on``; pass an alias when used inside a subquery."""
        entity = alias if alias is not None else cls
        return sa.and_(entity.start_date <= day,
                       sa.or_(entity.end_date.is_(None), entity.end_date >= day))


class Plan(db.Model):
    """The personal plan: the live text sections and lists, one per candidate.

    Every save is kept in a ``PlanVersion`` snapshot: one version per editing session
    (trajectory.candidates.plan_versions). ``lock_version`` is the optimistic lock:
    forms carry it and a stale save is refused (conflict page).
    """

    __tablename__ = "plan"
    __audit__ = True
    __label__ = _l("Plan")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), unique=True, info={"shown": False})
    wishes: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                              info={"label": _l("Wishes, dreams and ideals")})
    skills: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                              info={"label": _l("Skills and competences needed")})
    needs: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                             info={"label": _l("What the candidate needs for lasting activation and work")})
    agreements: so.Mapped[str] = so.mapped_column(sa.Text, default="",
                                                  info={"label": _l("Agreements")})
    current_number: so.Mapped[int] = so.mapped_column(default=0,
                                                      info={"shown": False})  # 0: no version yet
    agreed_number: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Agreed version")})
    # The first save since the agreement that changed the plan's substance (None: the
    # plan is as agreed); set and cleared by trajectory.candidates.plan_versions.
    substance_changed_at: so.Mapped[datetime | None] = so.mapped_column(
        sa.DateTime(timezone=True), info={"shown": False})
    updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                              info={"shown": False})
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                            info={"shown": False})
    lock_version: so.Mapped[int] = so.mapped_column(default=1, info={"shown": False})

    __mapper_args__ = {"version_id_col": lock_version}

    candidate: so.Mapped[Candidate] = so.relationship(back_populates="plan")
    goals: so.Mapped[list[Goal]] = so.relationship(
        cascade="all, delete-orphan", order_by="(Goal.target_date.is_(None), Goal.target_date, Goal.id)")
    barriers: so.Mapped[list[Barrier]] = so.relationship(
        cascade="all, delete-orphan", order_by="Barrier.id")
    trainings: so.Mapped[list[Training]] = so.relationship(
        cascade="all, delete-orphan", order_by="(Training.start_date.is_(None), Training.start_date, Training.id)")
    versions: so.Mapped[list[PlanVersion]] = so.relationship(
        cascade="all, delete-orphan", order_by="PlanVersion.number")

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)

    @property
    def is_agreed(self) -> bool:
        """Agreed ("vastgesteld") and no change of substance saved since."""
        return self.agreed_number is not None and self.substance_changed_at is None

    @property
    def is_empty(self) -> bool:
        return self.current_number == 0

    @property
    def agreed_version(self) -> PlanVersion | None:
        if self.agreed_number is None:
            return None
        return next((v for v in self.versions if v.number == self.agreed_number), None)

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions[-1] if self.versions else None

    def next_open_step(self) -> GoalStep | None:
        """The earliest step not done of a goal still being worked on."""
        steps = [step for goal in self.goals
                 if goal.status in (GoalStatus.OPEN, GoalStatus.BEZIG)
                 for step in goal.steps if not step.done]
        steps.sort(key=lambda s: (s.due_date is None, s.due_date or date.max, s.id))
        return steps[0] if steps else None

    @classmethod
    def agreed_condition(cls) -> sa.ColumnElement[bool]:
        """SQL twin of ``is_agreed``."""
        return sa.and_(cls.agreed_number.is_not(None), cls.substance_changed_at.is_(None))


class Goal(db.Model):
    __tablename__ = "plan_goal"
    __audit__ = True
    __label__ = _l("Goal")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"),
                                               index=True, info={"shown": False})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    description: so.Mapped[str] = so.mapped_column(sa.String(500),
                                                   info={"label": _l("Description")})
    target_date: so.Mapped[date | None] = so.mapped_column(sa.Date,
                                                           info={"label": _l("Target date")})
    status: so.Mapped[GoalStatus] = so.mapped_column(_enum(GoalStatus, 20),
                                                     default=GoalStatus.OPEN,
                                                     info={"label": _l("Status")})

    steps: so.Mapped[list[GoalStep]] = so.relationship(
        back_populates="goal", cascade="all, delete-orphan",
        order_by="(GoalStep.due_date.is_(None), GoalStep.due_date, GoalStep.id)")

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)


class GoalStep(db.Model):
    __tablename__ = "plan_goal_step"
    __audit__ = True
    __label__ = _l("Step")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    goal_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan_goal.id", ondelete="CASCADE"),
                                               index=True, info={"shown": False})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    description: so.Mapped[str] = so.mapped_column(sa.String(300),
                                                   info={"label": _l("Description")})
    who: so.Mapped[str | None] = so.mapped_column(sa.String(120), info={"label": _l("Who does it")})
    due_date: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("By when")})
    done: so.Mapped[bool] = so.mapped_column(default=False, info={"label": _l("Done")})

    goal: so.Mapped[Goal] = so.relationship(back_populates="steps")

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)


class Barrier(db.Model):
    """A belemmerende factor: what holds the person back, and what is possible despite it."""

    __tablename__ = "plan_barrier"
    __audit__ = True
    __label__ = _l("Barrier")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"),
                                               index=True, info={"shown": False})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    category: so.Mapped[BarrierCategory] = so.mapped_column(_enum(BarrierCategory, 30),
                                                            info={"label": _l("Category")})
    description: so.Mapped[str | None] = so.mapped_column(sa.String(500),
                                                          info={"label": _l("Description")})
    severity: so.Mapped[int] = so.mapped_column(default=2,
                                                info={"label": _l("Severity"), "values": SEVERITY_LABELS})
    solvable: so.Mapped[Solvable] = so.mapped_column(_enum(Solvable, 10),
                                                     info={"label": _l("Can it be solved?")})
    possible_despite: so.Mapped[str | None] = so.mapped_column(sa.String(500),
                                                               info={"label": _l("What is possible despite it")})
    taken_up_by: so.Mapped[str | None] = so.mapped_column(sa.String(120),
                                                          info={"label": _l("Who takes it up")})
    status: so.Mapped[BarrierStatus] = so.mapped_column(_enum(BarrierStatus, 20),
                                                        default=BarrierStatus.OPEN,
                                                        info={"label": _l("Status")})

    __table_args__ = (sa.CheckConstraint("severity BETWEEN 1 AND 3", name="severity_range"),)

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])


class Training(db.Model):
    __tablename__ = "plan_training"
    __audit__ = True
    __label__ = _l("Training")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"),
                                               index=True, info={"shown": False})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    name: so.Mapped[str] = so.mapped_column(sa.String(200), info={"label": _l("Name")})
    provider: so.Mapped[str | None] = so.mapped_column(sa.String(200), info={"label": _l("Where")})
    start_date: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("Start date")})
    end_date: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("End date")})
    status: so.Mapped[TrainingStatus] = so.mapped_column(_enum(TrainingStatus, 20),
                                                         default=TrainingStatus.GEPLAND,
                                                         info={"label": _l("Status")})
    certificate: so.Mapped[bool] = so.mapped_column(default=False,
                                                    info={"label": _l("Certificate")})

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)


class PlanVersion(db.Model):
    """The whole plan as one editing session left it; "vastgesteld" when agreed.

    While the session is open (same author, no agreement, within the gap of
    trajectory.candidates.plan_versions) further saves update this snapshot,
    ``updated_at`` and ``save_count``; after that it is frozen.
    """

    __tablename__ = "plan_version"
    __audit__ = True
    __label__ = _l("Plan version")
    # The snapshot is the version itself; the trail only notes that it was written.
    __audit_redact__ = frozenset({"snapshot"})

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"),
                                               index=True, info={"shown": False})
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    number: so.Mapped[int] = so.mapped_column(info={"label": _l("Version")})
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                        info={"label": _l("Author")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})
    updated_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow,
                                                       info={"shown": False})  # the last save in it
    save_count: so.Mapped[int] = so.mapped_column(default=1, info={"shown": False})
    # Codes of what the session changed, comma separated (plan_text.SUMMARIES).
    summary: so.Mapped[str] = so.mapped_column(sa.String(200), default="",
                                               info={"label": _l("Summary")})
    snapshot: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, info={"shown": False})
    agreed_on: so.Mapped[date | None] = so.mapped_column(sa.Date, info={"label": _l("Agreed on")})
    agreed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                           info={"label": _l("Agreed by")})

    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])
    agreed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[agreed_by_id])

    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)


class Measurement(db.Model):
    """One participatieladder measurement: never overwritten, movement is derived."""

    __tablename__ = "ladder_measurement"
    __audit__ = True
    __label__ = _l("Participatieladder")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    measured_on: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("Date")})
    rung: so.Mapped[int] = so.mapped_column(info={"label": _l("Rung"), "values": LADDER_RUNGS})
    kind: so.Mapped[MeasurementKind] = so.mapped_column(_enum(MeasurementKind, 10),
                                                        info={"label": _l("Kind")})
    assessor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                   info={"label": _l("Assessor")})
    note: so.Mapped[str | None] = so.mapped_column(sa.String(500), info={"label": _l("Note")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    candidate: so.Mapped[Candidate] = so.relationship(back_populates="measurements")
    assessor: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.CheckConstraint("rung BETWEEN 1 AND 6", name="rung_range"),)

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)

    @property
    def rung_label(self) -> str:
        return str(LADDER_RUNGS[self.rung])


class ZrmScore(db.Model):
    """One ZRM domain score: domain code, score 1-5, date and assessor only."""

    __tablename__ = "zrm_score"
    __audit__ = True
    __label__ = _l("ZRM")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True, info={"shown": False})
    domain: so.Mapped[ZrmDomain] = so.mapped_column(_enum(ZrmDomain, 40),
                                                    info={"label": _l("Domain")})
    score: so.Mapped[int] = so.mapped_column(info={"label": _l("Score"), "values": ZRM_LEVELS})
    scored_on: so.Mapped[date] = so.mapped_column(sa.Date, info={"label": _l("Date")})
    assessor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"),
                                                   info={"label": _l("Assessor")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    assessor: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return _subject(self.candidate_id)
