"""Account actions. They change objects and flush; the request commits once."""

from __future__ import annotations

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password, needs_rehash, verify_password
from trajectory.extensions import db
from trajectory.timeutil import utcnow

# Verifying against a dummy hash when the account does not exist keeps the
# answer time the same, so timing does not reveal which accounts exist.
_DUMMY_HASH: dict[str, str] = {}


def find_user(username: str) -> User | None:
    return db.session.scalars(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    ).first()


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (one answer for every failure)."""
    user = find_user(username)
    if user is None:
        dummy = _DUMMY_HASH.setdefault("hash", hash_password("dummy-password-for-timing"))
        verify_password(dummy, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def record_login(user: User) -> None:
    """The login is complete (password and, when enrolled, the second factor)."""
    user.last_login_at = utcnow()
    db.session.flush()


def set_password(user: User, password: str, *, temporary: bool = False) -> None:
    """Store a new password and end every other session of the user."""
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    user.end_all_sessions()
    db.session.flush()
