"""URL arguments for the route × role matrix (tests/auth/test_matrix.py): a proposed intake at
the first demo provider for the candidates feature's Goes matrix candidate (klantmanager,
buddy Kees Dekker, consent for the overlegtafel), so every allowed role reaches it."""

from __future__ import annotations

from tests.candidates.support import matrix_candidate
from tests.stages.conftest import P1, make_stage
from trajectory.stages.models import StageKind


def matrix_stage(world):
    cache = world.__dict__.setdefault("_matrix_stages", {})
    if "stage" not in cache:
        cache["stage"] = make_stage(world, matrix_candidate(world), P1, StageKind.INTAKE)
    return cache["stage"]


def _stage(world) -> dict:
    return {"stage_id": matrix_stage(world).id}


STAGE_URL_ARGS = {
    "stages.detail": _stage,
    "stages.answer": _stage,
    "stages.start": _stage,
    "stages.end": _stage,
    "stages.outcome": _stage,
    "stages.edit": _stage,
    "stages.care": _stage,
    "stages.transfer": _stage,
    "stages.mark_handled": _stage,
    "stages.propose": lambda w: {"candidate_id": matrix_candidate(w).id},
}
