"""The filtered candidate list as CSV or Excel (through the export kit, trajectory/exports.py).

Columns follow the list policy (``need_to_know.list_columns``) and each cell the row's
own visibility, so an export never shows more than the file. No BSN and no address in
exports: nobody needs them in a spreadsheet; the municipality's own client number (to
match a row to the benefit system) only for those who see the BSN.

Other features add columns (the current stage, the cohort, the last contact) with
``register_column``: SQL expressions correlated to the exported ``Candidate`` (a scalar
subquery each), so they are part of the export's one SELECT.

The same number of statements at any size (docs/processing-log.md, docs/performance.md):

1. **One INSERT ... SELECT** writes the processing-log lines (one per person: action
   ``export``, object ``Candidate``, the categories that person's row shows, computed in
   SQL from the user's tiers) from the filtered list, in a short transaction of its own,
   committed before the first row is produced (the CSV's header row has already left).
2. **One streamed SELECT** reads every cell: the candidate's columns, the municipality,
   the client manager and the buddy, the user's tiers (the row's visibility) and each
   extra column, in the list's order, ``CHUNK`` rows at a time (a server-side cursor on
   PostgreSQL, SQLite's cursor). It only returns people that have a line of this export
   (``IN`` the lines just written, found through the log's index on ``at``): a person who
   entered the filter between the two statements is left out rather than sent unlogged.

The CSV is streamed; the Excel file is written to a temporary file and sent from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response
from flask_babel import gettext as _

from trajectory import exports as kit
from trajectory.audit.models import ProcessingLogEntry
from trajectory.audit.rendering import DEFAULT_ACTIVITY, log_row
from trajectory.auth.models import User
from trajectory.candidates.models import BuddyAssignment, Candidate
from trajectory.candidates.need_to_know import FIELDS, NOTHING, Visible, tiers
from trajectory.exports import Column, Kind
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import AMSTERDAM, as_utc, today

Row = Any  # a result row of the export's SELECT (attribute access by label)


@dataclass(frozen=True)
class ListColumn:
    key: str
    title: Callable[[], str]
    needs: str  # a Visible attribute
    value: Callable[[Row], Any]
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class ExtraColumn:
    """A column another feature adds: ``select(user)`` gives the SQL expressions (scalar
    subqueries correlated to ``Candidate``) the export's SELECT reads for it, ``value``
    makes the cell from what they return (by default the one value as it is); ``after``
    is the key of the column it follows."""

    key: str
    title: Callable[[], str]
    needs: str
    select: Callable[[Any], Sequence[sa.ColumnElement[Any]]]
    kind: Kind = Kind.TEXT
    after: str = "status"
    value: Callable[..., Any] = lambda value: value


def _buddy_name() -> sa.ScalarSelect[Any]:
    """``Candidate.current_buddy`` in SQL: the first assignment (by start) active today,
    then its buddy by primary key (a join made PostgreSQL hash the accounts per row)."""
    assignment = so.aliased(BuddyAssignment)
    buddy_id = (sa.select(assignment.buddy_id)
                .where(assignment.candidate_id == Candidate.id,
                       BuddyAssignment.active_on(today(), assignment))
                .order_by(assignment.start_date, assignment.id).limit(1)
                .correlate(Candidate).scalar_subquery())
    return (sa.select(User.full_name).where(User.id == buddy_id)
            .correlate(Candidate).scalar_subquery())


def _klantmanager_name() -> sa.ScalarSelect[Any]:
    return (sa.select(User.full_name).where(User.id == Candidate.klantmanager_id)
            .correlate(Candidate).scalar_subquery())


# What the list columns read, besides the candidate's own columns: labelled SQL.
ROW_COLUMNS: tuple[Callable[[], sa.ColumnElement[Any]], ...] = (
    lambda: Organisation.name.label("municipality_name"),
    lambda: _buddy_name().label("buddy_name"),
    lambda: _klantmanager_name().label("klantmanager_name"),
)
CANDIDATE_COLUMNS = ("id", "client_number", "tussenvoegsel", "last_name", "first_name",
                     "date_of_birth", "benefit", "benefit_since", "status", "phone", "email",
                     "registered_at")


def _registered(row: Row):
    return as_utc(row.registered_at).astimezone(AMSTERDAM).date()


COLUMNS = (
    ListColumn("client_number", lambda: _("Client number (benefit system)"), "bsn",
               lambda r: r.client_number or ""),
    ListColumn("last_name", lambda: _("Last name"), "name",
               lambda r: " ".join(p for p in (r.tussenvoegsel, r.last_name) if p)),
    ListColumn("first_name", lambda: _("First name"), "name", lambda r: r.first_name),
    ListColumn("date_of_birth", lambda: _("Date of birth"), "date_of_birth",
               lambda r: r.date_of_birth, Kind.DATE),
    ListColumn("age", lambda: _("Age"), "age", Candidate.age, Kind.INTEGER),  # reads the row
    ListColumn("municipality", lambda: _("Municipality"), "overview",
               lambda r: r.municipality_name),
    ListColumn("benefit", lambda: _("Benefit"), "benefit", lambda r: r.benefit),
    ListColumn("benefit_since", lambda: _("Benefit since"), "benefit",
               lambda r: r.benefit_since, Kind.DATE),
    ListColumn("status", lambda: _("Status"), "overview", lambda r: r.status),
    ListColumn("buddy", lambda: _("Buddy"), "overview", lambda r: r.buddy_name or ""),
    ListColumn("klantmanager", lambda: _("Client manager"), "overview",
               lambda r: r.klantmanager_name),
    ListColumn("phone", lambda: _("Phone number"), "contact", lambda r: r.phone or "",
               Kind.PHONE),
    ListColumn("email", lambda: _("Email address"), "contact", lambda r: r.email or ""),
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


# ------------------------------------------------------------------ the two statements

def _tier_hits(user_tiers: list) -> list[sa.ColumnElement[int]]:
    """Per tier of the user: 1 when it reaches the row (``visible_for_all`` in the SELECT)."""
    return [sa.case((condition, 1), else_=0).label(f"tier_{index}")
            for index, (condition, _view) in enumerate(user_tiers)]


def _categories_sql(columns: Visible, user_tiers: list, hits: Any) -> sa.ColumnElement[str]:
    """What the file shows of a person, as the log's ``data_categories`` text: per data
    category (in ``Visible.categories`` order) its label when a tier that reaches the row
    grants it and the export has its column; the same text ``_categories`` gives."""
    field_of = {}
    for name in FIELDS:
        for label in Visible(**{name: True}).categories():
            field_of[label] = name
    parts: list[sa.ColumnElement[str]] = []
    for label in Visible(**dict.fromkeys(FIELDS, True)).categories():
        name = field_of[label]
        reached = [getattr(hits, f"tier_{index}") == 1
                   for index, (_condition, view) in enumerate(user_tiers)
                   if getattr(view, name)]
        if getattr(columns, name) and reached:
            parts.append(sa.case((sa.or_(*reached), sa.literal(label + ",", sa.String)),
                                 else_=sa.literal("", sa.String)))
    if not parts:
        return sa.literal("", sa.String)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.concat(part)
    return sa.func.rtrim(joined, ",", type_=sa.String)


def write_lines(statement: sa.Select, columns: Visible, user_tiers: list,
                stamp: dict[str, Any]) -> int:
    """One line per person of the filtered list (``statement``): one INSERT ... SELECT,
    committed at once on a connection and in a transaction of its own (the request's
    session and its long read are not touched; SQLite's write lock is held for this one
    statement). ``stamp`` is the line's constant part (``log_row``). Returns the count."""
    hits = (statement.order_by(None)
            .with_only_columns(Candidate.id.label("candidate_id"), *_tier_hits(user_tiers),
                               maintain_column_froms=False)
            .subquery("exported"))
    person = sa.cast(hits.c.candidate_id, sa.String)
    table = ProcessingLogEntry.__table__
    constant = {key: sa.literal(value, table.c[key].type) for key, value in stamp.items()
                if key not in ("object_id", "subject_id", "data_categories")}
    values = {**constant, "object_id": person, "subject_id": person,
              "data_categories": _categories_sql(columns, user_tiers, hits.c)}
    insert = table.insert().from_select(list(values), sa.select(*values.values()))
    with db.engine.begin() as connection:
        return connection.execute(insert).rowcount


