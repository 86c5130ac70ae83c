"""Sending: once even when two runs overlap, queued again after a temporary failure
(421, a refused connection, STARTTLS or TLS the server does not speak), failed for good
on a 5xx, and the settings refused with one line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.notify.conftest import Mailbox
from tests.notify.test_kinds import run
from tests.stages.conftest import P1, goes_candidate, make_stage
from trajectory import create_app
from trajectory.extensions import db
from trajectory.notify import mail, services
from trajectory.notify.models import OutboxMessage, OutboxStatus
from trajectory.stages.kinds import StageKind


@pytest.fixture
def addresses(world):
    for user in world.users.values():
        user.email = f"{user.username}@example.nl"
    db.session.commit()
    return world


def proposals(world, number: int) -> None:
    """``number`` proposals to Zorggroep Scheldezoom: as many e-mails to its intaker."""
    for index in range(number):
        candidate = goes_candidate(world, buddy=None, last_name=f"Vries{index}")
        make_stage(world, candidate, P1, StageKind.INTAKE)


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


class SlowMailbox(Mailbox):
    """Takes its time over every message, so two runs are sending at the same moment."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_two_overlapping_runs_send_each_message_once(app, addresses, smtp_port):
    box = SlowMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        proposals(addresses, 6)
        smtp = mail.settings(app.config)
        results, errors = [], []
        start = threading.Barrier(2)

        def one_run():
            try:
                with app.app_context():
                    start.wait()
                    results.append(services.send_due(smtp))
                    db.session.remove()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=one_run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        controller.stop()
    assert errors == []
    assert len(box.to("intaker@example.nl")) == 6
    assert len({m["X-Trajectory-Key"] for m in box.messages}) == 6
    assert sum(queued for queued, _delivery in results) == 6
    assert sum(delivery.sent for _queued, delivery in results) == 6
    assert [row.status for row in rows()] == [OutboxStatus.SENT] * 6


def test_a_row_is_claimed_by_one_run_only(app, addresses, mailbox):
    proposals(addresses, 1)
    smtp = mail.settings(app.config)
    services.queue_due(smtp)
    row = rows()[0]
    assert services._claim(row.id, row.created_at) is True
    assert services._claim(row.id, row.created_at) is False  # the second run skips it
    assert services.deliver(smtp).sent == 0
    assert mailbox.messages == []


def test_a_421_keeps_it_queued_and_the_next_run_sends_it(app, addresses, mailbox):
    proposals(addresses, 2)
    mailbox.refuse = "421 4.7.0 Try again later"
    output = run(app)
    assert "0 sent, 2 kept for the next run" in output and "2 waiting" in output
    assert "421 4.7.0 Try again later" in output
    first, second = rows()
    assert (first.status, first.attempts) == (OutboxStatus.QUEUED, 1)
    assert "421" in first.last_error
    assert mailbox.messages == []
    mailbox.refuse = None
    assert "0 queued, 2 sent" in run(app)
    first, second = rows()
    assert (first.status, first.attempts, first.last_error) == (OutboxStatus.SENT, 2, None)
    assert len(mailbox.messages) == 2


def test_a_refused_connection_keeps_it_queued(app, addresses, smtp_port):
    proposals(addresses, 1)
    output = run(app)  # nobody listens on the port yet
    assert "0 sent, 1 kept for the next run" in output
    row = rows()[0]
    assert row.status is OutboxStatus.QUEUED and "ConnectionRefusedError" in row.last_error
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert "1 sent" in run(app)
    finally:
        controller.stop()
    assert len(box.to("intaker@example.nl")) == 1


def test_a_permanent_refusal_fails_that_message_only(app, addresses, mailbox):
    proposals(addresses, 1)
    make_stage(addresses, goes_candidate(addresses, buddy=None, last_name="Ander"),
               "Stichting Welzijn De Bevelanden", StageKind.INTAKE)
    mailbox.refuse_for["intaker@example.nl"] = "550 5.1.1 No such user"
    assert "1 sent, 0 kept for the next run, 1 failed" in run(app)
    failed = [row for row in rows() if row.status is OutboxStatus.FAILED]
    assert [row.email for row in failed] == ["intaker@example.nl"]
    assert "550" in failed[0].last_error
    mailbox.refuse_for.clear()
    run(app)
    assert mailbox.to("intaker@example.nl") == []  # not tried again


def test_temporary_failures_end_after_the_maximum_attempts(app, addresses, mailbox):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 2
    proposals(addresses, 1)
    mailbox.refuse = "451 4.3.0 Local problem"
    run(app)
    assert rows()[0].status is OutboxStatus.QUEUED
    assert "1 failed" in run(app)
    assert rows()[0].status is OutboxStatus.FAILED


