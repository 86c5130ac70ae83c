"""Bearer tokens: every API call with a scope resolves its token to a principal.

Only ``Authorization: Bearer``; a session cookie is never read in /api (the principal, or
nobody, is put in Flask-Login's place before anything asks for ``current_user``). A
refused token (unknown, expired, revoked, wrong scope or role) is a security event.
"""

from __future__ import annotations

from flask import Response, g, request
from flask_login import AnonymousUserMixin

from trajectory.api import problems
from trajectory.api.services import ApiPrincipal, find_token, record_use
from trajectory.audit.trail import log_security
from trajectory.extensions import db

CHALLENGE = 'Bearer realm="trajectory-api"'


def anonymous() -> None:
    """``before_request`` for /api: nobody, whatever cookie came along."""
    g._login_user = AnonymousUserMixin()


def _refuse(status: int, reason: str, *, token=None, error: str | None = None) -> Response:
    log_security("api_token", "refused", username=getattr(token, "client_name", None),
                 detail=reason)
    db.session.commit()
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    headers = {"WWW-Authenticate": challenge} if status == 401 else {}
    return problems.problem(status, headers=headers)


def authenticate(op) -> Response | None:
    """Put the token's principal in place, or answer 401/403 (problem+json)."""
    header = request.headers.get("Authorization", "")
    scheme, _, plain = header.partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        return _refuse(401, "no bearer token")
    token = find_token(plain.strip())
    if token is None:
        return _refuse(401, "unknown token", error="invalid_token")
    if not token.usable():
        reason = "revoked token" if token.revoked_at is not None else "expired token"
        return _refuse(401, reason, token=token, error="invalid_token")
    record_use(token)
    principal = ApiPrincipal(token)
    g._login_user = principal
    if not principal.scopes & {scope.value for scope in op.scopes}:
        return _refuse(403, f"scope {' or '.join(s.value for s in op.scopes)} missing", token=token,
                       error="insufficient_scope")
    if not principal.has_role(*op.roles):
        return _refuse(403, f"role {token.acts_as.value} not allowed", token=token)
    return None
