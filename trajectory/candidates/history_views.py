"""The history of a candidate's file on a page of its own (/kandidaten/<id>/geschiedenis).

Who changed what and when, newest first and paginated, in words (labels from the models,
names for ids, Dutch dates), and who viewed the file. Only those who see the history on
the file (``Visible.history``: the municipality) see this page.
"""

from __future__ import annotations

from flask import render_template

from trajectory.audit.labels import event_rows
from trajectory.audit.rendering import write_now
from trajectory.auth.access import allow, require
from trajectory.auth.roles import Role
from trajectory.candidates.history import candidate_viewers, history_statement
from trajectory.candidates.views import bp, load_candidate, log_view
from trajectory.ui import paginate


@bp.route("/<int:candidate_id>/geschiedenis")
@allow(Role.KLANTMANAGER)
def history(candidate_id: int):
    candidate, view = load_candidate(candidate_id)
    require(view.history)
    page = paginate(history_statement(candidate.id))
    rows = event_rows(list(page.items))
    # The old and new values can be any part of the file the user may see.
    log_view(candidate, view, "CandidateHistory")
    viewers = None
    if view.viewers and page.page == 1:
        write_now()  # this visit is in the list below
        viewers = candidate_viewers(candidate.id)
    return render_template("candidates/history.html", candidate=candidate, page=page,
                           rows=rows, viewers=viewers)
