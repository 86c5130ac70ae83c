"""Need to know: which candidates a user may see, and which parts of each file.

The rule is written once, here, as one builder per role. A builder gives the
role's *tiers*: pairs of a SQL condition on ``Candidate`` and the field set
(``Visible``) a candidate meeting that condition shows. From the tiers follow

* the scope (``candidate_scope``): the union of every tier's condition, over the
  user's roles (``Candidate.scope_filter``; outside it is a 404);
* the field set of loaded candidates (``visible_for_all``): asked of the
  database in one query per page, so Python never repeats a rule;
* the candidates whose files show one field (``scope_with``), e.g. the contact
  log (``notes``) for ``trajectory.contacts.access``.

| role | condition | field set |
| --- | --- | --- |
| klantmanager | the candidate belongs to the user's municipality | everything |
| intaker | connected to the user's provider, and consent covers providers and is in force | ``INTAKER_VIEW`` |
| intaker | as above, and the provider works with the candidate now (``PLAN_WRITING_CONNECTIONS``) | ``INTAKER_PLAN_WRITER`` |
| buddy | the user is the current buddy, consent covers the buddy and is in force | ``BUDDY_VIEW`` |
| buddy | the user is the current buddy (no consent) | ``BUDDY_REACH``: name and how to reach |
| coordinator | consent covers the overlegtafel and is in force | ``COORDINATOR_VIEW`` |
| beheerder, SROI adviser | – | nothing |

A provider is *connected* to a candidate through the connections registered at
app creation (``register_connection`` from each feature's ``init_app``, never on
import): the candidate's buddy works for the provider (here), a stage at the
provider (``trajectory.stages``), an agreement at a cohort's table
(``trajectory.cohorts``). A connection lasts while its cause runs and
``CONNECTION_GRACE_DAYS`` after it ended.

The intaker co-writes the personal plan with the klantmanager (``plan_edit``) while
their provider works with the candidate: a planned or running stage at the provider
(the ``stage`` connection on today, without the grace period). Agreeing the plan
stays the klantmanager's (``edit``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, g, has_app_context, has_request_context

from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.candidates.models import BuddyAssignment, Candidate
from trajectory.extensions import db
from trajectory.timeutil import today

EXTENSION = "trajectory.need_to_know"
DEFAULT_GRACE_DAYS = 30


# ------------------------------------------------------------------ field sets

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
    notes: bool = False           # free texts: pause and outflow reasons, stage notes and
                                  # reasons, cohort motivations, the contact log
    stages: bool = False          # the learning line (stages and their facts)
    history: bool = False         # "Geschiedenis" from the audit trail
    viewers: bool = False         # "Wie heeft dit dossier bekeken"
    plan_edit: bool = False       # change the plan's content (not agree it, not remove items)
    edit: bool = False

    def __or__(self, other: Visible) -> Visible:
        return Visible(**{key: getattr(self, key) or getattr(other, key) for key in FIELDS})

    def __and__(self, other: Visible) -> Visible:
        return Visible(**{key: getattr(self, key) and getattr(other, key) for key in FIELDS})

    def __bool__(self) -> bool:
        return any(getattr(self, key) for key in FIELDS)

    def categories(self) -> tuple[str, ...]:
        """Data categories for the processing log."""
        names = {"name": "naam", "date_of_birth": "geboortedatum", "contact": "contact",
                 "address": "adres", "benefit": "uitkering", "bsn": "bsn", "plan": "plan",
                 "measurements": "participatieladder", "notes": "notities",
                 "stages": "leerlijn"}
        return tuple(label for key, label in names.items() if getattr(self, key))


FIELDS = tuple(f.name for f in fields(Visible))

NOTHING = Visible()
# The overlegtafel: who, where they stand, the learning line; no free texts.
COORDINATOR_VIEW = Visible(name=True, overview=True, stages=True)
# Intaker of a connected provider, with consent for providers: no BSN, no address,
# no date of birth.
INTAKER_VIEW = Visible(name=True, overview=True, age=True, contact=True, benefit=True,
                       situation=True, plan=True, measurements=True, notes=True, stages=True)
# The intaker of a provider working with the candidate now also writes the plan.
INTAKER_PLAN_WRITER = INTAKER_VIEW | Visible(plan_edit=True)
# Buddy with consent for the buddy: contact and address to reach the person, the plan to
# work from; no benefit, no BSN.
BUDDY_VIEW = Visible(name=True, overview=True, age=True, contact=True, address=True,
                     situation=True, plan=True, measurements=True, notes=True, stages=True)
# Buddy without that consent: enough to reach the person, nothing of the file.
BUDDY_REACH = Visible(name=True, overview=True, contact=True)
MUNICIPALITY_VIEW = Visible(**{key: True for key in FIELDS})


# ------------------------------------------------------------------ consent

def consent_covers(flag: str, day: date | None = None) -> sa.ColumnElement[bool]:
    """The candidate's consent covers ``flag`` (providers, buddy, overlegtafel) and is in
    force on ``day`` (today): the SQL twin of ``Candidate.consent_in_force``."""
    day = day or today()
    return sa.and_(
        getattr(Candidate, f"consent_{flag}").is_(True),
        Candidate.consent_given_on.is_not(None),
        Candidate.consent_given_on <= day,
        sa.or_(Candidate.consent_expires_on.is_(None), Candidate.consent_expires_on >= day),
    )


def consent_allows(candidate: Candidate, flag: str) -> bool:
    """Python check for one loaded candidate (services refusing an action)."""
    return bool(getattr(candidate, f"consent_{flag}")) and candidate.consent_in_force()


def shared_with_overlegtafel() -> sa.ColumnElement[bool]:
    """Consent covers the overlegtafel and is in force today."""
    return consent_covers("overlegtafel")


# ------------------------------------------------------------------ connections

# provider id, the first day that still counts (today minus the grace period) ->
# condition on Candidate.
ConnectionCondition = Callable[[int, date], sa.ColumnElement[bool]]


def register_connection(app: Flask, key: str, condition: ConnectionCondition) -> None:
    """Connect candidates to providers through ``condition`` in this app (from a
    feature's ``init_app``). Registering the same key again replaces it."""
    app.extensions.setdefault(EXTENSION, {})[key] = condition


def registered_connections(app: Flask | None = None) -> dict[str, ConnectionCondition]:
    if app is None:
        if not has_app_context():
            return {}
        app = current_app
    return dict(app.extensions.get(EXTENSION, {}))


def grace_days() -> int:
    if has_app_context():
        return int(current_app.config.get("CONNECTION_GRACE_DAYS", DEFAULT_GRACE_DAYS))
    return DEFAULT_GRACE_DAYS


def connection_cutoff(day: date | None = None) -> date:
    """A connection that ended on or after this day still counts."""
    return (day or today()) - timedelta(days=grace_days())


def current_buddy_at_provider(provider_id: int, since: date) -> sa.ColumnElement[bool]:
    """A buddy of the provider accompanies the candidate (or did, until ``since``).

    Each connection is an uncorrelated ``Candidate.id IN (SELECT candidate_id ...)``: the
    provider's side is read once per query, not once per candidate (a correlated EXISTS
    made SQLite scan the provider's rows for every candidate: minutes at 20,000)."""
    assignment = so.aliased(BuddyAssignment)
    return Candidate.id.in_(
        sa.select(assignment.candidate_id)
        .join(User, User.id == assignment.buddy_id)
        .where(User.organisation_id == provider_id,
               assignment.start_date <= today(),
               sa.or_(assignment.end_date.is_(None), assignment.end_date >= since))
        .correlate(None))


def connected_to_provider(provider_id: int) -> sa.ColumnElement[bool]:
    """Any registered connection links the candidate to the provider (consent aside)."""
    since = connection_cutoff()
    conditions = [connection(provider_id, since)
                  for connection in registered_connections().values()]
    return sa.or_(*conditions) if conditions else sa.false()


def connected_with_consent(provider_id: int, keys: Iterable[str] | None = None,
                           since: date | None = None, among: Sequence[int] | None = None
                           ) -> sa.ColumnElement[bool]:
    """A registered connection (of ``keys`` when given) that ended on or after ``since``
    (today minus the grace period) links the candidate to the provider, and consent for
    providers is in force: ``connected_to_provider`` and ``consent_covers("providers")``.

    The causes kept in ``trajectory.candidates.connections`` are read from its stored
    rows (one index range, consent included), any other registered condition as it is."""
    from trajectory.candidates import connections

    day = today()
    since = since or connection_cutoff(day)
    registered = {key: condition for key, condition in registered_connections().items()
                  if keys is None or key in keys}
    stored = [key for key in registered if key in connections.STORED_CAUSES]
    others = [condition(provider_id, since) for key, condition in registered.items()
              if key not in connections.STORED_CAUSES]
    conditions = []
    if stored:
        connections.settle(db.session)  # this transaction's own changes first
        conditions.append(connections.stored_connection(provider_id, stored, since, day,
                                                        among))
    if others:
        conditions.append(sa.and_(sa.or_(*others), consent_covers("providers", day)))
    return sa.or_(*conditions) if conditions else sa.false()


def stored_scope_count(user: Any) -> int | None:
    """The number of candidates in the user's scope counted from the stored connections
    alone (index only), when they are all of it: an intaker with no other role that sees
    candidates, every registered connection stored. Otherwise None (count the scope)."""
    from trajectory.candidates import connections

    if {role for role in BUILDERS if role in user.roles} != {Role.INTAKER}:
        return None
    keys = list(registered_connections())
    if not keys or any(key not in connections.STORED_CAUSES for key in keys):
        return None
    connections.settle(db.session)
    day = today()
    ids = connections.connected_ids(user.organisation_id, keys, connection_cutoff(day), day)
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(ids.subquery().c[0])))) or 0


