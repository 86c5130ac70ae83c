"""The klantmanager's search on a phone: Sanne Bosman (klantmanager, Goes) types a postcode,
ticks "Mijn kandidaten" and gets her own Goes candidates there; the URL holds both filters,
so the link reproduces the list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import sqlalchemy as sa

from tests.browser.conftest import NARROW, check_accessibility


def _expected(live_server, postcode: str) -> tuple[set[str], set[str]]:
    """(the klantmanager's own candidates there, her colleagues' candidates there)."""
    from trajectory.auth.models import User
    from trajectory.candidates.models import Candidate
    from trajectory.extensions import db

    with live_server.app.app_context():
        me = db.session.scalar(sa.select(User.id).where(User.username == "klantmanager"))
        rows = db.session.execute(sa.select(Candidate.last_name, Candidate.klantmanager_id)
                                  .where(Candidate.postcode.startswith(postcode))).all()
        db.session.remove()
    return ({last for last, km in rows if km == me}, {last for last, km in rows if km != me})


def test_the_klantmanager_finds_her_candidates_by_postcode_at_360_px(page_for, live_server):
    mine, colleagues = _expected(live_server, "4461")
    assert mine and colleagues  # the demo has both in Goes
    page = page_for("klantmanager", viewport={"width": NARROW, "height": 800})
    page.goto(live_server("/kandidaten"))
    page.fill("#postcode", "4461")
    page.check("#mine")
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    query = parse_qs(urlparse(page.url).query)
    assert query["postcode"] == ["4461"] and query["mine"] == ["1"]
    names = {text.split(",")[0].strip() for text in
             page.locator("main table tbody tr td:first-child a").all_inner_texts()}
    assert names == mine and not names & colleagues
    assert page.locator("#mine").is_checked() and page.input_value("#postcode") == "4461"
    check_accessibility(page, "candidates-filtered", widths=(1280, NARROW))
