"""``flask --app trajectory demo``: load the demo world into an empty database, and
with ``--candidates N`` add a generated region of N candidates to it
(``trajectory.demo.generator``)."""

from __future__ import annotations

import sys
import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from trajectory.audit.trail import Actor, acting_as
from trajectory.demo.data import database_is_empty, load_demo
from trajectory.extensions import db


def _fail(message: str) -> None:
    click.echo(f"fout: {message}", err=True)
    sys.exit(2)


def _analyze() -> None:
    """PostgreSQL: planner statistics right after the bulk load. Without them (autovacuum
    off, or not yet come round) the planner takes the new tables for nearly empty and scans
    them whole: the cohort page read every stored stage value of a 20,000-candidate region
    to show six people (docs/performance.md)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and succeed) when the database already has data.")
@click.option("--candidates", "candidates", default=None, metavar="N",
              help="Add N generated candidates (loads the demo first in an empty database).")
@click.option("--seed", default="1", show_default=True,
              help="Seed of the generated candidates: the same N and seed give the same rows.")
@with_appcontext
def demo_command(if_empty: bool, candidates: str | None, seed: str) -> None:
    """Load made-up demo data (organisations, accounts, candidates ...)."""
    from trajectory.demo.generator import GeneratorError, check_count, generate

    count = None
    if candidates is not None:
        try:
            count = check_count(candidates)
        except GeneratorError as error:
            _fail(str(error))
        try:
            seed_value = int(seed)
        except ValueError:
            _fail(f"de seed moet een geheel getal zijn, niet {seed!r}")
    empty = database_is_empty()
    if not empty and if_empty:
        click.echo("De database bevat al gegevens; demo niet opnieuw geladen.")
        return
    if not empty and count is None:
        _fail("de database is niet leeg; de demo laadt alleen in een lege database")
    if empty:
        with acting_as(Actor(user_id=None, name="demo", organisation_id=None)):
            load_demo()
            db.session.commit()
        click.echo("Demogegevens geladen. Inloggen met bijvoorbeeld 'klantmanager' en wachtwoord "
                   "'demo-trajectory-2026'.")
    if count is None:
        return
    started = time.monotonic()
    try:
        counts = generate(count, seed_value, progress=click.echo)
    except GeneratorError as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    _analyze()
    rows = sum(counts.values())
    parts = ", ".join(f"{table} {number}" for table, number in counts.items())
    click.echo(f"Klaar: {count} kandidaten gegenereerd (seed {seed_value}), {rows} rijen in "
               f"{time.monotonic() - started:.1f} s: {parts}")