# The connections through which a provider works with the candidate, so that its intaker
# co-writes the plan: only while their cause runs (no grace period).
PLAN_WRITING_CONNECTIONS = ("stage",)


def working_with_provider(provider_id: int) -> sa.ColumnElement[bool]:
    """A plan-writing connection links the candidate to the provider today."""
    day = today()
    conditions = [connection(provider_id, day)
                  for key, connection in registered_connections().items()
                  if key in PLAN_WRITING_CONNECTIONS]
    return sa.or_(*conditions) if conditions else sa.false()


def assigned_to_buddy(user_id: int) -> sa.ColumnElement[bool]:
    """The user is the candidate's buddy today."""
    assignment = so.aliased(BuddyAssignment)
    return sa.exists().where(
        assignment.candidate_id == Candidate.id,
        assignment.buddy_id == user_id,
        BuddyAssignment.active_on(today(), assignment),
    )


# ------------------------------------------------------------------ one builder per role

# A role's tiers run from the widest condition to the narrowest, each tier's candidates
# among the previous tier's and each tier showing at least what the previous one shows
# (tests/candidates/test_scope.py checks both). So the role's scope is its first tier's
# condition and the files showing a field are those of the first tier showing it: the
# database is asked one connection union per role, not one per tier.
Tier = tuple[sa.ColumnElement[bool], Visible]
# A builder takes the user and ``among``: when given, the only candidates (ids) the tiers
# are asked about (a page's), so a builder may narrow its subqueries to them.


