"""Confirm before what cannot be undone: one page of its own, no JavaScript.

An irreversible action keeps its form as it is: a POST with its fields (and a
``lock_version`` where it has one). The view does its checks and calls its service
as always; then, when the POST lacks ``confirmed=1``, it rolls the work back and
answers with ``ask(...)``: a page that says what will happen to what, with a
primary button ("Ja, verwijderen") that re-posts the same fields plus
``confirmed=1`` and a fresh CSRF token, and "Annuleren" back to where the user
came from. With ``confirmed=1`` the same request acts and commits.

Running the service before asking means the confirmation page only appears for
an action that would succeed now: a refusal (a rule, a stale ``lock_version``:
the 409 conflict page) shows at once, not after "Ja". The lock the first form
carried travels through the confirmation page, so a change by someone else in
between is still caught when the user confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import render_template, request

from trajectory.extensions import db

CONFIRMED = "confirmed"
# Never carried over: the token is issued anew, the flag is added by the page itself.
NOT_CARRIED = frozenset({"csrf_token", CONFIRMED})


def confirmed() -> bool:
    """The user said "Ja" on the confirmation page."""
    return request.form.get(CONFIRMED) == "1"


def carried_fields() -> list[tuple[str, str]]:
    """The fields of this POST the confirmation page sends again (in order, repeated
    names kept, files cannot be carried and are not)."""
    return [(name, value) for name, value in request.form.items(multi=True)
            if name not in NOT_CARRIED]


def ask(*, title: str, message: str, confirm_label: str, back: str,
        details: Iterable[tuple[Any, Any]] = ()) -> str:
    """Undo what the dry run wrote and render the confirmation page.

    ``title`` is the question ("Dit doel verwijderen?"), ``message`` what will happen
    and to what, ``confirm_label`` the primary button ("Ja, verwijderen"), ``back``
    where "Annuleren" leads, ``details`` label/value pairs shown as a list.
    Compute every text before calling: the rollback expires the loaded objects.
    """
    db.session.rollback()
    action = request.full_path.rstrip("?") if request.query_string else request.path
    return render_template("confirm.html", title=title, message=message,
                           confirm_label=confirm_label, back=back, details=list(details),
                           fields=carried_fields(), action=action)
