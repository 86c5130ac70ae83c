"""The lists that grow with the region page in SQL: the signals page per signal, the task
list per section, the cohort list; a bad page key shows a page, never a 500."""

from __future__ import annotations

import re

import pytest

from tests.scale_support import grow

ROW = re.compile(r'<tr class="utrecht-table__row"')
BAD_PAGES = ("abc", "0", "-1", "99999999999", "1e9", "２")


def rows(html: str) -> int:
    """Body rows of the page's tables (the header row left out)."""
    return len(ROW.findall(html)) - html.count("<thead")


@pytest.fixture
def region(world):
    grow(160)
    return world


def test_the_signals_page_pages_through_one_signal(region, client_for):
    klantmanager = client_for("klantmanager")
    overview = klantmanager.get("/signalen").text
    assert "/signalen?signaal=plan_niet_vastgesteld" in overview
    first = klantmanager.get("/signalen?signaal=plan_niet_vastgesteld").text
    second = klantmanager.get("/signalen?signaal=plan_niet_vastgesteld&page=2").text
    assert rows(first) == 25 and 0 < rows(second) <= 25
    assert 'rel="next"' in first and 'rel="prev"' in second
    names = set(re.findall(r">([A-Z][a-z]+ [A-Za-z ]+ \d+)</a>", first))
    assert names and not names & set(re.findall(r">([A-Z][a-z]+ [A-Za-z ]+ \d+)</a>", second))
    # Another signal's section is not on the page of this one.
    assert 'id="toestemming_verloopt"' not in first


def test_signals_page_keys_never_fail(region, client_for):
    klantmanager = client_for("klantmanager")
    for page in BAD_PAGES:
        response = klantmanager.get(f"/signalen?signaal=plan_niet_vastgesteld&page={page}")
        assert response.status_code == 200, page
        assert rows(response.text) > 0, page
    # An unknown signal (or one of another role) shows the whole page.
    assert 'id="taken"' in klantmanager.get("/signalen?signaal=onbekend").text
    assert klantmanager.get("/signalen?signaal=taken&page=abc").status_code == 200


def test_the_task_list_pages_through_one_section(region, client_for):
    intaker = client_for("intaker")
    whole = intaker.get("/trajecten/werkvoorraad").text
    first = intaker.get("/trajecten/werkvoorraad?sectie=to_answer").text
    second = intaker.get("/trajecten/werkvoorraad?sectie=to_answer&page=2").text
    assert rows(first) == 25 and 0 < rows(second) <= 25
    assert 'id="running"' in whole and 'id="running"' not in first
    for page in BAD_PAGES:
        assert intaker.get(f"/trajecten/werkvoorraad?sectie=to_answer&page={page}"
                           ).status_code == 200, page
    # A section of the klantmanager only is not the intaker's: the whole list.
    assert 'id="to_answer"' in intaker.get("/trajecten/werkvoorraad?sectie=declined").text


def test_the_cohort_list_is_paginated(region, client_for):
    coordinator = client_for("coordinator")
    first = coordinator.get("/cohorten").text
    assert rows(first) == 25 and 'rel="next"' in first
    second = coordinator.get("/cohorten?page=2").text
    assert 0 < rows(second) <= 25
    for page in BAD_PAGES:
        assert coordinator.get(f"/cohorten?page={page}").status_code == 200, page


def test_the_coordinator_home_shows_the_newest_cohorts_and_a_count(region, client_for):
    from trajectory.cohorts.panels import COHORTS_SHOWN

    page = client_for("coordinator").get("/").text
    shown = set(re.findall(r'href="/cohorten/(\d+)"', page))
    assert 0 < len(shown) <= COHORTS_SHOWN + 5  # the newest, and the waiting work's
    assert "#cohorten" in page  # the link to every cohort's signals


def test_the_offer_list_shows_its_last_page_for_a_page_beyond_the_end(app, world,
                                                                       client_for):
    from trajectory.demo.data import DEMO_STEPS

    for name, step in DEMO_STEPS:  # the demo's providers with their offer
        if name.startswith("providers"):
            step()
    from trajectory.extensions import db

    db.session.commit()
    klantmanager = client_for("klantmanager")
    first = klantmanager.get("/aanbieders/aanbod").text
    beyond = klantmanager.get("/aanbieders/aanbod?page=99999").text
    assert rows(first) > 0 and rows(beyond) > 0
    assert klantmanager.get("/aanbieders/aanbod?page=abc").status_code == 200
