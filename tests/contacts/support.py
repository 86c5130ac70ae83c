"""Builders for contact log tests (plain functions over the real services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.candidates.support import actor_of
from trajectory.audit.trail import acting_as
from trajectory.candidates.models import Candidate
from trajectory.contacts import services
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.timeutil import today


def log_contact(world, candidate: Candidate, *, days_ago: int = 0, buddy: str = "buddy",
                kind: ContactKind = ContactKind.GESPREK, note: str = "Goed gesprek gehad.",
                signal: SignalCategory | None = None, signal_text: str | None = None,
                **extra: Any) -> ContactLog:
    user = world.user(buddy)
    with acting_as(actor_of(user)):
        entry = services.log_contact(
            user, candidate, contact_on=today() - timedelta(days=days_ago), kind=kind, note=note,
            signal_category=signal,
            signal_text=signal_text or ("Er is iets aan de hand." if signal else None), **extra)
        db.session.commit()
    return entry


def form_data(**overrides: str) -> dict[str, str]:
    data = {"contact_on": today().strftime("%d-%m-%Y"), "kind": "gesprek",
            "note": "We hebben koffie gedronken en het rooster besproken.", "wellbeing": "4",
            "signal_category": "", "signal_text": ""}
    data.update(overrides)
    return data


def day_text(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def matrix_entry(world) -> ContactLog:
    """A contact with an open signal on the matrix's default candidate (cached on world)."""
    from tests.candidates.support import matrix_candidate

    cache = world.__dict__.setdefault("_matrix_contacts", {})
    if "entry" not in cache:
        entry = log_contact(world, matrix_candidate(world), signal=SignalCategory.SCHULDEN)
        cache["entry"] = entry.id
    return db.session.get(ContactLog, cache["entry"])


def _candidate_args(world, role=None) -> dict[str, Any]:
    from tests.candidates.support import matrix_candidate

    return {"candidate_id": matrix_candidate(world, role).id}


_candidate_args.takes_role = True  # type: ignore[attr-defined]

CONTACT_URL_ARGS = {
    "contacts.new": _candidate_args,
    "contacts.log": _candidate_args,
    "contacts.handle": lambda w: {"entry_id": matrix_entry(w).id},
}
