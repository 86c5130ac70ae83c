"""Stage changes in the candidate's "Geschiedenis": names for ids, Dutch dates, no bookkeeping."""

from __future__ import annotations

from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.stages.models import StageKind, StageStatus


def test_history_names_the_provider_and_hides_bookkeeping(world, klantmanager_client):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       start=days(-10))
    history = klantmanager_client.get(f"/kandidaten/{candidate.id}/geschiedenis").text
    assert "Trajectstap toegevoegd" in history
    assert f"Aanbieder: {P1}" in history
    assert f"Geplande start: {stage.planned_start.strftime('%d-%m-%Y')}" in history
    assert "version" not in history and "proposed_at" not in history
