"""A provider's offer (the Bijlage 1 inventory) and vacancies from a spreadsheet.

The same steps as the candidate import (upload, columns once per provider, preview,
confirm), for the provider's own intaker, who keeps its offer (``can_edit_provider``).
Each row goes through the providers' own services (``create_offer_item``,
``create_vacancy``, which check before they add): the preview runs them and rolls
everything back, the confirmation runs them again and commits, so the rules are the
services' own. A row equal to one already in the offer (same type, title and start date; for a
vacancy same title and start) or earlier in the file is refused: importing the same
inventory twice does not double it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import force_locale
from flask_babel import gettext as _

from trajectory.extensions import db
from trajectory.imports import fields as F
from trajectory.imports.fields import ImportField, normalise_header
from trajectory.imports.parsing import Table
from trajectory.organisations.models import Organisation
from trajectory.providers import services as provider_services
from trajectory.providers.forms import OfferItemForm, VacancyForm
from trajectory.providers.models import (
    HOURS_OFFER_TYPES,
    OfferItem,
    OfferType,
    Vacancy,
    VacancyStatus,
)
from trajectory.services import ServiceError

OFFERS = "offers"
VACANCIES = "vacancies"


def _label(model, name: str) -> Any:
    return model.__table__.c[name].info["label"]


def _f(model, form, name: str, kind: str = "text", *, required: bool = False,
       aliases: tuple[str, ...] = ()) -> ImportField:
    validators = F._form_validators(name, form) if kind == "text" else ()
    return ImportField(name, _label(model, name), required=required, kind=kind,
                       aliases=aliases, validators=validators)


OFFER_FIELDS: tuple[ImportField, ...] = (
    _f(OfferItem, OfferItemForm, "offer_type", "offer_type", required=True,
       aliases=("soort", "soort aanbod", "type", "offer type", "aanbod")),
    _f(OfferItem, OfferItemForm, "title", required=True,
       aliases=("functie", "onderwerp", "functie of onderwerp", "omschrijving", "function")),
    _f(OfferItem, OfferItemForm, "level", "level", aliases=("niveau", "mbo niveau")),
    _f(OfferItem, OfferItemForm, "hours_per_week", "hours",
       aliases=("uren", "uren per week", "uur per week", "hours")),
    _f(OfferItem, OfferItemForm, "capacity", "count", required=True,
       aliases=("aantal", "aantal plaatsen", "plaatsen", "places")),
    _f(OfferItem, OfferItemForm, "available_from", "date", aliases=("vanaf", "beschikbaar vanaf")),
    _f(OfferItem, OfferItemForm, "available_until", "date", aliases=("tot", "beschikbaar tot")),
    _f(OfferItem, OfferItemForm, "notes", aliases=("opmerkingen", "toelichting")),
)

VACANCY_FIELDS: tuple[ImportField, ...] = (
    _f(Vacancy, VacancyForm, "title", required=True,
       aliases=("functie", "vacature", "functienaam", "job")),
    _f(Vacancy, VacancyForm, "level", "level", aliases=("niveau", "mbo niveau")),
    _f(Vacancy, VacancyForm, "hours_per_week", "hours", required=True,
       aliases=("uren", "uren per week", "uur per week", "hours")),
    _f(Vacancy, VacancyForm, "available_from", "date",
       aliases=("vanaf", "per", "vanaf wanneer", "from when", "startdatum")),
    _f(Vacancy, VacancyForm, "status", "status"),
    _f(Vacancy, VacancyForm, "notes", aliases=("opmerkingen", "toelichting")),
)

FIELDS = {OFFERS: OFFER_FIELDS, VACANCIES: VACANCY_FIELDS}

OFFER_ALIASES = {
    "intaker": OfferType.INTAKE, "intake": OfferType.INTAKE, "screener": OfferType.INTAKE,
    "buddy": OfferType.BUDDY, "maatje": OfferType.BUDDY, "specialist": OfferType.SPECIALIST,
    "wep": OfferType.WERKERVARINGSPLAATS, "werkervaringsplaats": OfferType.WERKERVARINGSPLAATS,
    "bbl": OfferType.BBL, "bblplaats": OfferType.BBL, "bol": OfferType.BOL,
    "bolstage": OfferType.BOL, "stage": OfferType.BOL, "vso": OfferType.VSO,
    "praktijkonderwijs": OfferType.VSO, "betaaldebaan": OfferType.PAID_JOB,
    "baan": OfferType.PAID_JOB, "betaaldwerk": OfferType.PAID_JOB,
    "project": OfferType.ADDITIONAL_PROJECT, "aanvullendproject": OfferType.ADDITIONAL_PROJECT,
}


def _choice_names(enum_cls, aliases: dict) -> dict[str, Any]:
    names = dict(aliases)
    for member in enum_cls:
        names[normalise_header(member.value)] = member
        for locale in ("nl", "en"):
            with force_locale(locale):
                names[normalise_header(member.label)] = member
    return names


def parse_dutch_decimal(text: str) -> Decimal:
    """"1.500,50", "7,5" or a spreadsheet's plain "7.5", as ``DutchDecimalField`` reads them."""
    raw = text.strip().replace("\xa0", "").replace(" ", "")
    try:
        return parse_decimal(raw, locale="nl", strict=True)
    except NumberFormatError:
        if raw.count(".") == 1 and "," not in raw:
            try:
                return Decimal(raw)
            except InvalidOperation:
                pass
    raise F.CellProblem(_("Enter a number such as 7,5."))


