"""``Idempotency-Key`` on a POST: a retried request gets the first answer, never a second row.

The client (a buddy's app on a bad connection) sends a key of its own choosing with a
POST; the first request with that key claims it (a row in ``api_idempotency``, unique per
token and key) before it writes anything, in the same transaction as what it writes. A
retry, also one that arrives while the first is still running (the unique index makes it
wait for the first's commit), finds the claimed key and gets the first answer again,
rebuilt from the row the first made, with ``Idempotent-Replayed: true``. The same key
with another request (method, path or body) is a 422. A refused first request (a 4xx)
claims nothing: it rolls back with the rest, so a corrected retry may use the same key.
Keys are kept a day (``KEEP``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user

from trajectory.api import problems
from trajectory.api.models import ApiIdempotency
from trajectory.extensions import db
from trajectory.timeutil import utcnow

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
_KEY = re.compile(r"[\x21-\x7e]{1,255}")

PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "description": "Een sleutel van de client (bijvoorbeeld een UUID): een herhaald verzoek "
                   "met dezelfde sleutel krijgt het eerste antwoord en maakt niets dubbel. "
                   "Een dag bewaard.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
REPLAYED_HEADER = {REPLAYED: {"description": "true: dit is het eerste antwoord op deze sleutel.",
                              "schema": {"type": "string", "enum": ["true"]}}}


class KeyTaken(Exception):
    """Another request claimed the key first (committed meanwhile)."""


def sent_key() -> str | Response | None:
    """The request's key, None without one, or the 400 for a malformed one."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        return problems.invalid(HEADER, "1 to 255 visible ASCII characters")
    return key


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def earlier(key: str) -> ApiIdempotency | Response | None:
    """The first request's record of this key, the 422 when it came with another request,
    or None: the key is new."""
    row = db.session.scalar(sa.select(ApiIdempotency).where(
        ApiIdempotency.token_id == current_user.token.id, ApiIdempotency.key == key))
    if row is None:
        return None
    if row.request_hash != _request_hash():
        return problems.problem(422, "Deze Idempotency-Key is al gebruikt voor een ander "
                                     "verzoek. Kies een nieuwe sleutel voor een nieuw verzoek.",
                                invalid_params=[{"name": HEADER,
                                                 "reason": "used before with another request"}])
    return row


def claim(key: str) -> ApiIdempotency:
    """Claim the key before writing (flushed: a concurrent claim waits here for our
    commit, then fails); ``KeyTaken`` when another request has it. Old keys are dropped."""
    db.session.execute(sa.delete(ApiIdempotency).where(ApiIdempotency.created_at
                                                       < utcnow() - KEEP))
    row = ApiIdempotency(token_id=current_user.token.id, key=key, request_hash=_request_hash(),
                         status=0)
    db.session.add(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise KeyTaken from None
    return row


def done(row: ApiIdempotency, status: int, resource_id: int) -> None:
    """What the first request made, to rebuild its answer for a retry."""
    row.status, row.resource_id = status, resource_id
    db.session.flush()
