"""Keeping a provider's profile, offer and vacancies; the regional overview of offers.

Each function changes objects and flushes; the view commits once.

Free capacity: an offer item's capacity minus the places in use. What uses a
place comes from *usage sources* that other features register with
``register_usage_source``: a function returning a select of
``(offer_item_id, used)`` rows. The stages feature registers the planned and
running stages linked to an offer item. With no source registered, free
capacity is simply the capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.providers.models import (
    LEVEL_OFFER_TYPES,
    OfferItem,
    OfferType,
    ProviderProfile,
    Vacancy,
    VacancyStatus,
    provider_filter,
)
from trajectory.services import ServiceError
from trajectory.timeutil import utcnow

UsageSource = Callable[[], sa.Select]
_USAGE_SOURCES: dict[str, UsageSource] = {}
# Checks another feature registers before an offer item or vacancy may be deleted:
# a function(item) returning a reason to refuse, or None.
_DELETE_GUARDS: dict[str, Callable[[Any], str | None]] = {}


def register_usage_source(key: str, source: UsageSource) -> None:
    """``source()`` returns ``select(offer_item_id, used)``; summed over every source."""
    _USAGE_SOURCES[key] = source


def register_delete_guard(key: str, guard: Callable[[Any], str | None]) -> None:
    _DELETE_GUARDS[key] = guard


# Sources of "filled through the approach": a function returning
# ``select(vacancy_id, linked)`` (the stages feature: stages linked to a vacancy).
_VACANCY_LINK_SOURCES: dict[str, UsageSource] = {}


def register_vacancy_link_source(key: str, source: UsageSource) -> None:
    _VACANCY_LINK_SOURCES[key] = source


def vacancy_links_subquery() -> sa.Subquery | None:
    sources = [source() for source in _VACANCY_LINK_SOURCES.values()]
    if not sources:
        return None
    union = sources[0] if len(sources) == 1 else sa.union_all(*sources)
    rows = union.subquery("link_rows")
    return (sa.select(rows.c.vacancy_id,
                      sa.cast(sa.func.sum(rows.c.linked), sa.Integer).label("linked"))
            .group_by(rows.c.vacancy_id).subquery("links"))


def usage_subquery(provider_id: int | None = None) -> sa.Subquery | None:
    """One row per offer item with the places in use, or None when nothing uses places;
    only the provider's items when given (each source then reads those items' rows, not
    every running stage of the region)."""
    sources = [source() for source in _USAGE_SOURCES.values()]
    if provider_id is not None:
        items = sa.select(OfferItem.id).where(OfferItem.organisation_id == provider_id)
        sources = [source.where(source.selected_columns.offer_item_id.in_(items))
                   for source in sources]
    if not sources:
        return None
    union = sources[0] if len(sources) == 1 else sa.union_all(*sources)
    rows = union.subquery("usage_rows")
    return (sa.select(rows.c.offer_item_id,
                      sa.cast(sa.func.sum(rows.c.used), sa.Integer).label("used"))
            .group_by(rows.c.offer_item_id).subquery("usage"))


# ------------------------------------------------------------------ providers

def providers_stmt() -> sa.Select:
    return sa.select(Organisation).where(provider_filter())


def profile_for(provider: Organisation) -> ProviderProfile | None:
    return db.session.scalar(
        sa.select(ProviderProfile).where(ProviderProfile.organisation_id == provider.id))


def _profile(provider: Organisation) -> ProviderProfile:
    profile = profile_for(provider)
    if profile is None:
        profile = ProviderProfile(organisation_id=provider.id)
        db.session.add(profile)
    return profile


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def save_profile(provider: Organisation, *, contact_name: str | None, contact_phone: str | None,
                 contact_email: str | None, contract_share: Decimal | None,
                 description: str | None) -> ProviderProfile:
    if contract_share is not None and not (0 <= contract_share <= 100):
        raise ServiceError(_("Enter a percentage from 0 to 100."), field="contract_share")
    profile = _profile(provider)
    profile.contact_name = _text(contact_name)
    profile.contact_phone = _text(contact_phone)
    profile.contact_email = _text(contact_email)
    profile.contract_share = contract_share
    profile.description = _text(description)
    db.session.flush()
    return profile


def save_practice(provider: Organisation, *, employed_from_benefit: int | None,
                  experience_places: int | None, support_given: str | None,
                  results: str | None, other_obligation_contracts: str | None) -> ProviderProfile:
    profile = _profile(provider)
    profile.employed_from_benefit = employed_from_benefit
    profile.experience_places = experience_places
    profile.support_given = _text(support_given)
    profile.results = _text(results)
    profile.other_obligation_contracts = _text(other_obligation_contracts)
    profile.practice_updated_at = utcnow()
    db.session.flush()
    return profile


# ------------------------------------------------------------------ offer

def _check_offer(offer_type: OfferType, level: int | None, hours_per_week: Decimal | None,
                 capacity: int, available_from: date | None, available_until: date | None) -> None:
    if level is not None and (offer_type not in LEVEL_OFFER_TYPES or level not in (1, 2, 3, 4)):
        raise ServiceError(_("Only BBL places and internships have a level."), field="level")
    if offer_type in (OfferType.BBL, OfferType.BOL) and level is None:
        raise ServiceError(_("Choose the level of this place."), field="level")
    if offer_type is OfferType.PAID_JOB and not hours_per_week:
        raise ServiceError(_("Enter the hours per week of this job."), field="hours_per_week")
    if capacity < 0:
        raise ServiceError(_("Enter a number from 0 to 999."), field="capacity")
    if available_from and available_until and available_until < available_from:
        raise ServiceError(_("The end date lies before the start date."), field="available_until")


def create_offer_item(provider: Organisation, *, offer_type: OfferType, title: str,
                      level: int | None, hours_per_week: Decimal | None, capacity: int,
                      available_from: date | None, available_until: date | None,
                      notes: str | None) -> OfferItem:
    _check_offer(offer_type, level, hours_per_week, capacity, available_from, available_until)
    item = OfferItem(organisation_id=provider.id, offer_type=offer_type, title=title.strip(),
                     level=level, hours_per_week=hours_per_week, capacity=capacity,
                     available_from=available_from, available_until=available_until,
                     notes=_text(notes))
    db.session.add(item)
    db.session.flush()
    return item


def update_offer_item(item: OfferItem, *, offer_type: OfferType, title: str, level: int | None,
                      hours_per_week: Decimal | None, capacity: int,
                      available_from: date | None, available_until: date | None,
                      notes: str | None) -> OfferItem:
    _check_offer(offer_type, level, hours_per_week, capacity, available_from, available_until)
    item.offer_type = offer_type
    item.title = title.strip()
    item.level = level
    item.hours_per_week = hours_per_week
    item.capacity = capacity
    item.available_from = available_from
    item.available_until = available_until
    item.notes = _text(notes)
    db.session.flush()
    return item


def delete_offer_item(item: OfferItem) -> None:
    for guard in _DELETE_GUARDS.values():
        reason = guard(item)
        if reason:
            raise ServiceError(reason)
    db.session.delete(item)
    db.session.flush()


def offer_overview_stmt(*, q: str | None = None, offer_type: OfferType | None = None,
                        provider_id: int | None = None, free_only: bool = False) -> sa.Select:
    """Rows of (OfferItem, provider name, used, free): one query, whatever the number of rows."""
    usage = usage_subquery(provider_id)
    used = sa.func.coalesce(usage.c.used, 0) if usage is not None else sa.literal(0)
    free = OfferItem.capacity - used
    stmt = (sa.select(OfferItem, Organisation.name.label("provider_name"),
                      used.label("used"), free.label("free"))
            .join(Organisation, Organisation.id == OfferItem.organisation_id)
            .where(Organisation.active.is_(True)))
    if usage is not None:
        stmt = stmt.outerjoin(usage, usage.c.offer_item_id == OfferItem.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(OfferItem.title).like(like),
                                 sa.func.lower(OfferItem.notes).like(like),
                                 sa.func.lower(Organisation.name).like(like)))
    if offer_type is not None:
        stmt = stmt.where(OfferItem.offer_type == offer_type)
    if provider_id is not None:
        stmt = stmt.where(OfferItem.organisation_id == provider_id)
    if free_only:
        stmt = stmt.where(free > 0)
    return stmt


def offer_items_of(provider: Organisation) -> list[Any]:
    """The provider's own offer with used and free places, in offer-type order."""
    stmt = offer_overview_stmt(provider_id=provider.id).order_by(
        OfferItem.offer_type, OfferItem.title, OfferItem.id)
    return db.session.execute(stmt).all()


