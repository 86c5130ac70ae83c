"""Forms for the provider profile, the offer (inventory) and vacancies."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from trajectory.forms import DutchDateField, DutchDecimalField, TrajectoryForm, not_blank
from trajectory.providers.models import (
    HOURS_OFFER_TYPES,
    LEVEL_OFFER_TYPES,
    OfferType,
    VacancyStatus,
)

LEVEL_CHOICES = [SelectChoice("", _l("No level")),
                 *[SelectChoice(str(n), _l("Level %(n)d", n=n)) for n in (1, 2, 3, 4)]]


def offer_type_choices(empty: str | None = None) -> list[SelectChoice]:
    """Called when a form is made (a callable ``choices``), so the labels are in the
    user's language: a list built in the class body would be English for good."""
    choices = [SelectChoice(t.value, t.label) for t in OfferType]
    return [SelectChoice("", empty), *choices] if empty else choices


def vacancy_status_choices(empty: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(s.value, s.label) for s in VacancyStatus]
    return [SelectChoice("", empty), *choices] if empty else choices


def level_value(field) -> int | None:
    return int(field.data) if field.data else None


def _decimal_range(low: Decimal, high: Decimal, message):
    def check(form, field):
        if field.data is not None and not (low < field.data <= high):
            raise ValidationError(message)
    return check


def _not_before(other: str, message):
    def check(form, field):
        start = getattr(form, other).data
        if field.data and start and field.data < start:
            raise ValidationError(message)
    return check


class ProfileForm(TrajectoryForm):
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)],
                               render_kw={"autocomplete": "off"})
    contact_phone = StringField(_l("Phone number of the contact person"),
                                validators=[Optional(), Length(max=40)],
                                render_kw={"autocomplete": "off", "type": "tel"})
    contact_email = StringField(
        _l("Email address of the contact person"),
        validators=[Optional(), Email(message=_l("Enter an email address such as naam@zorg.nl.")),
                    Length(max=254)],
        render_kw={"autocomplete": "off", "type": "email"})
    contract_share = DutchDecimalField(
        _l("Contract share (percent)"),
        validators=[Optional(), _decimal_range(Decimal("-0.01"), Decimal(100),
                                               _l("Enter a percentage from 0 to 100."))],
        description=_l("Your share of the region's contracted revenue, e.g. 12,5. "
                       "The overlegtafel uses it to divide candidates in proportion (naar rato)."))
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 4})


class PracticeForm(TrajectoryForm):
    """What the provider already does for Social Return today: numbers and text."""

    employed_from_benefit = IntegerField(
        _l("People employed who came from a benefit"),
        validators=[Optional(), NumberRange(min=0, max=100000,
                                            message=_l("Enter a whole number of 0 or more."))],
        description=_l("Currently employed, a whole number."), render_kw={"inputmode": "numeric"})
    experience_places = IntegerField(
        _l("Work-experience places this year"),
        validators=[Optional(), NumberRange(min=0, max=100000,
                                            message=_l("Enter a whole number of 0 or more."))],
        render_kw={"inputmode": "numeric"})
    support_given = TextAreaField(_l("Support given"), validators=[Optional(), Length(max=4000)],
                                  description=_l("Coaching, buddies, debt counselling ..."),
                                  render_kw={"rows": 4})
    results = TextAreaField(_l("Results"), validators=[Optional(), Length(max=4000)],
                            description=_l("For example: people who moved on to a paid job."),
                            render_kw={"rows": 4})
    other_obligation_contracts = TextAreaField(
        _l("Other contracts with a Social Return obligation"),
        validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})


class OfferItemForm(TrajectoryForm):
    offer_type = SelectField(_l("Offer type"), choices=offer_type_choices,
                             validators=[DataRequired(message=_l("Choose an offer type."))])
    title = StringField(
        _l("Function or subject"), validators=[DataRequired(), not_blank, Length(max=160)],
        description=_l("For example: helpende zorg en welzijn, schuldhulp, taalproject NT2."))
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[Optional()],
                        description=_l("Required for BBL places and BOL internships; only for places with training."))
    hours_per_week = DutchDecimalField(
        _l("Hours per week"),
        validators=[Optional(), _decimal_range(Decimal(0), Decimal(60),
                                               _l("Enter hours per week: more than 0, at most 60."))],
        description=_l("Required for paid jobs; only for jobs and work-experience places."))
    capacity = IntegerField(
        _l("Number of places"),
        validators=[InputRequired(message=_l("Enter the number of places.")),
                    NumberRange(min=0, max=999, message=_l("Enter a number from 0 to 999."))],
        render_kw={"inputmode": "numeric"})
    available_from = DutchDateField(_l("Available from"), validators=[Optional()])
    available_until = DutchDateField(
        _l("Available until"),
        validators=[Optional(), _not_before("available_from",
                                            _l("The end date lies before the start date."))])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 3})

    def validate_level(self, field):
        if self.offer_type.data in {OfferType.BBL.value, OfferType.BOL.value} and not field.data:
            raise ValidationError(_l("Choose the level of this place."))

    def validate_hours_per_week(self, field):
        if self.offer_type.data == OfferType.PAID_JOB.value and field.data is None \
                and not field.errors:
            raise ValidationError(_l("Enter the hours per week of this job."))

    def values(self) -> dict:
        """The cleaned values; a level or hours that do not belong to the offer type are dropped."""
        offer_type = OfferType(self.offer_type.data)
        return {
            "offer_type": offer_type, "title": self.title.data,
            "level": level_value(self.level) if offer_type in LEVEL_OFFER_TYPES else None,
            "hours_per_week": (self.hours_per_week.data if offer_type in HOURS_OFFER_TYPES
                               else None),
            "capacity": self.capacity.data, "available_from": self.available_from.data,
            "available_until": self.available_until.data, "notes": self.notes.data,
        }


class VacancyForm(TrajectoryForm):
    title = StringField(_l("Function"), validators=[DataRequired(), not_blank, Length(max=160)])
    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[Optional()])
    hours_per_week = DutchDecimalField(
        _l("Hours per week"),
        validators=[InputRequired(message=_l("Enter the hours per week.")),
                    _decimal_range(Decimal(0), Decimal(60), _l("Enter hours per week: more than 0, at most 60."))])
    available_from = DutchDateField(_l("From when"), validators=[Optional()])
    status = SelectField(_l("Status"),
                         choices=vacancy_status_choices, validators=[DataRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 3})


class OfferFilterForm(TrajectoryForm):
    class Meta:
        csrf = False  # a search form: GET, no state change

    q = StringField(_l("Search function, subject or provider"),
                    validators=[Optional(), Length(max=100)])
    offer_type = SelectField(_l("Offer type"),
                             choices=lambda: offer_type_choices(_l("All offer types")),
                             validators=[Optional()])
    provider = SelectField(_l("Provider"), validators=[Optional()])
    free_only = BooleanField(_l("Only with free places"))


class VacancyFilterForm(TrajectoryForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search function or provider"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=lambda: vacancy_status_choices(_l("All statuses")))
    provider = SelectField(_l("Provider"), validators=[Optional()])


class ConfirmForm(TrajectoryForm):
    """An empty form: gives POST-only actions their CSRF token."""
