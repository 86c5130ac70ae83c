"""The SMTP side: the settings, checked once, and one connection per run.

A failure is *temporary* (the message stays queued and the next run tries again) when the
server answers 4xx, refuses or drops the connection, or cannot be reached; *permanent*
when it answers 5xx to this message (an unknown recipient, a refused sender or body). A
5xx before any message (login refused, STARTTLS not offered) is a problem of the
server's settings, not of the message: temporary too, so nothing is lost while an
operator fixes it.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

SECURITIES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT_SECONDS = 30

SETTINGS_DEFAULTS: dict[str, Any] = {
    "SMTP_HOST": None,
    "SMTP_PORT": None,          # 25, 587 or 465 after the security
    "SMTP_SECURITY": "starttls",
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_CA_FILE": None,       # PEM CA bundle trusted instead of the system's (own CA)
    "MAIL_FROM": None,
    "BASE_URL": None,           # the links in the e-mails: https://trajectory.example.nl
    "NOTIFY_CYCLE_DAYS_BEFORE": 14,
    "NOTIFY_DIGEST_HOUR": 7,
    "NOTIFY_MAX_ATTEMPTS": 20,
}


class MailConfigurationError(RuntimeError):
    """A setting of the e-mail is wrong: one line that names it."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str
    base_url: str
    ca_file: str | None = None


def _raw(config: dict, name: str) -> Any:
    """A text setting as typed: the environment's JSON decoding would make a password
    ``123456`` a number (and ``1e3`` another one)."""
    value = config.get(name)
    env = os.environ.get(f"TRAJECTORY_{name}")
    if value is not None and not isinstance(value, str) and env is not None:
        return env
    return None if value is None else str(value)


def check(config: dict) -> None:
    """The values given are valid (at startup; nothing set is valid: e-mail is off)."""
    security = config.get("SMTP_SECURITY")
    if security not in SECURITIES:
        raise MailConfigurationError(
            f"TRAJECTORY_SMTP_SECURITY moet none, starttls of tls zijn, niet {security!r}.")
    port = config.get("SMTP_PORT")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)
                             or not 1 <= port <= 65535):
        raise MailConfigurationError(
            f"TRAJECTORY_SMTP_PORT moet een poortnummer van 1 tot 65535 zijn, niet {port!r}.")
    ca_file = _raw(config, "SMTP_CA_FILE")
    if ca_file:
        try:
            tls_context(ca_file)
        except OSError as error:  # ssl.SSLError is one too
            reason = ("er staat geen certificaat (PEM) in" if isinstance(error, ssl.SSLError)
                      else "het bestand is er niet" if isinstance(error, FileNotFoundError)
                      else "het is geen leesbaar bestand")
            raise MailConfigurationError(
                f"TRAJECTORY_SMTP_CA_FILE {ca_file!r} is niet te gebruiken: {reason}.") from None
    sender = _raw(config, "MAIL_FROM")
    if sender is not None:
        _name, address = parseaddr(sender)
        if "@" not in address or " " in address:
            raise MailConfigurationError(
                f"TRAJECTORY_MAIL_FROM is geen e-mailadres: {sender!r}.")
    base = _raw(config, "BASE_URL")
    if base is not None and not base.startswith(("https://", "http://")):
        raise MailConfigurationError(
            f"TRAJECTORY_BASE_URL moet met https:// beginnen: {base!r}.")
    for name in ("NOTIFY_CYCLE_DAYS_BEFORE", "NOTIFY_DIGEST_HOUR", "NOTIFY_MAX_ATTEMPTS"):
        value = config.get(name)
        limit = 23 if name == "NOTIFY_DIGEST_HOUR" else 365
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise MailConfigurationError(
                f"TRAJECTORY_{name} moet een geheel getal van 0 tot {limit} zijn, "
                f"niet {value!r}.")


def settings(config: dict) -> SmtpSettings:
    """What sending needs; a missing host, sender or base URL is one clear line."""
    check(config)
    host = _raw(config, "SMTP_HOST")
    for name, value in (("SMTP_HOST", host), ("MAIL_FROM", _raw(config, "MAIL_FROM")),
                        ("BASE_URL", _raw(config, "BASE_URL"))):
        if not value:
            raise MailConfigurationError(
                f"TRAJECTORY_{name} is niet ingesteld: zonder kan er geen e-mail weg "
                "(docs/notifications.md).")
    security = config["SMTP_SECURITY"]
    user, password = _raw(config, "SMTP_USER"), _raw(config, "SMTP_PASSWORD")
    if bool(user) != bool(password):
        raise MailConfigurationError(
            "TRAJECTORY_SMTP_USER en TRAJECTORY_SMTP_PASSWORD horen samen: geef ze allebei "
            "of geen van beide.")
    return SmtpSettings(host=host, port=config.get("SMTP_PORT") or DEFAULT_PORTS[security],
                        security=security, user=user or None, password=password or None,
                        sender=_raw(config, "MAIL_FROM"),
                        base_url=_raw(config, "BASE_URL").rstrip("/"),
                        ca_file=_raw(config, "SMTP_CA_FILE") or None)


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Certificate and host name always checked; ``ca_file`` (a mail server with the
    municipality's own CA) is trusted in place of the system's CAs, not besides them."""
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return ssl.create_default_context()


class TemporaryFailure(Exception):
    """Try again on the next run; ``unreachable``: the server could not be reached or set
    up (the run stops: every other message would fail the same way)."""

    def __init__(self, detail: str, unreachable: bool = False) -> None:
        super().__init__(detail)
        self.unreachable = unreachable


class PermanentFailure(Exception):
    """The server will never take this message."""


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {text}"[:480]
    return f"{type(error).__name__}: {error}"[:480]


class Connection:
    """One SMTP session for a run, opened at the first message."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self.client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.smtp
        context = tls_context(s.ca_file)
        client: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS,
                                          context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if s.security == "starttls":
                    client.starttls(context=context)
            if s.user:
                client.login(s.user, s.password or "")
        except (OSError, smtplib.SMTPException) as error:
            if client is not None:
                client.close()
            raise TemporaryFailure(_describe(error), unreachable=True) from error
        return client

    def send(self, message: EmailMessage) -> None:
        if self.client is None:
            self.client = self._open()
        try:
            refused = self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            detail = "; ".join(f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
                               for code, text in error.recipients.values())[:480]
            self.close()  # a 421 closes the session; after any refusal: start afresh
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(detail) from error
            raise TemporaryFailure(detail) from error
        except smtplib.SMTPResponseException as error:
            self.close()  # the session's state is unknown after a refusal: start afresh
            if error.smtp_code >= 500:
                raise PermanentFailure(_describe(error)) from error
            raise TemporaryFailure(_describe(error)) from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(_describe(error)) from error
        if refused:  # pragma: no cover - one recipient per message
            raise PermanentFailure(str(refused)[:480])

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.client.quit()
            with contextlib.suppress(OSError):
                self.client.close()
            self.client = None


def build(smtp: SmtpSettings, to: str, subject: str, body: str, key: str) -> EmailMessage:
    """A plain-text message (UTF-8), with the message's key as a header for support."""
    message = EmailMessage()
    name, address = parseaddr(smtp.sender)
    message["From"] = formataddr((name, address)) if name else address
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message["X-Trajectory-Key"] = key
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message
