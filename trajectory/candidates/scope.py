"""Who sees which candidates, and which parts of a candidate's file.

Two small policies, used by every view, template and export:

* ``candidate_scope(user)``: a SQL condition, the union over the user's roles
  (``Candidate.scope_filter`` returns it; ``get_in_scope`` turns "outside"
  into a 404);
* ``visible_fields(user, candidate)``: which parts of one file the user sees
  and whether they may change it (403 when not).

An intaker sees the candidates "connected" to their provider. Today that is
one rule (the current buddy works for the provider); later features (stages,
cohorts) append their own condition to ``PROVIDER_CONNECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import BuddyAssignment, Candidate
from trajectory.extensions import db
from trajectory.timeutil import today


def current_buddy_at_provider(provider_id: int) -> sa.ColumnElement[bool]:
    """The candidate's buddy today works for the provider."""
    assignment = so.aliased(BuddyAssignment)
    buddies = sa.select(User.id).where(User.organisation_id == provider_id)
    return sa.exists().where(
        assignment.candidate_id == Candidate.id,
        BuddyAssignment.active_on(today(), assignment),
        assignment.buddy_id.in_(buddies),
    )


# provider id -> condition on Candidate; any one of them connects the candidate.
PROVIDER_CONNECTIONS: list[Callable[[int], sa.ColumnElement[bool]]] = [current_buddy_at_provider]


def connected_to_provider(provider_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(*(connection(provider_id) for connection in PROVIDER_CONNECTIONS))


def assigned_to_buddy(user_id: int) -> sa.ColumnElement[bool]:
    assignment = so.aliased(BuddyAssignment)
    return sa.exists().where(
        assignment.candidate_id == Candidate.id,
        assignment.buddy_id == user_id,
        BuddyAssignment.active_on(today(), assignment),
    )


def shared_with_overlegtafel() -> sa.ColumnElement[bool]:
    """Consent covers the overlegtafel and is in force today."""
    day = today()
    return sa.and_(
        Candidate.consent_overlegtafel.is_(True),
        Candidate.consent_given_on.is_not(None),
        Candidate.consent_given_on <= day,
        sa.or_(Candidate.consent_expires_on.is_(None), Candidate.consent_expires_on >= day),
    )


def candidate_scope(user: Any) -> sa.ColumnElement[bool]:
    """The union over the user's roles; no role that sees candidates: nothing."""
    roles = user.roles
    conditions: list[sa.ColumnElement[bool]] = []
    if Role.KLANTMANAGER in roles:
        conditions.append(Candidate.municipality_id == user.organisation_id)
    if Role.INTAKER in roles:
        conditions.append(connected_to_provider(user.organisation_id))
    if Role.BUDDY in roles:
        conditions.append(assigned_to_buddy(user.id))
    if Role.COORDINATOR in roles:
        conditions.append(shared_with_overlegtafel())
    return sa.or_(*conditions) if conditions else sa.false()


@dataclass(frozen=True)
class Visible:
    """What one user sees of one candidate's file (all False: nothing)."""

    name: bool = False
    overview: bool = False        # municipality, status, buddy, klantmanager
    age: bool = False
    date_of_birth: bool = False
    contact: bool = False         # phone, email
    address: bool = False
    benefit: bool = False         # benefit, since, doelgroepregister, statushouder
    situation: bool = False       # NT2, driving licence, own transport
    bsn: bool = False
    consent: bool = False
    plan: bool = False            # the plan, barriers included
    measurements: bool = False
    history: bool = False         # "Geschiedenis" from the audit trail
    viewers: bool = False         # "Wie heeft dit dossier bekeken"
    edit: bool = False

    def __or__(self, other: Visible) -> Visible:
        return Visible(**{key: getattr(self, key) or getattr(other, key)
                          for key in self.__dataclass_fields__})

    def categories(self) -> tuple[str, ...]:
        """Data categories for the processing log."""
        names = {"name": "naam", "date_of_birth": "geboortedatum", "contact": "contact",
                 "address": "adres", "benefit": "uitkering", "bsn": "bsn", "plan": "plan",
                 "measurements": "participatieladder"}
        return tuple(label for key, label in names.items() if getattr(self, key))


NOTHING = Visible()
# The overlegtafel: only what the table needs.
COORDINATOR_VIEW = Visible(name=True, overview=True)
# Intaker of a connected provider: no BSN, no address, no date of birth.
INTAKER_VIEW = Visible(name=True, overview=True, age=True, contact=True, benefit=True,
                       situation=True, plan=True, measurements=True)
# Buddy: contact to reach the person, the plan to work from; no benefit, no BSN.
BUDDY_VIEW = Visible(name=True, overview=True, age=True, contact=True, situation=True,
                     plan=True, measurements=True)
MUNICIPALITY_VIEW = Visible(**{key: True for key in Visible.__dataclass_fields__})


def visible_fields(user: Any, candidate: Candidate) -> Visible:
    """The union of what each of the user's roles grants for this candidate."""
    return visible_for_all(user, [candidate])[candidate.id]


def visible_for_all(user: Any, candidates: list[Candidate]) -> dict[int, Visible]:
    """``visible_fields`` for a page of candidates in one extra query at most.

    The role checks repeat the scope rules in Python for loaded candidates
    (assignments must be loaded); only the provider connection, which later
    features extend, is asked of the database, once for the whole page.
    """
    roles = user.roles
    connected: set[int] = set()
    if Role.INTAKER in roles and candidates:
        connected = set(db.session.scalars(
            sa.select(Candidate.id).where(Candidate.id.in_([c.id for c in candidates]),
                                          connected_to_provider(user.organisation_id))))
    return {c.id: _visible(user, roles, c, c.id in connected) for c in candidates}


def _visible(user: Any, roles: frozenset[Role], candidate: Candidate, connected: bool) -> Visible:
    view = NOTHING
    if Role.KLANTMANAGER in roles and candidate.municipality_id == user.organisation_id:
        view = view | MUNICIPALITY_VIEW
    if Role.INTAKER in roles and connected:
        view = view | INTAKER_VIEW
    if Role.BUDDY in roles:
        assignment = candidate.current_assignment
        if assignment is not None and assignment.buddy_id == user.id:
            view = view | BUDDY_VIEW
            if candidate.consent_buddy and candidate.consent_in_force():
                view = view | Visible(address=True)
    if (Role.COORDINATOR in roles and candidate.consent_overlegtafel
            and candidate.consent_in_force()):
        view = view | COORDINATOR_VIEW
    return view


def can_see_bsn(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).bsn


def can_edit(user: Any, candidate: Candidate) -> bool:
    return visible_fields(user, candidate).edit


def list_columns(user: Any) -> Visible:
    """Columns and filters of the candidate list: only what every role of the user
    sees on every row, so sorting or filtering cannot reveal a hidden value."""
    roles = user.roles & {Role.KLANTMANAGER, Role.INTAKER, Role.BUDDY, Role.COORDINATOR}
    if not roles:
        return NOTHING
    per_role = {Role.KLANTMANAGER: MUNICIPALITY_VIEW, Role.INTAKER: INTAKER_VIEW,
                Role.BUDDY: BUDDY_VIEW, Role.COORDINATOR: COORDINATOR_VIEW}
    views = [per_role[role] for role in roles]
    return Visible(**{key: all(getattr(v, key) for v in views)
                      for key in Visible.__dataclass_fields__})
