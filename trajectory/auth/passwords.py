"""Password hashing (argon2id) and the password policy.

Werkzeug's default scrypt parameters are below OWASP ASVS 5, so argon2-cffi
is used, with its RFC 9106 defaults unless configured; a hash made with older
parameters is replaced at the next successful login.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

# Words that make a password guessable in this context (ASVS 6.2.11).
CONTEXT_WORDS = (
    "trajectory", "trajectorie", "oosterschelde", "wachtwoord", "password",
    "welkom", "noord-beveland", "kapelle", "reimerswaal", "borsele", "goes",
    "schouwen-duiveland", "tholen", "zeeland", "123456789012",
)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    params = {
        "time_cost": cfg.get("ARGON2_TIME_COST"),
        "memory_cost": cfg.get("ARGON2_MEMORY_COST"),
        "parallelism": cfg.get("ARGON2_PARALLELISM"),
    }
    return PasswordHasher(**{k: v for k, v in params.items() if v})


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is not acceptable, in Dutch, or None when it is fine.

    Length over composition rules (ASVS 6.2): at least 12 characters, at most
    128, and not built around the user name or an obvious local word.
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)d characters.", n=minimum)
    if len(password) > 128:
        return _("Use at most 128 characters.")
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return _("Do not use your user name in your password.")
    stripped = "".join(ch for ch in lowered if ch.isalpha() or ch == "-")
    for word in CONTEXT_WORDS:
        if lowered == word or (len(stripped) <= len(word) + 3 and word in stripped):
            return _("This password is too easy to guess. Choose a longer sentence of your own.")
    if len(set(password)) < 5:
        return _("This password is too easy to guess. Choose a longer sentence of your own.")
    return None
