"""STARTTLS and TLS against a real server: aiosmtpd on 127.0.0.1 with a certificate of a
CA made here (``cryptography``), trusted through ``TRAJECTORY_SMTP_CA_FILE`` as a
municipality's own CA would be. The client checks certificate and host name as in
production; a certificate it does not trust, or a server without STARTTLS, keeps the
message queued and nothing goes out in plain text."""

from __future__ import annotations

import ipaddress
import re
import ssl
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.notify.conftest import Mailbox
from tests.notify.test_delivery import addresses, proposals, rows  # noqa: F401 - fixture
from tests.notify.test_kinds import run
from trajectory import create_app
from trajectory.notify import mail
from trajectory.notify.models import OutboxStatus


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject: str, key, issuer: str, issuer_key, *, ca: bool,
                 names: list[x509.GeneralName] | None = None) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(hours=1))
               .not_valid_after(now + timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """A CA (its PEM in ``ca_file``) and server certificates signed by it; ``other_ca_file``
    is a second CA that signed nothing here."""

    def __init__(self, folder) -> None:
        self.folder = folder
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = _certificate("Gemeente Test CA", self.ca_key, "Gemeente Test CA",
                               self.ca_key, ca=True)
        self.ca_file = self._write("ca.pem", self.ca.public_bytes(serialization.Encoding.PEM))
        other_key = ec.generate_private_key(ec.SECP256R1())
        other = _certificate("Andere CA", other_key, "Andere CA", other_key, ca=True)
        self.other_ca_file = self._write("other-ca.pem",
                                         other.public_bytes(serialization.Encoding.PEM))

    def _write(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)

    def server_context(self, *names: str) -> ssl.SSLContext:
        """The server's side: a certificate for ``names`` (host names or IP addresses)."""
        key = ec.generate_private_key(ec.SECP256R1())
        general: list[x509.GeneralName] = []
        for name in names:
            try:
                general.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                general.append(x509.DNSName(name))
        leaf = _certificate(names[0], key, "Gemeente Test CA", self.ca_key, ca=False,
                            names=general)
        stem = names[0].replace(".", "-")
        cert_file = self._write(f"{stem}.pem", leaf.public_bytes(serialization.Encoding.PEM))
        key_file = self._write(f"{stem}.key", key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        return context


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


class TlsMailbox(Mailbox):
    """Also records every MAIL command and whether each message came over TLS."""

    def __init__(self) -> None:
        super().__init__()
        self.mail_from: list[tuple[str, bool]] = []
        self.over_tls: list[bool] = []

    @staticmethod
    def _tls(server) -> bool:
        return server.transport.get_extra_info("ssl_object") is not None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_from.append((address, self._tls(server)))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.over_tls.append(self._tls(server))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def serve(smtp_port):
    """``serve(**controller_options)``: a TlsMailbox on the test's port, stopped after."""
    controllers = []

    def start(**options) -> TlsMailbox:
        box = TlsMailbox()
        controller = Controller(box, hostname="127.0.0.1", port=smtp_port, **options)
        controller.start()
        controllers.append(controller)
        return box

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def app_config(app_config, pki) -> dict:
    return {**app_config, "SMTP_CA_FILE": pki.ca_file}


def test_starttls_delivers_over_tls(app, addresses, serve, pki):  # noqa: F811
    box = serve(tls_context=pki.server_context("127.0.0.1", "localhost"),
                require_starttls=True)
    app.config["SMTP_SECURITY"] = "starttls"
    proposals(addresses, 2)
    assert "2 sent, 0 kept for the next run, 0 failed, 0 waiting" in run(app)
    assert len(box.to("intaker@example.nl")) == 2
    assert box.over_tls == [True, True]
    assert [row.status for row in rows()] == [OutboxStatus.SENT] * 2


def test_implicit_tls_delivers(app, addresses, serve, pki):  # noqa: F811
    box = serve(ssl_context=pki.server_context("127.0.0.1"))
    app.config["SMTP_SECURITY"] = "tls"
    proposals(addresses, 1)
    assert "1 sent, 0 kept for the next run" in run(app)
    [message] = box.to("intaker@example.nl")
    assert message["X-Trajectory-Key"] == rows()[0].key
    assert box.over_tls == [True] and rows()[0].status is OutboxStatus.SENT


def test_the_host_name_is_checked_too(app, addresses, serve, pki):  # noqa: F811
    """A certificate of the trusted CA, but for ``localhost`` only: connecting to
    127.0.0.1 it is refused."""
    box = serve(ssl_context=pki.server_context("localhost"))
    app.config["SMTP_SECURITY"] = "tls"
    proposals(addresses, 1)
    output = run(app)
    assert "0 sent, 1 kept for the next run" in output and "CERTIFICATE_VERIFY_FAILED" in output
    row = rows()[0]
    assert row.status is OutboxStatus.QUEUED and "127.0.0.1" in row.last_error
    assert box.mail_from == [] and box.messages == []


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_an_untrusted_certificate_keeps_it_queued_and_sends_nothing(
        app, addresses, serve, pki, security):  # noqa: F811
    """The client trusts another CA. The STARTTLS server does not insist on TLS here,
    so a client that carried on in plain text after the refusal would be seen."""
    context = pki.server_context("127.0.0.1")
    box = serve(ssl_context=context) if security == "tls" else serve(tls_context=context)
    app.config.update(SMTP_SECURITY=security, SMTP_CA_FILE=pki.other_ca_file)
    proposals(addresses, 2)
    output = run(app)
    assert "0 sent, 1 kept for the next run, 0 failed, 2 waiting" in output
    assert "CERTIFICATE_VERIFY_FAILED" in output
    first, second = rows()
    assert first.status is OutboxStatus.QUEUED and second.status is OutboxStatus.QUEUED
    assert "SSLCertVerificationError" in first.last_error
    assert "certificate verify failed" in first.last_error
    assert (first.attempts, second.attempts) == (1, 0)  # the run stopped at the first
    assert box.mail_from == [] and box.messages == []
    app.config["SMTP_CA_FILE"] = pki.ca_file  # the operator fixes the setting
    assert "2 sent" in run(app)
    assert box.over_tls == [True, True]


def test_without_the_ca_file_the_system_cas_do_not_trust_it(app, addresses, serve, pki):  # noqa: F811
    box = serve(tls_context=pki.server_context("127.0.0.1"))
    app.config.update(SMTP_SECURITY="starttls", SMTP_CA_FILE=None)
    proposals(addresses, 1)
    assert "1 kept for the next run" in run(app)
    assert "certificate verify failed" in rows()[0].last_error
    assert box.mail_from == []


def test_starttls_not_offered_is_no_fallback_to_plain(app, addresses, serve):  # noqa: F811
    """The server takes mail in plain text and offers no STARTTLS: the client asked for
    STARTTLS, so it sends nothing rather than carrying on unencrypted."""
    box = serve()
    app.config["SMTP_SECURITY"] = "starttls"
    proposals(addresses, 1)
    output = run(app)
    assert "0 sent, 1 kept for the next run" in output and "STARTTLS" in output
    row = rows()[0]
    assert row.status is OutboxStatus.QUEUED and "STARTTLS" in row.last_error
    assert box.mail_from == [] and box.messages == []


class Accounts:
    """aiosmtpd's authenticator: one account, and what was tried."""

    def __init__(self) -> None:
        self.tried: list[tuple[str, str, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"trajectory"
              and auth_data.password == b"000123")
        self.tried.append((mechanism, auth_data.login.decode(), server.transport
                           .get_extra_info("ssl_object") is not None))
        return AuthResult(success=ok, handled=False)


def test_login_over_starttls(app, addresses, serve, pki):  # noqa: F811
    """A user and password go only over the upgraded connection (aiosmtpd offers AUTH
    after STARTTLS only); a wrong password keeps the message queued with the answer."""
    accounts = Accounts()
    box = serve(tls_context=pki.server_context("127.0.0.1"), require_starttls=True,
                authenticator=accounts, auth_required=True)
    app.config.update(SMTP_SECURITY="starttls", SMTP_USER="trajectory",
                      SMTP_PASSWORD="fout")
    proposals(addresses, 1)
    output = run(app)
    assert "1 kept for the next run" in output and "535" in output
    assert box.messages == []
    app.config["SMTP_PASSWORD"] = "000123"
    assert "1 sent" in run(app)
    assert len(box.to("intaker@example.nl")) == 1 and box.over_tls == [True]
    # smtplib tries PLAIN, then LOGIN with the wrong password; all of it inside TLS
    assert [mechanism for mechanism, _login, _tls in accounts.tried] == [
        "PLAIN", "LOGIN", "PLAIN"]
    assert {(login, tls) for _mechanism, login, tls in accounts.tried} == {("trajectory", True)}


@pytest.mark.parametrize(("content", "reason"), [
    (None, "het bestand is er niet"),
    (b"geen certificaat\n", "er staat geen certificaat (PEM) in"),
])
def test_a_ca_file_that_cannot_be_used_stops_the_app_at_startup(app_config, tmp_path,
                                                                 content, reason):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(mail.MailConfigurationError,
                       match=rf"^TRAJECTORY_SMTP_CA_FILE .* {re.escape(reason)}"):
        create_app({**app_config, "SMTP_CA_FILE": str(path)})
