"""Derived tables kept within the transaction that changes their facts.

The stored stage values (trajectory/stages/stored_values.py), the signal facts
(trajectory/cohorts/signal_facts.py) and the provider connections
(trajectory/candidates/connections.py) each collect the people a flush touched and settle
them before the commit, so a page never reads a figure older than its own change.

A writer that inserts new candidates in bulk without a flush (the import) tells them with
``note_new_candidates``: each table notes what its ``after_flush`` would have noted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

# Per installed table: what to note for candidates inserted without a flush.
_NEW_CANDIDATES: list[Callable[[so.Session, set[int]], None]] = []


def install_session_hooks(collect: Callable, before_commit: Callable,
                          new_candidates: Callable[[so.Session, set[int]], None] | None = None
                          ) -> None:
    """Listen to every session, once: ``collect`` after each flush, ``before_commit``
    before each commit. ``new_candidates``: what ``collect`` notes for brand-new
    candidates (with their plan and first benefit period), for bulk writers."""
    for event, listener in (("after_flush", collect), ("before_commit", before_commit)):
        if not sa.event.contains(so.Session, event, listener):
            sa.event.listen(so.Session, event, listener)
    if new_candidates is not None and new_candidates not in _NEW_CANDIDATES:
        _NEW_CANDIDATES.append(new_candidates)


def note_new_candidates(session: so.Session, candidate_ids: Iterable[int]) -> None:
    """New candidates were inserted without a flush: each derived table settles them
    before the commit as if a flush had shown them."""
    ids = set(candidate_ids)
    if ids:
        for note in _NEW_CANDIDATES:
            note(session, ids)
