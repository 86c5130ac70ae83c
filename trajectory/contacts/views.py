"""The buddy's contact form, the contact log of a candidate and handling a signal.

The form is one short page per candidate (``/kandidaten/<id>/contact``) that
works without JavaScript on a phone. Its typed-in fields survive an idle
logout: ``trajectory.security`` keeps them and the form takes them back after
the buddy logs in again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from trajectory.audit.trail import log_processing
from trajectory.auth.access import allow, get_in_scope, require
from trajectory.auth.models import by_name
from trajectory.auth.roles import Role
from trajectory.auth.views import safe_next
from trajectory.candidates.models import Candidate
from trajectory.contacts import services
from trajectory.contacts.access import can_handle, can_log, can_read_log
from trajectory.contacts.forms import KEPT_FIELDS, ContactForm, HandleSignalForm
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _apply_error
from trajectory.security import keep_post_body, take_kept_post
from trajectory.services import ServiceError
from trajectory.timeutil import today
from trajectory.ui import paginate

bp = Blueprint("contacts", __name__)

LOG_READERS = (Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY)
RECENT = 5

keep_post_body("contacts.new", KEPT_FIELDS)

def _entries(candidate_id: int) -> sa.Select:
    return (sa.select(ContactLog).where(ContactLog.candidate_id == candidate_id)
            .options(by_name(ContactLog.buddy), by_name(ContactLog.handled_by))
            .order_by(ContactLog.contact_on.desc(), ContactLog.id.desc()))


@bp.app_template_global("contact_section")
def contact_section(candidate: Candidate) -> dict[str, Any] | None:
    """What the candidate file shows of the log (None: not for this user). One query per
    request: the file's "now" and its contacts section both ask (kept in ``g``)."""
    if not current_user.is_authenticated or not can_read_log(current_user, candidate):
        return None
    sections = g.setdefault("contact_sections", {})
    if candidate.id not in sections:
        rows = db.session.scalars(_entries(candidate.id).limit(RECENT + 1)).all()
        sections[candidate.id] = {"entries": rows[:RECENT], "more": len(rows) > RECENT,
                                  "can_log": can_log(current_user, candidate),
                                  "can_handle": can_handle(current_user, candidate)}
    return sections[candidate.id]


# ------------------------------------------------------------------ the buddy's form

@bp.route("/kandidaten/<int:candidate_id>/contact", methods=["GET", "POST"])
@allow(Role.BUDDY)
def new(candidate_id: int):
    candidate = get_in_scope(Candidate, candidate_id)
    require(can_log(current_user, candidate))
    kept = take_kept_post(current_user.id) if request.method == "GET" else None
    if kept is not None:
        form = ContactForm(formdata=MultiDict(kept))
        flash(_("You were logged out while you were typing. What you typed is still here: "
                "check it and save it."), "warning")
    else:
        form = ContactForm()
        if request.method == "GET":
            form.contact_on.data = today()
    if form.validate_on_submit():
        try:
            services.log_contact(
                current_user, candidate, contact_on=form.contact_on.data,
                kind=ContactKind(form.kind.data), note=form.note.data,
                wellbeing=int(form.wellbeing.data) if form.wellbeing.data else None,
                signal_category=SignalCategory(form.signal_category.data)
                if form.signal_category.data else None,
                signal_text=form.signal_text.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            message = _("The contact with %(name)s has been logged.", name=candidate.first_name)
            if form.signal_category.data:
                message += " " + _("The klantmanager sees your signal in their task list.")
            flash(message, "success")
            return redirect(url_for("contacts.log", candidate_id=candidate.id))
    return render_template("contacts/form.html", form=form, candidate=candidate)


# ------------------------------------------------------------------ the log

@bp.route("/kandidaten/<int:candidate_id>/contacten")
@allow(*LOG_READERS)
def log(candidate_id: int):
    """Every contact of the candidate, newest first: a separate page, so a file view."""
    candidate = get_in_scope(Candidate, candidate_id)
    require(can_read_log(current_user, candidate))
    page = paginate(_entries(candidate.id))
    log_processing("view", "ContactLog", candidate.id, subject=("Candidate", candidate.id),
                   categories=("contactlog",))
    html = render_template("contacts/log.html", candidate=candidate, page=page,
                           can_log=can_log(current_user, candidate),
                           can_handle=can_handle(current_user, candidate))
    return html


@bp.route("/contacten/<int:entry_id>/afhandelen", methods=["GET", "POST"])
@allow(Role.KLANTMANAGER)
def handle(entry_id: int):
    """The klantmanager marks a buddy's signal handled, with what was done."""
    entry = get_in_scope(ContactLog, entry_id)
    candidate = entry.candidate
    require(can_handle(current_user, candidate))
    back = safe_next(request.values.get("next")) or url_for("contacts.log",
                                                              candidate_id=candidate.id)
    if not entry.signal_open:
        flash(_("This signal has already been handled.") if entry.has_signal
              else _("This contact has no signal."), "info")
        return redirect(back)
    form = HandleSignalForm()
    if form.validate_on_submit():
        try:
            services.handle_signal(current_user, entry, form.note.data)
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The signal about %(name)s is marked as handled.",
                    name=candidate.full_name), "success")
            return redirect(back)
    return render_template("contacts/handle.html", form=form, entry=entry, candidate=candidate,
                           back=back)
