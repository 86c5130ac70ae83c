"""Doorplaatsing: the current stage ends with the reason, a linked proposal at the new provider,
the history kept."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.stages.conftest import P1, P2, days, goes_candidate, make_stage
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.stages.models import TRANSFER_REASON, Stage, StageKind, StageStatus


def test_transfer_keeps_the_history(world, klantmanager_client, intaker_client,
                                    intaker2_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       start=days(-30), hours_per_week=20)
    response = klantmanager_client.post(f"/trajecten/{stage.id}/doorplaatsen", data={
        "provider_id": world.org(P2).id, "end_on": days(0).strftime("%d-%m-%Y"),
        "end_status": "afgebroken", "planned_start": days(1).strftime("%d-%m-%Y"),
        "note": "Dichter bij huis", "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(stage)
    new = db.session.scalar(sa.select(Stage).where(Stage.previous_stage_id == stage.id))
    assert stage.status is StageStatus.AFGEBROKEN and stage.actual_end == days(0)
    assert stage.end_reason == f"{TRANSFER_REASON}: Dichter bij huis"
    assert new.via_transfer and new.provider_id == world.org(P2).id
    assert new.status is StageStatus.VOORGESTELD and new.kind is StageKind.WERKERVARINGSPLAATS
    assert new.hours_per_week == 20
    assert response.headers["Location"].endswith(f"/trajecten/{new.id}")
    # Both stages stay; the old provider still sees its own, the new one gets the proposal.
    assert intaker_client.get(f"/trajecten/{stage.id}").status_code == 200
    assert intaker_client.get(f"/trajecten/{new.id}").status_code == 404
    page = intaker2_client.get(f"/trajecten/{new.id}").text
    assert "Dichter bij huis" in page
    assert new.id in {int(i) for i in re.findall(
        r'data-stage-id="(\d+)"', intaker2_client.get("/trajecten/werkvoorraad").text)}
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    assert f"/trajecten/{stage.id}\"" in page and f"/trajecten/{new.id}\"" in page
    changes = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Stage", AuditEvent.subject_id == str(candidate.id))).all()
    assert {e.object_id for e in changes} >= {str(stage.id), str(new.id)}


def test_only_the_klantmanager_transfers(world, intaker_client, klantmanager2_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.LOPEND, start=days(-30))
    data = {"provider_id": world.org(P2).id, "end_on": days(0).strftime("%d-%m-%Y"),
            "end_status": "afgerond", "planned_start": days(1).strftime("%d-%m-%Y"),
            "version": stage.version}
    assert intaker_client.post(f"/trajecten/{stage.id}/doorplaatsen", data=data).status_code == 403
    assert klantmanager2_client.post(f"/trajecten/{stage.id}/doorplaatsen",
                                     data=data).status_code == 404
