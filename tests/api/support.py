"""Tokens for the API tests, issued through the service a beheerder's page uses."""

from __future__ import annotations

from trajectory.api.models import Scope
from trajectory.api.services import issue_token
from trajectory.auth.roles import Role
from trajectory.extensions import db

ALL_SCOPES = {s.value for s in Scope}


def token_for(world, organisation: str, role: Role, scopes=None, *, days: int = 30,
              client_name: str = "Testkoppeling", user: str | None = None
              ) -> tuple[object, str]:
    """(the token row, the plain token), committed. A buddy's token is the account
    ``user``'s (by default the demo buddy, "buddy")."""
    account = world.user(user or "buddy") if role is Role.BUDDY or user else None
    row, plain = issue_token(organisation=world.org(organisation), client_name=client_name,
                             acts_as=role, scopes=set(scopes or ALL_SCOPES), days=days,
                             issued_by=world.user("beheer"), user=account)
    db.session.commit()
    return row, plain


def bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}