def klantmanager_tiers(user: Any, among: Sequence[int] | None = None) -> list[Tier]:
    return [(Candidate.municipality_id == user.organisation_id, MUNICIPALITY_VIEW)]


def intaker_tiers(user: Any, among: Sequence[int] | None = None) -> list[Tier]:
    """Connected with consent (the stored connections, ``connected_with_consent``); the
    plan writers: a plan-writing connection today, without the grace period."""
    provider_id = user.organisation_id
    return [(connected_with_consent(provider_id, among=among), INTAKER_VIEW),
            (connected_with_consent(provider_id, PLAN_WRITING_CONNECTIONS, today(), among),
             INTAKER_PLAN_WRITER)]


def buddy_tiers(user: Any, among: Sequence[int] | None = None) -> list[Tier]:
    mine = assigned_to_buddy(user.id)
    return [(mine, BUDDY_REACH), (sa.and_(mine, consent_covers("buddy")), BUDDY_VIEW)]


def coordinator_tiers(user: Any, among: Sequence[int] | None = None) -> list[Tier]:
    return [(shared_with_overlegtafel(), COORDINATOR_VIEW)]


# Beheerder and SROI adviser have no builder: they see no candidate files.
BUILDERS: dict[Role, Callable[..., list[Tier]]] = {
    Role.KLANTMANAGER: klantmanager_tiers,
    Role.INTAKER: intaker_tiers,
    Role.BUDDY: buddy_tiers,
    Role.COORDINATOR: coordinator_tiers,
}
# The least each role shows of a candidate in its scope (list columns, filters).
ROLE_MINIMUM: dict[Role, Visible] = {
    Role.KLANTMANAGER: MUNICIPALITY_VIEW,
    Role.INTAKER: INTAKER_VIEW,
    Role.BUDDY: BUDDY_REACH,
    Role.COORDINATOR: COORDINATOR_VIEW,
}


def tiers(user: Any, roles: set[Role] | None = None, among: Sequence[int] | None = None
          ) -> list[Tier]:
    """The tiers of the user's roles (only of ``roles`` when given; asked only about the
    candidates ``among`` when given)."""
    return [tier for role, build in BUILDERS.items()
            if role in user.roles and (roles is None or role in roles)
            for tier in build(user, among=among)]


