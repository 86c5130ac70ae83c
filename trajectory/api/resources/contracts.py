"""Contracts and their ledger figures, with a token (scope ``ledger:read``).

The rows are the pages' rows for the token's role (``Contract.scope_filter``: a
provider's intaker its own contracts, the adviser and coordinator the region's, a
klantmanager the municipality's); outside them is a 404, as on the pages. The ledger is
``ledger_document``, the code behind ``flask sroi ledger --json``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user
from marshmallow import Schema, fields, validate

from trajectory.api.models import Scope
from trajectory.api.openapi import raw_schema
from trajectory.api.operations import operation
from trajectory.api.paging import (
    PageQuery,
    page_body,
    page_of_query,
    page_schema,
    sort_field,
    sort_keys,
)
from trajectory.api.schemas import Number
from trajectory.auth.access import get_in_scope
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.valuation import ledger as ledger_mod
from trajectory.valuation.models import Contract

TAG = "Contracten"
READERS = (Role.SROI_ADVISEUR, Role.COORDINATOR, Role.INTAKER, Role.KLANTMANAGER)  # the pages'


class OrganisationRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


def _links(contract: Contract) -> dict:
    base = f"/api/v1/contracts/{contract.id}"
    return {"self": {"href": base}, "ledger": {"href": base + "/ledger"}}


_HREF = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
LINKS = {"type": "object", "required": ["self", "ledger"],
         "properties": {"self": _HREF, "ledger": _HREF}}


class ContractSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    name = fields.String(required=True)
    client = fields.Nested(OrganisationRef, required=True)
    provider = fields.Nested(OrganisationRef, required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    rulebook = fields.String(required=True)
    sroi_percentage = Number(data_key="sroiPercentage", required=True)
    pso_step = fields.String(data_key="psoStep", allow_none=True, required=True)
    _links = fields.Function(_links, data_key="_links", required=True, metadata=LINKS)


ContractSchema.__name__ = "Contract"

SORTS = {"start": Contract.start, "reference": Contract.reference, "id": Contract.id}


class ContractQuery(PageQuery):
    provider = fields.Integer(validate=validate.Range(1, 2147483647),
                              metadata={"description": "Only the contracts of this provider (id)."})
    sort = sort_field(tuple(SORTS), "-start")


ContractPage = page_schema(ContractSchema, "ContractPage")

_AMOUNTS = {"type": "object", "additionalProperties": {"type": "string"}}
LEDGER = raw_schema("ContractLedger", {
    "type": "object", "description": "One contract of `flask sroi ledger --json`.",
    "required": ["reference", "provider", "obligation", "provisional", "approved", "submitted",
                 "rejected", "forecast", "realised_percent"],
    "properties": {
        "reference": {"type": "string"}, "provider": {"type": "string"},
        "obligation": {"type": "string"}, "provisional": {"type": "boolean"},
        "approved": _AMOUNTS, "submitted": _AMOUNTS, "rejected": _AMOUNTS, "forecast": _AMOUNTS,
        "realised_percent": {"type": "string", "nullable": True},
    },
})


@operation("GET", "/contracts", summary="Contracten", tag=TAG, scope=Scope.LEDGER_READ,
           roles=READERS, query=ContractQuery, response=ContractPage)
def contracts(query):
    """The contracts the token's role sees on the pages: a provider its own, the adviser
    and the coordinator the region's, a klantmanager the municipality's."""
    stmt = sa.select(Contract).where(Contract.scope_filter(current_user)).options(
        sa.orm.joinedload(Contract.client), sa.orm.joinedload(Contract.provider))
    if query.get("provider") is not None:
        stmt = stmt.where(Contract.provider_id == query["provider"])
    order = [SORTS[name].desc() if descending else SORTS[name].asc()
             for name, descending in sort_keys(query["sort"])]
    stmt = stmt.order_by(*order, Contract.id)
    items, total = page_of_query(stmt, query["page"], query["page_size"])
    return page_body(items, total, query["page"], query["page_size"])


@operation("GET", "/contracts/{id}", summary="Een contract", tag=TAG, scope=Scope.LEDGER_READ,
           roles=READERS, response=ContractSchema)
def contract(id: int):  # noqa: A002
    """One contract in the token's scope; another's is a 404, as on the pages."""
    return get_in_scope(Contract, id, options=(sa.orm.joinedload(Contract.client),
                                               sa.orm.joinedload(Contract.provider)))


@operation("GET", "/contracts/{id}/ledger", summary="De verantwoording van een contract",
           tag=TAG, scope=Scope.LEDGER_READ, roles=READERS, response=LEDGER)
def contract_ledger(id: int):  # noqa: A002
    """The contract's figures per block: obligation, approved, submitted, rejected and
    forecast, in the shape of ``flask sroi ledger --json`` (the same code)."""
    found = db.session.scalars(ledger_mod.ledger_query(current_user)
                               .where(Contract.id == id)).unique().first()
    if found is None:
        get_in_scope(Contract, id)  # the 404 and its security event, as on the pages
    document = ledger_mod.ledger_document(ledger_mod.ledgers([found], lines=False))
    return document["contracts"][0]
