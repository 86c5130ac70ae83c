"""Candidates: a pseudonymised list for a data warehouse, and the file where the pages show it.

Both go through the one access model (trajectory/candidates/need_to_know.py): the rows
are ``Candidate.scope_filter`` (the pages' ``candidate_scope``), the fields of each row
are what ``visible_for_all`` grants that role for that person, else null.

* ``GET /candidates`` never names anyone: no name, no BSN, no date of birth, no contact
  or address, no free text; a **stable pseudonym** (``pseudonym()``: a keyed hash of the
  id, the same in every call, not reversible without the installation's key) and the
  overview and benefit facts where the role sees them. One processing-log line per row,
  action ``list``, as the candidate list writes them.
* ``GET /candidates/{id}`` is the file's details as the file page shows them to that
  role (its name, BSN, contact ... only where the page shows them), with the file page's
  processing-log line (its categories).
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import current_user
from marshmallow import Schema, fields, validate

from trajectory.api.models import Scope
from trajectory.api.operations import operation
from trajectory.api.paging import (
    PageQuery,
    page_body,
    page_of_query,
    page_schema,
    sort_field,
    sort_keys,
)
from trajectory.audit.rendering import show_subjects
from trajectory.audit.trail import log_processing
from trajectory.auth.access import get_in_scope
from trajectory.auth.roles import Role
from trajectory.candidates.models import Benefit, Candidate, CandidateStatus
from trajectory.candidates.need_to_know import Visible, visible_for_all

TAG = "Kandidaten"
READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR)  # the list's
MAX_ID = 2147483647
PSEUDONYM_PATTERN = "^P-[0-9a-f]{20}$"


def pseudonym(candidate_id: int) -> str:
    """``P-`` and 80 bits of HMAC-SHA256 of the id under ``API_PSEUDONYM_KEY`` (default:
    derived from the secret key): stable, and nobody without the key links it to an id."""
    key = current_app.config.get("API_PSEUDONYM_KEY") or hmac.new(
        str(current_app.config["SECRET_KEY"]).encode(), b"trajectory-api-pseudonym",
        hashlib.sha256).hexdigest()
    digest = hmac.new(str(key).encode(), f"candidate:{candidate_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:20]


class MunicipalityRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


def _shown(part: str, value):
    """A field the row's field set (``Visible``) shows, else null."""
    def get(candidate: Candidate):
        view: Visible = _views()[candidate.id]
        return value(candidate) if getattr(view, part) else None
    return get


def _views() -> dict[int, Visible]:
    from flask import g

    return g.setdefault("api_candidate_views", {})


def _enum_field(part: str, attr: str, values, data_key: str | None = None) -> fields.Function:
    return fields.Function(
        _shown(part, lambda c: getattr(c, attr).value), data_key=data_key or attr,
        allow_none=True, required=True,
        metadata={"type": "string", "nullable": True, "enum": [v.value for v in values] + [None]})


def _flag(part: str, attr: str, data_key: str | None = None) -> fields.Function:
    return fields.Function(_shown(part, lambda c: bool(getattr(c, attr))),
                           data_key=data_key or attr, allow_none=True, required=True,
                           metadata={"type": "boolean", "nullable": True})


def _text(part: str, attr: str, data_key: str | None = None) -> fields.Function:
    return fields.Function(_shown(part, lambda c: getattr(c, attr)), data_key=data_key or attr,
                           allow_none=True, required=True,
                           metadata={"type": "string", "nullable": True})


def _municipality(candidate: Candidate):
    return {"id": candidate.municipality_id, "name": candidate.municipality.name}


class PseudonymisedCandidate(Schema):
    """No name, BSN, birth date, contact, address or free text: facts for figures."""

    pseudonym = fields.Function(lambda c: pseudonym(c.id), required=True,
                                metadata={"type": "string", "pattern": PSEUDONYM_PATTERN})
    municipality = fields.Function(_shown("overview", _municipality), allow_none=True,
                                   required=True, metadata={
                                       "nullable": True, "type": "object",
                                       "required": ["id", "name"],
                                       "properties": {"id": {"type": "integer"},
                                                      "name": {"type": "string"}}})
    status = _enum_field("overview", "status", CandidateStatus)
    registered_on = fields.Function(_shown("overview", lambda c: c.registered_at.date()
                                           .isoformat()), data_key="registeredOn",
                                    allow_none=True, required=True,
                                    metadata={"type": "string", "format": "date",
                                              "nullable": True})
    benefit = _enum_field("benefit", "benefit", Benefit)
    doelgroepregister = _flag("benefit", "doelgroepregister")
    statushouder = _flag("benefit", "statushouder")


