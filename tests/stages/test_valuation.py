"""A candidate's stages in euros: the person's whole learning line valued together
(TRAJECTORIES.md T1-T9) from the recorded facts, through the product's adapter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.candidates.support import replace_benefits
from tests.stages.conftest import P1, P2, P3, days, goes_candidate, make_stage
from trajectory.candidates.models import Benefit
from trajectory.extensions import db
from trajectory.stages import services
from trajectory.stages.models import ContractType, StageKind, StageStatus
from trajectory.stages.valuation import engine_person, people, recorded_facts, value_of


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def history(world, candidate, *periods) -> None:
    """Give the candidate exactly these benefit periods (through the service)."""
    replace_benefits(world, candidate, *periods)


def test_the_person_carries_the_benefit_history(ctx, world):
    candidate = goes_candidate(world, statushouder=True)
    history(world, candidate, (Benefit.WW, date(2024, 1, 1), date(2024, 12, 31)),
            (Benefit.PARTICIPATIEWET, date(2025, 3, 1), None))
    person = engine_person(candidate)
    assert [(p.benefit, p.start, p.end) for p in person.benefits] == [
        ("ww", date(2024, 1, 1), date(2024, 12, 31)), ("participatiewet", date(2025, 3, 1), None)]
    assert person.statushouder and person.birth_date == candidate.date_of_birth


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


def test_temporary_then_permanent_job_share_one_placement(ctx, world):
    """Issue: a temporary job then a permanent one at the same employer restarted the 2-year
    count and flipped the benefit to "more than 2 years". Now one placement (T4): the
    benefit is read once, before the first job, and the bonus is paid once."""
    candidate = goes_candidate(world, date_of_birth=date(1990, 5, 5))
    history(world, candidate, (Benefit.PARTICIPATIEWET, date(2024, 2, 1), date(2025, 1, 31)))
    temp = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.AFGEROND,
                      start=date(2025, 2, 1), end=date(2025, 7, 31), hours_per_week=Decimal(36))
    vast = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                      start=date(2025, 8, 1), end=date(2027, 7, 31), hours_per_week=Decimal(36),
                      permanent=True)
    # Placement 01-02-2025 .. 31-01-2027 at Participatiewet < 2 years (30.000 per FTE-year).
    assert value_of(temp).value == Decimal("15000.00")         # 6 months
    assert value_of(vast).value == Decimal("55000.00")         # 18 months + permanent 10.000
    assert any("hetzelfde bouwblok" in line for line in value_of(vast).explain)


def test_a_job_cut_by_another_providers_wep_is_never_worth_more(ctx, world):
    """Issue: a job that lost three months to another provider's werkervaringsplaats was
    valued in parts afresh (caps restarted, bonuses twice) and was worth more than whole."""
    candidate = goes_candidate(world, date_of_birth=date(1970, 1, 1))
    history(world, candidate, (Benefit.PARTICIPATIEWET, date(2020, 1, 1), None))
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                     start=date(2025, 4, 1), end=date(2025, 6, 30))
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=date(2025, 1, 1), end=date(2025, 12, 31), hours_per_week=Decimal(36))
    whole = Decimal("40000.00") + Decimal("5000.00")             # 12 months > 2 years + 50+
    cut = value_of(job)
    assert cut.value == Decimal("35000.00")                      # 9 months + the bonus once
    assert cut.value < whole and value_of(wep).value == Decimal("2250.00")
    assert any("eerder vastgelegd" in flag for flag in cut.flags)
    assert any("later vastgelegd" in flag for flag in value_of(wep).flags)


def test_recorded_facts_win_over_the_plan(ctx, world):
    """Issue: a job recorded as temporary at 16 h was valued at the planned 24 h with the
    permanent bonus; a werkervaringsplaats past its agreed end was valued past it."""
    candidate = goes_candidate(world, date_of_birth=date(1990, 1, 1))
    history(world, candidate, (Benefit.PARTICIPATIEWET, date(2025, 6, 1), None))
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=date(2026, 1, 1), end=date(2026, 12, 31), hours_per_week=Decimal(24),
                     permanent=True,
                     outcome={"contract_type": ContractType.TEMPORARY,
                              "contract_hours": Decimal(18)})
    facts = recorded_facts(job)
    assert facts["hours_per_week"] == Decimal(18) and facts["permanent"] is False
    assert value_of(job).value == Decimal("15000.00")  # 12 months x 0,5 FTE, no bonus
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                     start=date(2025, 1, 15), end=date(2025, 4, 16))
    wep.agreed_end = date(2025, 4, 14)
    db.session.commit()
    assert value_of(wep).value == Decimal("2250.00")   # three months, not 3 1/15


def test_benefit_read_the_day_before_the_job(ctx, world):
    """T2: the benefit ended the day before the job; a later job after the placement closed
    counts only with a new benefit."""
    candidate = goes_candidate(world, date_of_birth=date(1992, 2, 2))
    history(world, candidate, (Benefit.WW, date(2024, 9, 1), date(2025, 2, 28)))
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.AFGEROND,
                     start=date(2025, 3, 1), end=date(2025, 6, 30), hours_per_week=Decimal(36))
    assert value_of(job).value == Decimal("3333.33")   # WW < 1 year, 4 months
    later = make_stage(world, candidate, P1, StageKind.PAID_JOB, StageStatus.LOPEND,
                       start=date(2026, 5, 1), end=date(2026, 10, 31), hours_per_week=Decimal(36))
    assert value_of(later).value == Decimal("0.00")
    assert any("Telperiode" in line for line in value_of(later).explain)


def test_coaching_during_a_block_of_the_same_provider_counts_zero(ctx, world):
    candidate = goes_candidate(world)
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                     start=days(-60))
    inside = make_stage(world, candidate, P2, StageKind.COACHING, StageStatus.LOPEND,
                        start=days(-50), end=days(0), hours=Decimal(20))
    elsewhere = make_stage(world, candidate, P1, StageKind.COACHING, StageStatus.LOPEND,
                           start=days(-50), end=days(0), hours=Decimal(20))
    assert value_of(inside).value == 0
    assert any("telt nul" in line for line in value_of(inside).explain)
    assert value_of(elsewhere).value == Decimal("2000.00")
    half = make_stage(world, candidate, P2, StageKind.COACHING, StageStatus.LOPEND,
                      start=wep.start - timedelta(days=30), end=wep.start + timedelta(days=29),
                      hours=Decimal(20))
    assert value_of(half).value == Decimal("1000.00")


def test_declined_proposed_never_started_and_care_stages_take_no_part(ctx, world):
    candidate = goes_candidate(world)
    declined = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    assert value_of(declined).value is None
    proposed = make_stage(world, candidate, P1, StageKind.INTAKE)
    assert value_of(proposed).value is None and value_of(proposed).reason
    cancelled = make_stage(world, candidate, P1, StageKind.BBL, StageStatus.GEPLAND,
                           start=days(10), end=days(300))
    services.end_stage(cancelled, status=StageStatus.AFGEBROKEN, actual_end=days(0),
                       reason="Ziek", version=None)
    db.session.commit()
    assert cancelled.never_started and value_of(cancelled).value == 0


def test_people_values_many_candidates_in_a_fixed_number_of_queries(ctx, world, count_queries):
    candidates = []
    for n in range(4):
        candidate = goes_candidate(world, buddy=None, first_name=f"Test{n}")
        make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                   start=days(-40))
        make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.GEPLAND,
                   start=days(20), end=days(400))
        candidates.append(candidate.id)
    db.session.expire_all()
    with count_queries() as few:
        people(candidates[:1])
    db.session.expire_all()
    with count_queries() as many:
        people(candidates)
    assert many.count == few.count


def test_stage_page_shows_the_value(world, klantmanager_client):
    stage = make_stage(world, goes_candidate(world), P2, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.AFGEROND, start=date(2026, 3, 15), end=date(2026, 6, 14))
    page = klantmanager_client.get(f"/trajecten/{stage.id}").text
    assert "2.250,00" in page and "Bouwblokken 2023" in page
