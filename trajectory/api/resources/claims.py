"""Claims from a provider's own administration: purchases, activities and fund payments.

A provider's token (acting as its intaker, scope ``claims:write``) creates a claim on one
of its own contracts, attaches the evidence (``multipart/form-data``, the web upload's
checks: content sniffed, size limit, name and content agreeing), submits it, and reads
the adviser's judgement. Every step calls the service the pages call
(``trajectory.valuation.services``): the same rules, the same audit trail (the client
application is the actor), the same optimistic lock. Labour lines are not here: they
are about one person's stage and have their own pages (docs/api.md).

Errors: a body that does not fit the document is a 400 naming the fields; a rule of the
pages that refuses it (a date outside the contract period, no invoice on submission, an
unknown supplier kind) is a 422 naming the field; a claim already submitted or judged,
or changed at the same moment by someone else, a 409.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, request
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from trajectory.api import problems
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
from trajectory.api.schemas import Amount, Moment, Number
from trajectory.auth.access import get_in_scope
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.valuation import services
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus, Contract

TAG = "Claims"
READERS = (Role.SROI_ADVISEUR, Role.COORDINATOR, Role.INTAKER, Role.KLANTMANAGER)  # the pages'
PROVIDER_STAFF = (Role.INTAKER,)  # the pages' PROVIDER_STAFF
API_KINDS = (ClaimKind.PURCHASE, ClaimKind.ACTIVITY, ClaimKind.FUND)
MAX_ID = 2147483647

# Amounts as text with at most two decimals (as the answers write them): exact, and
# within the columns (Numeric(12,2) for money, Numeric(8,2) for hours).
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
HOURS_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,2})?$"


class DecimalText(fields.String):
    """A decimal sent as text ("1000.00"), loaded as a Decimal; the pattern is checked first."""

    def __init__(self, pattern: str, **kwargs: Any) -> None:
        self.pattern = re.compile(pattern)
        super().__init__(metadata={"pattern": pattern, "example": "1000.00",
                                   **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not self.pattern.fullmatch(text):
            raise ValidationError("a number as text with at most two decimals, like 1000.00")
        return Decimal(text)


def _href(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.id}"


def _links(claim: Claim) -> dict:
    base = _href(claim)
    return {"self": {"href": base}, "contract": {"href": f"/api/v1/contracts/{claim.contract_id}"},
            "evidence": {"href": base + "/evidence"}, "submit": {"href": base + "/submit"}}


_HREF = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
LINKS = {"type": "object", "required": ["self", "contract", "evidence", "submit"],
         "properties": {name: _HREF for name in ("self", "contract", "evidence", "submit")}}


def _sees_evidence(claim: Claim) -> bool:
    """File names may name people: the pages list them to the adviser and the provider only."""
    return current_user.has_role(Role.SROI_ADVISEUR) or (
        current_user.has_role(*PROVIDER_STAFF)
        and current_user.organisation_id == claim.contract.provider_id)


class EvidenceSchema(Schema):
    id = fields.Integer(required=True)
    file_name = fields.String(attribute="original_name", data_key="fileName", required=True)
    content_type = fields.String(data_key="contentType", required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = Moment(data_key="uploadedAt", required=True)


EvidenceSchema.__name__ = "Evidence"


class JudgementSchema(Schema):
    """The adviser's judgement; all null until the claim is judged."""

    judged_at = Moment(data_key="judgedAt", allow_none=True, required=True)
    approved_value = Amount(data_key="approvedValue", allow_none=True, required=True,
                            metadata={"description": "Frozen at approval (euros)."})
    approved_rulebook = fields.String(data_key="approvedRulebook", allow_none=True,
                                      required=True)
    approved_on = fields.Date(data_key="approvedOn", allow_none=True, required=True)
    explain = fields.List(fields.String(), attribute="approved_explain", allow_none=True,
                          required=True)
    rejection_reason = fields.String(data_key="rejectionReason", allow_none=True,
                                     required=True)


JudgementSchema.__name__ = "Judgement"


