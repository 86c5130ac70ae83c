"""Removing an offer asks first."""

from __future__ import annotations

import sqlalchemy as sa

from tests.confirmation import asked, say_yes
from tests.providers.conftest import add_offer
from trajectory.extensions import db
from trajectory.providers.models import OfferItem


def test_removing_an_offer_asks_first(intaker_client, p1):
    item_id = add_offer(p1, title="Gastvrouw restaurant").id
    db.session.commit()
    url = f"/aanbieders/aanbod/{item_id}/verwijderen"
    response = intaker_client.post(url)
    page = asked(response, url)
    assert "Gastvrouw restaurant" in response.text
    assert page.cancel == f"/aanbieders/aanbod/{item_id}/bewerken"
    assert db.session.get(OfferItem, item_id) is not None
    assert say_yes(intaker_client, page).status_code == 302
    assert db.session.scalar(sa.select(OfferItem).where(OfferItem.id == item_id)) is None
