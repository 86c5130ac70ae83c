"""``flask --app trajectory notify send-due``: queue what is due and send it.

Run by a scheduler (cron every 15 minutes, docs/notifications.md); safe to run twice at
the same time. Prints one line, exit 0; a setting missing or wrong: one ``fout:`` line,
exit 2.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from trajectory.cli import fail
from trajectory.notify import mail, services

notify_cli = AppGroup("notify", help="E-mail: queue the messages that are due and send them.")


@notify_cli.command("send-due")
@click.option("--now", "now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M"]), default=None,
              help="As if it were this moment (UTC, YYYY-MM-DDTHH:MM), to test the rules.")
def send_due_command(now: datetime | None) -> None:
    """Queue every message due now and send the queue (each message once)."""
    try:
        smtp = mail.settings(current_app.config)
    except mail.MailConfigurationError as error:
        fail(str(error))
    moment = now.replace(tzinfo=UTC) if now is not None else None
    queued, delivery = services.send_due(smtp, moment)
    line = (f"notify: {queued} queued, {delivery.sent} sent, {delivery.retry} kept for the "
            f"next run, {delivery.failed} failed, {services.waiting()} waiting")
    if delivery.error:
        line += f" (server: {delivery.error})"
    click.echo(line)