class _OfTheClaim(fields.Nested):
    """A nested object built from the claim's own columns (the judgement)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class _ShownEvidence(fields.List):
    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return list(obj.evidence) if _sees_evidence(obj) else []


class ClaimSchema(Schema):
    id = fields.Integer(required=True)
    contract = fields.Integer(attribute="contract_id", required=True)
    kind = fields.Function(lambda c: c.kind.value, required=True,
                           metadata={"type": "string", "enum": [k.value for k in API_KINDS]})
    status = fields.Function(lambda c: c.status.value, required=True,
                             metadata={"type": "string", "enum": [s.value for s in ClaimStatus]})
    description = fields.String(required=True)
    day = fields.Date(allow_none=True, required=True)
    subcontractor = fields.Integer(attribute="subcontractor_id", allow_none=True, required=True)
    supplier_name = fields.String(data_key="supplierName", allow_none=True, required=True)
    supplier_type = fields.String(data_key="supplierType", allow_none=True, required=True)
    amount = Amount(allow_none=True, required=True)
    hours = Number(allow_none=True, required=True)
    custom_value = Amount(data_key="customValue", allow_none=True, required=True)
    submitted_at = Moment(data_key="submittedAt", allow_none=True, required=True)
    judgement = _OfTheClaim(JudgementSchema, required=True)
    evidence = _ShownEvidence(fields.Nested(EvidenceSchema), required=True)
    lock_version = fields.Integer(data_key="lockVersion", required=True)
    _links = fields.Function(_links, data_key="_links", required=True, metadata=LINKS)


ClaimSchema.__name__ = "Claim"
ClaimPage = page_schema(ClaimSchema, "ClaimPage")


class NewClaim(Schema):
    """A claim as the provider's form takes it; which fields count depends on ``kind``."""

    contract = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in API_KINDS]),
                         metadata={"description": "inkoop (purchase), activiteit (activity) "
                                                  "or fonds (fund payment)."})
    description = fields.String(load_default="", validate=validate.Length(max=300))
    day = fields.Date(load_default=None, allow_none=True)
    subcontractor = fields.Integer(load_default=None, allow_none=True,
                                   validate=validate.Range(1, MAX_ID))
    supplier_name = fields.String(data_key="supplierName", load_default=None, allow_none=True,
                                  validate=validate.Length(max=160))
    supplier_type = fields.String(data_key="supplierType", load_default=None, allow_none=True,
                                  validate=validate.Length(max=40),
                                  metadata={"description": "A supplier key of the contract's "
                                                           "rulebook edition (purchases)."})
    amount = DecimalText(AMOUNT_PATTERN, load_default=None, allow_none=True,
                         metadata={"description": "Invoice excluding VAT, or the fund payment."})
    hours = DecimalText(HOURS_PATTERN, load_default=None, allow_none=True)
    custom_value = DecimalText(AMOUNT_PATTERN, data_key="customValue", load_default=None,
                               allow_none=True)


NewClaim.__name__ = "NewClaim"


SORTS = {"day": Claim.day, "submittedAt": Claim.submitted_at, "id": Claim.id}


class ClaimQuery(PageQuery):
    contract = fields.Integer(validate=validate.Range(1, MAX_ID),
                              metadata={"description": "Only the claims of this contract (id)."})
    status = fields.String(validate=validate.OneOf([s.value for s in ClaimStatus]),
                           metadata={"description": "Only claims with this status."})
    kind = fields.String(validate=validate.OneOf([k.value for k in API_KINDS]),
                         metadata={"description": "Only claims of this kind."})
    sort = sort_field(tuple(SORTS), "-id")


EVIDENCE_BODY = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "PDF, PNG, JPEG or XLSX, checked by its content; "
                                           "at most 10 MB."}}}}}}
LOCATION = {"Location": {"description": "Waar de nieuwe resource staat.",
                         "schema": {"type": "string"}}}


def _problem_of(error: ServiceError) -> Response:
    """A page's refusal as a 422 naming its field (or the conflict as a 409)."""
    db.session.rollback()
    if isinstance(error, services.Conflict):
        return problems.problem(409, error.message)
    name = error.field or "claim"
    if name == "subcontractor_id":
        name = "subcontractor"
    return problems.problem(422, f"{name}: {error.message}",
                            invalid_params=[{"name": name, "reason": error.message}])


def _claim(claim_id: int) -> Claim:
    """A claim in the token's scope (outside it a 404 and its security event, as on the
    pages); a labour line is a 404 here too (it has no operation in the API)."""
    claim = get_in_scope(Claim, claim_id, options=(
        so.selectinload(Claim.evidence), so.joinedload(Claim.contract)))
    if claim.kind not in API_KINDS:
        abort(404)
    return claim


def _own_claim(claim_id: int) -> Claim | Response:
    """A claim of one of the token's organisation's own contracts (the provider's staff)."""
    claim = _claim(claim_id)
    if current_user.organisation_id != claim.contract.provider_id:
        return problems.problem(403)
    return claim


