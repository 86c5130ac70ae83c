"""The one door from cohorts to the learning line (trajectory.stages).

Signals about stages, stages per cohort, moves, outflow through paid work or
BBL and the "naar rato" stage shares read stages only through this module, as
plain ``StageFact`` values. While the stages feature is not installed,
``available()`` is False and every function answers "nothing", so the pages
show the rest and say that stage figures are not available.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trajectory.timeutil import AMSTERDAM, as_utc

PAID_WORK = frozenset({"paid_job"})
TRAINING = frozenset({"bbl", "bol"})
WORK_EXPERIENCE = "werkervaringsplaats"


@dataclass(frozen=True)
class StageFact:
    """What cohorts need to know about one stage."""

    id: int
    candidate_id: int
    provider_id: int | None
    kind: str
    status: str                  # voorgesteld, gepland, lopend, afgerond, afgebroken
    start: date | None           # actual start, else planned
    end: date | None             # actual end, else planned
    has_outcome: bool = False
    next_step_decided: bool = False
    hours_per_week: Decimal | None = None
    vacancy: str | None = None   # the vacancy it fills, when linked
    changed_on: date | None = None
    care: bool = False           # recorded as care, not Social Return

    def running_on(self, day: date) -> bool:
        return (self.status not in ("voorgesteld", "afgebroken") and self.start is not None
                and self.start <= day and (self.end is None or self.end >= day))


def available() -> bool:
    """True when the stages feature is installed."""
    return _model() is not None


def _model() -> Any:
    if importlib.util.find_spec("trajectory.stages") is None:
        return None
    try:
        from trajectory.stages import models
    except ImportError:  # pragma: no cover - a half-installed feature
        return None
    return getattr(models, "Stage", None)


def sql() -> Any:
    """The stages feature's model and enums for a query (``Stage``, ``StageStatus``,
    ``StageKind``: attributes of the namespace returned), or None without the feature.
    The signals count and list their stages in SQL through this."""
    if not available():
        return None
    from types import SimpleNamespace

    from trajectory.stages.kinds import StageKind
    from trajectory.stages.models import Stage, StageStatus

    return SimpleNamespace(Stage=Stage, StageStatus=StageStatus, StageKind=StageKind)


def kind_choices() -> list[tuple[str, str]]:
    """(code, label) of every stage kind, from the stage kinds' table
    (``trajectory.stages.kinds``); none while the stages feature is absent."""
    if not available():
        return []
    from trajectory.stages.kinds import ENTRIES

    return [(spec.kind.value, str(spec.label)) for spec in ENTRIES]


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).astimezone(AMSTERDAM).date()
    return value


def facts_for(candidate_ids: Iterable[int]) -> dict[int, list[StageFact]]:
    """Every stage of these candidates (declined proposals left out), per candidate, in
    one query; empty without the stages feature."""
    ids = sorted(set(candidate_ids))
    if not ids or not available():
        return {}
    import sqlalchemy as sa
    import sqlalchemy.orm as so

    from trajectory.extensions import db
    from trajectory.stages.models import Stage, StageStatus

    stages = db.session.scalars(
        sa.select(Stage).where(Stage.candidate_id.in_(ids), Stage.status != StageStatus.AFGEWEZEN)
        .options(so.joinedload(Stage.vacancy), so.lazyload("*"))
        .order_by(Stage.candidate_id, Stage.planned_start, Stage.id)).unique().all()
    facts: dict[int, list[StageFact]] = {}
    for stage in stages:
        moments = [stage.actual_start, stage.actual_end, _day(stage.proposed_at),
                   _day(stage.answered_at), _day(stage.outcome_recorded_at)]
        hours = stage.contract_hours if stage.contract_hours is not None else stage.hours_per_week
        facts.setdefault(stage.candidate_id, []).append(StageFact(
            id=stage.id, candidate_id=stage.candidate_id, provider_id=stage.provider_id,
            kind=stage.kind.value, status=stage.status.value, start=stage.start, end=stage.end,
            has_outcome=stage.has_outcome,
            next_step_decided=stage.next_step_decision is not None,
            hours_per_week=hours, vacancy=stage.vacancy.title if stage.vacancy else None,
            changed_on=max((m for m in moments if m is not None), default=None),
            care=stage.is_zorg))
    return facts
