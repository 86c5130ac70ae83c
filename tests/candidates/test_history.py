"""The history of a file on a page of its own: words a person reads, names for ids,
Dutch dates, newest first, paginated, a constant number of queries (issue 12)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from tests.candidates.support import actor_of, assign, goes_file, measure, register, write_plan
from tests.cohorts.support import agree, make_cohort, seat
from tests.contacts.support import log_contact
from tests.stages.conftest import P1, days, make_stage
from trajectory.audit.labels import audited_models
from trajectory.audit.trail import acting_as
from trajectory.candidates import services
from trajectory.candidates.models import CandidateStatus
from trajectory.extensions import db
from trajectory.stages.models import StageKind, StageStatus
from trajectory.timeutil import today


def text_of(html: str) -> str:
    """What a person reads: the page without its tags, scripts and attributes."""
    body = html[html.index("<main"):html.index("</main>")]
    return unescape(re.sub(r"<[^>]+>", " ", body))


def entries(html: str) -> list[str]:
    """The history entries of the page, as text, in page order."""
    return [text_of("<main>" + chunk + "</main>")
            for chunk in re.findall(r'<li class="history-entry".*?</ul>\s*</li>|'
                                    r'<li class="history-entry".*?</li>', html, re.S)]


def busy_file(world, cohort_name: str = "Maartgolf 2026", **person):
    """A Goes file after a morning's work: plan, ladder, a stage, a cohort agreement,
    a contact, a status change."""
    if person:
        candidate = register(world, **person)
        assign(world, candidate, "buddy")
        write_plan(world, candidate)
        measure(world, candidate, 2, 90)
    else:
        candidate = goes_file(world)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
               start=days(-10))
    cohort = make_cohort(world, name=cohort_name, providers=(P1,))
    seat(world, cohort, candidate)
    agree(world, cohort, candidate, P1)
    log_contact(world, candidate, days_ago=2)
    user = world.user("klantmanager")
    with acting_as(actor_of(user)):
        services.change_status(user, candidate, CandidateStatus.ACTIEF)
        db.session.commit()
    return candidate, cohort


def test_the_file_links_to_its_history_and_no_longer_carries_it(klantmanager_client, world):
    candidate, _cohort = busy_file(world)
    file_page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    assert f'href="/kandidaten/{candidate.id}/geschiedenis"' in file_page
    assert 'class="history-entry"' not in file_page and 'id="bekeken"' not in file_page
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}/geschiedenis")
    assert page.status_code == 200
    assert len(entries(page.text)) >= 10 and 'id="bekeken"' in page.text


def test_no_internal_names_ids_or_iso_timestamps_on_the_history_page(klantmanager_client, world):
    candidate, _cohort = busy_file(world)
    text = text_of(klantmanager_client.get(f"/kandidaten/{candidate.id}/geschiedenis").text)
    assert not re.search(r"\b\w+_(id|at|on|kind|by)\b", text), re.findall(r"\b\w+_\w+\b", text)
    for model in audited_models():  # class names (single words like "Plan" are Dutch too)
        if re.fullmatch(r"[A-Z][a-z]+[A-Z]\w*", model.__name__):
            assert not re.search(rf"\b{model.__name__}\b", text), model.__name__
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # ISO dates and timestamps
    assert "lock_version" not in text and "***" not in text and "#" not in text
    # raw codes never show where a label exists
    for code in ("werkervaringsplaats", "geaccepteerd", "actief", "participatiewet"):
        assert not re.search(rf"(?<![\w-]){code}(?![\w-])", text), code
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", text)  # when: a Dutch moment


def test_a_cohort_id_names_the_cohort_and_user_ids_name_the_user(klantmanager_client, world):
    candidate, cohort = busy_file(world)
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}/geschiedenis").text
    coordinator = world.user("coordinator").full_name
    with_cohort = [e for e in entries(page) if cohort.name in e]
    assert len(with_cohort) >= 2, entries(page)  # the place at the table and the agreement
    agreement = next(e for e in with_cohort if P1 in e)
    # the cohort is named as the cohort; no user stands where the cohort belongs
    assert re.search(rf":\s*{re.escape(cohort.name)}", agreement)
    assert not re.search(rf":\s*{re.escape(coordinator)}\b", agreement.split(cohort.name)[0])
    # who did it: the person's name, not the login name
    assert coordinator in agreement and "coordinator" not in agreement.split(coordinator)[0]
    # the user the stage was proposed by is named by name (a user_account foreign key)
    assert any(world.user("klantmanager").full_name in e for e in entries(page))


def test_the_history_is_paginated_newest_first(app, klantmanager_client, world):
    candidate = goes_file(world)
    for n in range(1, 31):
        measure(world, candidate, 2 + n % 3, 60 - n)
        user = world.user("klantmanager")
        with acting_as(actor_of(user)):
            candidate.measurements[-1].note = f"Meting nummer {n:02d}"
            db.session.commit()
    base = f"/kandidaten/{candidate.id}/geschiedenis"
    first = klantmanager_client.get(base).text
    assert len(entries(first)) == app.config["PER_PAGE"]
    assert 'rel="next"' in first and f'href="{base}?page=2"' in first
    assert "Meting nummer 30" in first and "Meting nummer 01" not in first
    # newest first: 30 before 29
    assert first.index("Meting nummer 30") < first.index("Meting nummer 29")
    last = klantmanager_client.get(f"{base}?page=3").text
    assert "Meting nummer 01" in last and 'rel="prev"' in last
    assert 'id="bekeken"' not in last  # who viewed: on the first page


def test_the_history_page_costs_the_same_number_of_queries_for_more_entries(
        klantmanager_client, world, count_queries):
    small, _cohort = busy_file(world)
    big, _other = busy_file(world, "Junigolf 2026", first_name="Mira", last_name="Kok",
                            date_of_birth=date(1991, 5, 6), bsn=None)
    for n in range(8):
        log_contact(world, big, days_ago=n + 3)
        measure(world, big, 3, 40 - n)
    klantmanager_client.get(f"/kandidaten/{small.id}/geschiedenis")  # warm up
    with count_queries() as few:
        klantmanager_client.get(f"/kandidaten/{small.id}/geschiedenis")
    with count_queries() as many:
        page = klantmanager_client.get(f"/kandidaten/{big.id}/geschiedenis").text
    assert len(entries(page)) > 20
    assert many.count == few.count, (few.count, many.count)


def test_only_the_municipality_reads_the_history(client_for, world):
    candidate, _cohort = busy_file(world)
    url = f"/kandidaten/{candidate.id}/geschiedenis"
    assert client_for("klantmanager2").get(url).status_code == 404  # another municipality
    for role in ("intaker2", "buddy", "coordinator"):  # they see the file, not its history
        assert client_for(role).get(url).status_code == 403, role


def test_the_history_visit_is_in_the_processing_log(klantmanager_client, world):
    import sqlalchemy as sa

    from trajectory.audit.models import ProcessingLogEntry

    candidate, _cohort = busy_file(world)
    klantmanager_client.get(f"/kandidaten/{candidate.id}/geschiedenis")
    line = db.session.scalars(sa.select(ProcessingLogEntry).where(
        ProcessingLogEntry.subject_id == str(candidate.id),
        ProcessingLogEntry.object_type == "CandidateHistory")).one()
    assert line.action == "view" and "bsn" in line.data_categories
    assert today() - line.at.date() <= timedelta(days=1)



def test_the_rows_name_a_cohort_by_its_foreign_key_target(app, world):
    """The bug seen on the demo: a cohort id looked up as a user ("cohort_id: – → Anja
    Verhage"). The renderer follows the foreign key to ``cohort`` and says its name."""
    from trajectory.candidates.history import candidate_history

    candidate, cohort = busy_file(world)
    with app.test_request_context():
        rows = candidate_history(candidate.id)
        cohort_changes = [c for row in rows for c in row.changes if c.new == cohort.name]
        assert len(cohort_changes) == 2  # the place at the table and the agreement
        assert {c.label for c in cohort_changes} == {"Cohort"}
        users = {u.full_name for u in world.users.values()}
        assert not any(c.label.endswith("_id") or c.new in users for c in cohort_changes)
