"""The candidate list's cohort filter offers the newest cohorts only (a provider at a
large region's tables sits at thousands), and keeps an older chosen one selectable."""

from __future__ import annotations

from datetime import date

from tests.cohorts.support import make_cohort
from trajectory.cohorts import filters


def test_the_cohort_filter_offers_the_newest_and_the_chosen_one(world, client_for,
                                                               monkeypatch):
    old = make_cohort(world, "Oude golf 2025", start=date(2025, 1, 1))
    make_cohort(world, "Nieuwe golf 2026", start=date(2026, 1, 1))
    monkeypatch.setattr(filters, "MAX_COHORT_CHOICES", 1)
    client = client_for("coordinator")
    page = client.get("/kandidaten").get_data(as_text=True)
    assert "Nieuwe golf 2026" in page and "Oude golf 2025" not in page
    page = client.get(f"/kandidaten?cohort={old.id}").get_data(as_text=True)
    assert "Nieuwe golf 2026" in page and "Oude golf 2025" in page
