"""``flask --app trajectory retention ...``: what is due, the four-eyes destruction, holds.

Every refusal is one Dutch line on stderr starting with ``fout:`` and exit status 2;
nothing is written then.
"""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import force_locale

from trajectory.audit.trail import Actor, acting_as
from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.cli import fail
from trajectory.extensions import db
from trajectory.retention import services
from trajectory.retention.models import DestructionRecord, DestructionRequest
from trajectory.services import ServiceError

retention_cli = AppGroup("retention", help="Retention: closed files due for destruction, "
                                           "requests, approvals (two people) and legal holds.")


def _user(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(
        sa.func.lower(User.username) == username.strip().lower()))
    if user is None:
        fail(f"gebruiker '{username}' bestaat niet")
    return user


def _candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        fail(f"dossier {candidate_id} bestaat niet")
    return candidate


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, name=user.username, organisation_id=user.organisation_id,
                 roles=",".join(sorted(user.roles)))


def _refused(error: ServiceError) -> None:
    db.session.rollback()
    fail(error.message)


_ID = click.IntRange(1, 2**31 - 1)


@retention_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Due on this day (YYYY-MM-DD) instead of today, to plan ahead.")
def list_due(as_json: bool, on) -> None:
    """Closed files due for destruction: id, municipality, closed on, due on (no names)."""
    day = on.date() if on else None
    rows = services.due_files(day)
    if as_json:
        click.echo(json.dumps({"as_of": (day or services.today()).isoformat(),
                               "retention_years": services.retention_years(),
                               "due": [row.as_dict() for row in rows]}))
        return
    if not rows:
        click.echo("Geen dossiers die vernietigd moeten worden.")
        return
    click.echo("dossier\tgemeente\tgesloten op\tte vernietigen op\taanvraag")
    for row in rows:
        click.echo(f"{row.candidate_id}\t{row.municipality}\t{row.closed_on.isoformat()}\t"
                   f"{row.due_on.isoformat()}\t{row.request_id or '-'}")


@retention_cli.command("request")
@click.argument("candidate_id", type=_ID)
@click.option("--by", "username", required=True, help="The beheerder asking.")
def request_command(candidate_id: int, username: str) -> None:
    """Ask to destroy the due file CANDIDATE_ID; a second beheerder approves."""
    with force_locale("nl"):
        user = _user(username)
        candidate = _candidate(candidate_id)
        with acting_as(_actor(user)):
            try:
                request = services.request_destruction(user, candidate)
            except ServiceError as error:
                _refused(error)
            db.session.commit()
    click.echo(f"Aanvraag {request.id} voor dossier {candidate_id} staat klaar; een tweede "
               f"beheerder keurt goed met: flask --app trajectory retention approve {request.id} "
               "--by GEBRUIKER")


@retention_cli.command("approve")
@click.argument("request_id", type=_ID)
@click.option("--by", "username", required=True, help="The second beheerder approving.")
def approve_command(request_id: int, username: str) -> None:
    """Approve request REQUEST_ID: the file is anonymised now, in one transaction."""
    with force_locale("nl"):
        user = _user(username)
        request = db.session.get(DestructionRequest, request_id)
        if request is None:
            fail(f"aanvraag {request_id} bestaat niet")
        with acting_as(_actor(user)):
            try:
                destruction = services.approve_destruction(user, request)
            except ServiceError as error:
                _refused(error)
            except Exception:
                db.session.rollback()  # nothing half-destroyed
                raise
            db.session.commit()
    left = services.remove_files(destruction.files)
    record = destruction.record
    summary = ", ".join(f"{key} {value}" for key, value in sorted(record.categories.items()))
    click.echo(f"Dossier {record.candidate_id} is geanonimiseerd (vastlegging {record.id}: "
               f"{summary or 'niets te wissen'}).")
    if left:
        click.echo(f"fout: {len(left)} bewijsbestand(en) konden niet worden verwijderd uit de "
                   "bewijsmap; verwijder ze met de hand: "
                   + ", ".join(path.name for path in left), err=True)
        raise SystemExit(1)


@retention_cli.command("hold")
@click.argument("candidate_id", type=_ID)
@click.option("--until", "until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Keep the file at least until this day (YYYY-MM-DD).")
@click.option("--reason", required=True, help="Why (a case number, not a personal story).")
@click.option("--by", "username", required=True, help="The beheerder setting the hold.")
def hold_command(candidate_id: int, until, reason: str, username: str) -> None:
    """A legal hold: keep file CANDIDATE_ID until a later day (replaces an earlier hold)."""
    with force_locale("nl"):
        user = _user(username)
        candidate = _candidate(candidate_id)
        with acting_as(_actor(user)):
            try:
                services.set_hold(user, candidate, until.date(), reason)
            except ServiceError as error:
                _refused(error)
            db.session.commit()
    click.echo(f"Dossier {candidate_id} wordt bewaard tot ten minste {until.date().isoformat()}.")


@retention_cli.command("records")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
def records_command(as_json: bool) -> None:
    """What was destroyed: per file who asked, who approved, when, and counts per category."""
    records = db.session.scalars(sa.select(DestructionRecord).order_by(
        DestructionRecord.destroyed_at, DestructionRecord.id)).all()
    rows = [{"id": r.id, "candidate_id": r.candidate_id, "requested_by": r.requested_by_name,
             "approved_by": r.approved_by_name,
             "destroyed_at": r.destroyed_at.isoformat(timespec="seconds"),
             "categories": r.categories} for r in records]
    if as_json:
        click.echo(json.dumps({"records": rows}))
        return
    for row in rows:
        click.echo(f"{row['id']}\tdossier {row['candidate_id']}\t{row['destroyed_at']}\t"
                   f"{row['requested_by']} / {row['approved_by']}\t"
                   + ", ".join(f"{k} {v}" for k, v in sorted(row["categories"].items())))
