"""The klantmanager opens a demo candidate's file on a phone: it reads like a story and is
short; the history is one link away, on a page of its own (issue 12)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.browser.conftest import check_accessibility
from trajectory.audit.models import AuditEvent
from trajectory.candidates.models import Candidate
from trajectory.extensions import db

MAX_HEIGHT = 5000  # px at 360 px wide; the file was 16,000 px after one morning


def _busiest_goes_file(live_server) -> int:
    """The demo candidate of Goes with the longest history."""
    goes = live_server.org_ids["Goes"]
    with live_server.app.app_context():
        return db.session.execute(
            sa.select(Candidate.id)
            .join(AuditEvent, sa.and_(AuditEvent.subject_type == "Candidate",
                                      AuditEvent.subject_id == sa.cast(Candidate.id, sa.String)))
            .where(Candidate.municipality_id == goes)
            .group_by(Candidate.id).order_by(sa.func.count(AuditEvent.id).desc(), Candidate.id)
            .limit(1)).scalar_one()


def test_the_file_fits_a_phone_and_links_to_its_history(page_for, live_server):
    candidate_id = _busiest_goes_file(live_server)
    page = page_for("klantmanager")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server(f"/kandidaten/{candidate_id}"))

    header = page.locator("section.story-now")
    assert header.is_visible()
    for row in ("#nu-kop", "#signalen"):
        assert page.locator(row).count() == 1, row
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, f"the file is {height} px tall at 360 px"
    assert page.locator(".history-entry").count() == 0

    link = page.locator("#geschiedenis-link")
    with page.expect_navigation():
        link.click()
    assert re.search(rf"/kandidaten/{candidate_id}/geschiedenis$", page.url), page.url
    assert page.locator(".history-entry").count() > 0
    assert page.get_by_role("heading", level=1).is_visible()
    check_accessibility(page, f"candidate-history-{candidate_id}")
