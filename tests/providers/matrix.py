"""URL arguments for the route × role matrix (tests/auth/test_matrix.py): objects that the
allowed roles can reach. The intaker of the matrix works at the first demo provider."""

from __future__ import annotations

import sqlalchemy as sa

from tests.providers.conftest import P1, add_offer, add_vacancy
from trajectory.extensions import db
from trajectory.providers.models import OfferItem, Vacancy


def offer_item(world) -> OfferItem:
    provider = world.org(P1)
    return (db.session.scalar(sa.select(OfferItem).where(OfferItem.organisation_id == provider.id))
            or add_offer(provider))


def vacancy(world) -> Vacancy:
    provider = world.org(P1)
    return (db.session.scalar(sa.select(Vacancy).where(Vacancy.organisation_id == provider.id))
            or add_vacancy(provider))


def provider(world) -> dict:
    return {"provider_id": world.org(P1).id}


PROVIDER_URL_ARGS = {
    "providers.detail": provider,
    "providers.edit_profile": provider,
    "providers.edit_practice": provider,
    "providers.new_offer": provider,
    "providers.new_vacancy": provider,
    "providers.edit_offer": lambda w: {"item_id": offer_item(w).id},
    "providers.delete_offer": lambda w: {"item_id": offer_item(w).id},
    "providers.edit_vacancy": lambda w: {"vacancy_id": vacancy(w).id},
}
