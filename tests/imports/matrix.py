"""URL arguments for the route × role matrix (tests/auth/test_matrix.py): an upload of the
klantmanager (candidates) and of the intaker (offers) that the allowed role reaches."""

from __future__ import annotations

from tests.imports.support import csv_bytes, people
from trajectory.extensions import db
from trajectory.imports import offers, services


def _token(world, username: str, kind: str, content: bytes) -> str:
    upload = services.keep_upload(world.user(username), "matrix.csv", content, kind)
    token = upload.token
    db.session.commit()
    return token


def candidates_upload(world) -> dict:
    return {"token": _token(world, "klantmanager", services.CANDIDATES, csv_bytes(people(2)))}


def offers_upload(world) -> dict:
    content = b"Titel;Soort;Plaatsen\nMatrixplek;werkervaringsplaats;2\n"
    return {"what": "aanbod", "token": _token(world, "intaker", offers.OFFERS, content)}


IMPORT_URL_ARGS = {
    "imports.columns": candidates_upload,
    "imports.preview": candidates_upload,
    "imports.confirm": candidates_upload,
    "imports.template": lambda w: {"fmt": "csv"},
    "imports.offers_upload": lambda w: {"what": "aanbod"},
    "imports.offers_columns": offers_upload,
    "imports.offers_preview": offers_upload,
    "imports.offers_confirm": offers_upload,
    "imports.offers_template": lambda w: {"what": "aanbod", "fmt": "csv"},
}
