"""Login and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from trajectory.forms import TrajectoryForm


class LoginForm(TrajectoryForm):
    # The field names are pinned: username and password (plus csrf_token).
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(TrajectoryForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()],
        description=_l("At least 12 characters. A short sentence of your own is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(TrajectoryForm):
    # One field, pinned name ``code``: a 6-digit code from the app or a recovery code.
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code from your app.")),
                                               Length(max=64)],
                       description=_l("The 6 digits your authenticator app shows, or one of "
                                      "your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "none",
                                  "spellcheck": "false"})


class EnrolForm(TrajectoryForm):
    code = StringField(_l("Code from your app"),
                       validators=[DataRequired(message=_l("Enter the code from your app.")),
                                   Length(max=64)],
                       description=_l("After scanning, your app shows 6 digits that change "
                                      "every 30 seconds."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "spellcheck": "false"})


class ConfirmCodeForm(TrajectoryForm):
    """Confirm a change to the second factor with a current code."""

    code = StringField(_l("Code from your app"),
                       validators=[DataRequired(message=_l("Enter the code from your app.")),
                                   Length(max=64)],
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false"})
