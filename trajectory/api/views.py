"""The API's blueprint: the OpenAPI document, and the resources (resources/) on it."""

from __future__ import annotations

from flask import jsonify, request

from trajectory.api import resources  # noqa: F401  (registers every resource's operations)
from trajectory.api.openapi import document
from trajectory.api.operations import bp
from trajectory.auth.access import public

__all__ = ["bp"]


@bp.route("/openapi.json", strict_slashes=True)
@public
def openapi_json():
    """The OpenAPI document: public, any origin may read it (/core/publish-openapi)."""
    response = jsonify(document(request.url_root.rstrip("/") + bp.url_prefix))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
