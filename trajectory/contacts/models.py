"""One row per contact a buddy logs: when, how, a short note, how it goes (1-5)
and optionally a signal for the klantmanager, who marks it handled with a note.

Audited (``__audit__``) with the candidate as data subject, so the entries
appear in the candidate's "Geschiedenis". Entries are never edited by the
buddy: a correction is a new entry.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from trajectory.auth.models import User
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.i18n import label_text
from trajectory.timeutil import utcnow

NOTE_MAX = 500


class ContactKind(enum.StrEnum):
    GESPREK = "gesprek"
    TELEFOON = "telefoon"
    APP = "app"
    HUISBEZOEK = "huisbezoek"
    GEEN_CONTACT = "geen_contact_gelukt"

    @property
    def label(self) -> str:
        return label_text(KIND_LABELS[self])

    @property
    def reached(self) -> bool:
        """A contact that happened (what the "no contact" signal counts)."""
        return self is not ContactKind.GEEN_CONTACT


KIND_LABELS = {
    ContactKind.GESPREK: _l("Conversation"),
    ContactKind.TELEFOON: _l("Phone call"),
    ContactKind.APP: _l("Message (app)"),
    ContactKind.HUISBEZOEK: _l("Home visit"),
    ContactKind.GEEN_CONTACT: _l("No contact made"),
}


class SignalCategory(enum.StrEnum):
    SCHULDEN = "schulden"
    GEZONDHEID = "gezondheid"
    MOTIVATIE = "motivatie"
    WERKPLEK = "werkplek"
    HUISVESTING = "huisvesting"
    OVERIG = "overig"

    @property
    def label(self) -> str:
        return label_text(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    SignalCategory.SCHULDEN: _l("Debts"),
    SignalCategory.GEZONDHEID: _l("Health"),
    SignalCategory.MOTIVATIE: _l("Motivation"),
    SignalCategory.WERKPLEK: _l("Workplace"),
    SignalCategory.HUISVESTING: _l("Housing"),
    SignalCategory.OVERIG: _l("Something else"),
}

WELLBEING_LABELS = {
    1: _l("Bad"),
    2: _l("Not so good"),
    3: _l("Okay"),
    4: _l("Good"),
    5: _l("Very good"),
}


def _enum(cls: type[enum.Enum], length: int) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e])


class ContactLog(db.Model):
    """A contact (or an attempt) of a buddy with a candidate."""

    __tablename__ = "contact_log"
    __audit__ = True
    __label__ = _l("Contact log")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Indexed together with contact_on (``ix_contact_log_candidate_day``).
    candidate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("candidate.id", ondelete="CASCADE"), info={"shown": False})
    buddy_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id"), index=True,
                                                info={"label": _l("Buddy")})
    contact_on: so.Mapped[date] = so.mapped_column(sa.Date, index=True,
                                                   info={"label": _l("Date of the contact")})
    kind: so.Mapped[ContactKind] = so.mapped_column(_enum(ContactKind, 30),
                                                    info={"label": _l("Kind")})
    note: so.Mapped[str] = so.mapped_column(sa.String(NOTE_MAX), default="",
                                            info={"label": _l("Note")})
    wellbeing: so.Mapped[int | None] = so.mapped_column(info={"label": _l("How it goes"), "values": WELLBEING_LABELS})
    signal_category: so.Mapped[SignalCategory | None] = so.mapped_column(
        _enum(SignalCategory, 20), index=True, info={"label": _l("Signal")})
    signal_text: so.Mapped[str | None] = so.mapped_column(sa.String(NOTE_MAX),
                                                          info={"label": _l("Signal text")})
    signal_handled_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True),
                                                                     info={"label": _l("Signal handled on")})
    signal_handled_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id"), info={"label": _l("Signal handled by")})
    signal_handled_note: so.Mapped[str | None] = so.mapped_column(sa.String(NOTE_MAX),
                                                                  info={"label": _l("How the signal was handled")})
    created_at: so.Mapped[datetime] = so.mapped_column(sa.DateTime(timezone=True),
                                                       default=utcnow, info={"shown": False})

    candidate: so.Mapped[Candidate] = so.relationship()
    buddy: so.Mapped[User] = so.relationship(foreign_keys=[buddy_id])
    handled_by: so.Mapped[User | None] = so.relationship(foreign_keys=[signal_handled_by_id])

    __table_args__ = (
        sa.CheckConstraint("wellbeing IS NULL OR wellbeing BETWEEN 1 AND 5",
                           name="wellbeing_range"),
        sa.Index("ix_contact_log_candidate_day", "candidate_id", "contact_on"),
    )

    def __repr__(self) -> str:
        return f"<ContactLog {self.id} candidate={self.candidate_id}>"

    @classmethod
    def scope_filter(cls, user: Any) -> sa.ColumnElement[bool]:
        """Entries about candidates whose log the user may read (trajectory.contacts.access)."""
        from trajectory.contacts.access import log_scope

        return cls.candidate_id.in_(sa.select(Candidate.id).where(log_scope(user)))

    @property
    def audit_subject(self) -> tuple[str, int | None]:
        return ("Candidate", self.candidate_id)

    @property
    def has_signal(self) -> bool:
        return self.signal_category is not None

    @property
    def signal_open(self) -> bool:
        return self.has_signal and self.signal_handled_at is None

    @property
    def wellbeing_label(self) -> str | None:
        return str(WELLBEING_LABELS[self.wellbeing]) if self.wellbeing else None

    @classmethod
    def open_signal(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.signal_category.is_not(None), cls.signal_handled_at.is_(None))
