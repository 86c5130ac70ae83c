"""The candidate export's stage columns: the kind and the provider of the current stage.

"Current" is the running (lopend) stage, as in the list's stage filter
(trajectory/stages/filters.py), among the stages the user may see; with two running at
once, the one that started last. One query for the whole export.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.candidates.exports import ExtraColumn, register_column
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.stages.models import Stage, StageStatus

_LOADED = "trajectory.stages.exports"


def current_stages(user: Any, candidates: list[Candidate]) -> dict[int, tuple[Any, str]]:
    """candidate id -> (kind, provider name) of the running stage, in one query (kept for
    the two columns of one chunk of the export; only the last chunk's, so a streamed
    export of 100,000 people does not keep them all)."""
    from flask import g

    ids = [c.id for c in candidates]
    key = (getattr(user, "id", None), tuple(ids))
    cache = g.get(_LOADED)
    if cache is None or key not in cache:
        cache = {}
        setattr(g, _LOADED, cache)
        rows = db.session.execute(
            sa.select(Stage.candidate_id, Stage.kind, Organisation.name)
            .join(Organisation, Organisation.id == Stage.provider_id)
            .where(Stage.candidate_id.in_(ids), Stage.status == StageStatus.LOPEND,
                   Stage.scope_filter(user))
            .order_by(Stage.candidate_id, sa.func.coalesce(Stage.actual_start,
                                                           Stage.planned_start), Stage.id)
        ).all() if ids else []
        cache[key] = {candidate_id: (kind, name) for candidate_id, kind, name in rows}
    return cache[key]


def install() -> None:
    register_column(ExtraColumn(
        "stage", lambda: _("Current stage"), "stages",
        lambda user, cs: {cid: kind for cid, (kind, _p) in current_stages(user, cs).items()},
        after="status"))
    register_column(ExtraColumn(
        "stage_provider", lambda: _("Provider of the current stage"), "stages",
        lambda user, cs: {cid: name for cid, (_k, name) in current_stages(user, cs).items()},
        after="stage"))
