"""Dutch error pages; never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, StatementError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from trajectory.extensions import db
from trajectory.services import ServiceError


def register_error_responder(app: Flask, responder) -> None:
    """A feature that answers errors in its own format (the API's problem+json):
    ``responder(error, code)`` returns a response for its own paths, else None, and is
    asked before the pages' handlers."""
    app.extensions.setdefault("error_responders", []).append(responder)


def _own_response(error: Exception, code: int):
    for responder in current_app.extensions.get("error_responders", ()):
        answer = responder(error, code)
        if answer is not None:
            return answer
    return None


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something went wrong with your request"),
              _("The request could not be processed. Go back and try again.")),
        403: (_("You do not have access to this page"),
              _("Your role does not allow this. Ask your administrator if you think you need it.")),
        404: (_("Page not found"),
              _("This page does not exist, or you do not have access to it. "
                "Check the address or go back to the home page.")),
        405: (_("This action is not possible here"),
              _("Go back and use the buttons on the page.")),
        413: (_("The file is too large"),
              _("Choose a smaller file and try again.")),
        429: (_("Too many attempts"),
              _("You tried too often in a short time. Wait a minute and try again.")),
        500: (_("Something went wrong on our side"),
              _("The error has been logged. Try again later; if it keeps happening, "
                "contact your administrator.")),
    }


def render_error(code: int):
    messages = _messages()
    title, message = messages.get(code) or messages[400 if code < 500 else 500]
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _refused_input(error: Exception):
    """A refusal that slipped past the view (the causes are fixed in ``trajectory.inputs``):
    a rule's ``ServiceError``, a value the database refused, a save on a stale version.
    The user gets a Dutch page that says what happened, not "something went wrong"."""
    if isinstance(error, ServiceError):
        return render_template("errors/error.html", code=400,
                               title=_("This could not be saved"), message=error.message), 400
    if isinstance(error, StaleDataError):
        return render_template(
            "errors/error.html", code=409, title=_("Someone else saved this first"),
            message=_("Nothing of your change has been saved. Go back, reload the page to see "
                      "what was saved, and make your change again.")), 409
    # DataError: the database refused a value; a StatementError that is not the database's
    # own: the driver could not even send it (an integer beyond its range).
    if isinstance(error, DataError) or (isinstance(error, StatementError)
                                        and not isinstance(error, DBAPIError)):
        return render_template(
            "errors/error.html", code=400, title=_("This input could not be saved"),
            message=_("A value is too long, too large or contains characters that cannot be "
                      "stored. Nothing has been saved. Go back, shorten or correct it and try "
                      "again.")), 400
    return None


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        title = _("The form has expired")
        message = _("For your safety the form was no longer valid. Go back, reload the page "
                    "and submit it again.")
        return render_template("errors/error.html", code=400, title=title,
                               message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        own = _own_response(error, error.code)
        if own is not None:
            return own
        body, code = render_error(error.code)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            return body, code, {"Allow": ", ".join(error.valid_methods)}  # RFC 9110 15.5.6
        return body, code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        refused = _refused_input(error)
        if refused is not None:
            app.logger.warning("input refused: %s", type(error).__name__)
            return _own_response(error, refused[1]) or refused
        app.logger.exception("unhandled error", exc_info=error)
        return _own_response(error, InternalServerError.code) or render_error(
            InternalServerError.code)
