"""No English in the Dutch interface, numbers as a Dutch person reads them.

Three guards, from the cause to the page:

* an enum's ``.label`` cannot become text outside the application
  (``trajectory.i18n.label_text``): a choices list built in a form's class body is
  evaluated once, at import, and would stay English on every Dutch page;
* no form class holds a choice label that was turned into text at import (an explicit
  ``str(LABELS[x])`` slips past the first guard);
* every page the demo accounts can reach - every GET route without arguments of the
  route matrix that the account may use, and every link on those pages - is read in Dutch:
  a text on the page that is the English form of an enum label, or of any msgid the Dutch
  catalogue translates, or a raw enum value (``paid_job``), or hours written ``24.00``,
  fails the test with the page where it was seen.

The catalogue-based checks use the compiled Dutch catalogue: a msgid added since the last
``make i18n`` is checked once it is translated (tests/test_translations.py lists it until then).
"""

from __future__ import annotations

import enum
import html
import importlib
import inspect
import pkgutil
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

import trajectory
from tests.auth.policy import ANY_USER, POLICY, PUBLIC
from tests.conftest import BACKEND, ROOT, CsrfClient, base_config, login, upgrade
from trajectory import create_app
from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.models import User, UserRole
from trajectory.demo.data import ACCOUNTS, load_demo
from trajectory.extensions import db
from trajectory.i18n import LabelOutsideAppError, hours, label_text
from trajectory.providers.models import OfferType
from trajectory.valuation.engine import Activity, newest_rulebook, run_scenarios, value_item
from trajectory.valuation.engine.explain import Line, Names
from trajectory.valuation.labels import explanation

SHARED_SCENARIOS = ROOT.parent / "shared" / "sroi-scenarios"

# Pages that are not HTML or change state on GET; everything else a link points to is read.
NOT_READ = re.compile(r"/uitloggen|/taal|/static/|\.(xlsx|pdf|csv|zip)\b|/export|/download|"
                      r"/bewijs/\d+$")
# Sorting and paging repeat a list page; one of each is enough.
REPEATS = re.compile(r"[?&](sort|dir|page)=")
MAX_PAGES_PER_ACCOUNT = 500
# The accounts of the demo with a role, one per role and organisation kind (the other
# colleagues see the same pages with other names).
ACCOUNTS_READ = ("beheer", "adviseur", "coordinator", "klantmanager", "klantmanager2",
                 "intaker", "intaker2", "buddy")
# "24.00", "7.5": a decimal point where Dutch writes a comma (money, dates and the
# thousands dot in "1.500" do not match: no digit may follow).
POINT_DECIMAL = re.compile(r"(?<![\d.,\w])\d+\.\d{1,2}(?![\d.,\w])")
# "24,0", "32,00" without a euro or percent sign: hours printed with fixed decimals.
TRAILING_ZEROS = re.compile(r"(?<![\d.,\w])\d+,0{1,2}(?![\d\w])")
SNAKE_CASE = re.compile(r"[a-z]+(?:_[a-z]+)+")


# ------------------------------------------------------------------ the filters

@pytest.fixture
def plain_app():
    return create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_LEVEL": "WARNING",
                       "RATELIMIT_STORAGE_URI": "memory://"})


@pytest.mark.parametrize(("value", "dutch", "english"), [
    (Decimal("24.00"), "24", "24"),
    (Decimal("24.50"), "24,5", "24.5"),
    (Decimal("7.25"), "7,25", "7.25"),
    (36, "36", "36"),
    ("24.00", "24", "24"),  # as a closed evaluation keeps it
    (Decimal("1500"), "1.500", "1,500"),
    (None, "–", "–"),
])
def test_hours_read_as_people_write_them(plain_app, value, dutch, english):
    with plain_app.test_request_context():
        with force_locale("nl"):
            assert hours(value) == dutch
        with force_locale("en"):
            assert hours(value) == english


def test_a_label_read_outside_the_application_refuses():
    """At import (a form's class body) a lazy label would be the English msgid for good."""
    with pytest.raises(LabelOutsideAppError):
        OfferType.PAID_JOB.label  # noqa: B018 - the property is the test
    with pytest.raises(LabelOutsideAppError):
        label_text("Paid jobs")


