"""The Dutch catalogue is complete, compiled and consistent; the language switch works.

The interface strings are English msgids; Dutch (``nl``, the default locale)
comes from ``trajectory/translations/nl/LC_MESSAGES/messages.po``. English
needs no catalogue: without one Flask-Babel returns the msgids themselves.
When one of these tests fails, run ``make i18n``, translate what is listed
and commit the .pot, .po and .mo together (see docs/translations.md).
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from trajectory import create_app

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "trajectory" / "translations"
NL_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
NL_MO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo"

# printf-style conversions as Python's % operator reads them (``%%`` included).
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
FIX = "Run `make i18n`, translate in {po} and commit the .pot, .po and .mo together."


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj)


def _where(message: Message) -> str:
    places = ", ".join(f"{file}:{line}" for file, line in message.locations[:3])
    return f"{message.id!r} ({places})" if places else repr(message.id)


def _forms(message: Message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


@pytest.fixture(scope="module")
def nl() -> Catalog:
    return _read_po(NL_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The msgids in the sources now, extracted exactly as `make i18n` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "--no-wrap",
         "--sort-by-file", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), "."],
        cwd=ROOT, check=False, capture_output=True, text=True,
    )
    assert done.returncode == 0, f"pybabel extract failed:\n{done.stderr}"
    catalog = _read_po(pot)
    assert len(catalog) > 100, "the extractor found suspiciously few messages; check babel.cfg"
    return catalog


def test_every_extracted_message_has_a_dutch_translation(extracted, nl):
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = nl.get(message.id, message.context)
        if translated is None:
            problems.append(f"missing from the .po: {_where(message)}")
        elif translated.fuzzy:
            problems.append(f"fuzzy (check it, then remove the fuzzy flag): {_where(message)}")
        elif message.pluralizable and (not translated.pluralizable
                                       or len(translated.string) != nl.num_plurals):
            problems.append(f"needs {nl.num_plurals} plural forms: {_where(message)}")
        elif not all(form.strip() for form in _forms(translated)):
            problems.append(f"empty msgstr: {_where(message)}")
    assert not problems, (f"{len(problems)} message(s) without a Dutch translation. "
                          + FIX.format(po=NL_PO.relative_to(ROOT)) + "\n" + "\n".join(problems))


GETTEXT_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
TEMPLATE_CALL = re.compile(r"""\b_\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""", re.S)


def _msgids_in_sources() -> list[tuple[str, str]]:
    """(msgid, where) of every gettext call with a literal text, read from the sources
    themselves: Python through its syntax tree, templates by their ``_("...")`` calls."""
    found = []
    for path in sorted((ROOT / "trajectory").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_CALLS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.append((node.args[0].value,
                              f"{path.relative_to(ROOT)}:{node.lineno}"))
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_CALL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((match[2], f"{path.relative_to(ROOT)}:{line}"))
    return found


def test_every_gettext_call_is_extracted(extracted):
    """A call the extractor does not see never reaches the .po, so it stays English on every
    Dutch page while the test above is green: a gettext call inside another one's
    arguments (``_("%(x)s", x=_("certificate obtained"))``), a keyword babel.cfg does
    not list. Put the whole sentence in one msgid, or build the part first."""
    ids = {message.id if isinstance(message.id, str) else message.id[0]
           for message in extracted if message.id}
    missing = sorted({f"{msgid!r} ({where})" for msgid, where in _msgids_in_sources()
                      if msgid not in ids})
    assert not missing, ("gettext calls the extractor does not see (so never translated):\n"
                         + "\n".join(missing))


def test_dutch_catalogue_header(nl):
    assert str(nl.locale) == "nl"
    assert nl.plural_expr == "(n != 1)"
    assert nl.num_plurals == 2
    # pybabel compile silently skips a catalogue whose header is marked fuzzy.
    assert not nl.fuzzy, f"remove the fuzzy flag from the header of {NL_PO.relative_to(ROOT)}"


def test_committed_mo_matches_the_po(nl):
    assert NL_MO.exists(), FIX.format(po=NL_PO.relative_to(ROOT))
    compiled = io.BytesIO()
    write_mo(compiled, nl)  # what `pybabel compile` writes (fuzzy entries left out)
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with NL_MO.open("rb") as fileobj:
        committed = gettext.GNUTranslations(fileobj)

    def messages(translations: gettext.GNUTranslations) -> dict:
        return {key: value for key, value in translations._catalog.items() if key != ""}

    want, have = messages(expected), messages(committed)
    stale = sorted({str(key) for key in want.keys() ^ have.keys()}
                   | {str(key) for key in want.keys() & have.keys() if want[key] != have[key]})
    assert not stale, ("messages.mo is out of date with messages.po. Run `make i18n` "
                       "(or `make i18n-compile`) and commit the .mo.\n" + "\n".join(stale[:20]))
    assert committed.info().get("plural-forms") == expected.info().get("plural-forms")


def _placeholders(text: str) -> set[tuple[str | None, str]]:
    return {(m["name"], m["conv"]) for m in PLACEHOLDER.finditer(text) if m["conv"] != "%"}


def _stray_percent(text: str) -> bool:
    return "%" in PLACEHOLDER.sub("", text)


def test_placeholders_survive_translation(nl):
    problems = []
    for message in nl:
        if not message.id or not message.string:
            continue
        sources = list(message.id) if message.pluralizable else [message.id]
        for index, form in enumerate(_forms(message)):
            # nl: form 0 is n == 1 (the msgid), every other form the msgid_plural.
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(form) != _placeholders(source):
                problems.append(f"{message.id!r} -> {form!r}: placeholders "
                                f"{sorted(_placeholders(form), key=str)} differ from "
                                f"{sorted(_placeholders(source), key=str)}")
            elif _stray_percent(form):
                # Jinja (newstyle gettext) always applies %, so a lone % breaks the page.
                problems.append(f"{message.id!r} -> {form!r}: write a literal % as %%")
    assert not problems, "\n".join(problems)


@pytest.fixture
def app():
    # /inloggen renders from the form and the templates only: no tables needed.
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "WTF_CSRF_ENABLED": False,  # only so the test can POST /taal without a token
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_STORAGE_URI": "memory://",
    })


def test_login_page_is_dutch_by_default(app):
    response = app.test_client().get("/inloggen")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="nl"' in page
    assert "Inloggen" in page
    assert "Gebruikersnaam" in page
    assert "Log in to Trajectory" not in page


def test_login_page_is_english_after_choosing_english(app):
    client = app.test_client()
    response = client.post("/taal", data={"lang": "en", "next": "/inloggen"})
    assert response.status_code == 302
    page = client.get("/inloggen").text
    # English comes straight from the msgids: there is no en catalogue.
    assert '<html lang="en"' in page
    assert "Log in to Trajectory" in page
    assert "User name" in page
    assert "Gebruikersnaam" not in page

    client.post("/taal", data={"lang": "nl", "next": "/inloggen"})
    assert '<html lang="nl"' in client.get("/inloggen").text
