"""What changes the contact log. Functions change objects and flush; the view
commits once, or rolls back on ``ServiceError``."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.contacts.access import can_handle, can_log
from trajectory.contacts.models import NOTE_MAX, ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.timeutil import today, utcnow

# How far back a buddy may date a contact (a forgotten entry after a holiday).
MAX_DAYS_BACK = 92


def log_contact(actor: User, candidate: Candidate, *, contact_on: date, kind: ContactKind,
                note: str | None = None, wellbeing: int | None = None,
                signal_category: SignalCategory | None = None,
                signal_text: str | None = None) -> ContactLog:
    """The current buddy records a contact (or an attempt) with the candidate."""
    if not can_log(actor, candidate):
        raise ServiceError(_("Only the candidate's current buddy logs contacts."))
    day = today()
    if contact_on > day:
        raise ServiceError(_("A contact cannot be in the future."), "contact_on")
    if contact_on < day - timedelta(days=MAX_DAYS_BACK):
        raise ServiceError(_("A contact can be logged up to three months back."), "contact_on")
    assignment = candidate.current_assignment
    if assignment is not None and contact_on < assignment.start_date:
        raise ServiceError(_("You became the buddy on %(date)s; the contact cannot be earlier.",
                             date=assignment.start_date.strftime("%d-%m-%Y")), "contact_on")
    if wellbeing is not None and not 1 <= wellbeing <= 5:
        raise ServiceError(_("Choose a score from 1 to 5."), "wellbeing")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_("The note is longer than 500 characters."), "note")
    signal_text = (signal_text or "").strip() or None
    if signal_category is not None and not signal_text:
        raise ServiceError(_("Describe the signal in a few words."), "signal_text")
    if signal_category is None:
        signal_text = None
    entry = ContactLog(candidate_id=candidate.id, buddy_id=actor.id, contact_on=contact_on,
                       kind=kind, note=note, wellbeing=wellbeing,
                       signal_category=signal_category, signal_text=signal_text)
    db.session.add(entry)
    db.session.flush()
    return entry


def handle_signal(actor: User, entry: ContactLog, note: str) -> ContactLog:
    """The klantmanager marks a buddy's signal as handled, saying what was done."""
    if not can_handle(actor, entry.candidate):
        raise ServiceError(_("Only the klantmanager of the candidate handles signals."))
    if not entry.has_signal:
        raise ServiceError(_("This contact has no signal."))
    if entry.signal_handled_at is not None:
        raise ServiceError(_("This signal has already been handled."))
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say what you did with the signal."), "note")
    entry.signal_handled_at = utcnow()
    entry.signal_handled_by_id = actor.id
    entry.signal_handled_note = note[:NOTE_MAX]
    db.session.flush()
    return entry
