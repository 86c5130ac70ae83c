"""The imports on a phone (360 px): the candidate import from the candidate list to the
upload, the columns and the preview, and the provider's offer import; each page checked
with axe. Confirming is tested in tests/imports (the shared server's demo data stays as
the other browser tests expect)."""

from __future__ import annotations

from tests.browser.conftest import NARROW, check_accessibility
from tests.imports.support import HEADERS, csv_bytes, people


def test_import_at_360px(page_for, live_server, tmp_path):
    rows = people(3, start=700_000_000)
    rows[1][4] = "Toeslag"  # an unknown benefit
    path = tmp_path / "export-goes.csv"
    path.write_bytes(csv_bytes(rows, headers=["Roepnaam", *HEADERS[1:]]))
    page = page_for("klantmanager", viewport={"width": NARROW, "height": 740})
    page.goto(live_server("/kandidaten"))
    with page.expect_navigation():
        page.locator("a[href='/import/kandidaten']").click()
    check_accessibility(page, "import-upload")

    # No file: the form comes back with its message.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()

    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/kolommen")
    # "Roepnaam" is an alias of the first name: chosen already, like the other columns.
    assert page.input_value("select[name=first_name]") == "Roepnaam"
    assert page.input_value("select[name=benefit]") == "Uitkering"
    check_accessibility(page, "import-columns")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert "/kolommen" not in page.url
    problems = page.locator("#problemen + div table tbody tr")
    assert problems.count() == 1
    assert "Toeslag" in problems.first.inner_text()
    assert page.locator("main form[action$='/bevestigen'] button").count() == 1
    check_accessibility(page, "import-preview")


def test_offer_import_at_360px(page_for, live_server, tmp_path):
    """The provider's intaker: the upload, columns and preview
    of an offer inventory (not confirmed: the shared demo offer stays as it is)."""
    path = tmp_path / "aanbod.csv"
    path.write_bytes(csv_bytes([["Werkervaringsplaatsen", "Magazijn", "24,5", "2"],
                                ["Toverstokken", "Goochelaar", "", "1"]],
                               headers=["Soort aanbod", "Functie of onderwerp",
                                        "Uren per week", "Aantal plaatsen"]))
    page = page_for("intaker", viewport={"width": NARROW, "height": 740})
    page.goto(live_server("/import/aanbod"))
    check_accessibility(page, "import-offer-upload")
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/kolommen")
    assert page.input_value("select[name=offer_type]") == "Soort aanbod"
    check_accessibility(page, "import-offer-columns")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    problems = page.locator("#problemen + div table tbody tr")
    assert problems.count() == 1 and "Toverstokken" in problems.first.inner_text()
    check_accessibility(page, "import-offer-preview")


def test_vacancy_import_confirmed_once_at_360px(page_for, live_server, tmp_path):
    """Confirmed, then the same preview again: the "already imported" page, with axe."""
    path = tmp_path / "vacatures.csv"
    path.write_bytes(csv_bytes([["Importtest medewerker", "32", "open"]],
                               headers=["Functie", "Uren per week", "Status"]))
    page = page_for("intaker", viewport={"width": NARROW, "height": 740})
    page.goto(live_server("/import/vacatures"))
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if page.url.endswith("/kolommen"):
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    preview = page.url
    with page.expect_navigation():
        page.locator("main form[action$='/bevestigen'] button").click()
    assert "Importtest medewerker" in page.locator("main").inner_text()
    page.goto(preview)
    assert page.locator("main form[action$='/bevestigen']").count() == 0
    check_accessibility(page, "import-vacancies-done")
