"""The file reads like a story: the header says what matters now (issue 12), within what
each role may see, at a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.candidates.support import actor_of, goes_file, measure
from tests.contacts.support import log_contact
from tests.stages.conftest import P1, days, make_stage
from trajectory.audit.trail import acting_as
from trajectory.extensions import db
from trajectory.stages.models import StageKind, StageStatus
from trajectory.timeutil import today


def header_of(html: str) -> str:
    """The "now" section at the top of the file."""
    match = re.search(r'<section class="story-now".*?</section>', html, re.S)
    assert match, "the file has no header section"
    return match.group(0)


def story_file(world, consent_days: int = 10):
    """The Goes file with a running work-experience place, a contact two days ago and
    consent that ends in ``consent_days`` days."""
    candidate = goes_file(world)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
               start=days(-10), end=days(80))
    log_contact(world, candidate, days_ago=2)
    with acting_as(actor_of(world.user("klantmanager"))):
        candidate.consent_expires_on = today() + timedelta(days=consent_days)
        db.session.commit()
    return candidate


def test_the_header_says_stage_next_step_buddy_last_contact_and_signals(
        klantmanager_client, world):
    candidate = story_file(world)
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    head = header_of(page)
    assert "Werkervaringsplaats" in head and P1 in head                 # stage and provider
    assert days(-10).strftime("%d-%m-%Y") in head                      # since when
    assert "Kennismaken op de afdeling" in head                        # the next step ...
    assert (today() + timedelta(days=14)).strftime("%d-%m-%Y") in head  # ... and its date
    assert "Kees Dekker" in head                                       # the buddy
    assert (today() - timedelta(days=2)).strftime("%d-%m-%Y") in head   # the last contact
    assert 'data-signal="toestemming_verloopt"' in head                # an open signal
    # the header comes first, the plan, the learning line and the contacts follow
    order = [page.index(marker) for marker in (
        'class="story-now"', 'id="plan"', 'class="learning-line"', 'id="contacten"')]
    assert order == sorted(order)
    assert page.index('id="contacten"') < page.index('id="gegevens"')


def test_a_file_without_signals_says_so(klantmanager_client, world):
    candidate = story_file(world, consent_days=300)
    head = header_of(klantmanager_client.get(f"/kandidaten/{candidate.id}").text)
    assert "data-signal=" not in head and 'id="signalen"' in head


def test_each_role_sees_in_the_header_only_what_it_may_see(client_for, world):
    candidate = story_file(world)
    buddy = header_of(client_for("buddy").get(f"/kandidaten/{candidate.id}").text)
    assert "Kees Dekker" in buddy and "Werkervaringsplaats" in buddy
    assert "toestemming_verloopt" not in buddy  # a signal for the municipality only
    # the buddy without consent sees how to reach the person, no plan, no stages
    with acting_as(actor_of(world.user("klantmanager"))):
        candidate.consent_buddy = False
        db.session.commit()
    reach = client_for("buddy").get(f"/kandidaten/{candidate.id}").text
    head = header_of(reach)
    assert "06 12345678" in head
    for hidden in ("Werkervaringsplaats", "Kennismaken", "Goed gesprek", "data-signal="):
        assert hidden not in reach, hidden


def test_the_file_loads_in_a_constant_number_of_queries(klantmanager_client, world,
                                                         count_queries):
    small = story_file(world)
    klantmanager_client.get(f"/kandidaten/{small.id}")  # warm up
    with count_queries() as few:
        klantmanager_client.get(f"/kandidaten/{small.id}")
    make_stage(world, small, P1, StageKind.INTAKE, StageStatus.AFGEROND,
               start=days(-60), end=days(-40))
    make_stage(world, small, P1, StageKind.INTAKE, StageStatus.GEPLAND, start=days(90))
    for n in range(6):
        log_contact(world, small, days_ago=3 + n)
        measure(world, small, 3, 30 + n)
    with count_queries() as many:
        page = klantmanager_client.get(f"/kandidaten/{small.id}").text
    assert page.count('class="contact-entry"') == 5 and page.count("Werkervaringsplaats") >= 2
    assert many.count == few.count, (few.count, many.count)
