"""Login, logout, logout everywhere, own password."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from trajectory.audit.trail import log_security
from trajectory.auth import mfa
from trajectory.auth.access import any_user, public
from trajectory.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmCodeForm,
    EnrolForm,
    LoginForm,
)
from trajectory.auth.models import User
from trajectory.auth.passwords import password_problem, verify_password
from trajectory.auth.services import authenticate, record_login, set_password
from trajectory.auth.sessions import complete_login, end_login
from trajectory.auth.throttle import throttle
from trajectory.extensions import db

bp = Blueprint("auth", __name__)

# The session key of the half-logged-in state between password and code.
PENDING = "mfa_pending"

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


def _address() -> str:
    return request.remote_addr or "unknown"


def _throttled(username: str | None, template: str, **context):
    """The refusal while the throttle says wait: the form again, status 429, an event."""
    wait = throttle().wait_seconds(username, _address())
    if not wait:
        return None
    log_security("login_throttled", "refused", username=username)
    db.session.commit()
    error = _("Too many failed attempts. Wait %(seconds)d seconds and try again.", seconds=wait)
    response = make_response(render_template(template, error=error, **context), 429)
    response.headers["Retry-After"] = str(wait)
    return response


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


def _login_context() -> dict:
    return {"demo_accounts": DEMO_ACCOUNTS if current_app.config["DEMO_MODE"] else (),
            "demo_totp_secret": mfa.DEMO_TOTP_SECRET}


def _token_digest(user) -> str:
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:32]


def _finish(user, method: str, next_url: str | None):
    """The one way out of the login steps: a session, the login recorded."""
    complete_login(user, method=method)
    record_login(user)
    throttle().succeeded(user.username)
    db.session.commit()
    return redirect(safe_next(next_url) or url_for("main.home"))


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        refused = _throttled(username, "auth/login.html", form=form, **_login_context())
        if refused is not None:
            return refused
        user = authenticate(username, form.password.data)
        if user is not None and user.mfa_enrolled:
            # Half logged in: who, for which password state and since when; not a session.
            session.clear()
            session[PENDING] = {"user_id": user.id, "token": _token_digest(user),
                                "at": mfa.clock(), "next": safe_next(request.args.get("next"))}
            log_security("login_password", "success", user_id=user.id, username=user.username)
            db.session.commit()
            return redirect(url_for("auth.login_code"))
        if user is not None:
            return _finish(user, "password", request.args.get("next"))
        throttle().failed(username, _address())
        log_security("login", "failure", username=username)
        error = _("The user name or password is not correct.")
    elif request.method == "POST":
        error = _("Enter your user name and password.")
    db.session.commit()
    return render_template("auth/login.html", form=form, error=error, **_login_context())


def _pending_user():
    """The user who gave the right password and still has to give the code, or None."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    started = pending.get("at")
    if not isinstance(started, (int, float)) or (
            mfa.clock() - started > current_app.config["MFA_PENDING_SECONDS"]):
        return None
    user = db.session.get(User, pending.get("user_id")) if isinstance(
        pending.get("user_id"), int) else None
    if (user is None or not user.is_active or not user.mfa_enrolled
            or not hmac.compare_digest(_token_digest(user), str(pending.get("token")))):
        return None
    return user


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step: one field ``code``, a code from the app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again with your user name and password."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        refused = _throttled(user.username, "auth/login_code.html", form=form)
        if refused is not None:
            return refused
        method = mfa.verify_second_factor(user, form.code.data)
        if method is not None:
            next_url = session.get(PENDING, {}).get("next")
            if method == "recovery":
                log_security("mfa_recovery_code_used", "success", user_id=user.id,
                             username=user.username)
                left = mfa.remaining_recovery_codes(user)
                response = _finish(user, "password+recovery", next_url)
                flash(_("You logged in with a recovery code; %(n)d left. Make new ones on "
                        "the Security page.", n=left), "warning")
                return response
            return _finish(user, "password+totp", next_url)
        throttle().failed(user.username, _address())
        log_security("login_code", "failure", user_id=user.id, username=user.username)
        db.session.commit()
        form.code.errors.append(_("The code is not correct. Enter the code your app shows now, "
                                  "or a recovery code."))
    return render_template("auth/login_code.html", form=form, error=None)


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


