"""Who sees which candidates, and which parts of a candidate's file: the entry points.

The rule itself lives in ``trajectory.candidates.need_to_know`` (one builder per
role, consent, connections that end); this module keeps the names every view,
template and export already uses:

* ``candidate_scope(user)``: a SQL condition, the union over the user's roles
  (``Candidate.scope_filter`` returns it; ``get_in_scope`` turns "outside"
  into a 404);
* ``visible_fields(user, candidate)`` / ``visible_for_all``: which parts of one
  file the user sees and whether they may change it (403 when not);
* ``list_columns(user)``: what every row of the candidate list shows.
"""

from __future__ import annotations

from typing import Any

from trajectory.candidates.models import Candidate
from trajectory.candidates.need_to_know import (  # noqa: F401  (the entry points)
    BUDDY_REACH,
    BUDDY_VIEW,
    COORDINATOR_VIEW,
    INTAKER_VIEW,
    MUNICIPALITY_VIEW,
    NOTHING,
    Visible,
    assigned_to_buddy,
    candidate_scope,
    connected_to_provider,
    consent_covers,
    current_buddy_at_provider,
    list_columns,
    shared_with_overlegtafel,
    visible_fields,
    visible_for_all,
)


def can_see_bsn(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).bsn


def can_edit(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).edit