def test_a_label_read_inside_the_application_is_in_its_language(plain_app):
    with plain_app.test_request_context():
        with force_locale("en"):
            assert OfferType.PAID_JOB.label == "Paid jobs"
        with force_locale("nl"):
            assert OfferType.PAID_JOB.label == babel_gettext("Paid jobs")


# ------------------------------------------------------------------ what English looks like

def _modules():
    for info in pkgutil.walk_packages(trajectory.__path__, "trajectory."):
        if ".engine" in info.name or info.name.endswith(("wsgi", "__main__")):
            continue
        yield importlib.import_module(info.name)


def _label_enums() -> list[type[enum.Enum]]:
    found = {}
    for module in _modules():
        for _name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, enum.Enum)
                    and isinstance(inspect.getattr_static(value, "label", None), property)):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def _translated_msgids(app) -> dict[str, str]:
    """Every msgid the compiled Dutch catalogue translates into something else."""
    from flask_babel import get_translations

    with app.test_request_context(), force_locale("nl"):
        catalog = get_translations()._catalog
    return {key: value for key, value in catalog.items()
            if isinstance(key, str) and key and value and key != value}


def _english_forms(app) -> dict[str, str]:
    """English text -> where it comes from: the English form of every enum label that
    reads differently in Dutch, and every translated msgid without placeholders."""
    forms: dict[str, str] = {}
    for msgid in _translated_msgids(app):
        if "%" not in msgid:
            forms[msgid.strip()] = f"msgid {msgid!r}"
    with app.test_request_context():
        for cls in _label_enums():
            for member in cls:
                with force_locale("en"):
                    english = member.label
                with force_locale("nl"):
                    dutch = member.label
                if english != dutch:
                    forms[english] = f"label of {cls.__name__}.{member.name}"
    return forms


def _raw_values() -> dict[str, str]:
    """The values of the labelled enums that no person writes (``paid_job``)."""
    return {member.value: f"raw value of {cls.__name__}.{member.name}"
            for cls in _label_enums() for member in cls
            if isinstance(member.value, str) and SNAKE_CASE.fullmatch(member.value)}


def test_the_guards_know_the_leaks_seen_on_the_demo(plain_app):
    """The lists the page check uses hold what was seen (so the page check can fail)."""
    with plain_app.app_context():
        english = _english_forms(plain_app)
    assert {"Care (not Social Return)", "Paid jobs", "filled", "withdrawn", "Municipality",
            "Permanent contract"} <= english.keys()
    assert "paid_job" in _raw_values()


def test_no_form_holds_a_choice_label_made_at_import(plain_app):
    """A choices list in a form's class body is made once: its labels must still be lazy
    (``_l`` / a table's lazy value) or the field must get a callable."""
    with plain_app.app_context():
        english = _english_forms(plain_app)
    problems = []
    for module in _modules():
        for _name, form in vars(module).items():
            if not (inspect.isclass(form) and issubclass(form, FlaskForm)
                    and form.__module__ == module.__name__):
                continue
            for attribute, field in vars(form).items():
                if not isinstance(field, UnboundField):
                    continue
                choices = field.kwargs.get("choices")
                if choices is None or callable(choices):
                    continue
                for choice in choices:
                    label = choice[1] if isinstance(choice, (tuple, list)) else choice.label
                    if isinstance(label, str) and not isinstance(label, LazyString) \
                            and label.strip() in english:
                        problems.append(f"{form.__module__}.{form.__name__}.{attribute}: "
                                        f"{label!r} was made text at import")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ every page, in Dutch

