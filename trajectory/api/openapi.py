"""The OpenAPI 3.0 document, built from the declared operations (operations.py).

apispec turns the marshmallow schemas into the document's components: the same
schemas serialise the answers, so what the document says is what the API sends.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from trajectory import __version__
from trajectory.api.operations import OPERATIONS, Operation

API_VERSION = "1.0.0"  # semantic version of the interface (/core/semver); major in the URI
PROBLEM = "Problem"
VERSION_HEADER = {"$ref": "#/components/headers/API-Version"}

ERROR_TEXT = {
    400: "Ongeldig verzoek: de velden in invalidParams.",
    401: "Geen of geen geldig token.",
    403: "Het token mist de scope of de rol.",
    404: "Bestaat niet, of buiten het bereik van het token.",
    406: "Alleen JSON.",
    409: "Botst met de huidige toestand (al ingediend, of tegelijk gewijzigd).",
    413: "Het verzoek of het bestand is te groot.",
    415: "Dit mediatype wordt hier niet aangenomen.",
    422: "Geweigerd door een regel; invalidParams noemt het veld.",
    429: "Te veel verzoeken met dit token.",
    500: "Interne fout.",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string", "description": "Dutch, fixed per type."},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {"type": "array", "items": {
            "type": "object", "required": ["name", "reason"],
            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}

# Raw components an operation may name instead of a schema class (shapes pinned elsewhere).
RAW_SCHEMAS: dict[str, dict[str, Any]] = {}


def raw_schema(name: str, schema: dict[str, Any]) -> str:
    """Register a JSON Schema component by name (for answers not built by marshmallow)."""
    RAW_SCHEMAS[name] = schema
    return name


def _problem(status: int) -> dict[str, Any]:
    return {"description": ERROR_TEXT.get(status, "Fout."), "headers": {"API-Version": VERSION_HEADER},
            "content": {"application/problem+json": {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}}


def _operation(op: Operation) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"in": "path", "name": name, "required": True,
         "schema": ({"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,59}$"}
                    if name in op.text_params else
                    {"type": "integer", "minimum": 1, "maximum": 2147483647})}
        for name in op.path_params]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    parameters += list(op.headers)
    ok: dict[str, Any] = {"description": op.summary,
                          "headers": {"API-Version": VERSION_HEADER, **op.ok_headers}}
    if isinstance(op.response, str):
        ok["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.response}"}}}
    elif op.response is not None:
        schema: Any = op.response
        ok["content"] = {"application/json": {"schema": {"type": "array", "items": schema}
                                              if op.many else schema}}
    errors = set(op.errors) | {429, 500}
    if op.query is not None or op.request_body is not None or op.path_params:
        errors.add(400)
    if op.path_params:
        errors.add(404)
    if not op.public:
        errors |= {401, 403}
    body: dict[str, Any] = {
        "operationId": op.endpoint.removeprefix("api.").replace("_", " ").title().replace(" ", ""),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {str(op.status): ok, **{str(code): _problem(code) for code in sorted(errors)}},
        "security": [{"bearerAuth": [scope.value]} for scope in op.scopes],
    }
    body["operationId"] = body["operationId"][0].lower() + body["operationId"][1:]
    if op.description:
        body["description"] = op.description
    if op.request_body is not None:
        body["requestBody"] = op.request_body
    return body


def document(server_url: str) -> dict[str, Any]:
    """The whole document; ``server_url`` ends in /api/v1 (/core/uri-version)."""
    spec = APISpec(
        title="Trajectory API",
        version=API_VERSION,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Social Return (SROI) in de regio: het regelboek en de rekenmachine "
                           "(openbaar), contracten en hun verantwoording (met een token). "
                           "Volgt de NL API Design Rules 2.x; zie docs/api.md.",
            "contact": {"name": current_app.config["API_CONTACT_NAME"],
                        "email": current_app.config["API_CONTACT_EMAIL"],
                        "url": current_app.config["API_CONTACT_URL"]},
            "license": {"name": "EUPL-1.2",
                        "url": "https://interoperable-europe.ec.europa.eu/collection/eupl"},
            "x-trajectory-version": __version__,
        },
        servers=[{"url": server_url, "description": "Deze installatie"}],
    )
    spec.components.schema(PROBLEM, PROBLEM_SCHEMA)
    for name, schema in RAW_SCHEMAS.items():
        spec.components.schema(name, schema)
    spec.components.header("API-Version", {
        "description": "De volledige versie van de API (semver).",
        "schema": {"type": "string", "example": API_VERSION}})
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "Een API-token dat een beheerder uitgeeft (Beheer > API-tokens)."})
    by_path: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    tags = sorted({op.tag for op in OPERATIONS})
    for tag in tags:
        spec.tag({"name": tag})
    return spec.to_dict()
