"""The account page's e-mail choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from trajectory.admin.forms import MultiCheckboxField
from trajectory.forms import TrajectoryForm
from trajectory.notify.models import DIGEST_LABELS, Digest

LANGUAGE_LABELS = {"nl": "Nederlands", "en": "English"}


def _digest_choices():
    return [SelectChoice(digest.value, DIGEST_LABELS[digest]) for digest in Digest]


def _language_choices():
    return [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()]


class PreferencesForm(TrajectoryForm):
    """``kinds``: the choices are the kinds for the user's roles (set by the view)."""

    kinds = MultiCheckboxField(_l("What you receive"), choices=[])
    digest = RadioField(_l("Digest of your signals"), choices=_digest_choices,
                        default=Digest.OFF.value)
    language = RadioField(_l("Language of the e-mails"),
                          choices=_language_choices, default="nl")