def logged(stamp: dict[str, Any]) -> sa.ColumnElement[bool]:
    """The candidate has a line of this export (``write_lines`` with this ``stamp``)."""
    line = ProcessingLogEntry
    return Candidate.id.in_(
        sa.select(sa.cast(line.subject_id, sa.Integer))
        .where(line.at == stamp["at"], line.request_id == stamp["request_id"],
               line.actor_user_id == stamp["actor_user_id"], line.action == stamp["action"],
               line.object_type == stamp["object_type"], line.subject_type == "Candidate")
        .correlate(None))


def export_select(user: Any, statement: sa.Select, columns: Visible, user_tiers: list
                  ) -> tuple[sa.Select, Callable[[Row], list[Any]]]:
    """Every cell of the export in one SELECT, in the list's order, and the function that
    makes a result row into the file's cells; a cell the row's visibility hides stays
    empty (the row's view from its tier hits, each combination worked out once)."""
    chosen = _chosen(columns)
    first_tier = len(CANDIDATE_COLUMNS) + len(ROW_COLUMNS)
    position = first_tier + len(user_tiers)
    extras: list[sa.ColumnElement[Any]] = []
    plan: list[tuple[str, Callable[..., Any], int, int]] = []  # needs, value, slice
    for col in chosen:
        if isinstance(col, ExtraColumn):
            selected = list(col.select(user))
            extras += [e.label(f"extra_{col.key}_{i}") for i, e in enumerate(selected)]
            plan.append((col.needs, col.value, position, position + len(selected)))
            position += len(selected)
        else:
            plan.append((col.needs, col.value, -1, -1))
    select = statement.with_only_columns(
        *[getattr(Candidate, name) for name in CANDIDATE_COLUMNS],
        *[make() for make in ROW_COLUMNS], *_tier_hits(user_tiers), *extras,
        maintain_column_froms=False)
    views: dict[tuple[int, ...], Visible] = {}

    def view_of(hits: tuple[int, ...]) -> Visible:
        if hits not in views:
            view = NOTHING
            for (_condition, tier_view), hit in zip(user_tiers, hits, strict=True):
                if hit:
                    view = view | tier_view
            views[hits] = view
        return views[hits]

    def cells(row: Row) -> list[Any]:
        view = view_of(tuple(row[first_tier:first_tier + len(user_tiers)]))
        out = []
        for needs, value, start, end in plan:
            if not getattr(view, needs):
                out.append("")
            elif start < 0:
                out.append(value(row))
            else:
                cell = value(*row[start:end])
                out.append("" if cell is None else cell)
        return out

    return select, cells


