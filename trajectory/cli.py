"""``flask --app trajectory user create``: the first administrator on a fresh install."""

from __future__ import annotations

import re
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from trajectory.admin.forms import USERNAME_PATTERN
from trajectory.admin.services import role_combination_problem
from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.models import User
from trajectory.auth.passwords import password_problem
from trajectory.auth.roles import Role, role_fits
from trajectory.auth.services import set_password
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind

user_cli = AppGroup("user", help="Manage user accounts from the command line.")

CLI_ACTOR = Actor(user_id=None, name="cli", organisation_id=None)


def fail(message: str) -> None:
    """One clear line on stderr, exit status 2."""
    click.echo(f"fout: {message}", err=True)
    sys.exit(2)


@user_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--organisation", "organisation_name", default="Regio Oosterschelde",
              show_default=True, help="Organisation name; created as the region if missing.")
@click.option("--role", "roles", multiple=True, default=["beheerder"], show_default=True,
              type=click.Choice([r.value for r in Role]), help="Role (repeatable).")
@click.option("--email", default=None)
@click.password_option("--password", help="Asked twice when not given.")
def create_user(username: str, full_name: str, organisation_name: str, roles: tuple[str, ...],
                email: str | None, password: str) -> None:
    """Create an account (for example the first administrator)."""
    username = username.strip().lower()
    # No request, so no session to choose a language from: messages in Dutch.
    with acting_as(CLI_ACTOR), force_locale("nl"):
        if not 3 <= len(username) <= 64 or not re.fullmatch(USERNAME_PATTERN, username):
            fail(f"gebruikersnaam '{username}': gebruik 3 tot 64 kleine letters, cijfers, "
                 "punten en streepjes")
        if db.session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username)):
            fail(f"gebruikersnaam '{username}' bestaat al")
        if problem := password_problem(password, username):
            fail(f"wachtwoord: {problem}")
        organisation = db.session.scalars(
            sa.select(Organisation).where(Organisation.name == organisation_name)).first()
        if organisation is None:
            organisation = Organisation(name=organisation_name, kind=OrganisationKind.REGION)
            db.session.add(organisation)
        chosen = {Role(r) for r in roles}
        for role in chosen:
            if not role_fits(role, organisation.kind):
                fail(f"rol '{role.value}' past niet bij organisatie '{organisation.name}'")
        # The command line is trusted (the server's shell), but administering
        # accounts and judging claims stay apart here too.
        if problem := role_combination_problem(chosen):
            fail(f"rollen: {problem}")
        user = User(username=username, full_name=full_name, email=email,
                    organisation=organisation, password_hash="!")  # noqa: S106 - no login until set_password below
        user.set_roles(chosen)
        db.session.add(user)
        set_password(user, password)
        db.session.commit()
    click.echo(f"Gebruiker {username} aangemaakt ({', '.join(sorted(roles))}).")
