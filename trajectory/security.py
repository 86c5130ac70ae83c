"""Security headers, idle timeout and the session check on every request."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in

from trajectory.extensions import db, login_manager
from trajectory.timeutil import utcnow

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


# Forms whose POST body survives an idle logout: endpoint -> the field names kept.
# When an idle session posts one of them, the fields (never the CSRF token) are
# kept in the new anonymous session with the user's id, the login page sends the
# person back to the form, and the form takes them once with ``take_kept_post``.
KEPT_POSTS: dict[str, tuple[str, ...]] = {}
KEPT_POST_KEY = "kept_post"
KEPT_VALUE_MAX = 1000


def keep_post_body(endpoint: str, fields: tuple[str, ...]) -> None:
    """Register a form whose typed-in text must not be lost to the idle timeout."""
    KEPT_POSTS[endpoint] = tuple(fields)


def take_kept_post(user_id: int) -> dict[str, str] | None:
    """The fields kept for this URL and user, removed from the session; else None."""
    kept = session.get(KEPT_POST_KEY)
    if not kept or kept.get("path") != request.path or kept.get("user_id") != user_id:
        return None
    session.pop(KEPT_POST_KEY, None)
    return dict(kept.get("fields") or {})


def _kept_body(user_id: int) -> dict | None:
    fields = KEPT_POSTS.get(request.endpoint or "")
    if request.method != "POST" or not fields:
        return None
    values = {name: request.form.get(name, "")[:KEPT_VALUE_MAX] for name in fields
              if name in request.form}
    return {"path": request.path, "user_id": user_id, "fields": values}


def _restore_kept_post(sender, user, **extra) -> None:
    """``session.clear()`` at login drops the kept body: put it back for the same user."""
    kept = g.get("kept_post")
    if kept and kept.get("user_id") == user.id:
        session[KEPT_POST_KEY] = kept


@login_manager.user_loader
def load_user(session_id: str):
    """Load the user only when the cookie's token is still the user's token."""
    from trajectory.auth.models import User

    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalars(sa.select(User).where(User.id == int(user_id))).first()
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    user_logged_in.connect(_restore_kept_post, app)

    @app.before_request
    def carry_kept_post():
        """The login POST clears the session; remember a kept form body across it."""
        if request.endpoint == "auth.login" and request.method == "POST":
            g.kept_post = session.get(KEPT_POST_KEY)

    @app.before_request
    def expire_idle_session():
        """Log out after IDLE_TIMEOUT_MINUTES without a request (BIO / ASVS 7.3.1)."""
        if request.endpoint in (None, "static", "main.healthz", "main.readyz"):
            return None
        if not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        last_seen = session.get("last_seen", 0)
        idle_limit = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
        if now - last_seen > idle_limit:
            kept = _kept_body(current_user.id)
            logout_user()
            session.clear()
            flash(_("You were logged out because you were inactive for a while. "
                    "Log in again to continue."), "warning")
            next_path = request.full_path.rstrip("?") if request.method == "GET" else None
            if kept is not None:
                session[KEPT_POST_KEY] = kept
                next_path = request.full_path.rstrip("?")
            return redirect(url_for("auth.login", next=next_path))
        session["last_seen"] = now
        return None

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
