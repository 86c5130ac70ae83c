"""The beheerder's token pages: issue (shown once), list, revoke."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.api.support import bearer
from tests.valuation.web.sample import PROVIDER
from trajectory.api.models import ApiToken
from trajectory.extensions import db


def _issue(beheer_client, world, **override):
    data = {"client_name": "Administratie Scheldezoom", "organisation": world.org(PROVIDER).id,
            "acts_as": "intaker", "scopes": ["ledger:read"], "days": "30", **override}
    return beheer_client.post("/beheer/api-tokens/nieuw", data=data)


def test_a_beheerder_issues_a_token_shown_once_and_it_works(beheer_client, client, world):
    response = _issue(beheer_client, world)
    assert response.status_code == 200
    plain = re.search(r'id="api-token">(trj_[A-Za-z0-9_-]+)<', response.text).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    listing = beheer_client.get("/beheer/api-tokens")
    assert "Administratie Scheldezoom" in listing.text and plain not in listing.text
    assert client.get("/api/v1/contracts", headers=bearer(plain)).status_code == 200


def test_a_role_the_organisation_cannot_hold_is_refused(beheer_client, world):
    response = _issue(beheer_client, world, acts_as="sroi_adviseur")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    assert 'id="api-token"' not in response.text


def test_a_revoked_token_stops_working(beheer_client, client, world):
    plain = re.search(r'id="api-token">([^<]+)<', _issue(beheer_client, world).text).group(1)
    token = db.session.scalars(sa.select(ApiToken)).one()
    response = beheer_client.post(f"/beheer/api-tokens/{token.id}/intrekken")
    assert response.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/api/v1/contracts", headers=bearer(plain)).status_code == 401


def test_other_roles_cannot_issue(intaker_client, world):
    assert intaker_client.get("/beheer/api-tokens").status_code == 403
    assert _issue(intaker_client, world).status_code == 403


def test_a_buddys_token_is_issued_for_that_buddys_account(beheer_client, client, world):
    buddy = world.user("buddy")
    without = _issue(beheer_client, world, organisation=buddy.organisation_id, acts_as="buddy",
                     scopes=["contacts:write"])
    assert 'id="api-token"' not in without.text  # a buddy's token names the account
    response = _issue(beheer_client, world, organisation=buddy.organisation_id, acts_as="buddy",
                      scopes=["contacts:write"], user=str(buddy.id))
    assert 'id="api-token"' in response.text
    token = db.session.scalars(sa.select(ApiToken)).one()
    assert token.user_id == buddy.id
    assert "Kees Dekker" in beheer_client.get("/beheer/api-tokens").text
