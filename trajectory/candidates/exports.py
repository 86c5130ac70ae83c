"""The filtered candidate list as CSV or Excel (through the export kit, trajectory/exports.py).

Columns follow the list policy (``need_to_know.list_columns``) and each cell the row's
own visibility, so an export never shows more than the file. No BSN and no address in
exports: nobody needs them in a spreadsheet; the municipality's own client number (to
match a row to the benefit system) only for those who see the BSN.

Other features add columns (the current stage, the cohort, the last contact) with
``register_column``: a loader that takes the user and the exported candidates and returns
a value per candidate id in one query, so the export stays a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from trajectory.candidates.models import Candidate
from trajectory.candidates.need_to_know import Visible
from trajectory.exports import Column, Kind
from trajectory.timeutil import AMSTERDAM, as_utc


@dataclass(frozen=True)
class ListColumn:
    key: str
    title: Callable[[], str]
    needs: str  # a Visible attribute
    value: Callable[[Candidate], Any]
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class ExtraColumn:
    """A column another feature adds: ``load(user, candidates) -> {candidate_id: value}``
    in one query; ``after`` is the key of the column it follows."""

    key: str
    title: Callable[[], str]
    needs: str
    load: Callable[[Any, list[Candidate]], dict[int, Any]]
    kind: Kind = Kind.TEXT
    after: str = "status"


def _buddy(c: Candidate) -> str:
    buddy = c.current_buddy
    return buddy.full_name if buddy else ""


def _registered(c: Candidate):
    return as_utc(c.registered_at).astimezone(AMSTERDAM).date()


COLUMNS = (
    ListColumn("client_number", lambda: _("Client number (benefit system)"), "bsn",
               lambda c: c.client_number or ""),
    ListColumn("last_name", lambda: _("Last name"), "name",
               lambda c: " ".join(p for p in (c.tussenvoegsel, c.last_name) if p)),
    ListColumn("first_name", lambda: _("First name"), "name", lambda c: c.first_name),
    ListColumn("date_of_birth", lambda: _("Date of birth"), "date_of_birth",
               lambda c: c.date_of_birth, Kind.DATE),
    ListColumn("age", lambda: _("Age"), "age", lambda c: c.age(), Kind.INTEGER),
    ListColumn("municipality", lambda: _("Municipality"), "overview",
               lambda c: c.municipality.name),
    ListColumn("benefit", lambda: _("Benefit"), "benefit", lambda c: c.benefit),
    ListColumn("benefit_since", lambda: _("Benefit since"), "benefit",
               lambda c: c.benefit_since, Kind.DATE),
    ListColumn("status", lambda: _("Status"), "overview", lambda c: c.status),
    ListColumn("buddy", lambda: _("Buddy"), "overview", _buddy),
    ListColumn("klantmanager", lambda: _("Client manager"), "overview",
               lambda c: c.klantmanager.full_name),
    ListColumn("phone", lambda: _("Phone number"), "contact", lambda c: c.phone or "",
               Kind.PHONE),
    ListColumn("email", lambda: _("Email address"), "contact", lambda c: c.email or ""),
    ListColumn("registered", lambda: _("Registered on"), "overview", _registered, Kind.DATE),
)

EXTRA_COLUMNS: dict[str, ExtraColumn] = {}


def register_column(column: ExtraColumn) -> None:
    """Add (or replace, on a second app) a column from another feature."""
    EXTRA_COLUMNS[column.key] = column


def _ordered() -> list[ListColumn | ExtraColumn]:
    """The list's columns with each extra one after its ``after`` column, whatever the
    order the features registered them in (an unknown anchor: at the end)."""
    ordered: list[ListColumn | ExtraColumn] = list(COLUMNS)
    waiting = list(EXTRA_COLUMNS.values())
    while waiting:
        keys = [c.key for c in ordered]
        ready = [e for e in waiting if e.after in keys] or waiting[:1]
        for extra in ready:
            keys = [c.key for c in ordered]
            ordered.insert(keys.index(extra.after) + 1 if extra.after in keys else len(ordered),
                           extra)
            waiting.remove(extra)
    return ordered


def table(user: Any, candidates: list[Candidate], columns: Visible,
          visible: dict[int, Visible]) -> tuple[list[Column], list[list[Any]]]:
    """The kit's columns and the rows; a cell the row's visibility hides stays empty."""
    chosen = [col for col in _ordered() if getattr(columns, col.needs)]
    loaded = {col.key: col.load(user, candidates) for col in chosen
              if isinstance(col, ExtraColumn)}

    def cell(col: ListColumn | ExtraColumn, c: Candidate) -> Any:
        if not getattr(visible[c.id], col.needs):
            return ""
        if isinstance(col, ExtraColumn):
            return loaded[col.key].get(c.id, "")
        return col.value(c)

    header = [Column(col.title(), col.kind) for col in chosen]
    rows = [[cell(col, c) for col in chosen] for c in candidates]
    return header, rows
