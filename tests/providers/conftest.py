"""Shared helpers for the provider tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trajectory.demo.data import PROVIDERS
from trajectory.extensions import db
from trajectory.providers import services
from trajectory.providers.models import OfferType, VacancyStatus

P1, P2 = PROVIDERS[0], PROVIDERS[1]  # intaker's and intaker2's providers


def add_offer(provider, offer_type=OfferType.WERKERVARINGSPLAATS, title="Gastvrouw",
              capacity=2, **kwargs):
    values = {"level": None, "hours_per_week": None, "available_from": None,
              "available_until": None, "notes": None}
    values.update(kwargs)
    item = services.create_offer_item(provider, offer_type=offer_type, title=title,
                                      capacity=capacity, **values)
    db.session.commit()
    return item


def add_vacancy(provider, title="Helpende zorg en welzijn", **kwargs):
    values = {"level": 2, "hours_per_week": Decimal(24), "available_from": None,
              "status": VacancyStatus.OPEN}
    values.update(kwargs)
    vacancy = services.create_vacancy(provider, title=title, **values)
    db.session.commit()
    return vacancy


@pytest.fixture
def p1(world):
    return world.org(P1)


@pytest.fixture
def p2(world):
    return world.org(P2)
