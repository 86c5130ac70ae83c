"""The administrator's home panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from trajectory.audit.models import SecurityEvent
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.main.home import register_panel
from trajectory.timeutil import utcnow


def admin_context(user: Any) -> dict[str, Any]:
    in_scope = User.scope_filter(user)
    row = db.session.execute(
        sa.select(
            sa.func.count(User.id).filter(User.active.is_(True)),
            sa.func.count(User.id).filter(User.active.is_(True), User.must_change_password.is_(True)),
            sa.func.count(User.id).filter(User.active.is_(False)),
        ).where(in_scope)
    ).one()
    usernames = sa.select(sa.func.lower(User.username)).where(in_scope)
    failed = db.session.scalar(
        sa.select(sa.func.count(SecurityEvent.id)).where(
            SecurityEvent.event == "login", SecurityEvent.result == "failure",
            SecurityEvent.at > utcnow() - timedelta(hours=24),
            sa.func.lower(SecurityEvent.username).in_(usernames),
        )
    )
    return {"active_users": row[0], "pending_password": row[1], "inactive_users": row[2],
            "failed_logins": failed or 0}


register_panel("admin", {Role.BEHEERDER}, "admin/_panel_admin.html", admin_context, order=10)
