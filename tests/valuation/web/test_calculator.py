"""The calculator: "what is this stage worth?" for any logged-in user, with the engine."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trajectory.valuation import engine


def test_the_calculator_shows_the_engines_value_and_explanation(buddy_client):
    response = buddy_client.get("/sroi/rekenhulp", query_string={
        "kind": "paid_job", "start": "2026-03-01", "end": "28-02-2027", "hours_per_week": "36",
        "benefit": "participatiewet", "benefit_since": "2021-01-01", "birth_date": "1971-05-01",
        "permanent": "y"})
    assert response.status_code == 200
    expected = engine.value_stage(
        engine.Stage("paid_job", date(2026, 3, 1), date(2027, 2, 28), hours_per_week=36,
                     permanent=True),
        engine.Candidate("participatiewet", date(2021, 1, 1), birth_date=date(1971, 5, 1)),
        engine.newest_rulebook())
    assert expected.value == Decimal("55000.00")  # 40.000 + 5.000 (50+) + 10.000 (vast)
    assert "55.000,00" in response.text
    for line in expected.explain:
        assert line in response.text


def test_the_calculator_can_use_another_edition(klantmanager_client):
    response = klantmanager_client.get("/sroi/rekenhulp", query_string={
        "kind": "coaching", "start": "2026-01-01", "end": "2026-01-31", "hours": "10",
        "rulebook": "bouwblokken-2025"})
    assert response.status_code == 200 and "1.000,00" in response.text


def test_bad_calculator_input_is_shown_with_the_input_kept(adviseur_client):
    response = adviseur_client.get("/sroi/rekenhulp", query_string={
        "kind": "bbl", "start": "2026-01-01", "end": "nooit", "hours": ""})
    assert response.status_code == 200
    assert 'value="nooit"' in response.text and "error-summary" in response.text
    response = adviseur_client.get("/sroi/rekenhulp", query_string={
        "kind": "bbl", "start": "2026-01-01", "end": "2026-12-31"})  # BBL needs a level
    assert "error-summary" in response.text and 'id="level-error"' in response.text
    response = adviseur_client.get("/sroi/rekenhulp", query_string={
        "kind": "paid_job", "start": "2026-01-01", "end": "2026-12-31",
        "hours_per_week": "1.5,0"})
    assert "error-summary" in response.text and 'value="1.5,0"' in response.text
    response = adviseur_client.get("/sroi/rekenhulp", query_string={
        "kind": "paid_job", "start": "2026-01-01", "end": "2026-12-31", "hours_per_week": "20"})
    assert 'id="benefit-error"' in response.text  # the value depends on the person
    assert "error-summary" not in adviseur_client.get("/sroi/rekenhulp").text
