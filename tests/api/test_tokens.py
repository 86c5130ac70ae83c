"""Tokens: issued, hashed at rest, refused when expired, revoked or short of a scope, last
use recorded; the pages' scope rules decide which contracts a token reaches."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa

from tests.api.support import bearer, token_for
from tests.valuation.web.sample import OTHER_PROVIDER, PROVIDER, valuation_sample
from trajectory.api.models import ApiToken
from trajectory.api.services import revoke_token
from trajectory.audit.models import SecurityEvent
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.timeutil import utcnow


def _refusals() -> list[SecurityEvent]:
    return list(db.session.scalars(sa.select(SecurityEvent).where(
        SecurityEvent.event == "api_token").order_by(SecurityEvent.id)))


def test_a_token_is_stored_as_its_hash_only(world):
    row, plain = token_for(world, PROVIDER, Role.INTAKER)
    assert plain.startswith("trj_") and len(plain) >= 40
    assert row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    stored = db.session.execute(sa.text("SELECT * FROM api_token")).mappings().one()
    assert all(plain not in str(value) for value in stored.values())
    assert stored["prefix"] == plain[:10]


def test_a_provider_token_reads_its_own_contracts_and_records_its_use(client, world):
    sample = valuation_sample(world)
    row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    assert row.last_used_at is None
    response = client.get("/api/v1/contracts", headers=bearer(plain))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [c["reference"] for c in items] == [sample.contract.reference]
    assert items[0]["provider"]["name"] == PROVIDER
    assert items[0]["_links"]["ledger"]["href"].endswith(f"/{sample.contract.id}/ledger")
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_another_providers_token_gets_a_404_that_tells_nothing(client, world):
    sample = valuation_sample(world)
    _row, plain = token_for(world, OTHER_PROVIDER, Role.INTAKER, {"ledger:read"})
    assert client.get("/api/v1/contracts", headers=bearer(plain)).get_json()["items"] == []
    for suffix in ("", "/ledger"):
        theirs = client.get(f"/api/v1/contracts/{sample.contract.id}{suffix}",
                            headers=bearer(plain))
        absent = client.get(f"/api/v1/contracts/999999{suffix}", headers=bearer(plain))
        assert theirs.status_code == absent.status_code == 404
        strip = lambda r: {k: v for k, v in r.get_json().items() if k != "instance"}  # noqa: E731
        assert strip(theirs) == strip(absent)
        assert sample.contract.reference not in theirs.text
    events = db.session.scalars(sa.select(SecurityEvent.event).order_by(SecurityEvent.id)).all()
    assert "out_of_scope" in events and "not_found" in events


def test_the_adviser_reads_the_regions_contracts(client, world):
    sample = valuation_sample(world)
    _row, plain = token_for(world, "Regio Oosterschelde", Role.SROI_ADVISEUR, {"ledger:read"})
    response = client.get(f"/api/v1/contracts?provider={sample.contract.provider_id}",
                          headers=bearer(plain))
    assert sample.contract.reference in [c["reference"] for c in response.get_json()["items"]]


def test_the_ledger_is_the_shape_of_sroi_ledger_json(app, client, world):
    sample = valuation_sample(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    response = client.get(f"/api/v1/contracts/{sample.contract.id}/ledger", headers=bearer(plain))
    assert response.status_code == 200
    printed = app.test_cli_runner().invoke(args=["sroi", "ledger", "--contract",
                                                 sample.contract.reference, "--json"])
    assert printed.exit_code == 0, printed.output
    assert response.get_json() == json.loads(printed.output)["contracts"][0]


def test_expired_revoked_and_unknown_tokens_are_401_and_security_events(client, world):
    valuation_sample(world)
    expired, expired_plain = token_for(world, PROVIDER, Role.INTAKER, client_name="Verlopen")
    expired.expires_at = utcnow() - timedelta(seconds=1)
    revoked, revoked_plain = token_for(world, PROVIDER, Role.INTAKER, client_name="Ingetrokken")
    revoke_token(revoked)
    db.session.commit()
    for plain in (expired_plain, revoked_plain, "trj_" + "x" * 43, "niet-eens-een-token"):
        response = client.get("/api/v1/contracts", headers=bearer(plain))
        assert response.status_code == 401, plain
        assert response.mimetype == "application/problem+json"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    details = [e.detail for e in _refusals()]
    assert details == ["expired token", "revoked token", "unknown token", "unknown token"]
    assert [e.username for e in _refusals()][:2] == ["Verlopen", "Ingetrokken"]


def test_a_missing_scope_is_403_and_a_security_event(client, world):
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"stages:read"})
    response = client.get("/api/v1/contracts", headers=bearer(plain))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' not in response.headers.get("WWW-Authenticate", "")
    assert _refusals()[-1].detail == "scope ledger:read missing"


def test_a_deactivated_organisation_stops_its_tokens(client, world):
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    world.org(PROVIDER).active = False
    db.session.commit()
    assert client.get("/api/v1/contracts", headers=bearer(plain)).status_code == 401


def test_token_and_cookie_together_the_token_decides(intaker2_client, world):
    sample = valuation_sample(world)
    _row, plain = token_for(world, PROVIDER, Role.INTAKER, {"ledger:read"})
    response = intaker2_client.get(f"/api/v1/contracts/{sample.contract.id}",
                                   headers=bearer(plain))
    assert response.status_code == 200


def test_the_token_row_is_audited_without_its_hash(world):
    row, _plain = token_for(world, PROVIDER, Role.INTAKER)
    from trajectory.audit.trail import history_for

    events = history_for("ApiToken", row.id)
    assert events and all(row.token_hash not in json.dumps(e.changes) for e in events)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1
