"""Derived tables kept within the transaction that changes their facts.

The stored stage values (trajectory/stages/stored_values.py) and the signal facts
(trajectory/cohorts/signal_facts.py) each collect the people a flush touched and settle
them before the commit, so a page never reads a figure older than its own change.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so


def install_session_hooks(collect: Callable, before_commit: Callable) -> None:
    """Listen to every session, once: ``collect`` after each flush, ``before_commit``
    before each commit."""
    for event, listener in (("after_flush", collect), ("before_commit", before_commit)):
        if not sa.event.contains(so.Session, event, listener):
            sa.event.listen(so.Session, event, listener)
