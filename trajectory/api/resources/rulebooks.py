"""The rulebook, public: its editions with their blocks and rates (the TOML files)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from trajectory.api import problems
from trajectory.api.operations import operation
from trajectory.api.paging import (
    PageQuery,
    page_body,
    page_of_list,
    page_schema,
    sort_field,
    sort_keys,
)
from trajectory.api.schemas import Amount, Number
from trajectory.valuation import engine
from trajectory.valuation.engine.rulebook import STATUSES

TAG = "Regelboek"


def _self(book) -> dict:
    return {"self": {"href": f"/api/v1/rulebook-editions/{book.name}"}}


LINKS_SCHEMA = {"type": "object", "required": ["self"], "properties": {"self": {
    "type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}}}


class EditionSummary(Schema):
    id = fields.String(attribute="name", required=True)
    title = fields.String(required=True)
    region = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    effective_from = fields.Date(data_key="effectiveFrom", required=True)
    effective_to = fields.Date(data_key="effectiveTo", allow_none=True, required=True)
    _links = fields.Function(_self, data_key="_links", required=True, metadata=LINKS_SCHEMA)


class Choice(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    percentage = Number(required=True)


class LabourBlock(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True)
    rate = Amount(required=True)
    unit = fields.String(required=True)
    counted_for = fields.Function(lambda b: str(b.counted_for), data_key="countedFor",
                                  required=True, metadata={"type": "string"})
    levels = fields.List(fields.Integer(), required=True)
    benefits = fields.List(fields.String(), required=True)
    doelgroepregister = fields.Boolean(allow_none=True, required=True)
    benefit_under_months = fields.Integer(data_key="benefitUnderMonths", allow_none=True,
                                          required=True)
    benefit_from_months = fields.Integer(data_key="benefitFromMonths", allow_none=True,
                                         required=True)
    under_age = fields.Integer(data_key="underAge", allow_none=True, required=True)


class Bonus(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    amount = Amount(required=True)
    min_age = fields.Integer(data_key="minAge", allow_none=True, required=True)


class Edition(EditionSummary):
    note = fields.String(required=True)
    fte_hours_per_week = Number(data_key="fteHoursPerWeek", required=True)
    threshold = Amount(required=True)
    threshold_strictly_above = fields.Boolean(data_key="thresholdStrictlyAbove", required=True)
    threshold_includes_extensions = fields.Boolean(data_key="thresholdIncludesExtensions",
                                                   required=True)
    obligation_percentage = Number(data_key="obligationPercentage", required=True)
    percentage_includes_extensions = fields.Boolean(data_key="percentageIncludesExtensions",
                                                    required=True)
    base_period_years = fields.Integer(data_key="basePeriodYears", required=True)
    pso_discounts = fields.List(fields.Nested(Choice), data_key="psoDiscounts", required=True)
    labour_blocks = fields.List(fields.Nested(LabourBlock), attribute="labour",
                                data_key="labourBlocks", required=True)
    bonuses = fields.List(fields.Nested(Bonus), required=True)
    purchase_unit = fields.String(data_key="purchaseUnit", required=True)
    suppliers = fields.List(fields.Nested(Choice), required=True)
    activity_label = fields.String(data_key="activityLabel", required=True)
    activity_rate = Amount(data_key="activityRate", required=True)
    activity_unit = fields.String(data_key="activityUnit", required=True)
    fund_label = fields.String(data_key="fundLabel", required=True)


SORTS = {"effectiveFrom": lambda b: b.effective_from, "id": lambda b: b.name}


class EditionQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "Only editions with this status."})
    sort = sort_field(tuple(SORTS), "-effectiveFrom")


EditionPage = page_schema(EditionSummary, "EditionPage")


def _editions() -> list:
    return [engine.load_rulebook(name) for name in engine.available_rulebooks()]


@operation("GET", "/rulebook-editions", summary="Edities van het regelboek", tag=TAG,
           query=EditionQuery, response=EditionPage)
def rulebook_editions(query):
    """Every edition of the building blocks, adopted and concept; public."""
    books = [b for b in _editions() if query.get("status") in (None, b.status)]
    for name, descending in reversed(sort_keys(query["sort"])):
        books.sort(key=SORTS[name], reverse=descending)
    items, total = page_of_list(books, query["page"], query["page_size"])
    return page_body(items, total, query["page"], query["page_size"])


@operation("GET", "/rulebook-editions/{id}", summary="Een editie met haar blokken en tarieven",
           tag=TAG, response=Edition, text_params=("id",))
def rulebook_edition(id: str):  # noqa: A002 (the path's name)
    """One edition: its threshold, percentage, labour blocks, bonuses, suppliers and rates."""
    for book in _editions():
        if book.name == id:
            return book
    return problems.problem(404)
