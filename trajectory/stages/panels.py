"""Home panel of the intaker and the klantmanager: the task-list sections with their counts
and what to do, and the first tasks of the sections that reach this person (hand-overs,
proposals to answer), each with its action and link."""

from __future__ import annotations

from typing import Any

from trajectory.audit.rendering import show_subjects
from trajectory.auth.roles import Role
from trajectory.main.home import register_panel
from trajectory.stages import tasks


def tasks_context(user: Any) -> dict[str, Any]:
    lists = tasks.home_lists(user)
    show_subjects({t.stage.candidate_id for tl in lists for t in tl.tasks},
                  object_type="Stage", categories=("naam", "leerlijn"))
    return {"lists": lists}


register_panel("stage-tasks", {Role.INTAKER, Role.KLANTMANAGER}, "stages/_panel_tasks.html",
               tasks_context, order=20)
