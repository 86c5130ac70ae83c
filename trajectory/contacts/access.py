"""Who reads a candidate's contact log, who writes in it, who handles its signals.

Built from the candidate feature's own scope rules (trajectory.candidates.scope),
so the log follows the file:

* read: the klantmanager of the candidate's municipality, the candidate's
  current buddy, and the intaker of a provider connected to the candidate;
  the overlegtafel (coordinator) does not read notes;
* write: the current buddy only;
* handle a signal: whoever may change the file (the klantmanager).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.candidates.scope import (
    assigned_to_buddy,
    connected_to_provider,
    visible_fields,
)


def log_scope(user: Any) -> sa.ColumnElement[bool]:
    """The candidates whose log ``user`` may read, as a condition on ``Candidate``."""
    roles = user.roles
    conditions: list[sa.ColumnElement[bool]] = []
    if Role.KLANTMANAGER in roles:
        conditions.append(Candidate.municipality_id == user.organisation_id)
    if Role.INTAKER in roles:
        conditions.append(connected_to_provider(user.organisation_id))
    if Role.BUDDY in roles:
        conditions.append(assigned_to_buddy(user.id))
    return sa.or_(*conditions) if conditions else sa.false()


def can_read_log(user: Any, candidate: Candidate) -> bool:
    """Python twin of ``log_scope`` for a loaded candidate: those who work from the plan."""
    return visible_fields(user, candidate).plan


def can_log(user: Any, candidate: Candidate) -> bool:
    """Only the candidate's current buddy logs contacts."""
    if not user.has_role(Role.BUDDY):
        return False
    assignment = candidate.current_assignment
    return assignment is not None and assignment.buddy_id == user.id


def can_handle(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).edit
