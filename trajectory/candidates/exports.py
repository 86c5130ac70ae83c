"""The filtered candidate list as CSV or Excel (through the export kit, trajectory/exports.py).

Columns follow the list policy (``need_to_know.list_columns``) and each cell the row's
own visibility, so an export never shows more than the file. No BSN and no address in
exports: nobody needs them in a spreadsheet; the municipality's own client number (to
match a row to the benefit system) only for those who see the BSN.

Other features add columns (the current stage, the cohort, the last contact) with
``register_column``: a loader that takes the user and the exported candidates and returns
a value per candidate id in one query, so the export stays a constant number of queries.

The rows are read in chunks of ``CHUNK`` (``yield_per``, the list's eager loading, then
the visibility and each extra column in one query per chunk): a fixed number of queries
per thousand people. Each chunk's processing-log lines (one per person) are committed, in
a short transaction of their own, before the chunk's rows go into the file: a row never
leaves without its line, and a CSV download broken off half-way has lines for the rows
produced, not for the rest (docs/processing-log.md). The CSV is streamed; the Excel file
is written to a temporary file and sent from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _

from trajectory import exports as kit
from trajectory.audit.rendering import DEFAULT_ACTIVITY, forget_loaded, log_row, write_batch
from trajectory.candidates.models import Candidate
from trajectory.candidates.need_to_know import Visible, visible_for_all
from trajectory.exports import Column, Kind
from trajectory.extensions import db
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


def _chosen(columns: Visible) -> list[ListColumn | ExtraColumn]:
    return [col for col in _ordered() if getattr(columns, col.needs)]


def header(columns: Visible) -> list[Column]:
    """The kit's columns: what every row of the list shows (``list_columns``)."""
    return [Column(col.title(), col.kind) for col in _chosen(columns)]


def table(user: Any, candidates: list[Candidate], columns: Visible,
          visible: dict[int, Visible]) -> tuple[list[Column], list[list[Any]]]:
    """The kit's columns and the rows; a cell the row's visibility hides stays empty."""
    chosen = _chosen(columns)
    loaded = {col.key: col.load(user, candidates) for col in chosen
              if isinstance(col, ExtraColumn)}

    def cell(col: ListColumn | ExtraColumn, c: Candidate) -> Any:
        if not getattr(visible[c.id], col.needs):
            return ""
        if isinstance(col, ExtraColumn):
            return loaded[col.key].get(c.id, "")
        return col.value(c)

    rows = [[cell(col, c) for col in chosen] for c in candidates]
    return header(columns), rows


def _categories(columns: Visible, row_view: Visible) -> tuple[str, ...]:
    """What the file shows of one person: the row's visibility within the columns."""
    shown = Visible(**{f.name: getattr(row_view, f.name) and getattr(columns, f.name)
                       for f in fields(Visible)})
    return tuple(shown.categories())


def chunks(user: Any, statement: sa.Select, columns: Visible) -> Iterator[list[list[Any]]]:
    """The rows, ``CHUNK`` candidates at a time; a chunk's processing-log lines are
    committed before it is given out (the module docstring)."""
    if sa.inspect(user).detached:  # a streamed CSV runs after the view's session ended
        user = db.session.merge(user, load=False)
    roles = set(user.roles)  # through the roles: no per-request cache of 100,000 views
    result = db.session.scalars(statement.execution_options(yield_per=kit.CHUNK))
    try:
        for candidates in result.partitions():
            visible = visible_for_all(user, candidates, roles=roles)
            _columns, rows = table(user, candidates, columns, visible)
            lines, shapes = [], {}  # one line per person; its shape per kind of row view
            for candidate in candidates:
                row_view = visible[candidate.id]
                if row_view not in shapes:
                    shapes[row_view] = log_row("export", "Candidate", None,
                                               subject=("Candidate", None),
                                               activity=DEFAULT_ACTIVITY,
                                               categories=_categories(columns, row_view),
                                               result="success")
                lines.append({**shapes[row_view], "object_id": str(candidate.id),
                              "subject_id": str(candidate.id)})
            write_batch(lines)
            forget_loaded()
            yield rows
    finally:
        result.close()  # an aborted download: PostgreSQL's server-side cursor ends now


def download(user: Any, statement: sa.Select, columns: Visible, fmt: str,
             name: str) -> Response:
    """The filtered list (``statement``, in its order) as a streamed CSV or an Excel file."""
    if fmt == "csv":
        return kit.csv_stream(header(columns), chunks(user, statement, columns), name)
    rows = (row for chunk in chunks(user, statement, columns) for row in chunk)
    return kit.workbook_download([kit.Sheet(_("Candidates"), header(columns), rows)], name)
