"""Creating and changing accounts and organisations.

Each function changes objects and flushes; the view commits once. The audit
trail follows from the session listener.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.auth.models import User
from trajectory.auth.roles import Role, role_fits
from trajectory.auth.services import set_password
from trajectory.extensions import db
from trajectory.organisations.models import KIND_LABELS, Organisation, OrganisationKind
from trajectory.services import ServiceError

# No look-alike characters, so a temporary password can be read out on the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def _check_roles(roles: set[Role] | frozenset[Role], kind: OrganisationKind) -> None:
    misfits = [role for role in sorted(roles) if not role_fits(role, kind)]
    if misfits:
        raise ServiceError(
            _("%(roles)s cannot be held by someone of a %(kind)s.",
              roles=", ".join(r.label for r in misfits), kind=str(KIND_LABELS[kind]).lower()),
            field="roles",
        )


def _check_username_free(username: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(User.id).where(sa.func.lower(User.username) == username.lower())
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ServiceError(_("This user name is already taken."), field="username")


def create_user(*, username: str, full_name: str, email: str | None,
                organisation: Organisation, roles: set[Role]) -> tuple[User, str]:
    """A new account with a temporary password that must be changed at first login."""
    username = username.strip().lower()
    _check_username_free(username)
    _check_roles(roles, organisation.kind)
    password = temporary_password()
    user = User(username=username, full_name=full_name.strip(), email=email or None,
                organisation=organisation, password_hash="!")  # noqa: S106 - no login until set_password below
    user.set_roles(roles)
    db.session.add(user)
    set_password(user, password, temporary=True)
    return user, password


def update_user(user: User, *, username: str, full_name: str, email: str | None,
                organisation: Organisation, roles: set[Role], actor: User | None = None) -> None:
    if actor is not None and user.id == actor.id and Role.BEHEERDER not in roles:
        raise ServiceError(_("You cannot remove your own administrator role."), field="roles")
    username = username.strip().lower()
    _check_username_free(username, exclude_id=user.id)
    _check_roles(roles, organisation.kind)
    changed_scope = user.organisation_id != organisation.id or user.roles != roles
    user.username = username
    user.full_name = full_name.strip()
    user.email = email or None
    user.organisation = organisation
    user.set_roles(roles)
    if changed_scope:
        # What the person may see changed: make them log in again.
        user.end_all_sessions()
    db.session.flush()


def set_user_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise ServiceError(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        user.end_all_sessions()
    db.session.flush()


def reset_user_password(user: User) -> str:
    password = temporary_password()
    set_password(user, password, temporary=True)
    return password


def create_organisation(*, name: str, kind: OrganisationKind) -> Organisation:
    name = name.strip()
    _check_name_free(name)
    region = None
    if kind is not OrganisationKind.REGION:
        region = db.session.scalars(
            sa.select(Organisation).where(Organisation.kind == OrganisationKind.REGION)
        ).first()
    if kind is OrganisationKind.REGION and _region_exists():
        # The region's people see every organisation: there is only one region.
        raise ServiceError(_("There is already a region; choose municipality or care provider."),
                           field="kind")
    organisation = Organisation(name=name, kind=kind, region=region)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, *, name: str, kind: OrganisationKind) -> None:
    if kind is OrganisationKind.REGION and not organisation.is_region and _region_exists():
        raise ServiceError(_("There is already a region; choose municipality or care provider."),
                           field="kind")
    name = name.strip()
    _check_name_free(name, exclude_id=organisation.id)
    if kind is not organisation.kind:
        holders = db.session.scalars(
            sa.select(User).where(User.organisation_id == organisation.id)
        ).all()
        for holder in holders:
            try:
                _check_roles(holder.roles, kind)
            except ServiceError as error:
                raise ServiceError(error.message, field="kind") from None
    organisation.name = name
    organisation.kind = kind
    db.session.flush()


def set_organisation_active(organisation: Organisation, active: bool, *, actor: User) -> None:
    if organisation.id == actor.organisation_id and not active:
        raise ServiceError(_("You cannot deactivate your own organisation."))
    organisation.active = active
    db.session.flush()


def _region_exists() -> bool:
    return db.session.scalar(
        sa.select(sa.func.count(Organisation.id)).where(Organisation.kind == OrganisationKind.REGION)
    ) > 0


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ServiceError(_("An organisation with this name already exists."), field="name")
