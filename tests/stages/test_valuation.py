"""A stage in euros through the engine: the adapter, the product rules, the stage page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.stages.conftest import P1, P2, P3, days, goes_candidate, make_stage
from trajectory.stages.models import StageKind, StageStatus
from trajectory.stages.valuation import engine_candidate, engine_stage, value_of
from trajectory.valuation import engine


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_adapter_maps_onto_the_engine_dataclasses(ctx, world):
    candidate = goes_candidate(world, doelgroepregister=False, statushouder=True)
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=days(-10), permanent=True, hours_per_week=Decimal(24))
    stage = engine_stage(job)
    assert (stage.kind, stage.hours_per_week, stage.permanent, stage.level, stage.hours) == (
        "paid_job", Decimal(24), True, None, None)
    assert stage.end == engine.add_months(job.start, 24) - timedelta(days=1)
    person = engine_candidate(candidate)
    assert person.benefit == "participatiewet" and person.statushouder
    assert person.birth_date == candidate.date_of_birth
    bbl = engine_stage(make_stage(world, candidate, P3, StageKind.BBL, StageStatus.LOPEND,
                                  level=3, end=days(200)))
    assert bbl.level == 3 and bbl.hours is None


def test_values_per_kind(ctx, world):
    candidate = goes_candidate(world)
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                     start=date(2026, 3, 15), end=date(2026, 6, 14))
    assert value_of(wep).value == Decimal("2250.00")
    assert any("3 maanden" in line for line in value_of(wep).explain)
    intake = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                        start=days(-40), end=days(-30), hours=Decimal(6))
    assert value_of(intake).value == Decimal("600.00")
    project = make_stage(world, candidate, P2, StageKind.ADDITIONAL_PROJECT, StageStatus.LOPEND,
                         start=days(-10), end=days(50), hours=Decimal(12))
    assert value_of(project).value == Decimal("1200.00")
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=days(-10), permanent=True)
    result = value_of(job)
    assert result.value > 0 and any("Zonder einddatum" in line for line in result.explain)


def test_coaching_during_a_werkervaringsplaats_of_the_same_provider_counts_zero(ctx, world):
    candidate = goes_candidate(world)
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                     start=days(-60))
    inside = make_stage(world, candidate, P2, StageKind.COACHING, StageStatus.LOPEND,
                        start=days(-50), end=days(0), hours=Decimal(20))
    elsewhere = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.LOPEND,
                           start=days(-50), end=days(0), hours=Decimal(20))
    stages = [wep, inside, elsewhere]
    zero = value_of(inside, stages)
    assert zero.value == 0 and "telt niet mee" in zero.reason
    assert value_of(elsewhere, stages).value == Decimal("2000.00")
    half = make_stage(world, candidate, P2, StageKind.COACHING, StageStatus.LOPEND,
                      start=wep.start - timedelta(days=30), end=wep.start + timedelta(days=29),
                      hours=Decimal(20))
    assert value_of(half, [*stages, half]).value == Decimal("1000.00")


def test_declined_and_never_started_stages_have_no_value(ctx, world):
    candidate = goes_candidate(world)
    declined = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    assert value_of(declined).value is None
    cancelled = make_stage(world, candidate, P1, StageKind.BBL, StageStatus.GEPLAND,
                           start=days(10), end=days(300))
    from trajectory.extensions import db
    from trajectory.stages import services

    services.end_stage(cancelled, status=StageStatus.AFGEBROKEN, actual_end=days(0),
                       reason="Ziek", version=None)
    db.session.commit()
    assert cancelled.never_started and value_of(cancelled).value == 0


def test_stage_page_shows_the_value(world, klantmanager_client):
    stage = make_stage(world, goes_candidate(world), P2, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.AFGEROND, start=date(2026, 3, 15), end=date(2026, 6, 14))
    page = klantmanager_client.get(f"/trajecten/{stage.id}").text
    assert "2.250,00" in page and "Bouwblokken 2023" in page


def test_a_person_month_is_never_credited_twice_across_providers(ctx, world):
    candidate = goes_candidate(world)
    bbl = make_stage(world, candidate, P3, StageKind.BBL, StageStatus.LOPEND,
                     start=date(2026, 1, 1), end=date(2026, 12, 31), level=2)
    # Recorded later, at another provider, overlapping the BBL's first three months.
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                     start=date(2025, 12, 1), end=date(2026, 3, 31))
    stages = [bbl, wep]
    earlier, later = value_of(bbl, stages), value_of(wep, stages)
    assert earlier.value == Decimal("20000.00")  # the BBL keeps all its months
    assert later.value == Decimal("750.00")  # only December 2025 is left for the WEP
    assert any("die maanden tellen daar" in flag for flag in later.flags)
    assert any("die maanden tellen hier" in flag for flag in earlier.flags)
    # Same provider: no cross-provider rule (coaching has its own rule).
    same = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.GEPLAND,
                      start=date(2026, 6, 1), end=date(2026, 11, 30))
    assert not value_of(same, [*stages, same]).flags
