"""The demo world: the Oosterschelde region, its municipalities, six made-up
providers and one account per role. Features extend ``load_demo`` with their
own steps so every page has something real to show.

Every name here is invented; any likeness to a real person or organisation is
accidental.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from trajectory.auth.mfa import DEMO_TOTP_SECRET, encrypt_secret
from trajectory.auth.models import User
from trajectory.auth.passwords import hash_password
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.timeutil import utcnow

DEMO_PASSWORD = "demo-trajectory-2026"  # noqa: S105 - published demo password

REGION = "Regio Oosterschelde"
MUNICIPALITIES = ("Noord-Beveland", "Kapelle", "Reimerswaal", "Borsele", "Goes",
                  "Schouwen-Duiveland", "Tholen")
PROVIDERS = (
    "Zorggroep Scheldezoom",
    "Stichting Welzijn De Bevelanden",
    "Thuiszorg Zeeuwse Stroom",
    "Oosterschelde Wonen en Zorg",
    "Zorgcoöperatie Tholen-Schouwen",
    "Begeleid Wonen Zeeland-Oost",
)

# username, full name, organisation, roles
ACCOUNTS = (
    ("beheer", "Anja Verhage", REGION, (Role.BEHEERDER,)),
    ("adviseur", "Marco de Kok", REGION, (Role.SROI_ADVISEUR,)),
    ("coordinator", "Ingrid Schrier", REGION, (Role.COORDINATOR,)),
    ("klantmanager", "Sanne Bosman", "Goes", (Role.KLANTMANAGER,)),
    ("klantmanager2", "Pieter Koster", "Tholen", (Role.KLANTMANAGER,)),
    ("intaker", "Fatima El Amrani", PROVIDERS[0], (Role.INTAKER,)),
    ("intaker2", "Joris van der Velde", PROVIDERS[1], (Role.INTAKER,)),
    ("buddy", "Kees Dekker", PROVIDERS[1], (Role.BUDDY,)),
    # More colleagues, so lists look like real work.
    ("m.devos", "Mirjam de Vos", "Goes", (Role.KLANTMANAGER,)),
    ("r.louwerse", "Ruud Louwerse", "Borsele", (Role.KLANTMANAGER,)),
    ("h.meijer", "Hanneke Meijer", "Schouwen-Duiveland", (Role.KLANTMANAGER,)),
    ("a.jansen", "Ahmet Jansen", PROVIDERS[0], (Role.BUDDY,)),
    ("l.vandijke", "Lotte van Dijke", PROVIDERS[2], (Role.INTAKER, Role.BUDDY)),
    ("t.wisse", "Tom Wisse", PROVIDERS[3], (Role.INTAKER,)),
    ("e.polderman", "Els Polderman", PROVIDERS[4], (Role.BUDDY,)),
    ("b.goes", "Bart Goes-Beheer", "Goes", (Role.BEHEERDER,)),
)

# Features append (name, function) steps that run after the base data.
DEMO_STEPS: list[tuple[str, Callable[[], None]]] = []


def register_demo_step(name: str, step: Callable[[], None]) -> None:
    if all(existing != name for existing, _ in DEMO_STEPS):
        DEMO_STEPS.append((name, step))


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 0


def load_demo() -> None:
    """Fill an empty database with the demo world (flushes; the caller commits)."""
    region = Organisation(name=REGION, kind=OrganisationKind.REGION)
    db.session.add(region)
    by_name = {REGION: region}
    for name in MUNICIPALITIES:
        by_name[name] = Organisation(name=name, kind=OrganisationKind.MUNICIPALITY, region=region)
    for name in PROVIDERS:
        by_name[name] = Organisation(name=name, kind=OrganisationKind.PROVIDER, region=region)
    db.session.add_all(by_name.values())

    password_hash = hash_password(DEMO_PASSWORD)
    # Every demo account has the published second factor (shown on the login page).
    totp_secret = encrypt_secret(DEMO_TOTP_SECRET)
    enrolled_at = utcnow()
    for username, full_name, organisation, roles in ACCOUNTS:
        user = User(username=username, full_name=full_name, organisation=by_name[organisation],
                    email=f"{username.replace('.', '')}@voorbeeld.nl", password_hash=password_hash,
                    totp_secret=totp_secret, totp_enrolled_at=enrolled_at)
        user.set_roles(set(roles))
        db.session.add(user)
    db.session.flush()
    for _name, step in DEMO_STEPS:
        step()
        db.session.flush()
    _store_stage_values()
    from trajectory.cohorts import signal_facts

    signal_facts.refresh_all()  # some steps insert in bulk, past the facts' hooks
    from trajectory.candidates import connections

    connections.refresh_all()  # the stored provider connections, likewise


def _store_stage_values() -> None:
    """The stored stage values (``trajectory.stages.stored_values``), when stages are
    installed: some steps write with bulk inserts, which the ORM hooks do not see."""
    try:
        from trajectory.stages import stored_values
    except ImportError:
        return
    stored_values.refresh_all()
