"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the e-mail tests, and the app set to
send through it."""

from __future__ import annotations

import email
import socket
import threading
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import base_config
from trajectory.timeutil import AMSTERDAM

BASE_URL = "https://trajectory.example.nl"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the server received; ``refuse`` (e.g. ``"421 4.7.0 Try again later"``) is the
    answer to every RCPT while set, ``refuse_for`` per address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.refuse_for: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refuse or self.refuse_for.get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def app_config(database_uri, smtp_port) -> dict:
    return {**base_config(database_uri), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port,
            "SMTP_SECURITY": "none", "MAIL_FROM": "Trajectory <trajectory@example.nl>",
            "BASE_URL": BASE_URL}


def at(day: date, hour: int = 8) -> datetime:
    """A moment of that Dutch day, in UTC (the digests go out from 07:00)."""
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM).astimezone(UTC)


def body(message: EmailMessage) -> str:
    return message.get_content()