PseudonymisedCandidate.__name__ = "PseudonymisedCandidate"
CandidatePage = page_schema(PseudonymisedCandidate, "PseudonymisedCandidatePage")


class CandidateFile(PseudonymisedCandidate):
    """The file's details as the file page shows them to this role; the rest null."""

    id = fields.Integer(required=True)
    first_name = _text("name", "first_name", "firstName")
    tussenvoegsel = _text("name", "tussenvoegsel")
    last_name = _text("name", "last_name", "lastName")
    date_of_birth = fields.Function(_shown("date_of_birth", lambda c: c.date_of_birth.isoformat()),
                                    data_key="dateOfBirth", allow_none=True, required=True,
                                    metadata={"type": "string", "format": "date",
                                              "nullable": True})
    bsn = _text("bsn", "bsn")
    phone = _text("contact", "phone")
    email = _text("contact", "email")
    street = _text("address", "street")
    postcode = _text("address", "postcode")
    place = _text("address", "place")
    pause_reason = _text("notes", "pause_reason", "pauseReason")
    outflow_note = _text("notes", "outflow_note", "outflowNote")
    shown = fields.Function(lambda c: list(_views()[c.id].categories()), required=True,
                            metadata={"type": "array", "items": {"type": "string"},
                                      "description": "The data categories this answer shows "
                                                     "(as in the processing log)."})


CandidateFile.__name__ = "CandidateFile"



class CandidateQuery(PageQuery):
    municipality = fields.Integer(validate=validate.Range(1, MAX_ID),
                                  metadata={"description": "Only this municipality's (id)."})
    status = fields.String(validate=validate.OneOf([s.value for s in CandidateStatus]),
                           metadata={"description": "Only candidates with this status."})
    sort = sort_field(("registeredOn",), "registeredOn")


def _categories(rows: list[Candidate]) -> tuple[str, ...]:
    """What the pseudonymised page shows, as the processing log names it."""
    shown = {"pseudoniem"}
    if any(_views()[c.id].benefit for c in rows):
        shown.add("uitkering")
    return tuple(sorted(shown))


@operation("GET", "/candidates", summary="Kandidaten, gepseudonimiseerd", tag=TAG,
           scope=Scope.CANDIDATES_READ, roles=READERS, query=CandidateQuery,
           response=CandidatePage)
def candidates(query):
    """The candidates the token's role sees on the pages, pseudonymised: a stable
    pseudonym and facts for figures (municipality, status, registration, benefit) where
    the role's field set shows them; never a name, BSN, birth date or free text."""
    stmt = (sa.select(Candidate).where(Candidate.scope_filter(current_user))
            .options(so.joinedload(Candidate.municipality)))
    if query.get("municipality") is not None:
        stmt = stmt.where(Candidate.municipality_id == query["municipality"])
    if query.get("status") is not None:
        stmt = stmt.where(Candidate.status == query["status"])
    order = [Candidate.registered_at.desc() if descending else Candidate.registered_at.asc()
             for _name, descending in sort_keys(query["sort"])]
    items, total = page_of_query(stmt.order_by(*order, Candidate.id), query["page"],
                                 query["page_size"])
    _views().update(visible_for_all(current_user, items))
    if items:
        show_subjects(items, action="list", object_type="CandidateList",
                      categories=_categories(items))
    return page_body(items, total, query["page"], query["page_size"])


@operation("GET", "/candidates/{id}", summary="Een kandidaat, zoals het dossier die toont",
           tag=TAG, scope=Scope.CANDIDATES_READ, roles=READERS, response=CandidateFile)
def candidate(id: int):  # noqa: A002
    """One file in the token's scope, with exactly the details the file page shows this
    role (the rest null), and the file page's processing-log line."""
    found = get_in_scope(Candidate, id, options=(so.joinedload(Candidate.municipality),))
    view = visible_for_all(current_user, [found])[found.id]
    _views()[found.id] = view
    log_processing("view", "Candidate", found.id, subject=("Candidate", found.id),
                   categories=view.categories())
    return found
