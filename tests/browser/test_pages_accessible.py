"""Every page, as the people who use it see it: WCAG 2.1 A/AA by axe-core at
1280 and 360 px, no horizontal scroll on a phone, and a screenshot of each.

To cover a new page, append to ``PAGES``: ``(username, path)`` or
``(username, path, action)``. ``username`` None is an anonymous visitor. The
path may name demo records by key: ``{users[klantmanager]}`` is that account's
id, ``{orgs[Goes]}`` that organisation's id. ``action`` names an entry of
``ACTIONS``: what to do on the page before checking it (submit the form empty,
log in with a wrong password...).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.browser.conftest import check_accessibility, slug

DEMO_ACCOUNTS = ("beheer", "adviseur", "coordinator", "klantmanager", "klantmanager2",
                 "intaker", "intaker2", "buddy")

PAGES: list[tuple] = [
    # Anonymous: the login page, empty, with a validation error, after a wrong password.
    (None, "/inloggen"),
    (None, "/inloggen", "submit-empty"),
    (None, "/inloggen", "wrong-password"),
    # Every role's home page.
    *[(username, "/") for username in DEMO_ACCOUNTS],
    # Administration.
    ("beheer", "/beheer/gebruikers"),
    ("beheer", "/beheer/gebruikers?q=k&sort=-last_login"),
    ("beheer", "/beheer/gebruikers/nieuw"),
    ("beheer", "/beheer/gebruikers/nieuw", "submit-empty"),
    ("beheer", "/beheer/gebruikers/{users[klantmanager]}"),
    ("beheer", "/beheer/gebruikers/{users[klantmanager]}/bewerken"),
    ("beheer", "/beheer/organisaties"),
    ("beheer", "/beheer/organisaties/nieuw"),
    ("beheer", "/beheer/organisaties/nieuw", "submit-empty"),
    ("beheer", "/beheer/organisaties/{orgs[Goes]}/bewerken"),
    # Own account.
    ("klantmanager", "/wachtwoord"),
    ("klantmanager", "/wachtwoord", "submit-empty"),
    # Error pages.
    ("klantmanager", "/bestaat-niet"),
    ("klantmanager", "/beheer/organisaties/nieuw"),  # not an administrator: 403/404
]


def _submit(page, values: dict[str, str] | None = None) -> None:
    """Fill the main form (clearing the other text fields) and submit it."""
    form = page.locator("main form[method=post]").last
    for field in form.locator(
            "input[type=text], input[type=email], input[type=password], input:not([type]), textarea"
    ).all():
        name = field.get_attribute("name")
        field.fill((values or {}).get(name, ""))
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()


ACTIONS: dict[str, Callable] = {
    "submit-empty": lambda page: _submit(page),
    "wrong-password": lambda page: _submit(page, {"username": "klantmanager",
                                                  "password": "not-the-password"}),
}


def _page_id(entry: tuple) -> str:
    username, path, *action = entry
    readable = re.sub(r"\{\w+\[([^\]]+)\]\}", r"\1", path)  # {users[klantmanager]}: klantmanager
    return "-".join([username or "anonymous", slug(readable), *action])


@pytest.mark.parametrize("entry", PAGES, ids=[_page_id(entry) for entry in PAGES])
def test_page_is_accessible(entry, page_for, live_server):
    username, path, *rest = entry
    action = ACTIONS[rest[0]] if rest else None
    url = live_server(path.format(users=live_server.user_ids, orgs=live_server.org_ids))
    page = page_for(username)

    def load(page) -> None:
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{url}: {response.status}"
        if action is not None:
            action(page)

    check_accessibility(page, _page_id(entry), load=load)  # load runs once per width