@operation("GET", "/claims", summary="Claims", tag=TAG, scope=Scope.LEDGER_READ,
           also=(Scope.CLAIMS_WRITE,), roles=READERS, query=ClaimQuery, response=ClaimPage)
def claims(query):
    """The purchases, activities and fund payments of the contracts the token's role sees
    on the pages, with their status and judgement."""
    stmt = (sa.select(Claim).where(Claim.scope_filter(current_user), Claim.kind.in_(API_KINDS))
            .options(so.selectinload(Claim.evidence), so.joinedload(Claim.contract)))
    for name, column in (("contract", Claim.contract_id), ("status", Claim.status),
                         ("kind", Claim.kind)):
        if query.get(name) is not None:
            stmt = stmt.where(column == query[name])
    order = [SORTS[name].desc() if descending else SORTS[name].asc()
             for name, descending in sort_keys(query["sort"])]
    stmt = stmt.order_by(*order, Claim.id)
    items, total = page_of_query(stmt, query["page"], query["page_size"])
    return page_body(items, total, query["page"], query["page_size"])


@operation("GET", "/claims/{id}", summary="Een claim met haar beoordeling", tag=TAG,
           scope=Scope.LEDGER_READ, also=(Scope.CLAIMS_WRITE,), roles=READERS,
           response=ClaimSchema)
def claim(id: int):  # noqa: A002
    """One claim: its status, its evidence and the adviser's judgement (approved value,
    edition and explanation, or the reason for rejection)."""
    return _claim(id)


@operation("POST", "/claims", summary="Een claim als concept", tag=TAG,
           scope=Scope.CLAIMS_WRITE, roles=PROVIDER_STAFF, body=NewClaim, response=ClaimSchema,
           status=201, errors=(404, 422), ok_headers=LOCATION)
def create_claim(body):
    """A draft purchase, activity or fund payment on one of the provider's own contracts
    (another's contract is a 404); attach evidence and submit it next."""
    contract = get_in_scope(Contract, body["contract"])
    if contract.provider_id != current_user.organisation_id:
        return problems.problem(403)
    data = services.ClaimData(
        description=body["description"], day=body["day"], subcontractor_id=body["subcontractor"],
        supplier_name=body["supplier_name"], supplier_type=body["supplier_type"],
        amount=body["amount"], hours=body["hours"], custom_value=body["custom_value"])
    try:
        # No account behind a token: the trail names the client application as the actor.
        made = services.create_claim(contract, ClaimKind(body["kind"]), data, None)
    except ServiceError as error:
        return _problem_of(error)
    db.session.commit()
    return made, {"Location": _href(made)}


@operation("POST", "/claims/{id}/evidence", summary="Bewijs bij een claim", tag=TAG,
           scope=Scope.CLAIMS_WRITE, roles=PROVIDER_STAFF, request_body=EVIDENCE_BODY,
           response=EvidenceSchema, status=201, errors=(409, 413, 415, 422))
def claim_evidence(id: int):  # noqa: A002
    """One file (the invoice, a report) as ``multipart/form-data`` field ``file``, checked
    as the web upload checks it. Only while the claim is a draft."""
    claim = _own_claim(id)
    if isinstance(claim, Response):
        return claim
    if request.mimetype != "multipart/form-data":
        return problems.problem(415, "Stuur het bestand als multipart/form-data, veld file.")
    upload = request.files.get("file")
    if not isinstance(upload, FileStorage) or upload.stream is None:
        return problems.invalid("file", "missing: send the file in the field file")
    try:
        evidence = services.add_claim_evidence(claim, upload, current_user)
    except ServiceError as error:
        if not claim.editable:
            db.session.rollback()
            return problems.problem(409, error.message)
        return _problem_of(error)
    db.session.commit()
    return evidence


@operation("POST", "/claims/{id}/submit", summary="Dien een claim in", tag=TAG,
           scope=Scope.CLAIMS_WRITE, roles=PROVIDER_STAFF, response=ClaimSchema,
           errors=(409, 422))
def submit_claim(id: int):  # noqa: A002
    """Draft (or agreed proposal) to submitted, for the SROI adviser to judge; refused with
    a 422 naming the field when it is incomplete (a purchase needs its invoice)."""
    claim = _own_claim(id)
    if isinstance(claim, Response):
        return claim
    if claim.status not in (ClaimStatus.CONCEPT, ClaimStatus.AGREED):
        return problems.problem(409, f"Deze claim is al {claim.status.value}.")
    try:
        services.submit_claim(claim, current_user)
    except ServiceError as error:
        return _problem_of(error)
    db.session.commit()
    return claim
