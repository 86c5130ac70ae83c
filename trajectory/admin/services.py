"""Creating and changing accounts and organisations.

Each function changes objects and flushes; the view commits once. The audit
trail follows from the session listener.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.auth import mfa
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


# ------------------------------------------------------------ who may grant what

# Roles whose scope reaches beyond one organisation, wherever their holder works.
REGION_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.SROI_ADVISEUR})
# Administering accounts and judging claims are never one person's job.
INCOMPATIBLE_ROLES = ((Role.BEHEERDER, Role.SROI_ADVISEUR),)


class GrantRefused(ServiceError):
    """A refused change of roles or of an account's administration: the view
    writes a security event for it (after rolling back)."""

    event = "role_grant"


def region_wide(role: Role, organisation: Organisation) -> bool:
    """Does ``role`` held by someone of ``organisation`` reach beyond that organisation?"""
    return role in REGION_WIDE_ROLES or (role is Role.BEHEERDER and organisation.is_region)


def may_grant(actor: User | None, role: Role, organisation: Organisation) -> bool:
    """May ``actor`` give or take ``role`` for someone of ``organisation``? The region's
    administrator (and the command line) any role; an organisation's administrator only,
    inside its own organisation, one whose scope stays there. The grant check below and the
    roles the account form offers (``grantable_roles``) both ask this."""
    if actor is None or actor.is_regional:
        return True
    return organisation.id == actor.organisation_id and not region_wide(role, organisation)


def grantable_roles(actor: User) -> list[Role]:
    """The roles the account form offers ``actor``: those it may give to someone of its
    organisation (the region's administrator gives in every organisation, so all)."""
    return [role for role in Role if may_grant(actor, role, actor.organisation)]


def role_combination_problem(roles: set[Role] | frozenset[Role]) -> str | None:
    """Why these roles cannot be held together, or None (also used by ``flask user``)."""
    for first, second in INCOMPATIBLE_ROLES:
        if first in roles and second in roles:
            return _("%(first)s and %(second)s cannot be held by one person: administering "
                     "accounts and judging claims are kept apart.",
                     first=first.label, second=second.label)
    return None


def check_can_manage(actor: User | None, target: User) -> None:
    """May ``actor`` administer ``target`` at all (edit, password, second factor, status)?

    The region's administrator manages every account; an organisation's
    administrator only the accounts of its own organisation that hold no
    role reaching beyond it (else a password or second-factor reset would hand
    it a region-wide account). ``actor`` None is the command line.
    """
    if actor is None:
        return
    if not actor.has_role(Role.BEHEERDER):
        raise GrantRefused(_("Only an administrator can manage accounts."), field="roles")
    if actor.is_regional:
        return
    if target.organisation_id != actor.organisation_id:
        raise GrantRefused(_("You can only manage accounts of your own organisation."),
                           field="organisation_id")
    wide = sorted(r for r in target.roles if region_wide(r, target.organisation))
    if wide:
        raise GrantRefused(
            _("This account holds %(roles)s, whose scope reaches beyond your organisation; "
              "only the region's administrator can manage it.",
              roles=", ".join(r.label for r in wide)),
            field="roles")


def check_role_grant(actor: User | None, *, target: User | None, organisation: Organisation,
                     roles: set[Role] | frozenset[Role]) -> None:
    """The rules for giving ``roles`` to ``target`` (None: a new account) in ``organisation``.

    Everyone: the roles fit the kind of organisation, and the administrator
    and SROI adviser roles are never combined. With an actor (not the command
    line): nobody changes their own roles or organisation; an organisation's
    administrator works only inside its own organisation and gives or takes
    no role that reaches beyond it (coordinator, SROI adviser, administrator
    of the region); those only the region's administrator does.
    """
    _check_roles(roles, organisation.kind)
    if problem := role_combination_problem(roles):
        raise GrantRefused(problem, field="roles")
    if actor is None:
        return
    if not actor.has_role(Role.BEHEERDER):
        raise GrantRefused(_("Only an administrator can give roles."), field="roles")
    old_roles = frozenset(target.roles) if target is not None else frozenset()
    if target is not None and target.id == actor.id:
        if frozenset(roles) != old_roles:
            raise GrantRefused(_("You cannot change your own roles; ask another administrator."),
                               field="roles")
        if organisation.id != target.organisation_id:
            raise GrantRefused(_("You cannot move your own account to another organisation; "
                                 "ask another administrator."), field="organisation_id")
    if actor.is_regional:
        return
    if organisation.id != actor.organisation_id:
        raise GrantRefused(_("You can only manage accounts of your own organisation."),
                           field="organisation_id")
    if target is not None:
        check_can_manage(actor, target)
    changed = frozenset(roles) ^ old_roles
    wide = sorted(r for r in changed if not may_grant(actor, r, organisation))
    if wide:
        raise GrantRefused(
            _("%(roles)s reaches beyond your organisation; only the region's administrator "
              "can give or take it.", roles=", ".join(r.label for r in wide)),
            field="roles")


def _check_username_free(username: str, exclude_id: int | None = None) -> None:
    stmt = sa.select(User.id).where(sa.func.lower(User.username) == username.lower())
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ServiceError(_("This user name is already taken."), field="username")


def create_user(*, username: str, full_name: str, email: str | None,
                organisation: Organisation, roles: set[Role],
                actor: User | None = None) -> tuple[User, str]:
    """A new account with a temporary password that must be changed at first login."""
    username = username.strip().lower()
    _check_username_free(username)
    check_role_grant(actor, target=None, organisation=organisation, roles=roles)
    password = temporary_password()
    user = User(username=username, full_name=full_name.strip(), email=email or None,
                organisation=organisation, password_hash="!")  # noqa: S106 - no login until set_password below
    user.set_roles(roles)
    db.session.add(user)
    set_password(user, password, temporary=True)
    return user, password


def update_user(user: User, *, username: str, full_name: str, email: str | None,
                organisation: Organisation, roles: set[Role], actor: User | None = None) -> None:
    username = username.strip().lower()
    check_can_manage(actor, user)
    check_role_grant(actor, target=user, organisation=organisation, roles=roles)
    _check_username_free(username, exclude_id=user.id)
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
    check_can_manage(actor, user)
    user.active = active
    if not active:
        user.end_all_sessions()
    db.session.flush()


def reset_user_password(user: User, *, actor: User | None = None) -> str:
    check_can_manage(actor, user)
    password = temporary_password()
    set_password(user, password, temporary=True)
    return password


def reset_user_mfa(user: User, *, actor: User | None = None) -> None:
    """Forget the user's second factor (lost phone); they set it up again at the next
    login, and every session of theirs ends. Own account: use the Security page."""
    if actor is not None and user.id == actor.id:
        raise ServiceError(_("You cannot reset your own second factor here; use your "
                             "Security page."))
    check_can_manage(actor, user)
    if not user.mfa_enrolled and user.totp_secret is None:
        raise ServiceError(_("This account has no second factor to reset."))
    user.end_all_sessions()
    mfa.remove_second_factor(user)  # flushes both: one entry in the audit trail


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
