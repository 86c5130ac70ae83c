"""E-mail notifications: reminders, tasks and digests through SMTP (docs/notifications.md).

``init_app`` sets the defaults of the settings, refuses wrong values at startup (one
line, no traceback outside the tests) and adds ``flask notify send-due``.
"""

from __future__ import annotations

import sys

from flask import Flask


def init_app(app: Flask) -> None:
    from trajectory.notify import mail
    from trajectory.notify.cli import notify_cli

    for name, value in mail.SETTINGS_DEFAULTS.items():
        app.config.setdefault(name, value)
    try:
        mail.check(app.config)
    except mail.MailConfigurationError as error:
        if app.testing:
            raise
        print(f"fout: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    app.cli.add_command(notify_cli)
    _register_gauges()


def _register_gauges() -> None:
    """/metrics: the e-mails waiting to be sent (a queue that grows means the scheduled
    ``notify send-due`` stopped running or the mail server refuses)."""
    import sqlalchemy as sa

    from trajectory import metrics
    from trajectory.extensions import db
    from trajectory.notify.models import OutboxMessage, OutboxStatus

    def waiting() -> int:
        return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.QUEUED)) or 0

    metrics.register_gauge("email_queued", "E-mails waiting to be sent (queued or to retry).",
                           waiting)
