"""Forms for managing accounts and organisations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from trajectory.auth.roles import Role
from trajectory.forms import TrajectoryForm
from trajectory.organisations.models import KIND_LABELS, OrganisationKind


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (rendered by the fieldset macro).

    ``accepted`` (a callable giving choices) lets the form accept more values than it
    offers: the roles field offers only those the acting administrator may give, yet a
    forged one passes the form, so it reaches the service, which refuses it with its reason
    and a security event. A value outside ``accepted`` is refused here as usual.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, accepted=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.accepted = accepted

    def pre_validate(self, form) -> None:
        if self.accepted is None:
            super().pre_validate(form)
            return
        offered, self.choices = self.choices, self.accepted()
        try:
            super().pre_validate(form)  # WTForms' own check and message
        finally:
            self.choices = offered


# Also checked by ``flask user create``, so every account can be edited in the form.
USERNAME_PATTERN = r"^[a-z0-9._-]+$"


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


def _normalise_username(value: str | None) -> str | None:
    """User names are stored in lower case; a stray space or capital is no error."""
    return value.strip().lower() if isinstance(value, str) else value


class UserForm(TrajectoryForm):
    # In the order of the page, so the error summary lists the errors in that order.
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "off"})
    username = StringField(
        _l("User name"),
        filters=[_normalise_username],
        validators=[DataRequired(), Length(min=3, max=64),
                    Regexp(USERNAME_PATTERN,
                           message=_l("Use lower-case letters, digits, dots and hyphens only."))],
        description=_l("Lower-case letters, digits, dots and hyphens, e.g. j.devries."),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    email = StringField(_l("Email address"),
                        validators=[Optional(), Email(message=_l("Enter an email address such as naam@goes.nl.")),
                                    Length(max=254)],
                        render_kw={"autocomplete": "off", "type": "email"})
    organisation_id = SelectField(_l("Organisation"), coerce=int,
                                  validators=[DataRequired()])
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices, accepted=role_choices,
                               validators=[DataRequired(message=_l("Choose at least one role."))],
                               description=_l("A user may hold several roles."))


class OrganisationForm(TrajectoryForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = RadioField(
        _l("Kind of organisation"),
        choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in OrganisationKind],
        validators=[DataRequired(message=_l("Choose the kind of organisation."))],
    )


class ConfirmForm(TrajectoryForm):
    """An empty form: gives POST-only actions their CSRF token."""


class UserFilterForm(TrajectoryForm):
    class Meta:
        csrf = False  # a search form: GET, no state change

    q = StringField(_l("Search by name or user name"), validators=[Optional(), Length(max=100)])
    organisation = SelectField(_l("Organisation"), validators=[Optional()])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
