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
    # The second step (its own page after the password), empty and after a wrong code.
    (None, "/inloggen", "password-step"),
    (None, "/inloggen", "wrong-code"),
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
    # API tokens (trajectory/admin/api_tokens.py): the list and the issue form.
    ("beheer", "/beheer/api-tokens"),
    ("beheer", "/beheer/api-tokens/nieuw"),
    ("beheer", "/beheer/api-tokens/nieuw", "submit-empty"),
    ("beheer", "/beheer/organisaties/{orgs[Goes]}/bewerken"),
    ("beheer", "/beheer/bewaartermijnen/"),  # retention: files due, destroyed files
    # Own account.
    ("klantmanager", "/wachtwoord"),
    ("klantmanager", "/wachtwoord", "submit-empty"),
    ("klantmanager", "/beveiliging"),
    # E-mail choices and what was sent (trajectory/notify); the demo's e.polderman has no
    # address (the page says so).
    ("klantmanager", "/account/e-mail"),
    ("e.polderman", "/account/e-mail"),
    # Error pages.
    ("klantmanager", "/bestaat-niet"),
    ("klantmanager", "/beheer/organisaties/nieuw"),  # not an administrator: 403/404
    # Social Return (demo: contract 1 is Zorggroep Scheldezoom and Goes; claim 2 approved,
    # claim 5 a proposal waiting for the adviser).
    ("adviseur", "/sroi/"),
    ("coordinator", "/sroi/"),
    ("adviseur", "/sroi/contracten/1"),
    ("adviseur", "/sroi/claims/2"),
    ("adviseur", "/sroi/claims/5"),
    ("adviseur", "/sroi/contracten/nieuw", "submit-empty"),
    ("adviseur", "/sroi/contracten/1/pso-certificaat"),
    ("adviseur", "/sroi/contracten/1/pso-certificaat", "submit-empty"),
    ("intaker", "/sroi/arbeid/contracten/1/nieuw"),
    ("intaker", "/sroi/arbeid/contracten/1/nieuw", "submit-empty"),
    ("intaker", "/sroi/contracten/1"),
    ("intaker", "/sroi/aanbieders/{orgs[Zorggroep Scheldezoom]}"),
    ("intaker", "/sroi/contracten/1/claims/nieuw/inkoop", "submit-empty"),
    ("buddy", "/sroi/rekenhulp?kind=paid_job&start=2026-03-01&end=2027-02-28&hours_per_week=36"
              "&benefit=participatiewet&benefit_since=2021-01-01&birth_date=1971-05-01"
              "&permanent=y"),
    # Candidates (demo: candidate 1 is Fatma Yıldız of Goes, buddy Kees Dekker, an agreed plan
    # in three versions; candidate 3 Samira el Idrissi has a draft plan; candidate 2 Jeroen
    # van den Berg a plan changed since its agreement, partly by the intaker).
    ("klantmanager", "/kandidaten"),
    ("klantmanager", "/kandidaten?q=a&status=open&sort=-age"),
    ("klantmanager", "/kandidaten?postcode=4461&mine=1&signal=toestemming_verloopt"),
    ("klantmanager", "/kandidaten/nieuw"),
    ("klantmanager", "/kandidaten/nieuw", "submit-empty"),
    ("klantmanager", "/kandidaten/1"),
    ("klantmanager", "/kandidaten/1/geschiedenis"),
    ("klantmanager", "/kandidaten/1/geschiedenis?page=2"),
    ("klantmanager", "/kandidaten/1/bewerken"),
    ("klantmanager", "/kandidaten/1/status"),
    ("klantmanager", "/kandidaten/1/buddy"),
    ("klantmanager", "/kandidaten/1/metingen/nieuw"),
    ("klantmanager", "/kandidaten/1/zrm/nieuw"),
    ("klantmanager", "/kandidaten/1/plan"),
    ("klantmanager", "/kandidaten/1/plan/bewerken"),
    ("klantmanager", "/kandidaten/1/plan/doelen/nieuw"),
    ("klantmanager", "/kandidaten/1/plan/belemmeringen/nieuw", "submit-empty"),
    ("klantmanager", "/kandidaten/1/plan/versies"),
    ("klantmanager", "/kandidaten/1/plan/versies/1"),
    ("klantmanager", "/kandidaten/1/plan/vergelijken?van=1"),
    ("klantmanager", "/kandidaten/1/mijn-plan"),
    ("klantmanager", "/kandidaten/3/plan/vaststellen"),
    # The benefit history (demo: period 1 is Fatma's running Participatiewet).
    ("klantmanager", "/kandidaten/1/uitkeringen/nieuw", "submit-empty"),
    ("klantmanager", "/kandidaten/1/uitkeringen/1"),
    ("klantmanager", "/kandidaten/1/uitkeringen/1/beeindigen"),
    ("buddy", "/kandidaten"),
    ("buddy", "/kandidaten/1"),
    ("coordinator", "/kandidaten/1"),
    ("intaker2", "/kandidaten/2/plan"),
    ("klantmanager", "/kandidaten/2/plan"),
    ("klantmanager", "/kandidaten/2/plan/versies"),
    ("intaker", "/kandidaten/2/plan"),
    ("intaker", "/kandidaten/2/plan/bewerken"),
    ("intaker", "/kandidaten/2/plan/versies"),
    # Providers and stages (demo: stage 2 is Fatma Yıldız's coaching with its value, stage 7
    # Jeroen's werkervaringsplaats ending without a decision, stage 10 Mohammed Aziz's
    # proposal waiting for Zorggroep Scheldezoom; offer item 1 is Zorggroep Scheldezoom's).
    ("klantmanager", "/aanbieders/aanbod"),
    ("coordinator", "/aanbieders/aanbod?q=helpende&free_only=y&sort=-free"),
    ("klantmanager", "/aanbieders"),
    ("klantmanager", "/aanbieders/vacatures"),
    ("klantmanager", "/aanbieders/{orgs[Zorggroep Scheldezoom]}"),
    ("intaker", "/aanbieders/{orgs[Zorggroep Scheldezoom]}"),
    ("intaker", "/aanbieders/{orgs[Zorggroep Scheldezoom]}/profiel"),
    ("intaker", "/aanbieders/{orgs[Zorggroep Scheldezoom]}/huidige-inzet"),
    ("intaker", "/aanbieders/{orgs[Zorggroep Scheldezoom]}/aanbod/nieuw", "submit-empty"),
    ("intaker", "/aanbieders/aanbod/1/bewerken"),
    ("intaker", "/aanbieders/{orgs[Zorggroep Scheldezoom]}/vacatures/nieuw", "submit-empty"),
    ("klantmanager", "/trajecten/werkvoorraad"),
    ("intaker", "/trajecten/werkvoorraad"),
    ("klantmanager", "/trajecten/2"),
    ("klantmanager", "/trajecten/14"),  # Tim Heijboer's intake: the hand-over to act on
    ("intaker", "/trajecten/7"),
    ("intaker", "/trajecten/10/beantwoorden"),
    ("intaker", "/trajecten/10/beantwoorden", "submit-empty"),
    ("intaker", "/trajecten/7/uitkomst", "submit-empty"),
    ("intaker", "/trajecten/7/bewerken"),
    ("klantmanager", "/trajecten/7/zorg"),
    ("klantmanager", "/trajecten/7/doorplaatsen"),
    ("klantmanager", "/trajecten/kandidaat/1/nieuw"),  # step one: the kind
    ("klantmanager", "/trajecten/kandidaat/1/nieuw?soort=paid_job&verder=1"),  # no provider
    ("klantmanager",
     "/trajecten/kandidaat/1/nieuw?soort=paid_job&aanbieder={orgs[Zorggroep Scheldezoom]}"),
    ("klantmanager",
     "/trajecten/kandidaat/1/nieuw?soort=paid_job&aanbieder={orgs[Zorggroep Scheldezoom]}",
     "submit-empty"),
    ("klantmanager", "/kandidaten?stage=werkervaringsplaats"),
    ("intaker", "/kandidaten/1"),
    # Cohorts, buddy logs and signals (demo: cohort 1 is the Maartgolf with its closed K2
    # evaluation 1 and the open evaluation 2 of this quarter, cohort 2 the Junigolf; contact
    # 5 is Kees Dekker's open signal about Jeroen Berg).
    ("coordinator", "/cohorten"),
    ("coordinator", "/cohorten/1"),
    ("klantmanager", "/cohorten/1"),
    ("intaker", "/cohorten/2"),
    ("coordinator", "/cohorten/nieuw", "submit-empty"),
    ("coordinator", "/cohorten/1/afspraken/nieuw"),
    ("klantmanager", "/cohorten/2/kandidaten/nieuw"),
    ("coordinator", "/cohorten/1/evaluaties/1"),
    ("klantmanager", "/cohorten/1/evaluaties/1"),
    ("coordinator", "/cohorten/1/evaluaties/2"),
    ("coordinator", "/cohorten/1/evaluaties/2/antwoorden"),
    ("coordinator", "/cohorten/1/evaluaties/2/besluiten/nieuw", "submit-empty"),
    ("coordinator", "/cohorten/vergelijken"),
    ("buddy", "/kandidaten/1/contact"),
    ("buddy", "/kandidaten/1/contact", "submit-empty"),
    ("buddy", "/kandidaten/1/contacten"),
    ("klantmanager", "/signalen"),
    ("klantmanager", "/contacten/5/afhandelen"),
    ("buddy", "/signalen"),
    ("intaker", "/signalen"),
    ("coordinator", "/signalen"),
]


def _submit(page, values: dict[str, str] | None = None) -> None:
    """Fill the main form (clearing the other text fields) and submit it.

    The main form is the last one with a field: a page may end with forms of buttons
    only (the session list's "end this session"), which must not be pressed.
    """
    fields = "input[type=text], input[type=email], input[type=password], input:not([type]), textarea"
    form = page.locator("main form[method=post]").filter(
        has=page.locator("input:not([type=hidden]), select, textarea")).last
    for field in form.locator(fields).all():
        name = field.get_attribute("name")
        field.fill((values or {}).get(name, ""))
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()


ACTIONS: dict[str, Callable] = {
    "submit-empty": lambda page: _submit(page),
    "wrong-password": lambda page: _submit(page, {"username": "klantmanager",
                                                  "password": "not-the-password"}),
    "password-step": lambda page: _submit(page, {"username": "klantmanager",
                                                 "password": "demo-trajectory-2026"}),
    "wrong-code": lambda page: (ACTIONS["password-step"](page), _submit(page, {"code": "000000"})),
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
