"""``flask --app trajectory demo``: load the demo world into an empty database."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import database_is_empty, load_demo
from trajectory.extensions import db


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already has data.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load made-up demo data (organisations, accounts, candidates ...)."""
    if not database_is_empty():
        if if_empty:
            click.echo("De database bevat al gegevens; demo niet opnieuw geladen.")
            return
        click.echo("fout: de database is niet leeg; de demo laadt alleen in een lege database",
                   err=True)
        sys.exit(2)
    with acting_as(Actor(user_id=None, name="demo", organisation_id=None)):
        load_demo()
        db.session.commit()
    click.echo("Demogegevens geladen. Inloggen met bijvoorbeeld 'klantmanager' en wachtwoord "
               "'demo-trajectory-2026'.")
