"""Imports: candidates from the municipality's spreadsheet (CSV or Excel), checked in a
preview and written in one transaction through the registration's own service
(docs/import.md)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The command line door: ``flask --app trajectory import candidates FILE ...``."""
    from trajectory.imports.cli import import_cli

    app.cli.add_command(import_cli)
