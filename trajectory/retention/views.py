"""The beheerder's page: closed files due for destruction, the four-eyes buttons, the records.

The same services as ``flask --app trajectory retention`` (trajectory/retention/cli.py).
The page shows file numbers, municipalities and dates, never a name.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from trajectory.auth.access import allow
from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.retention import services
from trajectory.retention.forms import DestructionForm
from trajectory.retention.models import DestructionRecord, DestructionRequest
from trajectory.services import ServiceError
from trajectory.ui import register_nav

bp = Blueprint("retention", __name__, url_prefix="/beheer/bewaartermijnen")

register_nav("retention.index", _l("Retention"), {Role.BEHEERDER}, order=92)

NOT_YOURS = _l("This file is not on your list of files due for destruction.")


def _act(form: DestructionForm) -> None:
    """Request or approve; flashes the outcome. Commits once, or rolls back."""
    destruction = None
    try:
        if form.request_id.data:
            request = db.session.get(DestructionRequest, form.request_id.data)
            candidate = db.session.get(Candidate, request.candidate_id) if request else None
            if candidate is None or not services.may_destroy(current_user, candidate):
                raise ServiceError(str(NOT_YOURS))
            destruction = services.approve_destruction(current_user, request)
        elif form.candidate_id.data:
            candidate = db.session.get(Candidate, form.candidate_id.data)
            if candidate is None or not services.may_destroy(current_user, candidate):
                raise ServiceError(str(NOT_YOURS))
            services.request_destruction(current_user, candidate)
        else:
            raise ServiceError(str(NOT_YOURS))
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return
    db.session.commit()
    if destruction is None:
        flash(_("Destruction of file %(id)d requested. A second beheerder approves it on this "
                "page.", id=form.candidate_id.data), "success")
        return
    left = services.remove_files(destruction.files)
    flash(_("File %(id)d has been anonymised.", id=destruction.record.candidate_id), "success")
    if left:
        flash(_("%(n)d evidence file(s) could not be removed from the evidence folder; ask "
                "the administrator of the server to remove them.", n=len(left)), "error")


@bp.route("/", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def index():
    form = DestructionForm()
    if form.is_submitted():
        if form.validate():
            _act(form)
        else:
            flash(str(NOT_YOURS), "error")
        return redirect(url_for("retention.index"))
    rows = services.due_files(user=current_user)
    request_ids = [row.request_id for row in rows if row.request_id]
    requests = {r.id: r for r in db.session.scalars(
        sa.select(DestructionRequest).where(DestructionRequest.id.in_(request_ids)))
    } if request_ids else {}
    records = db.session.scalars(
        sa.select(DestructionRecord).where(_records_scope())
        .order_by(DestructionRecord.destroyed_at.desc(), DestructionRecord.id.desc())
        .limit(25)).all()
    municipalities = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
    return render_template("retention/index.html", rows=rows, requests=requests, form=form,
                           records=records, municipalities=municipalities,
                           years=services.retention_years())


def _records_scope() -> sa.ColumnElement[bool]:
    organisation = current_user.organisation
    if organisation.is_region:
        return sa.true()
    return DestructionRecord.municipality_id == organisation.id
