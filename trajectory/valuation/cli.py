"""`flask sroi check FILE`: run a scenario file through the engine (FORMAT.md's pinned interface).

A plain click group, so it needs no app context or database; the app registers
it with `app.cli.add_command(sroi_cli)`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import with_appcontext

from .engine import RulebookError, ScenarioError, run_scenarios

sroi_cli = click.Group(
    "sroi",
    help="Social Return (SROI): check the valuation engine against worked examples, and print "
         "the ledger's figures.",
)

EXIT_FAILED, EXIT_INVALID = 1, 2


def _invalid(message: str) -> NoReturn:
    """Exit 2 with exactly one line on stderr and nothing on stdout."""
    click.echo(f"error: {' '.join(message.splitlines())}", err=True)
    click.get_current_context().exit(EXIT_INVALID)


@sroi_cli.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check(file: Path) -> None:
    """Check a scenario FILE: one JSON line per scenario, then "N passed, M failed".

    Exit 0 when nothing failed, 1 when an expectation failed, 2 when the file is
    invalid (one line on stderr, nothing computed). Scenarios without `expect`
    are printed with "ok": null and count as neither passed nor failed.
    """
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        _invalid(f"file '{file}': cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        _invalid(f"file '{file}': not valid UTF-8 text")
    try:
        outcomes = run_scenarios(text)
    except ScenarioError as exc:
        whole_file = exc.scenario_id is None and exc.position is None
        _invalid(f"file '{file}': {exc}" if whole_file else str(exc))
    except RulebookError as exc:
        _invalid(f"rulebook {exc}")
    passed = failed = 0
    for outcome in outcomes:
        line = outcome.as_dict()
        passed += line["ok"] is True
        failed += line["ok"] is False
        click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(f"{passed} passed, {failed} failed")
    if failed:
        click.get_current_context().exit(EXIT_FAILED)


@sroi_cli.command("ledger")
@click.option("--contract", "reference", metavar="REF", help="Only the contract with this "
              "reference.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (the pinned shape).")
@with_appcontext
def ledger(reference: str | None, as_json: bool) -> None:
    """The ledger's figures per contract, computed by the same code as the pages.

    Amounts are strings with two decimals; `realised_percent` is approved / obligation x 100,
    half-up to one decimal, null without an obligation. An unknown reference exits 2.
    """
    import sqlalchemy as sa

    from trajectory.extensions import db
    from trajectory.valuation.ledger import ledger_document, ledger_query, ledgers
    from trajectory.valuation.models import Contract

    stmt = ledger_query().order_by(None).order_by(Contract.reference)
    if reference is not None:
        stmt = stmt.where(sa.func.lower(Contract.reference) == reference.strip().lower())
    contracts = db.session.scalars(stmt).unique().all()
    if reference is not None and not contracts:
        _invalid(f"contract '{reference}': no contract has this reference")
    document = ledger_document(ledgers(contracts, lines=False))
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=None))
        return
    for row in document["contracts"]:
        approved = sum(Decimal(v) for v in row["approved"].values())
        percent = "–" if row["realised_percent"] is None else f"{row['realised_percent']}%"
        note = " (voorlopig)" if row["provisional"] else ""
        click.echo(f"{row['reference']}\t{row['provider']}\tverplichting {row['obligation']}"
                   f"{note}\tgoedgekeurd {approved:.2f}\t{percent}")


@sroi_cli.command("refresh")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Candidates valued per batch.")
@with_appcontext
def refresh(batch_size: int) -> None:
    """Value every stage again and store the values the ledger and the overviews sum.

    Run it after a rulebook edition was added or changed: the stored values follow the
    facts by themselves, not the rules' files.
    """
    from trajectory.cohorts import signal_facts
    from trajectory.extensions import db
    from trajectory.stages import stored_values

    stages = stored_values.refresh_all(batch_size=batch_size)
    db.session.commit()
    click.echo(f"{stages} fasen opnieuw gewaardeerd.")
    facts = signal_facts.refresh_all()  # the signals' stored facts, rebuilt too
    db.session.commit()
    click.echo(f"{facts} signaalfeiten opnieuw opgeslagen.")
    from trajectory.candidates import connections

    links = connections.refresh_all()  # the stored provider connections, rebuilt too
    db.session.commit()
    click.echo(f"{links} aanbiederskoppelingen opnieuw opgeslagen.")