class _Text(HTMLParser):
    """The texts a person reads (and a screen reader says): text nodes outside script
    and style, and the aria-label, title, alt and placeholder attributes. ``<code>`` is
    left out: it marks machine text on purpose; so is an element marked as another
    language (``lang="en"``: an e-mail's subject as it was sent in English, WCAG 3.1.2)."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0
        self._other_language: list[str] = []  # open elements marked as another language

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1
        language = dict(attrs).get("lang")
        if tag != "html" and language and not language.startswith("nl"):
            self._other_language.append(tag)
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1
        if self._other_language and self._other_language[-1] == tag:
            self._other_language.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def page_texts(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.texts


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, request):
    """The full demo on SQLite (the language of a page does not depend on the database)."""
    folder = tmp_path_factory.mktemp("language-demo")
    path = folder / "demo.sqlite"
    if BACKEND == "sqlite":
        shutil.copyfile(request.getfixturevalue("database_template"), path)
    else:
        upgrade(f"sqlite:///{path}")
    app = create_app({**base_config(f"sqlite:///{path}"), "EVIDENCE_DIR": str(folder / "ev"),
                      "LOGIN_THROTTLE_FREE_FAILURES": 1000,
                      "LOGIN_THROTTLE_ADDRESS_FREE_FAILURES": 1000})
    app.test_client_class = CsrfClient
    with app.app_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def _start_pages(app, username: str) -> list[str]:
    """Every GET route without arguments that the account may use (the route matrix)."""
    roles = set(db.session.scalars(sa.select(UserRole.role).join(User)
                                   .where(User.username == username)))
    urls = ["/"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        allowed = POLICY.get(rule.endpoint)
        if allowed in (PUBLIC, ANY_USER) or (isinstance(allowed, (set, frozenset))
                                             and roles & set(allowed)):
            urls.append(rule.rule)
    return [url for url in urls if not NOT_READ.search(url)]


def crawl(app, username: str):
    """(url, html) of every page the account reaches from its start pages, breadth first."""
    client = app.test_client()
    assert login(client, username).status_code == 302, username
    queue, seen = _start_pages(app, username), set()
    while queue and len(seen) < MAX_PAGES_PER_ACCOUNT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.text
        yield url, page
        for href in re.findall(r'href="(/[^"#]*)', page):
            href = html.unescape(href)
            if href not in seen and not NOT_READ.search(href) and not REPEATS.search(href):
                queue.append(href)


def leaks_on(page: str, english: dict[str, str], raw: dict[str, str]) -> list[str]:
    found = []
    for text in page_texts(page):
        bare = text.strip().rstrip(":").strip()
        if bare in english:
            found.append(f"{bare!r} ({english[bare]})")
        elif bare in raw:
            found.append(f"{bare!r} ({raw[bare]})")
        for number in POINT_DECIMAL.findall(text):
            found.append(f"{number!r} in {text[:80]!r} (a decimal point: use |hours or |number)")
        if "€" not in text and "%" not in text:
            for number in TRAILING_ZEROS.findall(text):
                found.append(f"{number!r} in {text[:80]!r} (trailing zeros: hours use |hours)")
    return found


def test_leak_check_sees_a_leak(plain_app):
    """The page check itself finds English, raw values and point decimals."""
    page = ("<main><h1>Aanbod</h1><td>Paid jobs</td><span aria-label='filled'></span>"
            "<td>paid_job</td><td>24.00</td><td>32,0 uur</td><td>€ 1.500,00</td><td>31-03-2026</td>"
            "<script>var x = 'Paid jobs';</script></main>")
    with plain_app.app_context():
        found = leaks_on(page, _english_forms(plain_app), _raw_values())
    assert len(found) == 5, found


def test_every_page_of_the_demo_is_dutch(demo_app):
    english, raw = _english_forms(demo_app), _raw_values()
    problems: dict[str, list[str]] = defaultdict(list)
    read = 0
    for username in ACCOUNTS_READ:
        assert username in {account[0] for account in ACCOUNTS}
        for url, page in crawl(demo_app, username):
            read += 1
            for leak in leaks_on(page, english, raw):
                problems[leak].append(f"{username} {url}")
    assert read > 300, f"only {read} pages read: the crawl lost its way"
    assert not problems, "English or raw values on Dutch pages:\n" + "\n".join(
        f"{leak}: {len(where)} page(s), e.g. {', '.join(where[:3])}"
        for leak, where in sorted(problems.items()))


# ------------------------------------------------------------------ valuation explanations

SCENARIO_FILES = [*sorted((ROOT / "tests" / "valuation" / "scenarios").glob("*.json")),
                  *sorted(SHARED_SCENARIOS.glob("*.json"))]
# Words of the engine's Dutch that have no place in an English sentence (the rulebook's
# own names - blocks, suppliers, discounts, bonuses, benefits - are left out first).
DUTCH_WORDS = re.compile(r"\b(van|uur|maanden?|dagen|t/m|Verplichting|Geteld|Omzet|drempel|"
                         r"eenmalig|Totaal|Korting|Uitkering|sinds|leerwerkjaar|niet|binnen|"
                         r"telt|plaatsing|jaar|geen|Inkoop|waarde|contractperiode|baan)\b")


def _engine_lines(value):
    if isinstance(value, Line):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _engine_lines(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _engine_lines(item)


def _names_in(line: Line):
    """The plain texts a line carries: the rulebook's names, which stay as the edition writes."""
    for value in line.params.values():
        if isinstance(value, Line):
            yield from _names_in(value)
        elif isinstance(value, str):
            yield value
        elif isinstance(value, Names):
            yield from value.names


