"""Deny by default: every view declares who may use it.

``@allow(Role.KLANTMANAGER, ...)`` or ``@public`` or ``@any_user`` only
*declares*; the check itself runs centrally in ``enforce_access`` before every
request, so a view that forgot its declaration is refused (and
``tests/auth/test_access_declared.py`` fails the build).

Objects are loaded through ``get_in_scope``: a model class offers
``scope_filter(user)`` returning a SQL condition; what falls outside it is a
404, the same as an id that does not exist. Inside scope but not allowed to
act is a 403 (``require``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from trajectory.audit.trail import log_security
from trajectory.auth.roles import Role
from trajectory.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
ANY_USER = "any_user"

# Endpoints Flask itself adds.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def allow(*roles: Role) -> Callable[[F], F]:
    """Declare the roles that may use a view."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public or @any_user")

    def decorate(view: F) -> F:
        view.__access__ = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: F) -> F:
    """Declare a view usable without logging in (login page, health checks)."""
    view.__access__ = PUBLIC  # type: ignore[attr-defined]
    return view


def any_user(view: F) -> F:
    """Declare a view every logged-in user may use (home, own password)."""
    view.__access__ = ANY_USER  # type: ignore[attr-defined]
    return view


def declared_access(endpoint: str | None) -> object | None:
    if endpoint is None:
        return None
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "__access__", None)


def enforce_access() -> Any:
    """``before_request``: refuse what the view has not explicitly allowed."""
    if request.endpoint is None:
        return None  # 404/405 handled by Flask
    access = declared_access(request.endpoint)
    if access is None:
        current_app.logger.error("endpoint without access declaration: %s", request.endpoint)
        abort(403)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=_safe_next()))
    if (current_user.must_change_password
            and request.endpoint not in {"auth.change_password", "auth.logout", "main.set_language"}):
        return redirect(url_for("auth.change_password"))
    if request.endpoint not in MFA_ENROLMENT_ENDPOINTS and _must_enrol_mfa():
        return redirect(url_for("auth.mfa_enrol"))
    if access == ANY_USER:
        return None
    if not current_user.has_role(*access):  # type: ignore[arg-type]
        log_security("access_denied", "refused", user_id=current_user.id,
                     username=current_user.username)
        db.session.commit()
        abort(403)
    return None


# Reachable before a mandatory second factor is set up (trajectory/auth/mfa.py).
MFA_ENROLMENT_ENDPOINTS = frozenset({"auth.mfa_enrol", "auth.logout", "main.set_language"})


def _must_enrol_mfa() -> bool:
    """A role that needs a second factor, none set up, and not logged in by single
    sign-on (there the identity provider does the second factor)."""
    from trajectory.auth import mfa
    from trajectory.auth.sessions import current_session

    if not mfa.needs_enrolment(current_user):
        return False
    row = current_session()
    return getattr(row, "method", None) != "oidc"


def _safe_next() -> str:
    """The path to come back to after login: same site only, GET only."""
    if request.method != "GET":
        return "/"
    full = request.full_path
    return full[:-1] if full.endswith("?") else full


def get_in_scope(model: type, object_id: Any, *, user: Any = None,
                 options: Sequence[Any] = ()) -> Any:
    """Load one object the user may see, or 404 (out of scope looks like absent).
    ``options``: loader options, so that a page loads what it shows with the object."""
    user = user or current_user
    stmt = sa.select(model).where(model.id == object_id, model.scope_filter(user))
    obj = db.session.scalars(stmt.options(*options)).unique().first()
    if obj is None:
        _log_not_in_scope(model, object_id, user)
        abort(404)
    return obj


def _log_not_in_scope(model: type, object_id: Any, user: Any) -> None:
    """A 404 from ``get_in_scope`` is a security event, committed although the answer is
    a 404: ``out_of_scope`` when the object exists outside the user's scope, ``not_found``
    when no such id exists (probing ids shows up too). The user still sees one 404."""
    exists = db.session.scalar(sa.select(sa.literal(1)).where(model.id == object_id)) is not None
    log_security("out_of_scope" if exists else "not_found", "refused",
                 user_id=getattr(user, "id", None), username=getattr(user, "username", None))
    db.session.commit()


def require(condition: bool) -> None:
    """Inside scope but not allowed to do this: 403."""
    if not condition:
        log_security("action_denied", "refused", user_id=current_user.id,
                     username=current_user.username)
        db.session.commit()
        abort(403)
