"""Demo: e-mail addresses on example domains, a few choices, and outbox rows computed by
the real rules (some sent, one waiting for a retry), so the account page shows them.
One account (``e.polderman``) has no address: its page says it receives nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from trajectory.auth.models import User
from trajectory.demo.data import register_demo_step
from trajectory.extensions import db
from trajectory.notify import services
from trajectory.notify.models import NotificationPreference, OutboxMessage, OutboxStatus
from trajectory.organisations.models import OrganisationKind
from trajectory.timeutil import AMSTERDAM, utcnow

WITHOUT_ADDRESS = "e.polderman"
SHOWN_FOR = ("klantmanager", "intaker", "buddy", "coordinator", "intaker2")


def notify_demo() -> None:
    users = {user.username: user for user in db.session.scalars(sa.select(User))}
    for user in users.values():
        domain = "example.org" if user.organisation.kind is OrganisationKind.PROVIDER \
            else "example.nl"
        user.email = None if user.username == WITHOUT_ADDRESS \
            else f"{user.username.replace('.', '')}@{domain}"
    for username, digest, language in (("klantmanager", "daily", "nl"),
                                       ("coordinator", "weekly", "nl"),
                                       ("intaker2", "off", "en")):
        if username in users:
            db.session.add(NotificationPreference(user_id=users[username].id, digest=digest,
                                                  language=language, muted=[]))
    db.session.flush()
    from trajectory.cohorts import signal_facts

    signal_facts.refresh_all()  # the signals the rules read, as the demo left them
    now = utcnow()
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context("/", base_url=base.rstrip("/") + "/"):
        notices = [(kind, notice) for kind, notice in
                   services.due_notices(now.astimezone(AMSTERDAM).date(), now)
                   if notice.user.username in SHOWN_FOR]
        per_user: dict[int, int] = {}
        chosen = []
        for kind, notice in notices:
            if per_user.get(notice.user.id, 0) < 3:
                per_user[notice.user.id] = per_user.get(notice.user.id, 0) + 1
                chosen.append((kind, notice))
        rows = services.rows_for(chosen, now)
    for index, row in enumerate(rows):
        message = OutboxMessage(**row)
        message.created_at = now - timedelta(hours=2 + index)
        if index % 3 != 2:
            message.status, message.attempts = OutboxStatus.SENT, 1
            message.sent_at = message.created_at + timedelta(minutes=1)
        else:
            message.attempts = 2
            message.last_error = "421 4.7.0 Try again later"
        db.session.add(message)


register_demo_step("notify", notify_demo)