def scenario_lines() -> list[Line]:
    found = []
    for path in SCENARIO_FILES:
        for outcome in run_scenarios(path.read_text(encoding="utf-8-sig")):
            found += _engine_lines(outcome.as_dict())
    return found


def test_every_explanation_line_of_the_scenarios_carries_its_english():
    found = scenario_lines()
    assert len(found) > 100
    plain = [str(line) for line in found if not isinstance(line, Line)]
    assert not plain


def test_explanations_are_the_engines_dutch_for_a_dutch_user(plain_app):
    with plain_app.test_request_context(), force_locale("nl"):
        for line in scenario_lines():
            assert explanation(line) == str(line)


def test_explanations_are_english_for_an_english_user(plain_app):
    """Seen on the demo: in English the valuation explanations stayed Dutch."""
    problems = []
    with plain_app.test_request_context(), force_locale("en"):
        for line in scenario_lines():
            english = explanation(line)
            rest = english
            for name in sorted(_names_in(line), key=len, reverse=True):
                rest = rest.replace(name, "")
            if "%(" in english or DUTCH_WORDS.search(rest) or english == str(line):
                problems.append(f"{str(line)!r} -> {english!r}")
    assert not problems, "\n".join(problems[:20])


def test_an_english_explanation_uses_english_numbers(plain_app):
    rulebook = newest_rulebook()
    value = value_item(Activity(hours=Decimal("7.5")), rulebook)
    with plain_app.test_request_context():
        with force_locale("en"):
            text = explanation(value.explain[-1])
        with force_locale("nl"):
            dutch = explanation(value.explain[-1])
    assert "7.5 hours ×" in text and "€" in text and ".00" in text, text
    assert dutch == str(value.explain[-1]) and "7,5 uur" in dutch


def test_the_stage_page_explains_in_the_chosen_language(demo_app):
    """The stage page of the demo in English: the valuation lines are English; in Dutch,
    the engine's own text."""
    from trajectory.stages.models import Stage

    client = demo_app.test_client()
    assert login(client, "klantmanager").status_code == 302
    page = None
    for stage_id in db.session.scalars(sa.select(Stage.id).order_by(Stage.id)):
        response = client.get(f"/trajecten/{stage_id}")
        if response.status_code == 200 and "Geteld: " in response.text:
            page = f"/trajecten/{stage_id}"
            break
    assert page is not None, "no stage of the klantmanager shows a counted period"
    assert client.post("/taal", data={"lang": "en", "next": page}).status_code == 302
    english = client.get(page).text
    assert "Counted: " in english and "Geteld: " not in english
    assert " maanden" not in " ".join(page_texts(english))
    client.post("/taal", data={"lang": "nl", "next": page})
    assert "Geteld: " in client.get(page).text


def test_percentages_follow_the_language(plain_app):
    from trajectory.valuation.labels import percent

    with plain_app.test_request_context():
        with force_locale("nl"):
            assert percent(Decimal("37.5")) == "37,5%"
        with force_locale("en"):
            assert percent(Decimal("37.5")) == "37.5%"
