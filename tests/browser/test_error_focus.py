"""After a failed submit the focus is on the error summary (templates/macros/forms.html,
trajectory/static/js/forms.js), on a phone: the klantmanager proposes a stage, step one
(kind and provider) and step two (its form), and sends step two with a mistake."""

from __future__ import annotations

from tests.browser.conftest import NARROW, SCREENSHOTS


def test_a_failed_submit_puts_the_focus_on_the_error_summary(page_for, live_server):
    page = page_for("klantmanager", viewport={"width": NARROW, "height": 740})
    page.goto(live_server("/trajecten/kandidaat/1/nieuw"))

    # Step one: the kind and the provider, then on.
    page.locator("input[name=soort][value=werkervaringsplaats]").check()
    provider = page.locator("select[name=aanbieder]")
    provider.select_option(index=1)
    with page.expect_navigation():
        page.locator("button[name=verder]").click()
    assert "aanbieder=" in page.url and "soort=werkervaringsplaats" in page.url

    # Step two: only this provider's places, under its name.
    chosen = page.locator("main strong").nth(1).inner_text().strip()
    groups = page.locator("select[name=offer_item_id] optgroup")
    assert groups.count() <= 1
    if groups.count():
        assert groups.first.get_attribute("label") == chosen

    # A start date that is no date: the summary comes back with the focus on it.
    page.fill("input[name=planned_start]", "32-13-2026")
    page.fill("textarea[name=note]", "Graag na de zomervakantie starten.")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    page.wait_for_function("document.activeElement && document.activeElement.id === "
                           "'error-summary'")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # What was typed is still there; the link in the summary takes the focus to the field.
    assert page.input_value("textarea[name=note]") == "Graag na de zomervakantie starten."
    link = summary.locator("a[href='#planned_start']")
    assert link.count() == 1
    link.click()
    assert page.evaluate("document.activeElement.id") == "planned_start"
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    page.screenshot(path=str(SCREENSHOTS / "error-focus-proposal-360.png"), full_page=True)
