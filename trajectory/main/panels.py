"""The home panel every user gets: their account and recent login activity."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.audit.models import SecurityEvent
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.main.home import register_panel


def account_context(user: Any) -> dict[str, Any]:
    logins = db.session.scalars(
        sa.select(SecurityEvent.at)
        .where(SecurityEvent.actor_user_id == user.id, SecurityEvent.event == "login",
               SecurityEvent.result == "success")
        .order_by(SecurityEvent.at.desc()).limit(2)
    ).all()
    previous = logins[1] if len(logins) > 1 else None
    failed = 0
    if previous is not None:
        failed = db.session.scalar(
            sa.select(sa.func.count(SecurityEvent.id))
            .where(SecurityEvent.event == "login", SecurityEvent.result == "failure",
                   sa.func.lower(SecurityEvent.username) == user.username.lower(),
                   SecurityEvent.at > previous)
        ) or 0
    return {"previous_login": previous, "failed_since": failed}


register_panel("account", set(Role), "main/_panel_account.html", account_context, order=900)
