"""Login, logout, logout everywhere, own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from trajectory.audit.trail import log_security
from trajectory.auth.access import any_user, public
from trajectory.auth.forms import ChangePasswordForm, LoginForm
from trajectory.auth.passwords import password_problem, verify_password
from trajectory.auth.services import authenticate, set_password
from trajectory.auth.sessions import complete_login, end_login
from trajectory.extensions import db, limiter

bp = Blueprint("auth", __name__)

DEMO_ACCOUNTS = (
    ("beheer", _l("Administrator")),
    ("adviseur", _l("SROI adviser")),
    ("coordinator", _l("Coordinator (overlegtafel)")),
    ("klantmanager", _l("Client manager, Goes")),
    ("klantmanager2", _l("Client manager, Tholen")),
    ("intaker", _l("Intaker, first provider")),
    ("intaker2", _l("Intaker, second provider")),
    ("buddy", _l("Buddy")),
)


def _login_failed(response) -> bool:
    """Only failed attempts count towards the throttle."""
    return bool(g.get("login_failed"))


def _account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def _address_key() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """Accept only a local path as the place to return to (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/inloggen", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, key_func=_address_key, methods=["POST"],
               deduct_when=_login_failed, scope="login-address")
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"],
               deduct_when=_login_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            complete_login(user, method="password")
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        g.login_failed = True
        log_security("login", "failure", username=form.username.data)
        error = _("The user name or password is not correct.")
    elif request.method == "POST":
        g.login_failed = True
        error = _("Enter your user name and password.")
    db.session.commit()
    return render_template(
        "auth/login.html", form=form, error=error,
        demo_accounts=DEMO_ACCOUNTS if current_app.config["DEMO_MODE"] else (),
    )


@bp.route("/uitloggen", methods=["POST"])
@any_user
def logout():
    end_login("logout")
    db.session.commit()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/overal-uitloggen", methods=["POST"])
@any_user
def logout_everywhere():
    """End every session of this user, on every device."""
    current_user.end_all_sessions()
    end_login("logout_everywhere")
    db.session.commit()
    flash(_("You have been logged out on every device."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord", methods=["GET", "POST"])
@any_user
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is not correct."))
        elif problem := password_problem(form.new_password.data, current_user.username):
            form.new_password.errors.append(problem)
        else:
            user = current_user._get_current_object()
            set_password(user, form.new_password.data)
            log_security("password_changed", "success", user_id=current_user.id,
                         username=current_user.username)
            db.session.commit()
            # The token changed: log in again on this device with the new one.
            login_user(user)
            flash(_("Your password has been changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
