"""The klantmanager's day on a phone (issue 12), one walk through it at 360 px:

the home page's hand-over leads to the form where it is done (the next stage's proposal) and "Afgehandeld" takes it
off the list; the search finds the person; the file opens with what matters now; the plan
is one link away.
"""

from __future__ import annotations

import re

from tests.browser.conftest import NARROW, check_accessibility


def test_the_klantmanagers_day_at_360_px(page_for, live_server):
    page = page_for("klantmanager", viewport={"width": NARROW, "height": 800})
    page.goto(live_server("/"))

    # The hand-over: a recorded intake outcome waits for her, saying what to do.
    handovers = page.locator("main ul[data-section=intake_outcome] > li")
    assert handovers.count() >= 1, "the demo klantmanager has an intake outcome to act on"
    task = handovers.first
    stage_id = task.get_attribute("data-stage-id")
    candidate = task.locator(".muted").first.inner_text().split(" · ")[0].strip()
    action = task.locator("a[data-task-action]")
    assert action.inner_text().strip()
    with page.expect_navigation():
        action.click()
    # Where it is done: the proposal of the next stage, following this one.
    assert re.search(rf"/trajecten/kandidaat/\d+/nieuw\?na={stage_id}\b", page.url), page.url
    anchor = page.url.partition("#")[2]
    if anchor:
        assert page.locator(f"[id='{anchor}']").count() == 1, anchor
    check_accessibility(page, f"day-stage-{stage_id}", widths=(NARROW,))

    # Back on the home page she marks it handled: it leaves her list.
    page.goto(live_server("/"))
    with page.expect_navigation():
        page.locator(f"main ul[data-section=intake_outcome] > li[data-stage-id='{stage_id}'] "
                     "form.task-handled button").click()
    assert page.locator(
        f"main ul[data-section=intake_outcome] > li[data-stage-id='{stage_id}']").count() == 0

    # The search finds the person by a word of the name.
    page.goto(live_server("/kandidaten"))
    word = candidate.split()[-1]
    page.fill("#q", word)
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    assert f"q={word}" in page.url
    results = page.locator("main table tbody tr td:first-child a")
    assert results.count() >= 1
    with page.expect_navigation():
        results.first.click()

    # The file starts with what matters now, and the plan is one link away.
    assert page.locator("section.story-now").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    with page.expect_navigation():
        page.locator("main a[href$='/plan']").first.click()
    assert re.search(r"/kandidaten/\d+/plan$", page.url), page.url
    check_accessibility(page, "day-plan", widths=(NARROW,))
