"""Checking every row of a candidate file before anything is written.

Each row is checked as the registration form checks one person: the form's format rules
(``fields``), then the registration service's own rules (``prepare_candidate``: dates not
in the future, consent, the elfproef, the client manager), then the duplicate check.
That check reads the database in bulk, a constant number of queries for any file: one
for all the file's BSNs, one for the region's candidates born on the file's dates of
birth, one for the client numbers. Rows also meet each other: a BSN, client number or
person twice in the file is refused the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from trajectory.auth.models import User, UserRole
from trajectory.auth.roles import Role
from trajectory.candidates import names
from trajectory.candidates import services as candidate_services
from trajectory.candidates.models import Candidate
from trajectory.candidates.services import CandidateDetails, DuplicateMatch
from trajectory.extensions import db
from trajectory.imports import fields as F
from trajectory.imports.parsing import Table
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError

# The service names the form's field; the import's column for it.
SERVICE_FIELDS = {"klantmanager_id": "klantmanager"}


@dataclass
class Problem:
    field: str | None
    message: str


@dataclass
class RowResult:
    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[DuplicateMatch] = field(default_factory=list)
    details: CandidateDetails | None = None
    candidate: Candidate | None = None  # prepared by the service, not in the session

    @property
    def ok(self) -> bool:
        return not self.problems and self.candidate is not None

    def problem(self, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(field_name, message))


@dataclass
class Report:
    headers: list[str]
    found: dict[str, int]
    rows: list[RowResult]
    missing: list[F.ImportField]

    @property
    def valid(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def bad_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    def errors(self) -> list[dict[str, Any]]:
        return [{"row": row.number, "field": p.field, "message": p.message}
                for row in self.rows for p in row.problems]


def klantmanagers_of(organisation: Organisation) -> list[User]:
    """The municipality's active client managers, with their roles (one query)."""
    return list(db.session.scalars(
        sa.select(User).join(User.role_rows)
        .where(UserRole.role == Role.KLANTMANAGER, User.active.is_(True),
               User.organisation_id == organisation.id)
        .options(so.selectinload(User.role_rows)).order_by(User.full_name)).unique())


def check_candidates(actor: User, table: Table, found: dict[str, int], *,
                     default_klantmanager: User | None) -> Report:
    """Every row of ``table`` checked; ``found``: field name -> column index."""
    municipality = actor.organisation
    people = klantmanagers_of(municipality)
    by_name: dict[str, User] = {}
    for user in people:
        by_name.setdefault(user.username.casefold(), user)
        by_name.setdefault(" ".join(user.full_name.split()).casefold(), user)
    benefits = F.benefit_names()
    rows = []
    for number, cells in table.rows:
        values = {name: (cells[index] if index < len(cells) else "")
                  for name, index in found.items()}
        row = RowResult(number=number, cells=values)
        _parse_row(actor, row, benefits, by_name, default_klantmanager)
        rows.append(row)
    prepared = [row for row in rows if row.candidate is not None]
    _within_file(prepared)
    _bsn_duplicates(actor, prepared)
    _similar_duplicates(actor, prepared)
    _client_numbers(municipality, prepared)
    return Report(headers=table.headers, found=found, rows=rows,
                  missing=F.missing_required(found))


def _parse_row(actor: User, row: RowResult, benefits: dict, by_name: dict[str, User],
               default_klantmanager: User | None) -> None:
    parsed: dict[str, Any] = {}
    for spec in F.CANDIDATE_FIELDS:
        text = row.cells.get(spec.name, "").strip()
        if not text:
            if spec.required:
                row.problem(spec.name, _("%(field)s is empty.", field=spec.label))
            continue
        try:
            if spec.kind == "date":
                parsed[spec.name] = F.parse_date(text)
            elif spec.kind == "bool":
                parsed[spec.name] = F.parse_bool(text)
            elif spec.kind == "benefit":
                parsed[spec.name] = F.parse_benefit(text, benefits)
            elif spec.kind == "bsn":
                parsed[spec.name] = F.parse_bsn(text)
            elif spec.kind == "klantmanager":
                user = by_name.get(" ".join(text.split()).casefold())
                if user is None:
                    raise F.CellProblem(_("\"%(value)s\" is not a client manager of your "
                                          "municipality.", value=text[:60]))
                parsed[spec.name] = user
            else:
                parsed[spec.name] = F.check_text(spec, text)
        except F.CellProblem as problem:
            row.problem(spec.name, str(problem))
    klantmanager = parsed.pop("klantmanager", None) or default_klantmanager
    if klantmanager is None and "klantmanager" not in {p.field for p in row.problems}:
        row.problem("klantmanager", _("Name the client manager."))
    if row.problems:
        return
    row.details = CandidateDetails(klantmanager_id=klantmanager.id, **parsed)
    try:
        row.candidate = candidate_services.prepare_candidate(actor, row.details,
                                                             check_client_number=False)
    except ServiceError as error:
        row.problem(SERVICE_FIELDS.get(error.field, error.field), error.message)


