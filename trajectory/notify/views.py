"""The account page's e-mail choices: what the user receives, and what was sent."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from trajectory.auth.access import any_user
from trajectory.extensions import db
from trajectory.notify import rules, services
from trajectory.notify.forms import PreferencesForm

bp = Blueprint("notify", __name__)


@bp.route("/account/e-mail", methods=["GET", "POST"])
@any_user
def preferences():
    """Own choices only: every user sees and changes what they receive."""
    user = current_user._get_current_object()
    kinds = [kind for kind in rules.kinds_for(user) if not kind.opt_in]
    digest = any(kind.opt_in for kind in rules.kinds_for(user))
    saved = services.preference_of(user)
    form = PreferencesForm(data={
        "kinds": [kind.key for kind in kinds if kind.key not in (saved.muted or [])],
        "digest": getattr(saved.digest, "value", saved.digest),
        "language": saved.language})
    form.kinds.choices = [SelectChoice(kind.key, kind.label) for kind in kinds]
    if not digest:
        del form.digest
    if form.validate_on_submit():
        muted = [kind.key for kind in kinds if kind.key not in form.kinds.data]
        services.save_preferences(user, language=form.language.data,
                                  digest=form.digest.data if digest else "off", muted=muted)
        db.session.commit()
        flash(_("Your e-mail choices have been saved."), "success")
        return redirect(url_for("notify.preferences"))
    return render_template("notify/preferences.html", form=form, kinds=kinds,
                           has_address=services.has_address(user), user=user,
                           recent=services.recent_for(user))
