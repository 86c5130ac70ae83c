"""The candidate import on a phone (360 px): from the candidate list to the upload, the
columns and the preview, each page checked with axe. Confirming is tested in
tests/imports (the shared server's demo data stays as the other browser tests expect)."""

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
