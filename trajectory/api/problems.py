"""Errors as ``application/problem+json`` (RFC 9457), with Dutch titles.

A title belongs to the problem's type and never varies per occurrence (RFC 9457 3.1.3),
so it is part of the interface contract like a field name: Dutch text here, not a
translated UI string that would follow the caller's language.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json, request

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Niet te verwerken",
    429: "Te veel verzoeken",
    500: "Interne fout",
    503: "Dienst niet beschikbaar",
}

DETAILS = {
    401: "Stuur een geldig API-token mee: Authorization: Bearer <token>.",
    403: "Dit token heeft niet de scope of rol die deze bewerking vraagt.",
    404: "Deze resource bestaat niet, of dit token heeft er geen toegang toe.",
    405: "Deze methode is hier niet toegestaan.",
    429: "Te veel verzoeken met dit token in korte tijd. Probeer het later opnieuw.",
    500: "Er ging iets mis aan onze kant. De fout is vastgelegd.",
}


def problem(status: int, detail: str | None = None, *, invalid_params: list[dict] | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem details response; ``invalid_params``: the fields at fault (name, reason)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400]),
        "status": status,
        "detail": detail or DETAILS.get(status, TITLES.get(status, "")),
        "instance": request.path,
    }
    if invalid_params:
        body["invalidParams"] = invalid_params
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def invalid(name: str, reason: str) -> Response:
    """400 naming the field at fault."""
    return problem(400, f"{name}: {reason}", invalid_params=[{"name": name, "reason": reason}])
