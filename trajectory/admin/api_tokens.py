"""API tokens for client applications (role beheerder; the API itself: trajectory/api).

A beheerder issues a token to an organisation's client application with a role it acts
as and its scopes; the token is shown once, on the page that issued it, and only its hash
is kept. A regional beheerder manages every organisation's tokens, others their own's.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from trajectory.admin.forms import ConfirmForm, MultiCheckboxField
from trajectory.admin.views import bp
from trajectory.api import services as api_services
from trajectory.api.models import SCOPE_LABELS, TOKEN_ROLES, ApiToken
from trajectory.auth.access import allow, get_in_scope
from trajectory.auth.models import User, UserRole
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.forms import TrajectoryForm
from trajectory.forms import apply_service_error as _apply_service_error
from trajectory.organisations.models import Organisation
from trajectory.services import ServiceError
from trajectory.ui import register_nav

register_nav("admin.api_tokens", _l("API tokens"), {Role.BEHEERDER}, order=92)


class TokenForm(TrajectoryForm):
    client_name = StringField(_l("Client application"), validators=[DataRequired(), Length(max=120)],
                              description=_l("The system that will use the token, e.g. "
                                             "the provider's administration."))
    organisation = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    acts_as = SelectField(_l("Acts as"), choices=lambda: [(r.value, r.label) for r in TOKEN_ROLES],
                          description=_l("The token sees what this role of the organisation "
                                         "sees on the pages."))
    user = SelectField(_l("Buddy account"), coerce=lambda v: int(v) if v not in (None, "", "None")
                       else None, choices=[],
                       description=_l("Only for a buddy's app: the token sees what this buddy "
                                      "sees."))
    scopes = MultiCheckboxField(_l("Scopes"), choices=[])
    days = IntegerField(_l("Valid for (days)"), default=365,
                        validators=[DataRequired(), NumberRange(1, api_services.MAX_DAYS)])


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.scope_filter(current_user),
                                      Organisation.active.is_(True))
        .order_by(Organisation.kind, Organisation.name)))


def _buddies(organisations: list[Organisation]) -> list[User]:
    """The active buddy accounts of the organisations in the beheerder's reach."""
    return list(db.session.scalars(
        sa.select(User).join(UserRole).where(
            UserRole.role == Role.BUDDY, User.active.is_(True),
            User.organisation_id.in_([o.id for o in organisations]))
        .order_by(User.full_name, User.id)).unique())


@bp.route("/api-tokens")
@allow(Role.BEHEERDER)
def api_tokens():
    """Every token in the beheerder's reach: whose, acting as what, when last used."""
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.scope_filter(current_user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
    ).all()
    return render_template("admin/api_tokens.html", tokens=tokens, scope_labels=SCOPE_LABELS,
                           confirm=ConfirmForm())


@bp.route("/api-tokens/nieuw", methods=["GET", "POST"])
@allow(Role.BEHEERDER)
def new_api_token():
    form = TokenForm()
    organisations = _organisations()
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    form.scopes.choices = [(s.value, f"{s.value}: {label}") for s, label in SCOPE_LABELS.items()]
    buddies = _buddies(organisations)
    form.user.choices = [("", _("None (a system's token)"))] + [
        (u.id, f"{u.full_name} ({u.organisation.name})") for u in buddies]
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation.data)
        try:
            token, plain = api_services.issue_token(
                organisation=organisation, client_name=form.client_name.data,
                acts_as=Role(form.acts_as.data), scopes=set(form.scopes.data),
                days=form.days.data, issued_by=current_user,
                user=next((u for u in buddies if u.id == form.user.data), None))
        except ServiceError as error:
            db.session.rollback()
            _apply_service_error(form, error)
        else:
            db.session.commit()
            return render_template("admin/api_token_issued.html", token=token, plain=plain)
    return render_template("admin/api_token_form.html", form=form)


@bp.route("/api-tokens/<int:token_id>/intrekken", methods=["POST"])
@allow(Role.BEHEERDER)
def revoke_api_token(token_id: int):
    token = get_in_scope(ApiToken, token_id)
    if ConfirmForm().validate_on_submit():
        api_services.revoke_token(token)
        db.session.commit()
        flash(_("The token of %(name)s has been revoked.", name=token.client_name), "success")
    return redirect(url_for("admin.api_tokens"))
