"""Issuing, revoking and resolving API tokens; the principal a token acts as."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.api.models import PERSONAL_ROLES, TOKEN_ROLES, ApiToken, Scope
from trajectory.auth.models import User
from trajectory.auth.roles import Role, role_fits
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError
from trajectory.timeutil import utcnow

TOKEN_PREFIX = "trj_"  # noqa: S105 (a marker, not a secret)
MAX_DAYS = 730


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, organisation: Organisation, client_name: str, acts_as: Role,
                scopes: set[str], days: int, issued_by,
                user: User | None = None) -> tuple[ApiToken, str]:
    """A new token for ``organisation``; the plain token is returned once, never stored.
    A buddy's token names the buddy's account (``user``): the app is that person's."""
    client_name = client_name.strip()
    if not client_name:
        raise ServiceError(_("Name the client application."), "client_name")
    if acts_as not in TOKEN_ROLES or not role_fits(acts_as, organisation.kind):
        raise ServiceError(_("This organisation cannot hold that role."), "acts_as")
    if acts_as in PERSONAL_ROLES:
        if user is None or not user.active or user.organisation_id != organisation.id \
                or not user.has_role(acts_as):
            raise ServiceError(_("Choose the active buddy account of this organisation whose "
                                 "app gets the token."), "user")
    elif user is not None:
        raise ServiceError(_("Only a buddy's token belongs to one account."), "user")
    unknown = set(scopes) - {s.value for s in Scope}
    if not scopes or unknown:
        raise ServiceError(_("Choose at least one scope."), "scopes")
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("A token is valid for 1 to 730 days."), "days")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation=organisation, user=user, client_name=client_name,
                     acts_as=acts_as,
                     scopes=" ".join(sorted(scopes)), token_hash=hash_token(plain),
                     prefix=plain[:10], created_by_id=getattr(issued_by, "id", None),
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def find_token(plain: str) -> ApiToken | None:
    """The token row for a presented token, usable or not (the caller says why not)."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))


@dataclass
class ApiPrincipal:
    """A client application acting as one role of its organisation. It offers what the
    scope filters and the need-to-know builders read of a user (roles, organisation), so
    the API's rows and fields are the pages' rows and fields for that role."""

    token: ApiToken

    @property
    def id(self) -> int | None:
        """A system's token has no account (the log lines name the client application);
        a buddy's token is that buddy's, whose id the buddy's scope rules read."""
        return self.token.user_id
    is_authenticated = True
    is_active = True
    is_anonymous = False
    must_change_password = False

    @property
    def username(self) -> str:
        return f"api:{self.token.id}:{self.token.client_name}"[:64]

    @property
    def full_name(self) -> str:
        return self.token.client_name

    @property
    def organisation(self) -> Organisation:
        return self.token.organisation

    @property
    def organisation_id(self) -> int:
        return self.token.organisation_id

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({self.token.acts_as})

    def has_role(self, *roles: Role) -> bool:
        return self.token.acts_as in roles

    @property
    def is_regional(self) -> bool:
        return self.organisation.is_region

    @property
    def scopes(self) -> frozenset[str]:
        return self.token.scope_set

    def get_id(self) -> str:
        return self.username


def record_use(token: ApiToken, now: datetime | None = None) -> None:
    """Last use, written at most once a minute per token (no write on every call)."""
    now = now or utcnow()
    last = token.last_used_at
    if last is None or (now - (last if last.tzinfo else last.replace(tzinfo=now.tzinfo))
                        ) > timedelta(minutes=1):
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
        db.session.commit()  # like a security event: kept whatever the call does next