def _whole(text: str) -> int:
    try:
        value = parse_dutch_decimal(text)
    except F.CellProblem:
        raise F.CellProblem(_("Enter a whole number.")) from None
    if value != value.to_integral_value():
        raise F.CellProblem(_("Enter a whole number."))
    return int(value)


@dataclass
class OfferRow:
    number: int
    cells: dict[str, str]
    problems: list[Any] = field(default_factory=list)
    values: dict[str, Any] | None = None
    created: Any = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.created is not None

    def problem(self, field_name: str | None, message: str) -> None:
        from trajectory.imports.validation import Problem

        self.problems.append(Problem(field_name, message))


@dataclass
class OfferReport:
    kind: str
    headers: list[str]
    rows: list[OfferRow]

    @property
    def valid(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def bad_rows(self) -> list[OfferRow]:
        return [row for row in self.rows if not row.ok]


def _parse(kind: str, row: OfferRow, choices: dict[str, dict]) -> None:
    values: dict[str, Any] = {}
    for spec in FIELDS[kind]:
        text = row.cells.get(spec.name, "").strip()
        if not text:
            if spec.required:
                row.problem(spec.name, _("%(field)s is empty.", field=spec.label))
            continue
        try:
            if spec.kind == "date":
                values[spec.name] = F.parse_date(text)
            elif spec.kind in ("offer_type", "status"):
                found = choices[spec.kind].get(normalise_header(text))
                if found is None:
                    members = OfferType if spec.kind == "offer_type" else VacancyStatus
                    raise F.CellProblem(_("Unknown value \"%(value)s\": use one of %(choices)s.",
                                          value=text[:40],
                                          choices=", ".join(m.label for m in members)))
                values[spec.name] = found
            elif spec.kind == "level":
                level = _whole(text.casefold().replace("niveau", ""))
                if level not in (1, 2, 3, 4):
                    raise F.CellProblem(_("Choose a level from 1 to 4."))
                values[spec.name] = level
            elif spec.kind == "hours":
                hours = parse_dutch_decimal(text)
                if not (0 < hours <= 60) or hours != hours.quantize(Decimal("0.01")):
                    raise F.CellProblem(_("Enter hours per week: more than 0, at most 60."))
                values[spec.name] = hours
            elif spec.kind == "count":
                count = _whole(text)
                if not 0 <= count <= 999:
                    raise F.CellProblem(_("Enter a number from 0 to 999."))
                values[spec.name] = count
            else:
                values[spec.name] = F.check_text(spec, text)
        except F.CellProblem as problem:
            row.problem(spec.name, str(problem))
    if not row.problems:
        row.values = values


def _key(kind: str, values: dict[str, Any]) -> tuple:
    title = " ".join(values["title"].split()).casefold()
    if kind == OFFERS:
        return (values["offer_type"], title, values.get("available_from"))
    return (title, values.get("available_from"))


def _existing(kind: str, provider: Organisation) -> set[tuple]:
    """One query: what the provider's offer or vacancy list holds already."""
    if kind == OFFERS:
        rows = db.session.execute(sa.select(
            OfferItem.offer_type, OfferItem.title, OfferItem.available_from).where(
            OfferItem.organisation_id == provider.id))
        return {(t, " ".join(title.split()).casefold(), start) for t, title, start in rows}
    rows = db.session.execute(sa.select(Vacancy.title, Vacancy.available_from).where(
        Vacancy.organisation_id == provider.id))
    return {(" ".join(title.split()).casefold(), start) for title, start in rows}


def _create(kind: str, provider: Organisation, values: dict[str, Any]) -> Any:
    if kind == OFFERS:
        offer_type = values["offer_type"]
        return provider_services.create_offer_item(
            provider, offer_type=offer_type, title=values["title"],
            level=values.get("level"),  # the service refuses a level the type has not
            hours_per_week=(values.get("hours_per_week") if offer_type in HOURS_OFFER_TYPES
                            else None),
            capacity=values["capacity"], available_from=values.get("available_from"),
            available_until=values.get("available_until"), notes=values.get("notes"))
    return provider_services.create_vacancy(
        provider, title=values["title"], level=values.get("level"),
        hours_per_week=values.get("hours_per_week"),
        available_from=values.get("available_from"),
        status=values.get("status") or VacancyStatus.OPEN, notes=values.get("notes"))


def import_rows(kind: str, provider: Organisation, table: Table,
                found: dict[str, int]) -> OfferReport:
    """Check every row and create the good ones through the providers' services; the
    caller commits (confirm) or rolls back (preview)."""
    choices = {"offer_type": _choice_names(OfferType, OFFER_ALIASES),
               "status": _choice_names(VacancyStatus, {"vervuld": VacancyStatus.FILLED,
                                                       "ingetrokken": VacancyStatus.WITHDRAWN})}
    existing = _existing(kind, provider)
    seen: dict[tuple, int] = {}
    rows = []
    for number, cells in table.rows:
        values = {name: (cells[index] if index < len(cells) else "")
                  for name, index in found.items()}
        row = OfferRow(number=number, cells=values)
        rows.append(row)
        _parse(kind, row, choices)
        if row.values is None:
            continue
        key = _key(kind, row.values)
        if key in existing:
            row.problem("title", _("This is already in your list."))
            continue
        if key in seen:
            row.problem("title", _("Row %(row)d has the same.", row=seen[key]))
            continue
        seen[key] = number
        try:
            # The services check before they add anything: a refused row leaves nothing.
            row.created = _create(kind, provider, row.values)
        except ServiceError as error:
            row.problem(error.field, error.message)
    return OfferReport(kind=kind, headers=table.headers, rows=rows)


