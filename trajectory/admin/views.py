"""Admin pages: accounts and organisations (role beheerder).

A regional administrator manages every organisation; an administrator of a
municipality or provider manages the accounts of their own organisation.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory.admin import services
from trajectory.admin.forms import ConfirmForm, OrganisationForm, UserFilterForm, UserForm
from trajectory.audit.labels import event_rows
from trajectory.audit.trail import history_for, log_security
from trajectory.auth.access import allow, get_in_scope, require
from trajectory.auth.models import User, UserRole
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.forms import apply_service_error as _apply_service_error
from trajectory.organisations.models import KIND_LABELS, Organisation, OrganisationKind
from trajectory.services import ServiceError
from trajectory.ui import apply_sort, paginate, register_nav

bp = Blueprint("admin", __name__, url_prefix="/beheer")

register_nav("admin.users", _l("Users"), {Role.BEHEERDER}, order=90)
register_nav("admin.organisations", _l("Organisations"), {Role.BEHEERDER}, order=91)


def _organisation_choices() -> list[SelectChoice]:
    organisations = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.scope_filter(current_user), Organisation.active.is_(True))
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    return [SelectChoice(o.id, o.name, optgroup=o.kind_label) for o in organisations]


def _user_form(**kwargs) -> UserForm:
    """The account form with the organisations in scope and the roles the acting
    administrator may give (the service checks the same rule on saving)."""
    form = UserForm(**kwargs)
    form.organisation_id.choices = _organisation_choices()
    form.roles.choices = [SelectChoice(role.value, role.label)
                          for role in services.grantable_roles(current_user)]
    return form


def _refused(error: ServiceError) -> None:
    """After the rollback: a refused grant or administration is a security event."""
    if isinstance(error, services.GrantRefused):
        log_security("role_grant", "refused", user_id=current_user.id,
                     username=current_user.username)
        db.session.commit()


# ---------------------------------------------------------------- users

@bp.route("/gebruikers")
@allow(Role.BEHEERDER)
def users():
    filters = UserFilterForm(request.args)
    filters.organisation.choices = [SelectChoice("", _("All organisations"))] + [
        SelectChoice(str(c.value), c.label) for c in _organisation_choices()]
    filters.role.choices = [SelectChoice("", _("All roles"))] + [
        SelectChoice(r.value, r.label) for r in Role]
    filters.status.choices = [SelectChoice("", _("Active and inactive")),
                              SelectChoice("actief", _("Active")),
                              SelectChoice("inactief", _("Inactive"))]
    stmt = sa.select(User).join(User.organisation).where(User.scope_filter(current_user))
    if filters.q.data:
        term = filters.q.data.strip().lower()
        for char in ("\\", "%", "_"):  # search for them literally, not as wildcards
            term = term.replace(char, "\\" + char)
        like = f"%{term}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.full_name).like(like, escape="\\"),
                                 sa.func.lower(User.username).like(like, escape="\\")))
    if (filters.organisation.data or "").isdigit():
        stmt = stmt.where(User.organisation_id == int(filters.organisation.data))
    if filters.role.data in {r.value for r in Role}:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id)
                                      .where(UserRole.role == Role(filters.role.data))))
    if filters.status.data == "actief":
        stmt = stmt.where(User.active.is_(True))
    elif filters.status.data == "inactief":
        stmt = stmt.where(User.active.is_(False))
    # "Never logged in" sorts as longest ago on SQLite and PostgreSQL alike
    # (they put NULL at opposite ends); the id breaks ties, so pages never overlap.
    never = sa.literal(datetime(1970, 1, 1, tzinfo=UTC), User.last_login_at.type)
    stmt = apply_sort(stmt, {"name": User.full_name, "username": User.username,
                             "organisation": Organisation.name,
                             "last_login": sa.func.coalesce(User.last_login_at, never)}, "name")
    stmt = stmt.order_by(User.id)
    return render_template("admin/users.html", page=paginate(stmt), filters=filters)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def new_user():
    form = _user_form()
    if request.method == "GET" and not current_user.is_regional:
        form.organisation_id.data = current_user.organisation_id
    if form.validate_on_submit():
        organisation = get_in_scope(Organisation, form.organisation_id.data)
        try:
            user, password = services.create_user(
                username=form.username.data, full_name=form.full_name.data,
                email=form.email.data, organisation=organisation,
                roles={Role(r) for r in form.roles.data},
                actor=current_user._get_current_object())
        except ServiceError as error:
            db.session.rollback()
            _refused(error)
            _apply_service_error(form, error)
        else:
            db.session.commit()
            return render_template("admin/password_issued.html", user=user, password=password)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/gebruikers/<int:user_id>")
@allow(Role.BEHEERDER)
def user_detail(user_id: int):
    user = get_in_scope(User, user_id)
    return render_template("admin/user_detail.html", user=user, confirm=ConfirmForm(),
                           history=event_rows(history_for("User", user.id)[:20]))


@bp.route("/gebruikers/<int:user_id>/bewerken", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def edit_user(user_id: int):
    user = get_in_scope(User, user_id)
    form = _user_form(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        organisation = get_in_scope(Organisation, form.organisation_id.data)
        try:
            services.update_user(user, username=form.username.data,
                                 full_name=form.full_name.data, email=form.email.data,
                                 organisation=organisation,
                                 roles={Role(r) for r in form.roles.data},
                                 actor=current_user._get_current_object())
        except ServiceError as error:
            db.session.rollback()
            _refused(error)
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("The account of %(name)s has been saved.", name=user.full_name), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/gebruikers/<int:user_id>/actief", methods=["POST"])
@allow(Role.BEHEERDER)
def toggle_user(user_id: int):
    user = get_in_scope(User, user_id)
    try:
        services.set_user_active(user, not user.active, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        _refused(error)
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.full_name) if user.active
              else _("%(name)s can no longer log in.", name=user.full_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/gebruikers/<int:user_id>/wachtwoord", methods=["POST"])
@allow(Role.BEHEERDER)
def reset_password(user_id: int):
    user = get_in_scope(User, user_id)
    try:
        password = services.reset_user_password(user, actor=current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        _refused(error)
        flash(error.message, "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    db.session.commit()
    return render_template("admin/password_issued.html", user=user, password=password)


@bp.route("/gebruikers/<int:user_id>/tweede-stap", methods=["POST"])
@allow(Role.BEHEERDER)
def reset_mfa(user_id: int):
    """Reset a user's second factor (lost phone): they set it up again at the next login."""
    user = get_in_scope(User, user_id)
    try:
        services.reset_user_mfa(user, actor=current_user._get_current_object())
    except ServiceError as error:
        db.session.rollback()
        _refused(error)
        flash(error.message, "error")
    else:
        log_security("mfa_reset", "success", user_id=current_user.id,
                     username=current_user.username)
        db.session.commit()
        flash(_("The second factor of %(name)s has been reset. They set up a new one at "
                "their next login.", name=user.full_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# -------------------------------------------------------- organisations

@bp.route("/organisaties")
@allow(Role.BEHEERDER)
def organisations():
    counts = (sa.select(User.organisation_id, sa.func.count(User.id).label("n"))
              .group_by(User.organisation_id).subquery())
    stmt = (sa.select(Organisation, sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.organisation_id == Organisation.id)
            .where(Organisation.scope_filter(current_user)))
    stmt = apply_sort(stmt, {"name": Organisation.name, "kind": Organisation.kind}, "kind")
    rows = db.session.execute(stmt.order_by(Organisation.name)).all()
    return render_template("admin/organisations.html", rows=rows,
                           can_create=current_user.is_regional)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def new_organisation():
    require(current_user.is_regional)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                name=form.name.data, kind=OrganisationKind(form.kind.data))
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=organisation.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@bp.route("/organisaties/<int:organisation_id>/bewerken", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def edit_organisation(organisation_id: int):
    organisation = get_in_scope(Organisation, organisation_id)
    require(current_user.is_regional)
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, name=form.name.data,
                                         kind=OrganisationKind(form.kind.data))
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s has been saved.", name=organisation.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form,
                           organisation=organisation, confirm=ConfirmForm(),
                           kind_labels=KIND_LABELS)


@bp.route("/organisaties/<int:organisation_id>/actief", methods=["POST"])
@allow(Role.BEHEERDER)
def toggle_organisation(organisation_id: int):
    organisation = get_in_scope(Organisation, organisation_id)
    require(current_user.is_regional)
    try:
        services.set_organisation_active(organisation, not organisation.active,
                                         actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s is active again.", name=organisation.name) if organisation.active
              else _("%(name)s has been deactivated; its people can no longer log in.",
                     name=organisation.name), "success")
    return redirect(url_for("admin.organisations"))

# API tokens for client applications (the admin pages of trajectory/api).
from trajectory.admin import api_tokens as _api_tokens  # noqa: E402,F401
