"""What a person does with a keyboard and a mouse: log in, switch language, log out."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from tests.browser.conftest import login_via_form


def _greeting(live_server, locale: str, name: str) -> str:
    """The home page greeting as the app translates it (whatever the catalogue holds)."""
    with live_server.app.test_request_context(), force_locale(locale):
        return gettext("Good day, %(name)s", name=name)


def _translated(live_server, locale: str, message: str) -> str:
    with live_server.app.test_request_context(), force_locale(locale):
        return gettext(message)


def test_login_language_switch_and_logout(page_for, live_server):
    page = page_for(None)
    login_via_form(page, live_server.url, "klantmanager")

    # Dutch by default: the greeting ("Goedendag, Sanne"), the name in the header.
    dutch_greeting = _greeting(live_server, "nl", "Sanne")
    assert dutch_greeting != "Good day, Sanne", "the Dutch catalogue is not compiled (make i18n-compile)"
    assert page.url == live_server("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().strip() == dutch_greeting
    assert page.locator(".site-header__user").inner_text().strip() == "Sanne Bosman"

    # To English with the header button, and back to Dutch; the page stays the same.
    switch = page.locator(".site-header .language-switch button[type=submit]")
    assert switch.inner_text().strip() == "English"
    with page.expect_navigation():
        switch.click()
    assert page.url == live_server("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert heading.inner_text().strip() == "Good day, Sanne"
    assert switch.inner_text().strip() == "Nederlands"
    with page.expect_navigation():
        switch.click()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert heading.inner_text().strip() == dutch_greeting

    # Log out with the header button: back on the login page, told so, and logged out.
    logout = page.locator(".site-header form[action$='/uitloggen'] button[type=submit]")
    assert logout.inner_text().strip() == _translated(live_server, "nl", "Log out")
    with page.expect_navigation():
        logout.click()
    assert re.search(r"/inloggen$", page.url), page.url
    assert page.locator("main form input[name=username]").is_visible()
    status = page.get_by_role("status").filter(
        has_text=_translated(live_server, "nl", "You have been logged out."))
    assert status.count() == 1
    assert page.locator(".site-header__user").count() == 0
    page.goto(live_server("/"))
    assert re.search(r"/inloggen\?next=(%2F|/)$", page.url), page.url


def test_first_tab_focuses_the_skip_link(page_for, live_server):
    page = page_for("klantmanager")
    page.goto(live_server("/"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " visible: document.activeElement.getBoundingClientRect().height > 1})")
    assert "utrecht-skip-link" in focused["cls"], focused
    assert focused["href"] == "#inhoud"
    assert focused["visible"], "the skip link must be visible once it has focus"

    # Following it moves the focus to the main content.
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def test_a_buddy_logs_a_contact_on_a_phone(page_for, live_server):
    """Kees Dekker, on a 360 px phone, logs a phone call with Fatma Yıldız in a few taps."""
    from tests.browser.conftest import check_accessibility

    page = page_for(None, viewport={"width": 360, "height": 740}, is_mobile=True,
                    has_touch=True)
    login_via_form(page, live_server.url, "buddy")
    # From the home page straight to the form: one tap.
    start = page.locator("main a[href$='/kandidaten/1/contact']").first
    assert start.is_visible()
    with page.expect_navigation():
        start.tap()
    assert page.url == live_server("/kandidaten/1/contact")
    check_accessibility(page, "flow-buddy-contact-form", widths=(360,))
    # Today is filled in; the kinds are radio buttons with their labels as tap targets.
    assert page.locator("input[name=contact_on]").input_value()
    for label in page.locator("fieldset label").all():
        box = label.bounding_box()
        assert box is not None and box["height"] >= 44, box  # a finger-sized target
    page.locator("label[for=kind-1]").tap()          # telefoon
    assert page.locator("#kind-1").is_checked()
    page.locator("label[for=wellbeing-4]").tap()     # 4
    note = "Belde over haar rooster in december; opvang is geregeld."
    page.locator("textarea[name=note]").fill(note)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").tap()
    # Saved, and there it is in the log.
    assert page.url == live_server("/kandidaten/1/contacten")
    assert page.get_by_role("status").count() >= 1
    first_entry = page.locator(".contact-log li").first
    assert note in first_entry.inner_text()
    check_accessibility(page, "flow-buddy-contact-log", widths=(360,))
