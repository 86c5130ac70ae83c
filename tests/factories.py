"""Test data builders: plain functions over the real services and models."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role
from trajectory.demo import data as demo
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind

PASSWORD = demo.DEMO_PASSWORD


@dataclass
class World:
    """The demo organisations and accounts, by name."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def org(self, name: str) -> Organisation:
        return self.organisations[name]

    def user(self, username: str) -> User:
        return self.users[username]


def build_world() -> World:
    """The base demo data without the feature steps: organisations and accounts."""
    steps = list(demo.DEMO_STEPS)
    demo.DEMO_STEPS.clear()
    try:
        demo.load_demo()
    finally:
        demo.DEMO_STEPS.extend(steps)
    db.session.commit()
    return load_world()


def load_world() -> World:
    """The world as it is in the database."""
    world = World()
    world.organisations = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    world.users = {u.username: u for u in db.session.scalars(sa.select(User))}
    return world


def make_organisation(name: str, kind: OrganisationKind = OrganisationKind.PROVIDER) -> Organisation:
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(username: str, organisation: Organisation, *roles: Role,
              password: str = PASSWORD, active: bool = True, full_name: str | None = None) -> User:
    user = User(username=username, full_name=full_name or username.title(),
                organisation=organisation, password_hash=hash_password(password), active=active)
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.commit()
    return user
