"""Who reads a candidate's contact log, who writes in it, who handles its signals.

Built from the access model (trajectory.candidates.need_to_know): the log is part
of the file's free texts (the ``notes`` field), so it follows the field set:

* read: whoever's field set shows ``notes`` for the candidate: the klantmanager of
  the candidate's municipality, the intaker of a connected provider under consent
  for providers, the current buddy under consent for the buddy; the overlegtafel
  (coordinator) never reads notes;
* write: the current buddy, under that same consent (withdrawn consent stops reading
  and writing at once; the buddy still sees name and phone number to reach the person);
* handle a signal: whoever may change the file (the klantmanager).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.auth.roles import Role
from trajectory.candidates.models import Candidate
from trajectory.candidates.need_to_know import scope_with, visible_fields


def log_scope(user: Any) -> sa.ColumnElement[bool]:
    """The candidates whose log ``user`` may read, as a condition on ``Candidate``."""
    return scope_with(user, "notes")


def can_read_log(user: Any, candidate: Candidate) -> bool:
    """Python twin of ``log_scope`` for a loaded candidate."""
    return visible_fields(user, candidate).notes


def can_log(user: Any, candidate: Candidate) -> bool:
    """Only the candidate's current buddy logs contacts, and only while they read the log."""
    if not user.has_role(Role.BUDDY):
        return False
    assignment = candidate.current_assignment
    return (assignment is not None and assignment.buddy_id == user.id
            and can_read_log(user, candidate))


def can_handle(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).edit
