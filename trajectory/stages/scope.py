"""Who sees which stages, and who may do what with one.

Seeing (``stage_scope``, a SQL condition; outside it is a 404):

* klantmanager: the stages of their municipality's candidates;
* intaker: the stages at their own provider;
* buddy: the stages of the candidates assigned to them (read only);
* coordinator: the stages of candidates whose consent covers the overlegtafel
  (read only).

Doing (inside scope, otherwise 403): proposing, changing the plan of a stage,
transferring and recording the care choice is the klantmanager's; answering a
proposal, starting, ending and recording outcomes is the provider's intaker's
(who may also change the plan of a stage and record the care choice).

A candidate with a stage at a provider (any status but declined) is
"connected" to that provider, so its intaker sees the candidate's file: this
module adds that condition to ``trajectory.candidates.scope.PROVIDER_CONNECTIONS``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.auth.roles import Role
from trajectory.candidates import scope as candidate_scope_rules
from trajectory.candidates.models import Candidate
from trajectory.stages.models import Stage, StageStatus


def stage_scope(user: Any) -> sa.ColumnElement[bool]:
    roles = user.roles
    conditions: list[sa.ColumnElement[bool]] = []
    if Role.KLANTMANAGER in roles:
        conditions.append(Stage.candidate_id.in_(
            sa.select(Candidate.id).where(Candidate.municipality_id == user.organisation_id)))
    if Role.INTAKER in roles:
        conditions.append(Stage.provider_id == user.organisation_id)
    if Role.BUDDY in roles:
        conditions.append(Stage.candidate_id.in_(
            sa.select(Candidate.id).where(candidate_scope_rules.assigned_to_buddy(user.id))))
    if Role.COORDINATOR in roles:
        conditions.append(Stage.candidate_id.in_(
            sa.select(Candidate.id).where(candidate_scope_rules.shared_with_overlegtafel())))
    return sa.or_(*conditions) if conditions else sa.false()


def stage_at_provider(provider_id: int) -> sa.ColumnElement[bool]:
    """The candidate has a stage at the provider (a declined proposal does not count)."""
    return sa.exists().where(Stage.candidate_id == Candidate.id,
                             Stage.provider_id == provider_id,
                             Stage.status != StageStatus.AFGEWEZEN)


def register_provider_connection() -> None:
    connections = candidate_scope_rules.PROVIDER_CONNECTIONS
    if stage_at_provider not in connections:
        connections.append(stage_at_provider)


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
