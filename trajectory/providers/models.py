"""A provider's profile, its offer (inventory) and its vacancies.

A provider *is* an ``Organisation`` of kind ``zorgaanbieder``; this feature adds
what the Oosterschelde approach asks of it: a contact person, its share of the
contracts (for "naar rato"), what it already does for Social Return, the places
it offers per offer type with their capacity, and its open vacancies.

None of this is data about a candidate, so every reader of the feature
(klantmanagers, the coordinator, the SROI adviser and the providers' own
staff) sees every provider of the region; only the provider's own intaker
changes it (checked in the views with ``can_edit_provider``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.timeutil import utcnow

# Who may read providers, offers and vacancies (and so the regional overview).
READER_ROLES = frozenset({Role.KLANTMANAGER, Role.COORDINATOR, Role.SROI_ADVISEUR,
                          Role.INTAKER, Role.BUDDY})


def _enum(cls: type[enum.Enum], length: int = 30) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class OfferType(enum.StrEnum):
    """What a provider can offer, as the seed's inventory asks for it."""

    INTAKE = "intake"  # intakers / screeners for the intake phase
    BUDDY = "buddy"
    SPECIALIST = "specialist"  # specialist support: debts, social problems ...
    WERKERVARINGSPLAATS = "werkervaringsplaats"
    BBL = "bbl"
    BOL = "bol"  # BOL internship
    VSO = "vso"  # VSO / praktijkonderwijs internship or workplace
    PAID_JOB = "paid_job"
    ADDITIONAL_PROJECT = "additional_project"  # language, transport ...

    @property
    def label(self) -> str:
        return label_text(OFFER_TYPE_LABELS[self])


OFFER_TYPE_LABELS = {
    OfferType.INTAKE: _l("Intakers and screeners"),
    OfferType.BUDDY: _l("Buddies"),
    OfferType.SPECIALIST: _l("Specialist support"),
    OfferType.WERKERVARINGSPLAATS: _l("Work-experience places"),
    OfferType.BBL: _l("BBL places"),
    OfferType.BOL: _l("BOL internships"),
    OfferType.VSO: _l("VSO internships and workplaces"),
    OfferType.PAID_JOB: _l("Paid jobs"),
    OfferType.ADDITIONAL_PROJECT: _l("Additional projects"),
}

# Offer types with a level (MBO level 1-4) and with hours per week.
LEVEL_OFFER_TYPES = frozenset({OfferType.BBL, OfferType.BOL, OfferType.VSO})
HOURS_OFFER_TYPES = frozenset({OfferType.PAID_JOB, OfferType.WERKERVARINGSPLAATS})
# Which offer types a stage kind may use is in the stage kinds' table
# (trajectory/stages/kinds.py, ``offer_types``).


class VacancyStatus(enum.StrEnum):
    OPEN = "open"
    FILLED = "vervuld"
    WITHDRAWN = "ingetrokken"

    @property
    def label(self) -> str:
        return label_text(VACANCY_STATUS_LABELS[self])


VACANCY_STATUS_LABELS = {
    VacancyStatus.OPEN: _l("open"),
    VacancyStatus.FILLED: _l("filled"),
    VacancyStatus.WITHDRAWN: _l("withdrawn"),
}


def provider_filter() -> sa.ColumnElement[bool]:
    """The organisations that are providers (active or not: history stays readable)."""
    return Organisation.kind == OrganisationKind.PROVIDER


def can_read_providers(user) -> bool:
    return user.is_authenticated and user.has_role(*READER_ROLES)


def can_edit_provider(user, provider_id: int) -> bool:
    """Only the provider's own intaker keeps its profile, offer and vacancies up to date."""
    return user.has_role(Role.INTAKER) and user.organisation_id == provider_id


