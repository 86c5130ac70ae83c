"""Security headers, the session cookie, and the session check on every request."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from trajectory.extensions import db, login_manager

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


# Every form survives an idle logout. When a session that has just expired (idle or
# at its lifetime) posts to a page that also serves the form (a GET on the same URL),
# its fields are kept on the server for that user (``KeptInput``, see
# trajectory/auth/sessions.py), the login page sends the person back to that URL, and
# the form, built from ``trajectory.forms.TrajectoryForm``, takes them back once. The
# cookie carries nothing of them. Never kept: the fields named here (the CSRF token and
# secrets); file uploads are never in ``request.form``.
NEVER_KEPT_FIELDS = frozenset({
    "csrf_token", "password", "current_password", "new_password", "confirm_password",
    "code", "recovery_code", "recovery_codes", "secret", "totp_secret", "upload", "file",
})

# Optional narrowing: endpoint -> the only field names kept (``keep_post_body``).
KEPT_POSTS: dict[str, tuple[str, ...]] = {}

# Cookie names: ``__Host-`` makes the browser insist on Secure, Path=/ and no
# Domain; browsers refuse it over plain http, so ``make run`` uses a plain name.
SECURE_COOKIE_NAME = "__Host-trajectory"
PLAIN_COOKIE_NAME = "trajectory"


def keep_post_body(endpoint: str, fields: tuple[str, ...]) -> None:
    """Keep only these fields of an endpoint's form (every other form keeps all of its
    fields but the ``NEVER_KEPT_FIELDS``); not needed to have a form kept."""
    KEPT_POSTS[endpoint] = tuple(fields)


def take_kept_post(user_id: int) -> dict[str, str | list[str]] | None:
    """The fields kept for this URL and user, removed from the server; else None."""
    from trajectory.auth.sessions import take_kept_input

    return take_kept_input(user_id, request.path)


def kept_fields(form) -> dict[str, str | list[str]]:
    """The fields of a posted form body worth keeping: everything but the secrets (a field
    posted more than once, such as checkboxes, keeps all its values)."""
    only = KEPT_POSTS.get(request.endpoint or "")
    fields: dict[str, str | list[str]] = {}
    for name in form:
        if name in NEVER_KEPT_FIELDS or (only is not None and name not in only):
            continue
        values = form.getlist(name)
        fields[name] = values[0] if len(values) == 1 else values
    return fields


def _serves_form(rule) -> bool:
    """A POST to a URL that also shows a form (GET) can get its input back there; a POST-only
    action (a button) has nothing typed to keep."""
    return rule is not None and "GET" in (rule.methods or ())


def _keep_body(user_id: int) -> bool:
    """Keep this request's form body for ``user_id`` when it posted a form page."""
    from trajectory.auth.access import PUBLIC, declared_access
    from trajectory.auth.sessions import keep_input

    if request.method != "POST" or not _serves_form(request.url_rule) \
            or declared_access(request.endpoint) == PUBLIC:
        return False
    fields = kept_fields(request.form)
    if not fields:
        return False
    keep_input(user_id, request.path, fields)
    return True


@login_manager.user_loader
def load_user(user_ref: str):
    """The user of an open, unexpired session whose token still matches (auth/sessions.py)."""
    from trajectory.auth.sessions import load_session_user

    return load_session_user(user_ref)


def _configure_cookie(app: Flask) -> None:
    if app.config.get("SESSION_COOKIE_NAME") in (None, "session"):
        app.config["SESSION_COOKIE_NAME"] = (
            SECURE_COOKIE_NAME if app.config["SESSION_COOKIE_SECURE"] else PLAIN_COOKIE_NAME)
    if app.config["SESSION_COOKIE_NAME"].startswith("__Host-"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    app.config["SESSION_COOKIE_HTTPONLY"] = True


def init_security(app: Flask) -> None:
    from trajectory.auth.sessions import install_session_listeners

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    _configure_cookie(app)
    install_session_listeners()

    @app.before_request
    def expire_session():
        """End a session idle for IDLE_TIMEOUT_MINUTES or older than SESSION_LIFETIME_HOURS
        (BIO / ASVS 7.3.1, 7.3.2); a form posted meanwhile is kept for its owner."""
        from trajectory.auth.access import PUBLIC, declared_access
        from trajectory.auth.sessions import check_request_session, log_session_end

        if request.endpoint in (None, "static", "main.healthz", "main.readyz"):
            return None
        if request.blueprint == "api":
            return None  # the API never reads a session (trajectory/api/auth.py)
        ended = check_request_session()
        if ended is None:
            return None
        row, reason = ended
        kept = _keep_body(row.user_id)
        log_session_end(row, reason)
        logout_user()
        session.clear()
        db.session.commit()
        if reason.value == "lifetime":
            flash(_("Your session has reached its maximum length. "
                    "Log in again to continue."), "warning")
        else:
            flash(_("You were logged out because you were inactive for a while. "
                    "Log in again to continue."), "warning")
        if declared_access(request.endpoint) == PUBLIC and not kept:
            return None  # the login page itself, the language switch
        next_path = request.full_path.rstrip("?") if request.method == "GET" or kept else None
        return redirect(url_for("auth.login", next=next_path))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages carry personal data: never keep them in a shared or browser cache.
            headers["Cache-Control"] = "no-store"
        return response
