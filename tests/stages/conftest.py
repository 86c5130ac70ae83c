"""Builders for the stage tests: candidates from the candidates feature's helpers, stages
through the real services, acting as the right person."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.candidates.support import actor_of, assign, register
from trajectory.audit.trail import acting_as
from trajectory.demo.data import PROVIDERS
from trajectory.extensions import db
from trajectory.stages import services
from trajectory.stages.models import Stage, StageKind, StageStatus
from trajectory.timeutil import today

P1, P2, P3, P4 = PROVIDERS[0], PROVIDERS[1], PROVIDERS[2], PROVIDERS[3]
# What make_stage fills in for a plan field the kind requires.
PLAN_DEFAULTS: dict[str, Any] = {"hours": Decimal(10), "level": 2, "hours_per_week": Decimal(24),
                                 "job_title": "Huishoudelijk medewerker"}
# The intaker of each provider in the world.
INTAKER_OF = {P1: "intaker", P2: "intaker2", P3: "l.vandijke", P4: "t.wisse"}


def goes_candidate(world, buddy: str | None = "buddy", **overrides: Any):
    """A Goes candidate (klantmanager), Kees Dekker (Welzijn De Bevelanden) as buddy,
    consent for everyone (so the coordinator sees it)."""
    candidate = register(world, **overrides)
    if buddy:
        assign(world, candidate, buddy)
    return candidate


def days(n: int) -> date:
    return today() + timedelta(days=n)


def make_stage(world, candidate, provider: str, kind: StageKind,
               status: StageStatus = StageStatus.VOORGESTELD, *, start: date | None = None,
               end: date | None = None, **fields: Any) -> Stage:
    """A stage brought to ``status`` through the services (proposed by the klantmanager of
    the candidate, answered and run by the provider's intaker)."""
    klantmanager = candidate.klantmanager
    intaker = world.user(INTAKER_OF[provider])
    start = start or days(-30)
    spec = kind.spec  # the kind's entry in trajectory/stages/kinds.py
    if end is None and not (spec.open_ended or spec.default_months):
        end = start + timedelta(days=60)
    defaults: dict[str, Any] = {name: PLAN_DEFAULTS[name] for name in spec.plan_required}
    defaults.update(fields)
    care = defaults.pop("care", None)
    outcome = defaults.pop("outcome", None)
    with acting_as(actor_of(klantmanager)):
        stage = services.propose_stage(
            candidate, provider=world.org(provider), kind=kind, planned_start=start,
            planned_end=end, actor=klantmanager, answer_due=defaults.pop("answer_due", None),
            **defaults)
        db.session.commit()
    if care:
        with acting_as(actor_of(klantmanager)):
            services.record_care_choice(stage, actor=klantmanager, version=None, **care)
            db.session.commit()
    if status is StageStatus.VOORGESTELD:
        return stage
    with acting_as(actor_of(intaker)):
        services.answer_stage(stage, accept=status is not StageStatus.AFGEWEZEN, actor=intaker,
                              version=None, responsible_user=intaker, reason="Geen plek")
        if status in (StageStatus.LOPEND, StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
            services.start_stage(stage, actual_start=min(start, today()), version=None)
        if status in (StageStatus.AFGEROND, StageStatus.AFGEBROKEN):
            services.end_stage(stage, status=status, actual_end=min(end or today(), today()),
                               reason="Gestopt", version=None)
        if outcome:
            services.record_outcome(stage, actor=intaker, version=None, **outcome)
        db.session.commit()
    return stage


@pytest.fixture
def candidate(world):
    return goes_candidate(world)
