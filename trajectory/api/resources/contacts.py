"""Contact logs from a buddy's app: the buddy's web form as a POST, idempotent.

A buddy's token belongs to one buddy account (api/models.py); the contact goes through
``trajectory.contacts.services.log_contact``, the form's service: only the candidate's
current buddy, under the candidate's consent, a date not in the future and at most three
months back, not before the buddy was assigned, a score 1 to 5, a signal with its text.
With an ``Idempotency-Key`` (api/idempotency.py) a retried post returns the first answer
and never makes a second contact.

The answer names no one and repeats no free text (the note and the signal's text stay
in the log, where the pages show them): only what the app needs to know it was stored.
"""

from __future__ import annotations

from flask import Response
from flask_login import current_user
from marshmallow import Schema, fields, validate

from trajectory.api import idempotency, problems
from trajectory.api.models import Scope
from trajectory.api.operations import operation
from trajectory.api.schemas import Moment
from trajectory.auth.access import get_in_scope
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.contacts import services
from trajectory.contacts.access import can_log
from trajectory.contacts.models import NOTE_MAX, ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.services import ServiceError

TAG = "Contacten"
FIELDS = {"contact_on": "contactOn", "signal_text": "signalText", "wellbeing": "wellbeing",
          "note": "note", "kind": "kind"}


class NewContact(Schema):
    """The buddy's form: the date, how it went, a short note, the score and a signal."""

    contact_on = fields.Date(data_key="contactOn", required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ContactKind]))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))
    wellbeing = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 5))
    signal_category = fields.String(data_key="signalCategory", load_default=None,
                                    allow_none=True,
                                    validate=validate.OneOf([c.value for c in SignalCategory]))
    signal_text = fields.String(data_key="signalText", load_default=None, allow_none=True,
                                validate=validate.Length(max=NOTE_MAX))


NewContact.__name__ = "NewContact"


class ContactSchema(Schema):
    id = fields.Integer(required=True)
    candidate = fields.Integer(attribute="candidate_id", required=True)
    contact_on = fields.Date(data_key="contactOn", required=True)
    kind = fields.Function(lambda e: e.kind.value, required=True,
                           metadata={"type": "string", "enum": [k.value for k in ContactKind]})
    wellbeing = fields.Integer(allow_none=True, required=True)
    signal_category = fields.Function(
        lambda e: e.signal_category.value if e.signal_category else None,
        data_key="signalCategory", required=True,
        metadata={"type": "string", "nullable": True,
                  "enum": [c.value for c in SignalCategory] + [None]})
    has_note = fields.Function(lambda e: bool(e.note), data_key="hasNote", required=True,
                               metadata={"type": "boolean"})
    created_at = Moment(data_key="createdAt", required=True)


ContactSchema.__name__ = "ContactLog"


def _replay(row) -> tuple:
    return get_in_scope(ContactLog, row.resource_id), {idempotency.REPLAYED: "true"}


@operation("POST", "/candidates/{id}/contacts", summary="Leg een contact vast", tag=TAG,
           scope=Scope.CONTACTS_WRITE, roles=(Role.BUDDY,), body=NewContact,
           response=ContactSchema, status=201, errors=(404, 422),
           headers=(idempotency.PARAMETER,),
           ok_headers=idempotency.REPLAYED_HEADER)
def create_contact(id: int, body):  # noqa: A002
    """The candidate's current buddy records a contact (or an attempt), as on the buddy's
    form. Send an ``Idempotency-Key``: a retry with it returns the first answer."""
    key = idempotency.sent_key()
    if isinstance(key, Response):
        return key
    if key is not None:
        first = idempotency.earlier(key)
        if isinstance(first, Response):
            return first
        if first is not None:
            return _replay(first)
    candidate = get_in_scope(Candidate, id)
    if not can_log(current_user, candidate):
        return problems.problem(403, "Alleen de huidige buddy van de kandidaat legt contacten "
                                     "vast, met toestemming van de kandidaat.")
    claimed = None
    if key is not None:
        try:
            claimed = idempotency.claim(key)
        except idempotency.KeyTaken:  # a concurrent retry committed first: its answer
            first = idempotency.earlier(key)
            return first if isinstance(first, Response) else _replay(first)
    try:
        entry = services.log_contact(
            current_user, candidate, contact_on=body["contact_on"],
            kind=ContactKind(body["kind"]), note=body["note"], wellbeing=body["wellbeing"],
            signal_category=SignalCategory(body["signal_category"])
            if body["signal_category"] else None,
            signal_text=body["signal_text"])
    except ServiceError as error:
        db.session.rollback()
        name = FIELDS.get(error.field or "", error.field or "contact")
        return problems.problem(422, f"{name}: {error.message}",
                                invalid_params=[{"name": name, "reason": error.message}])
    if claimed is not None:
        idempotency.done(claimed, 201, entry.id)
    db.session.commit()
    return entry