def chunks(user: Any, statement: sa.Select, columns: Visible) -> Iterator[list[list[Any]]]:
    """The rows, ``CHUNK`` at a time, after the lines of all of them are committed (the
    module docstring): two statements whatever the size."""
    if sa.inspect(user).detached:  # a streamed CSV runs after the view's session ended
        user = db.session.merge(user, load=False)
    user_tiers = tiers(user)  # through the roles: no per-request cache of 100,000 views
    stamp = log_row("export", "Candidate", None, subject=("Candidate", None),
                    activity=DEFAULT_ACTIVITY, categories=(), result="success")
    write_lines(statement, columns, user_tiers, stamp)
    select, cells = export_select(user, statement.where(logged(stamp)), columns, user_tiers)
    result = db.session.execute(select.execution_options(stream_results=True,
                                                         yield_per=kit.CHUNK))
    try:
        for rows in result.partitions():
            yield [cells(row) for row in rows]
    finally:
        result.close()  # an aborted download: PostgreSQL's server-side cursor ends now


def download(user: Any, statement: sa.Select, columns: Visible, fmt: str,
             name: str) -> Response:
    """The filtered list (``statement``, in its order) as a streamed CSV or an Excel file."""
    if fmt == "csv":
        return kit.csv_stream(header(columns), chunks(user, statement, columns), name)
    rows = (row for chunk in chunks(user, statement, columns) for row in chunk)
    return kit.workbook_download([kit.Sheet(_("Candidates"), header(columns), rows)], name)
