"""Home, language switch, health endpoints."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from trajectory.auth.access import any_user, public
from trajectory.auth.views import safe_next
from trajectory.extensions import db
from trajectory.main.home import panels_for

bp = Blueprint("main", __name__)


@bp.route("/")
@any_user
def home():
    """Each role lands on its own work: the panels come from the features."""
    return render_template("main/home.html", panels=panels_for(current_user))


@bp.route("/taal", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.route("/healthz")
@public
def healthz():
    """The process is alive; touches no database."""
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/readyz")
@public
def readyz():
    """Ready to serve: the database answers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.warning("readiness check failed: database unreachable")
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
