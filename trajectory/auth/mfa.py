"""The second factor: TOTP (RFC 6238, SHA-1, 6 digits, 30 s) and recovery codes.

* The secret is stored encrypted (Fernet, with a key derived from SECRET_KEY by
  HKDF-SHA256), so a database dump alone does not give it away. Changing
  SECRET_KEY makes the stored secrets unreadable: every user then enrols again
  (an administrator resets the second factor).
* A code is accepted for the current time step and one step either side (clock
  drift), and only for a step later than the last one accepted for that user,
  so a code that was used once is refused (``totp_last_step``, updated with one
  conditional UPDATE, so two processes cannot both accept it).
* Ten recovery codes are shown once at enrolment and stored as SHA-256 hashes
  (they are random, 50 bits each); each works once.

Services here change objects and flush; the view commits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from trajectory.auth.models import RecoveryCode, User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.timeutil import utcnow

ISSUER = "Trajectory"
STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# The roles that must have a second factor before they can open any page.
MANDATORY_ROLES = frozenset({Role.BEHEERDER, Role.SROI_ADVISEUR, Role.COORDINATOR})
# The published secret of every demo account (shown on the login page in demo mode).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo secret

_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class _DemoTOTP(pyotp.TOTP):
    """The published demo secret is 80 bits, below pyotp's minimum of 112 for new
    secrets (which are 160 bits); it is accepted for the demo accounts only."""

    min_secret_length_bits = 80


def totp(secret: str) -> pyotp.TOTP:
    cls = _DemoTOTP if secret == DEMO_TOTP_SECRET else pyotp.TOTP
    return cls(secret, digits=DIGITS, interval=STEP_SECONDS)


def clock() -> float:
    """Now, as unix time (a function so tests can move it)."""
    return time.time()


# ------------------------------------------------------------ the secret

def _fernet() -> Fernet:
    key = str(current_app.config["SECRET_KEY"]).encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"trajectory-mfa",
                   info=b"totp-secret-v1").derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(stored: str | None) -> str | None:
    if not stored:
        return None
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        current_app.logger.error("a stored TOTP secret cannot be decrypted (SECRET_KEY changed?)")
        return None


def requires_mfa(user: User) -> bool:
    return bool(user.roles & MANDATORY_ROLES)


def needs_enrolment(user: User) -> bool:
    """Logged in with a role that must have a second factor, and none set up yet."""
    return requires_mfa(user) and not user.mfa_enrolled


# ------------------------------------------------------------ enrolment

def pending_secret(user: User) -> str:
    """The secret being set up (created on first use; flushes)."""
    secret = decrypt_secret(user.totp_secret) if not user.mfa_enrolled else None
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = encrypt_secret(secret)
        user.totp_enrolled_at = None
        user.totp_last_step = None
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    return totp(secret).provisioning_uri(
        name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(text: str) -> str:
    """A QR code drawn on the server, as a data: URI for an <img> (CSP allows data:)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Finish setting up with a first code from the app: the recovery codes, or None."""
    if user.mfa_enrolled or not verify_totp(user, code):
        return None
    user.totp_enrolled_at = utcnow()
    db.session.flush()
    return new_recovery_codes(user)


def enrol_with_secret(user: User, secret: str) -> None:
    """Enrol ``user`` with a known secret (the demo accounts); flushes."""
    user.totp_secret = encrypt_secret(secret)
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = None
    db.session.flush()


def remove_second_factor(user: User) -> None:
    """Forget the secret and the recovery codes (disable, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# ------------------------------------------------------------ checking codes

def normalise(code: str | None) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()[:64]


def verify_totp(user: User, code: str | None, *, now: float | None = None) -> bool:
    """True once for a correct code of a step not used before (records the step)."""
    code = normalise(code)
    if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
        return False
    secret = decrypt_secret(user.totp_secret)
    if secret is None:
        return False
    generator = totp(secret)
    current = int((clock() if now is None else now) // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(generator.at(step * STEP_SECONDS), code):
            return _claim_step(user, step)
    return False


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used, unless it (or a later one) was used already."""
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user.id,
               sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.expire(user, ["totp_last_step"])
    return True


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (shown once); flushes."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str | None) -> bool:
    """True once per recovery code (marks it used)."""
    normalised = normalise(code)
    if len(normalised) != 10:
        return False
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
               RecoveryCode.code_hash == _hash_recovery(normalised))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id))
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def verify_second_factor(user: User, code: str | None) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is accepted, else None."""
    if not user.mfa_enrolled:
        return None
    if verify_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None
