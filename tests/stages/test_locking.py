"""Optimistic locking: a save based on an old version of the stage gets a conflict message."""

from __future__ import annotations

from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.extensions import db
from trajectory.stages.models import StageKind, StageStatus


def test_the_later_save_gets_a_conflict_and_loses_nothing(world, klantmanager_client,
                                                           intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.BBL, StageStatus.GEPLAND,
                       start=days(10), end=days(300))
    opened = stage.version  # both open the edit form on this version
    first = intaker_client.post(f"/trajecten/{stage.id}/bewerken", data={
        "planned_start": stage.planned_start.strftime("%d-%m-%Y"),
        "planned_end": days(320).strftime("%d-%m-%Y"), "level": "2",
        "responsible_name": "Team Zuid", "version": opened})
    assert first.status_code == 302
    second = klantmanager_client.post(f"/trajecten/{stage.id}/bewerken", data={
        "planned_start": stage.planned_start.strftime("%d-%m-%Y"),
        "planned_end": days(330).strftime("%d-%m-%Y"), "level": "3",
        "note": "Niveau 3 lijkt haalbaar", "version": opened})
    assert second.status_code == 200
    page = second.text
    assert "Iemand anders heeft deze trajectstap gewijzigd" in page
    assert "Niveau 3 lijkt haalbaar" in page  # the later input is still on the form
    db.session.refresh(stage)
    assert stage.planned_end == days(320) and stage.level == 2
    assert stage.responsible_name == "Team Zuid"
    assert f'name="version" type="hidden" value="{stage.version}"' in page
    # Saving again, now on the current version, works.
    third = klantmanager_client.post(f"/trajecten/{stage.id}/bewerken", data={
        "planned_start": stage.planned_start.strftime("%d-%m-%Y"),
        "planned_end": days(330).strftime("%d-%m-%Y"), "level": "3",
        "responsible_name": "Team Zuid", "note": "Niveau 3 lijkt haalbaar",
        "version": stage.version})
    assert third.status_code == 302
    db.session.refresh(stage)
    assert stage.level == 3


def test_stale_answer_is_refused(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    old = stage.version
    stage.note = "Aangepast door de klantmanager"
    db.session.commit()
    response = intaker_client.post(f"/trajecten/{stage.id}/beantwoorden", data={
        "decision": "accept", "version": old})
    assert response.status_code == 200
    db.session.refresh(stage)
    assert stage.status is StageStatus.VOORGESTELD