# ------------------------------------------------------------ second factor

@bp.route("/beveiliging")
@any_user
def security():
    """Own account security: the second factor, recovery codes, the password."""
    user = current_user._get_current_object()
    return render_template(
        "auth/security.html", user=user, mandatory=mfa.requires_mfa(user),
        remaining=mfa.remaining_recovery_codes(user) if user.mfa_enrolled else 0,
        disable_form=ConfirmCodeForm(prefix="disable"), codes_form=ConfirmCodeForm(prefix="codes"))


@bp.route("/beveiliging/authenticator", methods=["GET", "POST"])
@any_user
def mfa_enrol():
    """Set up the authenticator app: a QR code drawn here, then a first code."""
    user = current_user._get_current_object()
    if user.mfa_enrolled:
        return redirect(url_for("auth.security"))
    form = EnrolForm()
    if form.validate_on_submit():
        codes = mfa.confirm_enrolment(user, form.code.data)
        if codes is not None:
            log_security("mfa_enrolled", "success", user_id=user.id, username=user.username)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
        form.code.errors.append(_("The code is not correct. Check that the time on your phone "
                                  "is set automatically and enter the code shown now."))
    secret = mfa.pending_secret(user)
    db.session.commit()
    return render_template(
        "auth/mfa_enrol.html", form=form, mandatory=mfa.requires_mfa(user),
        qr=mfa.qr_svg_data_uri(mfa.provisioning_uri(user, secret)), secret=mfa.grouped(secret))


@bp.route("/beveiliging/uitzetten", methods=["POST"])
@any_user
def mfa_disable():
    user = current_user._get_current_object()
    form = ConfirmCodeForm(prefix="disable")
    if mfa.requires_mfa(user):
        flash(_("Your role requires a second factor; it cannot be switched off."), "error")
        return redirect(url_for("auth.security"))
    if not user.mfa_enrolled:
        return redirect(url_for("auth.security"))
    if form.validate_on_submit() and mfa.verify_second_factor(user, form.code.data):
        mfa.remove_second_factor(user)
        log_security("mfa_disabled", "success", user_id=user.id, username=user.username)
        db.session.commit()
        flash(_("The second factor is switched off. You log in with your password only."),
              "success")
        return redirect(url_for("auth.security"))
    log_security("mfa_disable", "failure", user_id=user.id, username=user.username)
    db.session.commit()
    form.code.errors.append(_("The code is not correct."))
    return _security_page(user, disable_form=form), 200


@bp.route("/beveiliging/herstelcodes", methods=["POST"])
@any_user
def mfa_recovery_codes():
    """New recovery codes (the old ones stop working), confirmed with a code."""
    user = current_user._get_current_object()
    form = ConfirmCodeForm(prefix="codes")
    if not user.mfa_enrolled:
        return redirect(url_for("auth.security"))
    if form.validate_on_submit() and mfa.verify_second_factor(user, form.code.data):
        codes = mfa.new_recovery_codes(user)
        log_security("mfa_recovery_codes_renewed", "success", user_id=user.id,
                     username=user.username)
        db.session.commit()
        return render_template("auth/recovery_codes.html", codes=codes, first_time=False)
    log_security("mfa_recovery_codes_renew", "failure", user_id=user.id, username=user.username)
    db.session.commit()
    form.code.errors.append(_("The code is not correct."))
    return _security_page(user, codes_form=form), 200


def _security_page(user, **forms):
    context = {"disable_form": ConfirmCodeForm(prefix="disable"),
               "codes_form": ConfirmCodeForm(prefix="codes"), **forms}
    return render_template("auth/security.html", user=user, mandatory=mfa.requires_mfa(user),
                           remaining=mfa.remaining_recovery_codes(user), **context)
