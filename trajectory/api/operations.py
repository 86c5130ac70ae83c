"""Route declarations that are also the OpenAPI document.

An API view is declared once with ``@operation(...)``: method, path (OpenAPI style,
kebab-case, no trailing slash), the scope and roles it needs, its query schema and its
answer's schema (marshmallow). The decorator registers the Flask route, checks the token,
reads the query, serialises the answer through the same schema, and keeps the
declaration; ``openapi.document()`` is built from those declarations and nothing else,
so the document cannot drift from the code.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import RAISE, Schema, ValidationError

from trajectory.api import problems
from trajectory.api.models import Scope
from trajectory.auth.access import PUBLIC
from trajectory.auth.roles import Role
from trajectory.extensions import limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_PATH_PARAM = re.compile(r"\{([a-zA-Z][a-zA-Z0-9]*)\}")


@dataclass
class Operation:
    """One declared operation: everything the route and the document need."""

    method: str
    path: str
    endpoint: str
    summary: str
    description: str
    tag: str
    scope: Scope | None
    roles: tuple[Role, ...]
    query: type[Schema] | None
    response: type[Schema] | str | None
    status: int
    many: bool
    request_body: dict[str, Any] | None
    errors: tuple[int, ...]
    path_params: tuple[str, ...] = field(default=())
    headers: tuple[dict[str, Any], ...] = field(default=())
    text_params: tuple[str, ...] = field(default=())
    also: tuple[Scope, ...] = field(default=())
    body: type[Schema] | None = None
    ok_headers: dict[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.scope is None

    @property
    def scopes(self) -> tuple[Scope, ...]:
        """The scopes of which a token needs one: ``scope`` or one named in ``also``."""
        return () if self.scope is None else (self.scope, *self.also)


OPERATIONS: list[Operation] = []


def _rule(path: str, texts: tuple[str, ...]) -> str:
    """``/contracts/{id}`` as the Flask rule ``/contracts/<int:id>``; the names in ``texts``
    are text identifiers (``<string:...>``: no slash)."""
    return _PATH_PARAM.sub(lambda m: f"<{'string' if m.group(1) in texts else 'int'}:"
                                     f"{m.group(1)}>", path)


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120/minute")


def _limit_key() -> str:
    """Per token (its hash: the same key for the same token in every process), else per address."""
    from flask_limiter.util import get_remote_address

    from trajectory.api.services import hash_token

    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "api-token:" + hash_token(header[7:].strip())
    return "api-address:" + (get_remote_address() or "")


def operation(method: str, path: str, *, summary: str, tag: str, scope: Scope | None = None,
              roles: tuple[Role, ...] = (), query: type[Schema] | None = None,
              response: type[Schema] | str | None = None, status: int = 200, many: bool = False,
              request_body: dict[str, Any] | None = None, errors: tuple[int, ...] = (),
              headers: tuple[dict[str, Any], ...] = (),
              text_params: tuple[str, ...] = (), also: tuple[Scope, ...] = (),
              body: type[Schema] | None = None,
              ok_headers: dict[str, Any] | None = None) -> Callable:
    """Declare and register an API operation. The view gets the path arguments and, with a
    ``query`` schema, ``query=`` the loaded query; with a ``body`` schema, ``body=`` the
    JSON body loaded by it (refused with a 400 naming the fields, like a query). It returns
    what ``response`` dumps, or ``(that, headers)``, or a Response of its own. ``also``:
    further scopes that allow the operation (a token needs one of them)."""
    if scope is not None and not roles:
        raise ValueError("an operation with a scope names the roles whose rules apply")
    if body is not None:
        request_body = {"required": True, "content": {"application/json": {"schema": body}}}

    def decorate(view: Callable) -> Callable:
        endpoint = view.__name__
        op = Operation(method=method.upper(), path=path, endpoint=f"api.{endpoint}",
                       summary=summary, description=(view.__doc__ or "").strip(), tag=tag,
                       scope=scope, roles=tuple(roles), query=query, response=response,
                       status=status, many=many, request_body=request_body,
                       errors=tuple(errors), path_params=tuple(_PATH_PARAM.findall(path)),
                       headers=tuple(headers), text_params=tuple(text_params),
                       also=tuple(also), body=body, ok_headers=dict(ok_headers or {}))

        @functools.wraps(view)
        def run(**kwargs: Any) -> Any:
            from trajectory.api.auth import authenticate

            if not op.public:
                refused = authenticate(op)
                if refused is not None:
                    return refused
            if query is not None:
                try:
                    kwargs["query"] = query(unknown=RAISE).load(request.args.to_dict(flat=True))
                except ValidationError as exc:
                    return _invalid_query(exc)
            if body is not None:
                loaded = _load_body(body)
                if isinstance(loaded, Response):
                    return loaded
                kwargs["body"] = loaded
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            extra: dict[str, str] = {}
            if isinstance(result, tuple):
                result, extra = result
            if isinstance(response, type):
                result = response(many=many).dump(result)
            return jsonify(result), status, extra

        run.__access__ = PUBLIC  # the token check above decides; sessions are never read
        run.__api__ = op
        limited = limiter.limit(_rate_limit, key_func=_limit_key)(run)
        limited.__access__, limited.__api__ = PUBLIC, op
        bp.add_url_rule(_rule(path, op.text_params), endpoint, limited, methods=[op.method], strict_slashes=True)
        OPERATIONS.append(op)
        return limited

    return decorate


def _load_body(schema: type[Schema]) -> Any:
    """The JSON body loaded by ``schema``, or the 400 that names what is wrong with it."""
    text = request.get_data(cache=True, as_text=False).decode("utf-8-sig", errors="replace")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return problems.invalid("body", "not valid JSON")
    if not isinstance(raw, dict):
        return problems.invalid("body", "must be a JSON object")
    try:
        return schema(unknown=RAISE).load(raw)
    except ValidationError as exc:
        return _invalid_query(exc)


def _invalid_query(exc: ValidationError) -> Response:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_": exc.messages}
    params = [{"name": name, "reason": "; ".join(_flat(reasons))}
              for name, reasons in sorted(messages.items())]
    detail = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
    return problems.problem(400, detail, invalid_params=params)


def _flat(reasons: Any) -> list[str]:
    if isinstance(reasons, str):
        return [reasons]
    if isinstance(reasons, dict):
        return [r for value in reasons.values() for r in _flat(value)]
    return [r for value in reasons for r in _flat(value)]