def _within_file(rows: list[RowResult]) -> None:
    """The second of two rows with the same BSN, client number or person is refused."""
    bsns: dict[str, int] = {}
    numbers: dict[str, int] = {}
    born: dict[date, list[RowResult]] = {}
    for row in rows:
        candidate = row.candidate
        assert candidate is not None
        if candidate.bsn:
            if candidate.bsn in bsns:
                row.problem("bsn", _("This BSN is also in row %(row)d.", row=bsns[candidate.bsn]))
            else:
                bsns[candidate.bsn] = row.number
        if candidate.client_number:
            if candidate.client_number in numbers:
                row.problem("client_number", _("This client number is also in row %(row)d.",
                                               row=numbers[candidate.client_number]))
            else:
                numbers[candidate.client_number] = row.number
        earlier = born.setdefault(candidate.date_of_birth, [])
        same = next((other for other in earlier if names.similar(
            candidate.first_name, candidate.last_name,
            other.candidate.first_name, other.candidate.last_name)), None)
        if same is not None and not (candidate.bsn and same.candidate.bsn
                                     and candidate.bsn != same.candidate.bsn):
            row.problem(None, _("Row %(row)d has the same date of birth and a similar name.",
                                row=same.number))
        earlier.append(row)


def _region_candidates():
    municipality = so.aliased(Organisation)
    stmt = (sa.select(Candidate).join(municipality, Candidate.municipality)
            .options(so.contains_eager(Candidate.municipality.of_type(municipality)),
                     so.joinedload(Candidate.klantmanager)))
    return stmt, municipality


def _bsn_duplicates(actor: User, rows: list[RowResult]) -> None:
    """One query for all the file's BSNs. The BSN is unique in the whole database: one
    outside the region is refused too, without saying where."""
    wanted: dict[str, list[RowResult]] = {}
    for row in rows:
        if row.candidate.bsn:
            wanted.setdefault(row.candidate.bsn, []).append(row)
    if not wanted:
        return
    stmt, municipality = _region_candidates()
    region = candidate_services.region_id(actor.organisation)
    for other in db.session.scalars(stmt.where(Candidate.bsn.in_(list(wanted)))).unique():
        in_region = (other.municipality.region_id or other.municipality.id) == region
        for row in wanted[other.bsn]:
            row.problem("bsn", _("A candidate with this BSN is already registered."))
            if in_region:
                row.duplicates.append(candidate_services.duplicate_match(actor, other, True))


def _similar_duplicates(actor: User, rows: list[RowResult]) -> None:
    """One query for the region's candidates born on any of the file's dates of birth; a
    similar name on the same date is a possible duplicate, as at registration."""
    born: dict[date, list[RowResult]] = {}
    for row in rows:
        born.setdefault(row.candidate.date_of_birth, []).append(row)
    if not born:
        return
    stmt, municipality = _region_candidates()
    region = candidate_services.region_id(actor.organisation)
    stmt = stmt.where(Candidate.date_of_birth.in_(list(born)),
                      sa.func.coalesce(municipality.region_id, municipality.id) == region)
    for other in db.session.scalars(stmt).unique():
        for row in born.get(other.date_of_birth, ()):
            candidate = row.candidate
            if candidate.bsn and other.bsn == candidate.bsn:
                continue  # already told as the same BSN
            if names.similar(candidate.first_name, candidate.last_name,
                             other.first_name, other.last_name):
                if not row.duplicates:
                    row.problem(None, _("This person may already be registered"))
                row.duplicates.append(candidate_services.duplicate_match(actor, other, False))


def _client_numbers(municipality: Organisation, rows: list[RowResult]) -> None:
    wanted: dict[str, list[RowResult]] = {}
    for row in rows:
        if row.candidate.client_number:
            wanted.setdefault(row.candidate.client_number, []).append(row)
    if not wanted:
        return
    taken = db.session.scalars(sa.select(Candidate.client_number).where(
        Candidate.municipality_id == municipality.id,
        Candidate.client_number.in_(list(wanted))))
    for number in taken:
        for row in wanted[number]:
            row.problem("client_number", _("Another candidate of your municipality has "
                                           "this client number."))
