"""Stages through a token: the stage page's scope and free-text rule, its log line, and
the intaker's outcome page's service."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from tests.api.support import bearer, token_for
from tests.stages.conftest import P1, P2, goes_candidate, make_stage
from trajectory.audit.models import ProcessingLogEntry
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageKind, StageStatus


def _running(world, provider=P1, **fields):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, provider, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.LOPEND, hours_per_week=Decimal(20), **fields)
    stage.note = "Afspraak: start om negen uur, vervoer geregeld."
    db.session.commit()
    return stage


def _stage_lines(stage_id: int) -> list[ProcessingLogEntry]:
    return list(db.session.scalars(sa.select(ProcessingLogEntry).where(
        ProcessingLogEntry.object_type == "Stage", ProcessingLogEntry.object_id == str(stage_id))))


def test_a_provider_reads_its_own_stages_with_their_notes_and_a_log_line(client, world):
    mine = _running(world)
    theirs = _running(world, P2)
    row, plain = token_for(world, P1, Role.INTAKER, {"stages:read"})
    listed = client.get("/api/v1/stages", headers=bearer(plain))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [s["id"] for s in items] == [mine.id]
    assert items[0]["candidate"] == mine.candidate_id
    assert items[0]["kind"] == "werkervaringsplaats" and items[0]["status"] == "lopend"
    assert items[0]["note"].startswith("Afspraak")  # the provider's own record
    assert mine.candidate.last_name not in listed.text
    lines = _stage_lines(mine.id)
    assert len(lines) == 1 and lines[0].actor_name == f"api:{row.id}:Testkoppeling"
    assert client.get(f"/api/v1/stages/{theirs.id}", headers=bearer(plain)).status_code == 404
    assert _stage_lines(theirs.id) == []


def test_the_coordinator_reads_the_learning_line_without_free_texts(client, world):
    stage = _running(world)
    _row, plain = token_for(world, "Regio Oosterschelde", Role.COORDINATOR, {"stages:read"})
    body = client.get(f"/api/v1/stages/{stage.id}", headers=bearer(plain)).get_json()
    assert body["status"] == "lopend"
    assert body["note"] is None and body["outcome"]["note"] is None
    assert "Afspraak" not in str(body)


def test_the_intaker_records_an_outcome_through_the_outcome_pages_service(client, world):
    stage = _running(world)
    _row, plain = token_for(world, P1, Role.INTAKER, {"stages:read", "stages:write"})
    version = client.get(f"/api/v1/stages/{stage.id}", headers=bearer(plain)).get_json()["version"]
    url = f"/api/v1/stages/{stage.id}/outcome"
    missing = client.post(url, headers=bearer(plain), json={"version": version})
    assert missing.status_code == 422
    assert missing.get_json()["invalidParams"][0]["name"] == "nextStepDecision"
    done = client.post(url, headers=bearer(plain), json={
        "version": version, "nextStepDecision": "Door naar een bbl-opleiding.",
        "note": "Gaat goed."})
    assert done.status_code == 200, done.get_json()
    outcome = done.get_json()["outcome"]
    assert outcome["nextStepDecision"] == "Door naar een bbl-opleiding."
    assert outcome["recordedAt"] and outcome["nextStepDecidedOn"]
    db.session.refresh(stage)
    assert stage.next_step_decision == "Door naar een bbl-opleiding."
    stale = client.post(url, headers=bearer(plain), json={
        "version": version, "nextStepDecision": "Toch iets anders."})
    assert stale.status_code == 409
    db.session.refresh(stage)
    assert stage.next_step_decision == "Door naar een bbl-opleiding."


def test_only_the_stages_own_intaker_records_and_others_get_404(client, world):
    stage = _running(world)
    _row, other = token_for(world, P2, Role.INTAKER, {"stages:write"})
    url = f"/api/v1/stages/{stage.id}/outcome"
    assert client.post(url, headers=bearer(other), json={"nextStepDecision": "x"}
                       ).status_code == 404
    _km, km = token_for(world, "Goes", Role.KLANTMANAGER, {"stages:write"})
    assert client.post(url, headers=bearer(km), json={"nextStepDecision": "x"}
                       ).status_code == 403
    assert db.session.get(Stage, stage.id).next_step_decision is None


def test_a_proposed_stage_takes_no_outcome_and_bad_bodies_are_400(client, world):
    proposed = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    _row, plain = token_for(world, P1, Role.INTAKER, {"stages:write"})
    url = f"/api/v1/stages/{proposed.id}/outcome"
    assert client.post(url, headers=bearer(plain), json={"suitableForCare": True}
                       ).status_code == 422
    for body, field in (({"suitableLevel": 7}, "suitableLevel"),
                        ({"contractHours": "veel"}, "contractHours"),
                        ({"contractType": "nul-uren"}, "contractType")):
        response = client.post(url, headers=bearer(plain), json=body)
        assert response.status_code == 400
        assert response.get_json()["invalidParams"][0]["name"] == field


def test_filters_and_sort(client, world):
    stage = _running(world)
    _row, plain = token_for(world, P1, Role.INTAKER, {"stages:read"})
    hit = client.get(f"/api/v1/stages?candidate={stage.candidate_id}&status=lopend"
                     "&kind=werkervaringsplaats&sort=-plannedStart", headers=bearer(plain))
    assert [s["id"] for s in hit.get_json()["items"]] == [stage.id]
    miss = client.get("/api/v1/stages?status=afgerond", headers=bearer(plain))
    assert miss.get_json()["items"] == [] and miss.get_json()["totalItems"] == 0
