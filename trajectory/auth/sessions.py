"""Starting and ending a logged-in session: the one place every login method ends in.

The password form (after its second step), single sign-on and tests all call
``complete_login``; logout calls ``end_login``. What a session is on the server
(its row, its lifetime) lives here too, so no login path can skip it.
"""

from __future__ import annotations

from flask import session
from flask_login import current_user, login_user, logout_user

from trajectory.audit.trail import log_security
from trajectory.timeutil import utcnow


def complete_login(user, *, method: str = "password") -> None:
    """Log ``user`` in on this device: a fresh session, the login recorded."""
    session.clear()
    login_user(user)
    session["last_seen"] = utcnow().timestamp()
    session["login_method"] = method
    log_security("login", "success", user_id=user.id, username=user.username)


def end_login(event: str = "logout") -> None:
    """Log out on this device (the caller commits)."""
    if current_user.is_authenticated:
        log_security(event, "success", user_id=current_user.id, username=current_user.username)
    logout_user()
    session.clear()