def test_starttls_the_server_does_not_offer_keeps_it_queued(app, addresses, mailbox):
    """A server that speaks neither STARTTLS nor TLS: the message waits (a successful
    STARTTLS or TLS session, and a certificate refused: test_tls.py)."""
    app.config["SMTP_SECURITY"] = "starttls"
    proposals(addresses, 1)
    output = run(app)
    assert "1 kept for the next run" in output and "STARTTLS" in output
    assert rows()[0].status is OutboxStatus.QUEUED and mailbox.messages == []


def test_tls_to_a_plain_server_keeps_it_queued(app, addresses, mailbox):
    app.config["SMTP_SECURITY"] = "tls"
    proposals(addresses, 1)
    assert "1 kept for the next run" in run(app)
    assert rows()[0].status is OutboxStatus.QUEUED and mailbox.messages == []


def test_login_is_sent_when_a_user_is_set(app, addresses, mailbox):
    """A user and password over a plain connection: aiosmtpd refuses AUTH without TLS,
    so the run keeps the message (the operator sees the server's answer)."""
    app.config.update(SMTP_USER="trajectory", SMTP_PASSWORD="geheim-123")
    proposals(addresses, 1)
    output = run(app)
    assert "1 kept for the next run" in output
    assert rows()[0].status is OutboxStatus.QUEUED


@pytest.mark.parametrize(("name", "value", "word"), [
    ("SMTP_HOST", None, "TRAJECTORY_SMTP_HOST"),
    ("MAIL_FROM", None, "TRAJECTORY_MAIL_FROM"),
    ("BASE_URL", None, "TRAJECTORY_BASE_URL"),
    ("SMTP_USER", "alleen-een-naam", "TRAJECTORY_SMTP_PASSWORD"),
])
def test_a_missing_setting_is_one_line_and_exit_2(app, name, value, word):
    app.config[name] = value
    result = app.test_cli_runner().invoke(args=["notify", "send-due"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fout: ") and word in lines[0]


@pytest.mark.parametrize(("name", "value", "word"), [
    ("SMTP_SECURITY", "ssl", "TRAJECTORY_SMTP_SECURITY"),
    ("SMTP_PORT", 70000, "TRAJECTORY_SMTP_PORT"),
    ("SMTP_PORT", "poort", "TRAJECTORY_SMTP_PORT"),
    ("MAIL_FROM", "geen adres", "TRAJECTORY_MAIL_FROM"),
    ("BASE_URL", "trajectory.example.nl", "TRAJECTORY_BASE_URL"),
    ("NOTIFY_DIGEST_HOUR", 25, "TRAJECTORY_NOTIFY_DIGEST_HOUR"),
])
def test_a_wrong_value_stops_the_app_at_startup(app_config, name, value, word):
    with pytest.raises(mail.MailConfigurationError, match=word):
        create_app({**app_config, name: value})


def test_outside_the_tests_a_wrong_value_is_one_line_without_a_traceback(tmp_path):
    env = {**os.environ, "TRAJECTORY_SMTP_SECURITY": "ssl",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
           "TRAJECTORY_SECRET_KEY": "k" * 48}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "trajectory", "notify",
                             "send-due"], env=env, capture_output=True, text=True, timeout=120,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "fout: TRAJECTORY_SMTP_SECURITY moet none, starttls of tls zijn, niet 'ssl'."]


def test_a_password_that_looks_like_a_number_stays_text(monkeypatch):
    monkeypatch.setenv("TRAJECTORY_SMTP_PASSWORD", "000123")
    smtp = mail.settings({**mail.SETTINGS_DEFAULTS, "SMTP_HOST": "mail.example.nl",
                          "MAIL_FROM": "t@example.nl", "BASE_URL": "https://t.example.nl",
                          "SMTP_USER": "t", "SMTP_PASSWORD": 123})
    assert smtp.password == "000123" and smtp.port == 587


def test_an_account_deactivated_after_queueing_is_not_mailed(app, addresses, mailbox):
    proposals(addresses, 1)
    services.queue_due(mail.settings(app.config))
    addresses.user("intaker").active = False
    db.session.commit()
    assert "0 sent, 0 kept for the next run, 1 failed" in run(app)
    assert mailbox.messages == [] and "niet actief" in rows()[0].last_error


def test_a_changed_address_is_used_and_recorded(app, addresses, mailbox):
    proposals(addresses, 1)
    services.queue_due(mail.settings(app.config))
    addresses.user("intaker").email = "f.elamrani@example.org"
    db.session.commit()
    run(app)
    assert len(mailbox.to("f.elamrani@example.org")) == 1
    assert rows()[0].email == "f.elamrani@example.org"
