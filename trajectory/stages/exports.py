"""The candidate export's stage columns: the kind and the provider of the current stage.

"Current" is the running (lopend) stage, as in the list's stage filter
(trajectory/stages/filters.py), among the stages the user may see; with two running at
once, the one that started last. A scalar subquery per column, part of the export's one
SELECT (trajectory/candidates/exports.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.candidates.exports import ExtraColumn, register_column
from trajectory.candidates.models import Candidate
from trajectory.organisations.models import Organisation
from trajectory.stages.models import Stage, StageStatus


def current_stage(user: Any, *columns: Any) -> sa.ScalarSelect[Any]:
    """``columns`` of the exported candidate's current stage (joined to its provider)."""
    return (sa.select(*columns).select_from(Stage)
            .join(Organisation, Organisation.id == Stage.provider_id)
            .where(Stage.candidate_id == Candidate.id, Stage.status == StageStatus.LOPEND,
                   Stage.scope_filter(user))
            .order_by(sa.func.coalesce(Stage.actual_start, Stage.planned_start).desc(),
                      Stage.id.desc())
            .limit(1).correlate(Candidate).scalar_subquery())


def install() -> None:
    register_column(ExtraColumn(
        "stage", lambda: _("Current stage"), "stages",
        lambda user: [current_stage(user, Stage.kind)], after="status"))
    register_column(ExtraColumn(
        "stage_provider", lambda: _("Provider of the current stage"), "stages",
        lambda user: [current_stage(user, Organisation.name)], after="stage"))
