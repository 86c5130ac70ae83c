"""Words for the ledger's keys, shared by the pages, the Excel export and the PDF statement."""

from __future__ import annotations

from decimal import Decimal

from babel.lists import format_list
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from trajectory.i18n import day, hours, money
from trajectory.valuation import engine
from trajectory.valuation.engine import explain as lines
from trajectory.valuation.engine.formatting import round_half_up
from trajectory.valuation.models import ClaimKind, ClaimStatus


def block_label(block: str) -> str:
    return {"labour": _("Labour participation"), "purchase": _("Social purchasing"),
            "activity": _("Social activities"), "fund": _("Social Return fund")}[block]


def due_label(what: str) -> str:
    return {"forecast": _("Revenue forecast"), "actual": _("Actual revenue"),
            "review": _("Yearly review by the SROI adviser")}[what]


def claim_kind_text(kind: ClaimKind) -> str:
    return kind.label


def status_text(status: ClaimStatus) -> str:
    return status.label


def labour_status_label(status: str) -> str:
    return {"planned": _("planned"), "running": _("running"), "completed": _("completed"),
            "concept": _("draft"), "submitted": _("submitted"), "approved": _("approved"),
            "rejected": _("rejected")}.get(status, status)


LABOUR_TONES = {"approved": "ok", "rejected": "error", "submitted": "warning"}


def labour_status_tone(status: str) -> str:
    return LABOUR_TONES.get(status, "neutral")


def initials(person) -> str:
    """A person on a ledger line or a labour claim: initials, never a name."""
    parts = [person.first_name, person.last_name]
    return ".".join(p[0].upper() for p in parts if p) + "."


def _listed(years: list[int]) -> str:
    """[2027, 2028] → "2027 en 2028" (in the user's language)."""
    return format_list([str(year) for year in years], locale=get_locale() or "nl")


def provisional_text(years: list[int]) -> str:
    """"voorlopig: omzet 2027 en 2028 nog niet opgegeven" (ledger.missing_years)."""
    return _("provisional: revenue %(years)s not given yet", years=_listed(years))


def provisional_note(years: list[int]) -> str:
    """The sentence under the obligation on the contract page and in the statements."""
    return _("The obligation is provisional: the revenue of %(years)s has not been given yet. "
             "A year without figures counts 0, so the obligation grows as the figures come in.",
             years=_listed(years))


def percent(value: Decimal | None) -> str:
    """``Decimal("37.5")`` → "37,5%" ("37.5%" in English)."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.0") + "%"


def supplier_label(rulebook: str, key: str | None) -> str | None:
    """The edition's words for a supplier type, e.g. "SW-bedrijf (detachering, ...)"."""
    if not key:
        return None
    try:
        return engine.load_rulebook(rulebook).supplier(key).label
    except KeyError:
        return key


def quantity(value: Decimal | None) -> str:
    """Hours and percentages: "6", "36,5" (``trajectory.i18n.hours``, in the user's language)."""
    return hours(value)


def explanation(line) -> str:
    """One line of the engine's explanation in the user's language (docs/valuation.md,
    "Explanations in two languages"): for Dutch the engine's own text, which is also what
    ``flask sroi check`` prints; for any other language the line's English template, filled
    with the user's number and date formats. Text that is not an engine line (a stored
    approval, a line the web layer wrote with gettext) is shown as it is."""
    if not isinstance(line, lines.Line) or _language() == "nl":
        return str(line)
    return line.english % {key: _in_english(value) for key, value in line.params.items()}


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "nl"


def _places(value, places: int) -> str:
    return format_decimal(round_half_up(value, places),
                          format="#,##0." + "0" * places if places else "#,##0")


def _in_english(value) -> str:
    if isinstance(value, lines.Line):
        return explanation(value)
    if isinstance(value, lines.Money):
        return money(round_half_up(value.amount))
    if isinstance(value, lines.Num):
        return _places(value.value, value.places)
    if isinstance(value, lines.Qty):
        return hours(round_half_up(value.value))
    if isinstance(value, lines.Pct):
        return hours(value.value) + "%"
    if isinstance(value, lines.Months):
        text = hours(round_half_up(value.value))
        return f"{text} month" if text == "1" else f"{text} months"
    if isinstance(value, lines.Day):
        return day(value.value)
    if isinstance(value, lines.Span):
        return f"{day(value.start)} to {day(value.end)}"
    if isinstance(value, lines.Spans):
        return ", ".join(_in_english(span) for span in value.spans)
    if isinstance(value, lines.Names):
        return " and ".join(value.names)
    return str(value)
