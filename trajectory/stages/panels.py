"""Home panel of the intaker and the klantmanager: the task-list sections with their counts."""

from __future__ import annotations

from typing import Any

from trajectory.auth.roles import Role
from trajectory.main.home import register_panel
from trajectory.stages import tasks


def tasks_context(user: Any) -> dict[str, Any]:
    counts = tasks.count_tasks(user)
    return {"rows": [(s.key, s.title, counts.get(s.key, 0)) for s in tasks.sections_for(user)]}


register_panel("stage-tasks", {Role.INTAKER, Role.KLANTMANAGER}, "stages/_panel_tasks.html",
               tasks_context, order=20)
