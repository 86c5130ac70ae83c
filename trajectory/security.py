"""Security headers, idle timeout and the session check on every request."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

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
            logout_user()
            session.clear()
            flash(_("You were logged out because you were inactive for a while. "
                    "Log in again to continue."), "warning")
            next_path = request.full_path.rstrip("?") if request.method == "GET" else None
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
