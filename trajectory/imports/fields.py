"""The candidate fields an import fills, how a column is matched to each, and how a
cell's text becomes a value.

A field's label is the candidate model's own (``info["label"]``, as the registration
form and the history show it), so a column named after the field in Dutch or English
is found without a mapping. The format rules are the registration form's validators
(length, phone, postcode, e-mail), run on each cell without building a form per row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from trajectory.candidates.bsn import normalise_bsn
from trajectory.candidates.forms import RegisterForm
from trajectory.candidates.models import Benefit, Candidate


class CellProblem(ValueError):
    """A cell's text is not a value of its field; the message says why."""


def normalise_header(text: str) -> str:
    """Case, spaces, punctuation and accents do not count: "Geboorte-datum" = "geboortedatum"."""
    plain = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


@dataclass(frozen=True)
class ImportField:
    name: str
    label: Any
    required: bool = False
    kind: str = "text"  # text, date, bool, benefit, bsn, klantmanager
    aliases: tuple[str, ...] = ()
    example: str = ""
    validators: tuple[Any, ...] = field(default=(), compare=False)

    def names(self) -> set[str]:
        """The header texts that name this field without a mapping: the label in Dutch
        and English, the field's own name and a few usual export names."""
        found = {normalise_header(self.name), *(normalise_header(a) for a in self.aliases)}
        for locale in ("nl", "en"):
            with force_locale(locale):
                found.add(normalise_header(str(self.label)))
        return found


def _label(name: str) -> Any:
    return Candidate.__table__.c[name].info["label"]


def _form_validators(name: str, form: type = RegisterForm) -> tuple[Any, ...]:
    """The form's format validators of a field (not the required ones): by default the
    registration form's."""
    unbound = getattr(form, name)
    return tuple(v for v in unbound.kwargs.get("validators", ())
                 if not isinstance(v, Optional | DataRequired | InputRequired))


def _text(name: str, *, required: bool = False, aliases: tuple[str, ...] = (),
          example: str = "", label: Any = None) -> ImportField:
    return ImportField(name, label or _label(name), required=required, aliases=aliases,
                       example=example, validators=_form_validators(name))


def _flag(name: str, aliases: tuple[str, ...] = ()) -> ImportField:
    return ImportField(name, _label(name), kind="bool", aliases=aliases, example="nee")


def _date(name: str, *, required: bool = False, aliases: tuple[str, ...] = (),
          example: str = "") -> ImportField:
    return ImportField(name, _label(name), required=required, kind="date", aliases=aliases,
                       example=example)


CANDIDATE_FIELDS: tuple[ImportField, ...] = (
    _text("first_name", required=True, aliases=("voornaam", "roepnaam"), example="Noor"),
    _text("tussenvoegsel", aliases=("tussenvoegsels", "voorvoegsel"), example=""),
    _text("last_name", required=True, aliases=("achternaam", "naam", "surname"),
          example="Jansen"),
    _date("date_of_birth", required=True, aliases=("geboortedatum", "geb datum", "birth date"),
          example="14-02-1990"),
    ImportField("bsn", _label("bsn"), kind="bsn", aliases=("burgerservicenummer", "sofinummer"),
                example="111222333"),
    _text("client_number", aliases=("klantnummer", "clientnummer", "client number"),
          example="K-1001"),
    ImportField("benefit", _label("benefit"), required=True, kind="benefit",
                aliases=("uitkering", "soort uitkering", "uitkeringssoort", "regeling"),
                example="Participatiewet"),
    _date("benefit_since", required=True, aliases=("uitkering sinds", "ingangsdatum uitkering",
                                                   "ingangsdatum"), example="01-09-2023"),
    _text("phone", aliases=("telefoon", "telefoonnummer", "mobiel", "phone"),
          example="06 12345678"),
    _text("email", aliases=("e-mail", "emailadres", "e-mailadres", "mail"),
          example="noor@voorbeeld.nl"),
    _text("street", aliases=("adres", "straat", "straat en huisnummer", "address"),
          example="Kerkstraat 12"),
    _text("postcode", aliases=("postal code", "zip"), example="4461 AB"),
    _text("place", aliases=("woonplaats", "plaats", "city"), example="Goes"),
    _flag("doelgroepregister"),
    _flag("statushouder"),
    _flag("nt2"),
    _flag("driving_licence", ("rijbewijs",)),
    _flag("own_transport", ("eigen vervoer",)),
    ImportField("klantmanager", _l("Client manager"), kind="klantmanager",
                aliases=("klantmanager", "consulent", "klantmanager_id"), example=""),
    _date("consent_given_on", aliases=("toestemming gegeven op", "toestemming"), example=""),
    _flag("consent_providers"),
    _flag("consent_buddy"),
    _flag("consent_overlegtafel"),
    _date("consent_expires_on", aliases=("toestemming tot",), example=""),
)

