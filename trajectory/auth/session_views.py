"""Seeing and ending sessions: a user their own, an administrator those of the accounts
it manages (``User.scope_filter``). The list itself is the partial
``templates/auth/_sessions.html`` (on the password page and the admin's user page)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from trajectory.auth import sessions
from trajectory.auth.access import allow, any_user, get_in_scope
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.auth.session_models import EndReason, UserSession
from trajectory.extensions import db

bp = Blueprint("auth_sessions", __name__)


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def describe_agent(agent: str | None) -> str:
    """"Firefox on Windows" from a user-agent string; the string itself when unknown."""
    if not agent:
        return _("unknown device")
    browser = next((name for token, name in _BROWSERS if token in agent), None)
    system = next((name for token, name in _SYSTEMS if token in agent), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or agent[:60]


def method_label(method: str) -> str:
    labels = {"password": _("password"), "totp": _("password and code"),
              "password+totp": _("password and code"), "password+recovery": _("password and recovery code"),
              "oidc": _("single sign-on"), "sso": _("single sign-on")}
    return labels.get(method, method)


def session_list(user: Any) -> dict[str, Any]:
    """What the partial shows: the open sessions of ``user``, this device marked."""
    current = sessions.current_session()
    current_id = current.id if current is not None else None
    return {
        "rows": [{"row": row, "device": describe_agent(row.user_agent),
                  "method": method_label(row.method), "current": row.id == current_id}
                 for row in sessions.open_sessions(user.id)],
        "own": user.id == current_user.id,
        "user": user,
    }


def _open_row(user_id: int, session_id: int) -> UserSession:
    row = db.session.scalars(sa.select(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user_id,
        UserSession.ended_at.is_(None))).first()
    if row is None:
        abort(404)
    return row


@bp.route("/sessies/<int:session_id>/beeindigen", methods=["POST"])
@any_user
def end_own(session_id: int):
    """End one of one's own sessions (another device); ending this one is logging out."""
    row = _open_row(current_user.id, session_id)
    current = sessions.current_session()
    if current is not None and current.id == row.id:
        sessions.end_login("logout")
        db.session.commit()
        flash(_("You have been logged out."), "success")
        return redirect(url_for("auth.login"))
    sessions.end_session(row, EndReason.USER)
    sessions.log_session_end(row, EndReason.USER, actor=current_user)
    db.session.commit()
    flash(_("The session has been ended; that device is logged out."), "success")
    return redirect(url_for("auth.change_password", _anchor="sessies"))


@bp.route("/beheer/gebruikers/<int:user_id>/sessies/<int:session_id>/beeindigen",
          methods=["POST"])
@allow(Role.BEHEERDER)
def end_for_user(user_id: int, session_id: int):
    user = get_in_scope(User, user_id)
    row = _open_row(user.id, session_id)
    sessions.end_session(row, EndReason.ADMIN)
    sessions.log_session_end(row, EndReason.ADMIN, actor=current_user)
    db.session.commit()
    flash(_("The session of %(name)s has been ended.", name=user.full_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id, _anchor="sessies"))


@bp.route("/beheer/gebruikers/<int:user_id>/sessies/beeindigen", methods=["POST"])
@allow(Role.BEHEERDER)
def end_all_for_user(user_id: int):
    """End every open session of the account (an administrator's own: all but this one)."""
    user = get_in_scope(User, user_id)
    current = sessions.current_session()
    for row in sessions.open_sessions(user.id):
        if current is not None and row.id == current.id:
            continue
        sessions.end_session(row, EndReason.ADMIN)
        sessions.log_session_end(row, EndReason.ADMIN, actor=current_user)
    db.session.commit()
    flash(_("Every session of %(name)s has been ended.", name=user.full_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id, _anchor="sessies"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(session_list, "session_list")
