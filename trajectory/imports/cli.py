"""``flask --app trajectory import candidates FILE --municipality NAME [--mapping FILE]
[--commit]``: the import's door for the municipality's scheduled exports.

Prints one JSON document (``rows``, ``valid``, ``written``, ``errors``); without
``--commit`` nothing is written. A file that cannot be used at all (unknown
municipality, unreadable file or mapping) exits 2 with one line on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from trajectory.audit.trail import Actor, acting_as
from trajectory.cli import fail
from trajectory.extensions import db
from trajectory.imports import fields as F
from trajectory.imports import services
from trajectory.imports.parsing import UnreadableFile, read_table
from trajectory.imports.validation import check_candidates, klantmanagers_of
from trajectory.organisations.models import Organisation

import_cli = AppGroup("import", help="Import candidates from a spreadsheet (docs/import.md).")

CLI_ACTOR = Actor(user_id=None, name="cli import", organisation_id=None)


def _mapping_from(path: str) -> dict[str, str]:
    """A JSON object: field name -> the column header in the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        fail(f"koppeling {path}: {error.strerror or error}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        fail(f"koppeling {path}: geen geldige JSON")
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        fail(f"koppeling {path}: verwacht een object van veldnaam naar kolomnaam")
    unknown = sorted(set(data) - set(F.FIELDS_BY_NAME))
    if unknown:
        fail(f"koppeling {path}: onbekende velden {', '.join(unknown)} "
             f"(bekend: {', '.join(F.FIELDS_BY_NAME)})")
    return data


@import_cli.command("candidates")
@click.argument("file")
@click.option("--municipality", "municipality_name", required=True,
              help="The municipality the candidates belong to (its name).")
@click.option("--mapping", "mapping_file", default=None,
              help="JSON file: field name -> column header. Default: the saved mapping.")
@click.option("--klantmanager", "klantmanager_name", default=None,
              help="Client manager (username or name) of rows without one in the file.")
@click.option("--commit", is_flag=True, help="Write the valid rows (else only check).")
def import_candidates(file: str, municipality_name: str, mapping_file: str | None,
                      klantmanager_name: str | None, commit: bool) -> None:
    """Check (and with --commit write) the candidates of a CSV or Excel file."""
    with acting_as(CLI_ACTOR), force_locale("nl"):
        municipality = db.session.scalars(sa.select(Organisation).where(
            sa.func.lower(Organisation.name) == municipality_name.strip().lower())).first()
        if municipality is None or not municipality.is_municipality:
            fail(f"gemeente '{municipality_name}' bestaat niet")
        try:
            content = Path(file).read_bytes()
        except OSError as error:
            fail(f"bestand {file}: {error.strerror or error}")
        try:
            table = read_table(file, content)
        except UnreadableFile as error:
            fail(f"bestand {file}: {error}")
        mapping = (_mapping_from(mapping_file) if mapping_file
                   else services.saved_mapping(municipality))
        found = F.match_columns(table.headers, saved=mapping)
        missing = F.missing_required(found)
        if missing:
            fail(f"bestand {file}: kolommen ontbreken: "
                 + ", ".join(str(spec.label) for spec in missing))
        people = klantmanagers_of(municipality)
        if not people:
            fail(f"gemeente '{municipality.name}' heeft geen actieve klantmanager")
        default = people[0] if len(people) == 1 else None
        if klantmanager_name:
            wanted = " ".join(klantmanager_name.split()).casefold()
            default = next((u for u in people if wanted in (
                u.username.casefold(), " ".join(u.full_name.split()).casefold())), None)
            if default is None:
                fail(f"klantmanager '{klantmanager_name}' is geen actieve klantmanager van "
                     f"{municipality.name}")
        if default is None and "klantmanager" not in found:
            fail("noem de klantmanager: met --klantmanager of in een kolom Klantmanager")
        # The rules are the registration's, for a client manager of this municipality.
        report = check_candidates(default or people[0], table, found,
                                  default_klantmanager=default)
        written = 0
        if commit and report.valid:
            written = len(services.write_candidates(report))
            db.session.commit()
        else:
            db.session.rollback()
        click.echo(json.dumps({"rows": len(table.rows), "valid": report.valid,
                               "written": written, "errors": report.errors()},
                              ensure_ascii=False, indent=1))


@import_cli.command("purge")
def purge_uploads() -> None:
    """Remove uploaded files nobody confirmed within a day (personal data; also done at
    every upload). For the scheduler, next to ``notify send-due``."""
    removed = services.purge_uploads()
    db.session.commit()
    click.echo(f"{removed} bestand(en) verwijderd.")