def _widest(user: Any, shows: Callable[[Visible], bool], roles: set[Role] | None = None
            ) -> sa.ColumnElement[bool]:
    """Per role of the user (of ``roles`` when given) the condition of its first tier
    whose field set ``shows``; the union of these (the tiers are nested, widest first)."""
    conditions = []
    for role, build in BUILDERS.items():
        if role in user.roles and (roles is None or role in roles):
            conditions += [condition for condition, view in build(user) if shows(view)][:1]
    return sa.or_(*conditions) if conditions else sa.false()


def role_scope(user: Any, role: Role) -> sa.ColumnElement[bool]:
    """The candidates one of the user's roles reaches (signals build on this per role)."""
    return _widest(user, bool, {role})


def candidate_scope(user: Any) -> sa.ColumnElement[bool]:
    """The union over the user's roles; no role that sees candidates: nothing."""
    return _widest(user, bool)


def scope_with(user: Any, field: str, roles: set[Role] | None = None
               ) -> sa.ColumnElement[bool]:
    """The candidates whose file shows ``field`` to the user (e.g. "notes"), through any
    of the user's roles (only of ``roles`` when given)."""
    return _widest(user, lambda view: getattr(view, field), roles)


# ------------------------------------------------------------------ field sets of loaded files

def visible_fields(user: Any, candidate: Candidate) -> Visible:
    """The union of what each of the user's roles grants for this candidate."""
    return visible_for_all(user, [candidate])[candidate.id]


def _cache() -> dict[tuple[int, int], Visible] | None:
    """Per request: a page asks about one file many times (file, log, panels)."""
    if not has_request_context():
        return None
    return g.setdefault("need_to_know", {})


def visible_for_all(user: Any, candidates: list[Candidate], roles: set[Role] | None = None
                    ) -> dict[int, Visible]:
    """``visible_fields`` for a page of candidates in one query at most: every tier's
    condition is evaluated by the database for these ids (through ``roles`` of the user
    only, when given)."""
    result: dict[int, Visible] = {}
    user_id = getattr(user, "id", None)
    cache = _cache() if roles is None else None
    wanted = []
    for candidate in candidates:
        known = cache.get((user_id, candidate.id)) if cache is not None else None
        if known is not None:
            result[candidate.id] = known
        else:
            wanted.append(candidate.id)
    wanted = [cid for cid in dict.fromkeys(wanted) if cid is not None]
    user_tiers = (tiers(user, roles, among=wanted)
                  if wanted and getattr(user, "is_authenticated", True) else [])
    if wanted and user_tiers:
        columns = [sa.case((condition, 1), else_=0) for condition, _view in user_tiers]
        rows = db.session.execute(
            sa.select(Candidate.id, *columns).where(Candidate.id.in_(wanted))).all()
        found = {}
        for row in rows:
            view = NOTHING
            for (_condition, tier_view), hit in zip(user_tiers, row[1:], strict=True):
                if hit:
                    view = view | tier_view
            found[row[0]] = view
    else:
        found = {}
    for candidate_id in wanted:
        view = found.get(candidate_id, NOTHING)
        result[candidate_id] = view
        if cache is not None:
            cache[(user_id, candidate_id)] = view
    return result


def list_columns(user: Any) -> Visible:
    """Columns and filters of the candidate list: only what every role of the user
    sees on every row, so sorting or filtering cannot reveal a hidden value."""
    views = [ROLE_MINIMUM[role] for role in user.roles if role in ROLE_MINIMUM]
    if not views:
        return NOTHING
    combined = views[0]
    for view in views[1:]:
        combined = combined & view
    return combined


# ------------------------------------------------------------------ stages and cohorts

def stage_notes_visible(user: Any, stage: Any) -> bool:
    """The free texts of a stage (note, reasons, outcome, care reason): its own provider's
    intaker (their record of the stage), and whoever reads the candidate's notes."""
    if user.has_role(Role.INTAKER) and stage.provider_id == user.organisation_id:
        return True
    return visible_fields(user, stage.candidate).notes


def init_app(app: Flask) -> None:
    """The base connection (the buddy's provider), its stored rows' hooks
    (``trajectory.candidates.connections``) and the templates' helpers."""
    from trajectory.candidates import connections

    register_connection(app, "buddy", current_buddy_at_provider)
    connections.install()  # stored connections follow the facts they come from

    def candidate_view(candidate: Candidate) -> Visible:
        from flask_login import current_user

        if candidate is None or not current_user.is_authenticated:
            return NOTHING
        return visible_fields(current_user, candidate)

    def stage_notes(stage: Any) -> bool:
        from flask_login import current_user

        return bool(stage is not None and current_user.is_authenticated
                    and stage_notes_visible(current_user, stage))

    app.add_template_global(candidate_view, "candidate_view")
    app.add_template_global(stage_notes, "stage_notes_visible")