# ------------------------------------------------------------------ vacancies

def _check_vacancy(level: int | None, hours_per_week: Decimal | None) -> None:
    if level is not None and level not in (1, 2, 3, 4):
        raise ServiceError(_("Choose a level from 1 to 4."), field="level")
    if hours_per_week is None or not (0 < hours_per_week <= 60):
        raise ServiceError(_("Enter hours per week: more than 0, at most 60."),
                           field="hours_per_week")


def create_vacancy(provider: Organisation, *, title: str, level: int | None,
                   hours_per_week: Decimal | None, available_from: date | None,
                   status: VacancyStatus = VacancyStatus.OPEN, notes: str | None = None) -> Vacancy:
    _check_vacancy(level, hours_per_week)
    vacancy = Vacancy(organisation_id=provider.id, title=title.strip(), level=level,
                      hours_per_week=hours_per_week, available_from=available_from,
                      status=status, notes=_text(notes))
    db.session.add(vacancy)
    db.session.flush()
    return vacancy


def update_vacancy(vacancy: Vacancy, *, title: str, level: int | None,
                   hours_per_week: Decimal | None, available_from: date | None,
                   status: VacancyStatus, notes: str | None) -> Vacancy:
    _check_vacancy(level, hours_per_week)
    vacancy.title = title.strip()
    vacancy.level = level
    vacancy.hours_per_week = hours_per_week
    vacancy.available_from = available_from
    vacancy.status = status
    vacancy.notes = _text(notes)
    db.session.flush()
    return vacancy


def vacancies_stmt(*, q: str | None = None, status: VacancyStatus | None = None,
                   provider_id: int | None = None) -> sa.Select:
    """Rows of (Vacancy, provider name, linked stages): one query."""
    links = vacancy_links_subquery()
    linked = sa.func.coalesce(links.c.linked, 0) if links is not None else sa.literal(0)
    stmt = (sa.select(Vacancy, Organisation.name.label("provider_name"), linked.label("linked"))
            .join(Organisation, Organisation.id == Vacancy.organisation_id))
    if links is not None:
        stmt = stmt.outerjoin(links, links.c.vacancy_id == Vacancy.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(Vacancy.title).like(like),
                                 sa.func.lower(Organisation.name).like(like)))
    if status is not None:
        stmt = stmt.where(Vacancy.status == status)
    if provider_id is not None:
        stmt = stmt.where(Vacancy.organisation_id == provider_id)
    return stmt


def mark_vacancy_filled(vacancy: Vacancy) -> None:
    """A stage linked to the vacancy started: the vacancy is filled (through the approach)."""
    if vacancy.status is VacancyStatus.OPEN:
        vacancy.status = VacancyStatus.FILLED
        db.session.flush()
