"""Who sees which stages, and who may do what with one.

Seeing (``stage_scope``, a SQL condition; outside it is a 404):

* klantmanager: the stages of their municipality's candidates;
* intaker: the stages at their own provider;
* buddy: the stages of the candidates assigned to them whose consent covers the
  buddy (read only);
* coordinator: the stages of candidates whose consent covers the overlegtafel
  (read only);
* buddy and coordinator follow their field set: the files that show the learning
  line (``need_to_know.scope_with(user, "stages")``).

Doing (inside scope, otherwise 403): proposing, changing the plan of a stage,
transferring and recording the care choice is the klantmanager's; answering a
proposal, starting, ending and recording outcomes is the provider's intaker's
(who may also change the plan of a stage and record the care choice).

A candidate with a planned or running stage at a provider, or one that ended
(completed or stopped after it started) less than ``CONNECTION_GRACE_DAYS`` ago,
is "connected" to that provider, so its intaker sees the candidate's file while
the candidate's consent covers providers (trajectory.candidates.need_to_know). A
proposal not yet answered, a declined proposal and a stage cancelled before its
start connect nothing: the proposal page itself shows the intaker what they need
to answer. ``trajectory.stages.init_app`` registers the connection.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from trajectory.auth.roles import Role
from trajectory.candidates import need_to_know
from trajectory.candidates.models import Candidate
from trajectory.stages.models import ENDED, USING_CAPACITY, Stage


def stage_scope(user: Any) -> sa.ColumnElement[bool]:
    roles = user.roles
    conditions: list[sa.ColumnElement[bool]] = []
    if Role.KLANTMANAGER in roles:
        conditions.append(Stage.candidate_id.in_(
            sa.select(Candidate.id).where(Candidate.municipality_id == user.organisation_id)))
    if Role.INTAKER in roles:
        conditions.append(Stage.provider_id == user.organisation_id)
    # Buddy and coordinator: the stages of the files whose field set shows the learning line.
    if Role.BUDDY in roles or Role.COORDINATOR in roles:
        conditions.append(Stage.candidate_id.in_(
            sa.select(Candidate.id).where(need_to_know.scope_with(
                user, "stages", roles={Role.BUDDY, Role.COORDINATOR}))))
    return sa.or_(*conditions) if conditions else sa.false()


def stage_at_provider(provider_id: int, since: date) -> sa.ColumnElement[bool]:
    """The candidate has a planned or running stage at the provider, or one that ended on
    or after ``since`` (a proposal, a declined one, one cancelled before its start: no).

    An uncorrelated ``IN``: the provider's stages are read once, not per candidate (a
    correlated EXISTS made SQLite scan the provider's stages for every candidate). It
    never correlates, also inside a query on stages."""
    return Candidate.id.in_(sa.select(Stage.candidate_id).where(
        Stage.provider_id == provider_id,
        sa.or_(Stage.status.in_(USING_CAPACITY),
               sa.and_(Stage.status.in_(ENDED), Stage.actual_end.is_not(None),
                       Stage.actual_end >= since))).correlate(None))


# ------------------------------------------------------------------ permissions

def is_klantmanager_of(user: Any, candidate: Candidate) -> bool:
    return user.has_role(Role.KLANTMANAGER) and candidate.municipality_id == user.organisation_id


def is_intaker_of(user: Any, stage: Stage) -> bool:
    return user.has_role(Role.INTAKER) and stage.provider_id == user.organisation_id


def can_propose(user: Any, candidate: Candidate) -> bool:
    return is_klantmanager_of(user, candidate)


def can_run(user: Any, stage: Stage) -> bool:
    """Answer, start, end, record outcomes: the provider's intaker."""
    return is_intaker_of(user, stage)


def can_edit(user: Any, stage: Stage) -> bool:
    """Change the plan of a stage, record the care choice: klantmanager or the provider's intaker."""
    return is_klantmanager_of(user, stage.candidate) or is_intaker_of(user, stage)


def can_transfer(user: Any, stage: Stage) -> bool:
    return is_klantmanager_of(user, stage.candidate)
