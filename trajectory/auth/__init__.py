"""Accounts, roles, login, sessions and the access mechanism every view uses."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wire what the auth blueprint itself does not: the session pages (session_views.py)."""
    from trajectory.auth import session_views

    session_views.init_app(app)
