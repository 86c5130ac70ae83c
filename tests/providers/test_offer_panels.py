"""The offer panels on the home pages show numbers, never a Python repr."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from trajectory.extensions import db
from trajectory.providers.models import OfferItem

REPR = re.compile(r"built-in method|bound method|object at 0x")


@pytest.mark.parametrize("username", ["klantmanager", "coordinator", "intaker"])
def test_the_offer_panel_counts_the_offers(app, world, client, username):
    assert login(client, username).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert not REPR.search(html)
    panel = html[html.index('aria-labelledby="panel-o'):]
    panel = panel[:panel.index("</section>")]
    # No offers in the bare world: the count reads 0, not a method.
    assert re.search(r"<dd[^>]*>\s*0\s*</dd>", panel), panel
    assert db.session.query(OfferItem).count() == 0
