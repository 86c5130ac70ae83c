"""Stages (the learning line): read them, and record an outcome as the provider's intaker.

Rows follow the pages' ``Stage.scope_filter`` (trajectory/stages/scope.py): a provider's
token its own provider's stages, a klantmanager's the municipality's candidates', a
buddy's and the coordinator's those whose file shows the learning line. The free texts
(note, reason for the end, the outcome's note and decision) follow the stage page's
rule ``need_to_know.stage_notes_visible``: the stage's own provider's intaker and
whoever reads the candidate's notes; for the others they are null. No name: the
candidate is its id. A read writes the stage page's processing-log line, per stage.

Recording an outcome calls ``stages.services.record_outcome``, the intaker's outcome
page's service: the kind's outcome fields (trajectory/stages/kinds.py), required ones
refused with a 422 naming the field; ``version`` (the stage's, as read) makes a save
that someone else overtook a 409, as on the page.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.orm.exc import StaleDataError

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
from trajectory.api.schemas import Moment, Number
from trajectory.audit.rendering import show_subjects
from trajectory.auth.access import get_in_scope
from trajectory.auth.roles import Role
from trajectory.candidates.need_to_know import stage_notes_visible, visible_for_all
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.stages import scope as rules
from trajectory.stages import services
from trajectory.stages.models import ContractType, Stage, StageKind, StageStatus

TAG = "Fasen"
READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR)  # the stage page's
MAX_ID = 2147483647
HOURS_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"  # Numeric(5,2); the service allows 0-60


def _text(name: str):
    """A free text of the stage, or null where the stage page does not show it."""
    return lambda s: getattr(s, name) if stage_notes_visible(current_user, s) else None


def _nullable_text(name: str, **kwargs: Any) -> fields.Function:
    return fields.Function(_text(name), allow_none=True, required=True,
                           metadata={"type": "string", "nullable": True,
                                     "description": "Free text: null unless the stage page "
                                                    "shows it to this token's role."}, **kwargs)


class ProviderRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class OutcomeSchema(Schema):
    """The outcome fields (those of the stage's kind are filled; the others null)."""

    suitable_for_care = fields.Boolean(data_key="suitableForCare", allow_none=True,
                                       required=True)
    suitable_level = fields.Integer(data_key="suitableLevel", allow_none=True, required=True)
    suitable_function = fields.String(data_key="suitableFunction", allow_none=True,
                                      required=True)
    next_step_decision = _nullable_text("next_step_decision", data_key="nextStepDecision")
    next_step_decided_on = fields.Date(data_key="nextStepDecidedOn", allow_none=True,
                                       required=True)
    agreed_end = fields.Date(data_key="agreedEnd", allow_none=True, required=True)
    diploma = fields.Boolean(allow_none=True, required=True)
    contract_type = fields.Function(
        lambda s: s.contract_type.value if s.contract_type else None, data_key="contractType",
        allow_none=True, required=True,
        metadata={"type": "string", "nullable": True,
                  "enum": [c.value for c in ContractType] + [None]})
    contract_hours = Number(data_key="contractHours", allow_none=True, required=True)
    contract_start = fields.Date(data_key="contractStart", allow_none=True, required=True)
    note = _nullable_text("outcome_note")
    recorded_at = Moment(attribute="outcome_recorded_at", data_key="recordedAt",
                         allow_none=True, required=True)


OutcomeSchema.__name__ = "StageOutcome"


class _OfTheStage(fields.Nested):
    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return obj


class StageSchema(Schema):
    id = fields.Integer(required=True)
    candidate = fields.Integer(attribute="candidate_id", required=True,
                               metadata={"description": "The candidate's id; no name."})
    provider = fields.Nested(ProviderRef, required=True)
    kind = fields.Function(lambda s: s.kind.value, required=True,
                           metadata={"type": "string", "enum": [k.value for k in StageKind]})
    status = fields.Function(lambda s: s.status.value, required=True,
                             metadata={"type": "string", "enum": [x.value for x in StageStatus]})
    planned_start = fields.Date(data_key="plannedStart", required=True)
    planned_end = fields.Date(data_key="plannedEnd", allow_none=True, required=True)
    actual_start = fields.Date(data_key="actualStart", allow_none=True, required=True)
    actual_end = fields.Date(data_key="actualEnd", allow_none=True, required=True)
    level = fields.Integer(allow_none=True, required=True)
    hours_per_week = Number(data_key="hoursPerWeek", allow_none=True, required=True)
    hours = Number(allow_none=True, required=True)
    permanent = fields.Boolean(required=True)
    job_title = fields.String(data_key="jobTitle", allow_none=True, required=True)
    note = _nullable_text("note")
    end_reason = _nullable_text("end_reason", data_key="endReason")
    outcome = _OfTheStage(OutcomeSchema, required=True)
    version = fields.Integer(required=True, metadata={
        "description": "Send it back with an outcome: a stage saved by someone else since "
                       "is then refused (409)."})
    _links = fields.Function(lambda s: {"self": {"href": f"/api/v1/stages/{s.id}"},
                                        "outcome": {"href": f"/api/v1/stages/{s.id}/outcome"}},
                             data_key="_links", required=True, metadata={
                                 "type": "object", "required": ["self", "outcome"],
                                 "properties": {name: {"type": "object", "required": ["href"],
                                                       "properties": {"href": {"type": "string"}}}
                                                for name in ("self", "outcome")}})


StageSchema.__name__ = "Stage"
StagePage = page_schema(StageSchema, "StagePage")

SORTS = {"plannedStart": Stage.planned_start, "id": Stage.id}


class StageQuery(PageQuery):
    candidate = fields.Integer(validate=validate.Range(1, MAX_ID),
                               metadata={"description": "Only this candidate's stages (id)."})
    status = fields.String(validate=validate.OneOf([s.value for s in StageStatus]),
                           metadata={"description": "Only stages with this status."})
    kind = fields.String(validate=validate.OneOf([k.value for k in StageKind]),
                         metadata={"description": "Only stages of this kind."})
    sort = sort_field(tuple(SORTS), "plannedStart")


class HoursText(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(HOURS_PATTERN, text):
            raise ValidationError("hours per week as text, like 32 or 24.5")
        return Decimal(text)


class NewOutcome(Schema):
    """The outcome page's fields; which count depends on the stage's kind."""

    version = fields.Integer(load_default=None, allow_none=True,
                             validate=validate.Range(1, MAX_ID))
    suitable_for_care = fields.Boolean(data_key="suitableForCare", load_default=None,
                                       allow_none=True)
    suitable_level = fields.Integer(data_key="suitableLevel", load_default=None, allow_none=True,
                                    validate=validate.Range(1, 4))
    suitable_function = fields.String(data_key="suitableFunction", load_default=None,
                                      allow_none=True, validate=validate.Length(max=160))
    next_step_decision = fields.String(data_key="nextStepDecision", load_default=None,
                                       allow_none=True, validate=validate.Length(max=2000))
    next_step_decided_on = fields.Date(data_key="nextStepDecidedOn", load_default=None,
                                       allow_none=True)
    agreed_end = fields.Date(data_key="agreedEnd", load_default=None, allow_none=True)
    diploma = fields.Boolean(load_default=None, allow_none=True)
    contract_type = fields.String(data_key="contractType", load_default=None, allow_none=True,
                                  validate=validate.OneOf([c.value for c in ContractType]))
    contract_hours = HoursText(data_key="contractHours", load_default=None, allow_none=True,
                               metadata={"pattern": HOURS_PATTERN, "example": "32"})
    contract_start = fields.Date(data_key="contractStart", load_default=None, allow_none=True)
    outcome_note = fields.String(data_key="note", load_default=None, allow_none=True,
                                 validate=validate.Length(max=2000))


NewOutcome.__name__ = "NewStageOutcome"
CAMEL = {"suitable_for_care": "suitableForCare", "suitable_level": "suitableLevel",
         "suitable_function": "suitableFunction", "next_step_decision": "nextStepDecision",
         "next_step_decided_on": "nextStepDecidedOn", "agreed_end": "agreedEnd",
         "contract_type": "contractType", "contract_hours": "contractHours",
         "contract_start": "contractStart", "outcome_note": "note"}


def _log(stages: list[Stage]) -> None:
    """The stage page's line, once per stage shown (docs/processing-log.md)."""
    for stage in stages:
        show_subjects([stage.candidate_id], object_type="Stage", object_id=stage.id,
                      categories=("leerlijn",))


def _options() -> tuple:
    return (so.joinedload(Stage.provider), so.joinedload(Stage.candidate))


@operation("GET", "/stages", summary="Fasen", tag=TAG, scope=Scope.STAGES_READ, roles=READERS,
           query=StageQuery, response=StagePage)
def stages(query):
    """The stages the token's role sees on the pages: a provider's token its own
    provider's (the stages of its candidates), oldest planned start first."""
    stmt = sa.select(Stage).where(Stage.scope_filter(current_user)).options(*_options())
    for name, column in (("candidate", Stage.candidate_id), ("status", Stage.status),
                         ("kind", Stage.kind)):
        if query.get(name) is not None:
            stmt = stmt.where(column == query[name])
    order = [SORTS[name].desc() if descending else SORTS[name].asc()
             for name, descending in sort_keys(query["sort"])]
    items, total = page_of_query(stmt.order_by(*order, Stage.id), query["page"],
                                 query["page_size"])
    visible_for_all(current_user, [s.candidate for s in items])  # the notes rule, one query
    _log(items)
    return page_body(items, total, query["page"], query["page_size"])


@operation("GET", "/stages/{id}", summary="Een fase", tag=TAG, scope=Scope.STAGES_READ,
           roles=READERS, response=StageSchema)
def stage(id: int):  # noqa: A002
    """One stage in the token's scope, with its outcome; another's is a 404."""
    found = get_in_scope(Stage, id, options=_options())
    _log([found])
    return found


@operation("POST", "/stages/{id}/outcome", summary="Leg de uitkomst van een fase vast",
           tag=TAG, scope=Scope.STAGES_WRITE, roles=(Role.INTAKER,), body=NewOutcome,
           response=StageSchema, errors=(409, 422))
def stage_outcome(id: int, body):  # noqa: A002
    """The provider's intaker records the outcome of a running or ended stage, as on the
    outcome page: the fields of its kind; the others are cleared."""
    found = get_in_scope(Stage, id, options=_options())
    if not rules.can_run(current_user, found):
        return problems.problem(403)
    values = {k: v for k, v in body.items() if k != "version"}
    if values["contract_type"] is not None:
        values["contract_type"] = ContractType(values["contract_type"])
    try:
        services.record_outcome(found, actor=current_user, version=body["version"], **values)
        db.session.commit()
    except (services.ConflictError, StaleDataError):
        db.session.rollback()
        return problems.problem(409, str(services.ConflictError().message))
    except ServiceError as error:
        db.session.rollback()
        return _refused(error)
    found = get_in_scope(Stage, id, options=_options())
    _log([found])
    return found


def _refused(error: ServiceError) -> Response:
    name = CAMEL.get(error.field or "", error.field or "stage")
    return problems.problem(422, f"{name}: {error.message}",
                            invalid_params=[{"name": name, "reason": error.message}])
