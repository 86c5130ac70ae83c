"""After a failed submit the error summary comes first and takes the focus, with or without
JavaScript (templates/macros/forms.html, trajectory/static/js/forms.js)."""

from __future__ import annotations

import re

from tests.stages.conftest import P1, goes_candidate


def test_the_summary_takes_the_focus_and_links_every_error(world, klantmanager_client):
    candidate = goes_candidate(world)
    response = klantmanager_client.post(f"/trajecten/kandidaat/{candidate.id}/nieuw", data={
        "kind": "paid_job", "provider_id": world.org(P1).id, "planned_start": "32-13-2026",
        "hours_per_week": "veel"})
    assert response.status_code == 200
    page = response.text
    summary = re.search(r'<div[^>]*id="error-summary"[^>]*>.*?</ul>', page, re.S)
    assert summary, "no error summary"
    tag = summary.group(0).split(">", 1)[0]
    assert 'tabindex="-1"' in tag and "autofocus" in tag
    # Every field with an error is a link in the summary; the summary comes before the form.
    fields = set(re.findall(r'id="([\w-]+)-error"', page))
    links = set(re.findall(r'href="#([\w-]+)"', summary.group(0)))
    assert fields and fields <= links
    assert page.index('id="error-summary"') < page.index('<form method="post" novalidate')
    # The script that moves the focus is a file of our own (CSP: script-src 'self').
    # (its hashed name after make static: trajectory/assets.py)
    assert re.search(r'<script src="/static/js/forms(-[0-9a-f]{32})?\.js" defer></script>', page)
    script = klantmanager_client.get("/static/js/forms.js")
    try:
        assert script.status_code == 200 and "error-summary" in script.text
    finally:
        script.close()


def test_a_page_without_errors_has_no_summary(world, klantmanager_client):
    candidate = goes_candidate(world)
    page = klantmanager_client.get(f"/trajecten/kandidaat/{candidate.id}/nieuw?soort=paid_job"
                                   f"&aanbieder={world.org(P1).id}").text
    assert 'id="error-summary"' not in page and "autofocus" not in page
