"""The roles of Trajectory and which organisations may hold them."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from trajectory.i18n import label_text
from trajectory.organisations.models import OrganisationKind


class Role(enum.StrEnum):
    """A role a user holds; a user may hold several."""

    BEHEERDER = "beheerder"
    SROI_ADVISEUR = "sroi_adviseur"
    COORDINATOR = "coordinator"
    KLANTMANAGER = "klantmanager"
    INTAKER = "intaker"
    BUDDY = "buddy"

    @property
    def label(self) -> str:
        return label_text(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.BEHEERDER: _l("Administrator"),
    Role.SROI_ADVISEUR: _l("SROI adviser"),
    Role.COORDINATOR: _l("Coordinator (overlegtafel)"),
    Role.KLANTMANAGER: _l("Client manager"),
    Role.INTAKER: _l("Intaker"),
    Role.BUDDY: _l("Buddy"),
}

# Which kind of organisation a role belongs to: a klantmanager works for a
# municipality, an intaker or buddy for a provider, and so on.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.BEHEERDER: frozenset(OrganisationKind),
    Role.SROI_ADVISEUR: frozenset({OrganisationKind.MUNICIPALITY, OrganisationKind.REGION}),
    Role.COORDINATOR: frozenset({OrganisationKind.REGION, OrganisationKind.MUNICIPALITY}),
    Role.KLANTMANAGER: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.INTAKER: frozenset({OrganisationKind.PROVIDER}),
    Role.BUDDY: frozenset({OrganisationKind.PROVIDER}),
}


def role_fits(role: Role, kind: OrganisationKind) -> bool:
    """True when someone of an organisation of ``kind`` may hold ``role``."""
    return kind in ROLE_ORGANISATION_KINDS[role]