FIELDS_BY_NAME = {f.name: f for f in CANDIDATE_FIELDS}

# ------------------------------------------------------------------ matching columns


def match_columns(headers: list[str], fields: tuple[ImportField, ...] = CANDIDATE_FIELDS,
                  saved: dict[str, str] | None = None) -> dict[str, int]:
    """Field name -> column index. A saved mapping names headers; without one (or for a
    field it leaves out) a header equal to a field's name, label or alias is taken."""
    by_header: dict[str, int] = {}
    for index, header in enumerate(headers):
        by_header.setdefault(normalise_header(header), index)
    found: dict[str, int] = {}
    if saved is not None:
        for name, header in saved.items():
            if name in {f.name for f in fields} and header:
                index = by_header.get(normalise_header(header))
                if index is not None:
                    found[name] = index
        return found
    taken: set[int] = set()
    for spec in fields:
        for key in spec.names():
            index = by_header.get(key)
            if index is not None and index not in taken:
                found[spec.name] = index
                taken.add(index)
                break
    return found


def missing_required(found: dict[str, int],
                     fields: tuple[ImportField, ...] = CANDIDATE_FIELDS) -> list[ImportField]:
    return [f for f in fields if f.required and f.name not in found]


# ------------------------------------------------------------------ cell values

DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "v"}
FALSE = {"nee", "n", "no", "false", "onwaar", "0", "", "-"}

BENEFIT_ALIASES = {
    "pw": Benefit.PARTICIPATIEWET, "bijstand": Benefit.PARTICIPATIEWET,
    "participatie": Benefit.PARTICIPATIEWET, "wwb": Benefit.PARTICIPATIEWET,
    "wia": Benefit.WIA_WAO, "wao": Benefit.WIA_WAO, "wiawao": Benefit.WIA_WAO,
    "geen": Benefit.NUG, "geenuitkering": Benefit.NUG, "nug": Benefit.NUG,
    "nietuitkeringsgerechtigd": Benefit.NUG,
}


def parse_date(text: str) -> date:
    raw = text.strip()
    if " " in raw:  # "1980-12-31 00:00:00" from a spreadsheet
        raw = raw.split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise CellProblem(_("Enter a date such as 31-12-1980."))


def parse_bool(text: str) -> bool:
    key = text.strip().casefold()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellProblem(_("Enter ja or nee."))


def benefit_names() -> dict[str, Benefit]:
    """Every way a benefit is written: its code, its label in Dutch and English, aliases."""
    names = dict(BENEFIT_ALIASES)
    for benefit in Benefit:
        names[normalise_header(benefit.value)] = benefit
        for locale in ("nl", "en"):
            with force_locale(locale):
                names[normalise_header(benefit.label)] = benefit
    return names


def parse_benefit(text: str, names: dict[str, Benefit]) -> Benefit:
    benefit = names.get(normalise_header(text))
    if benefit is None:
        raise CellProblem(_("Unknown benefit \"%(value)s\": use one of %(choices)s.",
                            value=text[:40], choices=", ".join(b.label for b in Benefit)))
    return benefit


def parse_bsn(text: str) -> str:
    """Digits only; eight digits get their leading zero back (a spreadsheet drops it
    from a number). The elfproef is the registration's (the service)."""
    value = normalise_bsn(text.strip())
    if len(value) == 8 and value.isdigit():
        value = "0" + value
    return value


class _Probe:
    """Just enough of a WTForms field for the form's validators to check one cell."""

    def __init__(self, data: str) -> None:
        self.data = data
        self.errors: list[str] = []

    @staticmethod
    def gettext(text: str) -> str:
        return get_translations().gettext(text)

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


def check_text(spec: ImportField, text: str) -> str:
    """The form's rules for this field: its length and its pattern (phone, postcode,
    e-mail), with the form's messages."""
    probe = _Probe(text)
    for validator in spec.validators:
        if isinstance(validator, Length):
            if validator.max >= 0 and len(text) > validator.max:
                raise CellProblem(_("Use at most %(n)d characters.", n=validator.max))
            continue
        try:
            validator(None, probe)
        except ValidationError as error:
            raise CellProblem(str(error)) from None
    return text