class ProviderProfile(db.Model):
    """One provider's contact person, contract share and current Social Return practice.

    ``contract_share`` is the provider's share, in percent (0-100), of the
    region's contracted care revenue under the shared contract. The overlegtafel
    uses it to divide candidates "naar rato" (larger providers carry
    proportionally more); it is a planning figure, not the SROI obligation
    (that comes from the contracts in the valuation feature).
    """

    __tablename__ = "provider_profile"
    __audit__ = True
    __label__ = _l("Provider profile")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), unique=True,
        info={"label": _l("Provider")})
    contact_name: so.Mapped[str | None] = so.mapped_column(sa.String(120),
                                                           info={"label": _l("Contact person")})
    contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(40),
                                                            info={"label": _l("Phone number")})
    contact_email: so.Mapped[str | None] = so.mapped_column(sa.String(254),
                                                            info={"label": _l("Email address")})
    contract_share: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2),
                                                                 info={"label": _l("Share of the contracted revenue, in percent")})
    description: so.Mapped[str | None] = so.mapped_column(sa.Text,
                                                          info={"label": _l("Description")})
    # What the provider already does for Social Return today.
    employed_from_benefit: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Employed from a benefit")})
    experience_places: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Work-experience places")})
    support_given: so.Mapped[str | None] = so.mapped_column(sa.Text,
                                                            info={"label": _l("Support given")})
    results: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"label": _l("Results")})
    other_obligation_contracts: so.Mapped[str | None] = so.mapped_column(sa.Text,
                                                                         info={"label": _l("Other contracts with an obligation")})
    practice_updated_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                       info={"shown": False})
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, info={"shown": False})

    organisation: so.Mapped[Organisation] = so.relationship()

    @property
    def has_practice(self) -> bool:
        return any(v not in (None, "") for v in (
            self.employed_from_benefit, self.experience_places, self.support_given,
            self.results, self.other_obligation_contracts))

    @classmethod
    def scope_filter(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if can_read_providers(user) else sa.false()


class OfferItem(db.Model):
    """A kind of place or support a provider offers, with capacity and availability."""

    __tablename__ = "offer_item"
    __audit__ = True
    __label__ = _l("Place in the offer")
    __title__ = "title"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True,
        info={"label": _l("Provider")})
    offer_type: so.Mapped[OfferType] = so.mapped_column(_enum(OfferType), index=True,
                                                        info={"label": _l("Type of offer")})
    title: so.Mapped[str] = so.mapped_column(sa.String(160),
                                             info={"label": _l("Function or subject")})  # function or subject
    level: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Level")})
    hours_per_week: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2),
                                                                 info={"label": _l("Hours per week")})
    capacity: so.Mapped[int] = so.mapped_column(default=1, info={"label": _l("Places")})
    available_from: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Available from")})
    available_until: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Available until")})
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"label": _l("Notes")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, info={"shown": False})

    organisation: so.Mapped[Organisation] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("level IS NULL OR (level >= 1 AND level <= 4)", name="level_1_4"),
    )

    @property
    def type_label(self) -> str:
        return self.offer_type.label

    def available_on(self, day: date) -> bool:
        return ((self.available_from is None or self.available_from <= day)
                and (self.available_until is None or day <= self.available_until))

    @classmethod
    def scope_filter(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if can_read_providers(user) else sa.false()


class Vacancy(db.Model):
    """An open job at a provider; a BBL place or paid job can be linked to the vacancy it fills."""

    __tablename__ = "vacancy"
    __audit__ = True
    __label__ = _l("Vacancy")
    __title__ = "title"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True,
        info={"label": _l("Provider")})
    title: so.Mapped[str] = so.mapped_column(sa.String(160),
                                             info={"label": _l("Function")})  # function
    level: so.Mapped[int | None] = so.mapped_column(info={"label": _l("Level")})
    hours_per_week: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2),
                                                                 info={"label": _l("Hours per week")})
    available_from: so.Mapped[date | None] = so.mapped_column(info={"label": _l("Available from")})  # from when
    status: so.Mapped[VacancyStatus] = so.mapped_column(
        _enum(VacancyStatus, 20), default=VacancyStatus.OPEN, index=True,
        info={"label": _l("Status")})
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text, info={"label": _l("Notes")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                       info={"shown": False})
    updated_at: so.Mapped[datetime] = so.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, info={"shown": False})

    organisation: so.Mapped[Organisation] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("level IS NULL OR (level >= 1 AND level <= 4)", name="level_1_4"),
    )

    @property
    def status_label(self) -> str:
        return self.status.label

    @classmethod
    def scope_filter(cls, user) -> sa.ColumnElement[bool]:
        return sa.true() if can_read_providers(user) else sa.false()
