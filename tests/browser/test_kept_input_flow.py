"""Nothing typed is lost, as a person meets it in a browser: the klantmanager types in the
plan, is logged out for being idle, submits, logs in again on the page they are sent to,
and finds the text back in the form (trajectory/security.py, trajectory/forms.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.browser.conftest import NARROW, log_in_on_this_page

TYPED = "Wil na de zomer graag in de groenvoorziening in Goes beginnen, eerst 16 uur."


def _make_idle(live_server, username: str) -> None:
    from datetime import timedelta

    from trajectory.auth.session_models import UserSession
    from trajectory.extensions import db
    from trajectory.timeutil import as_utc

    # Only the session this test just opened: the other browser tests share the
    # account's earlier login (page_for's storage state) and must keep it.
    with live_server.app.app_context():
        row = db.session.scalars(sa.select(UserSession).where(
            UserSession.user_id == live_server.user_ids[username],
            UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())).first()
        row.last_seen_at = as_utc(row.last_seen_at) - timedelta(minutes=31)
        db.session.commit()


def test_the_plan_typed_before_an_idle_logout_is_back_after_the_login(page_for, live_server):
    page = page_for(None, viewport={"width": NARROW, "height": 740})
    page.goto(live_server("/inloggen"))
    log_in_on_this_page(page, "klantmanager")
    url = live_server("/kandidaten/1/plan/bewerken")
    page.goto(url)
    wishes = page.locator("textarea[name=wishes]")
    wishes.fill(TYPED)
    _make_idle(live_server, "klantmanager")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    assert "/inloggen" in page.url and "next=" in page.url
    assert TYPED not in page.content()

    log_in_on_this_page(page, "klantmanager")
    assert page.url == url
    assert page.locator("textarea[name=wishes]").input_value() == TYPED
    assert page.get_by_text(re.compile("Wat je typte staat er nog|What you typed is still "
                                       "here")).count() == 1
    # Taken once: a reload shows the saved plan, not the kept text.
    page.reload()
    assert page.locator("textarea[name=wishes]").input_value() != TYPED
