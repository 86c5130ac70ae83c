"""Forms for proposing, answering, running, ending and transferring stages.

Kind fields are all on the form (it works without JavaScript); the hints say
which kind uses which field, and the service drops what does not belong.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from trajectory.forms import DutchDateField, DutchDecimalField
from trajectory.stages.models import CareChoice, ContractType, StageKind, StageStatus

LEVEL_CHOICES = [SelectChoice("", _l("Choose a level")),
                 *[SelectChoice(str(n), _l("Level %(n)d", n=n)) for n in (1, 2, 3, 4)]]
YES_NO = [SelectChoice("ja", _l("Yes")), SelectChoice("nee", _l("No"))]


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, kind.label) for kind in StageKind]


def yes_no(value: str | None) -> bool | None:
    return {"ja": True, "nee": False}.get(value or "")


def int_or_none(value: str | None) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _version():
    return HiddenField(validators=[Optional()])


class KindFieldsMixin:
    """The fields that belong to some kinds only (FORMAT.md)."""

    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[Optional()],
                        description=_l("BBL place and BOL internship: level 1 to 4."))
    hours = DutchDecimalField(_l("Hours"), validators=[Optional()],
                              description=_l("Intake, coaching and additional project: the "
                                             "number of hours, e.g. 12 or 7,5."))
    hours_per_week = DutchDecimalField(_l("Hours per week"), validators=[Optional()],
                                       description=_l("Required for a paid job."))
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=160)],
                            description=_l("Required for a paid job, e.g. huishoudelijk "
                                           "medewerker."))
    permanent = BooleanField(_l("Permanent contract (paid job)"))


class ProposeForm(KindFieldsMixin, FlaskForm):
    kind = SelectField(_l("Kind of stage"), choices=kind_choices,
                       validators=[DataRequired(message=_l("Choose the kind of stage."))])
    provider_id = SelectField(_l("Provider"),
                              validators=[DataRequired(message=_l("Choose a provider."))])
    offer_item_id = SelectField(_l("Place from the provider's offer"), validators=[Optional()],
                                description=_l("Optional: the place this stage uses, so the "
                                               "offer shows the free places."))
    vacancy_id = SelectField(_l("Vacancy this stage fills"), validators=[Optional()],
                             description=_l("Optional: a BBL place, paid job or VSO workplace "
                                            "that fills an open vacancy."))
    planned_start = DutchDateField(
        _l("Planned start"),
        validators=[InputRequired(message=_l("Enter the planned start date."))])
    planned_end = DutchDateField(
        _l("Planned end"), validators=[Optional()],
        description=_l("For example 31-03-2026. A work-experience place: leave empty for the "
                       "usual 3 months. A permanent job may stay open."))
    answer_due = DutchDateField(_l("Answer wanted by"), validators=[Optional()],
                                description=_l("Leave empty for 10 working days from today."))
    care_client = BooleanField(_l("The candidate is a care client of this provider"))
    note = TextAreaField(_l("Note for the provider"), validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 4})
    previous_stage_id = HiddenField(validators=[Optional()])


class AnswerForm(FlaskForm):
    decision = RadioField(_l("Your answer"),
                          choices=[SelectChoice("accept", _l("Accept the stage")),
                                   SelectChoice("decline", _l("Decline the stage"))],
                          validators=[InputRequired(message=_l("Choose accept or decline."))])
    responsible_user_id = SelectField(_l("Responsible person"), validators=[Optional()],
                                      description=_l("Who runs the stage at your organisation."))
    responsible_name = StringField(_l("Or another responsible person (name)"),
                                   validators=[Optional(), Length(max=120)])
    reason = TextAreaField(_l("Reason for declining"), validators=[Optional(), Length(max=500)],
                           render_kw={"rows": 3})
    version = _version()


class StartForm(FlaskForm):
    actual_start = DutchDateField(_l("Start date"),
                                  validators=[InputRequired(message=_l("Enter the start date."))])
    version = _version()


class EndForm(FlaskForm):
    status = RadioField(_l("How did the stage end?"),
                        choices=[SelectChoice(StageStatus.AFGEROND.value, _l("Completed")),
                                 SelectChoice(StageStatus.AFGEBROKEN.value, _l("Stopped early"))],
                        validators=[InputRequired(message=_l("Choose how the stage ended."))])
    actual_end = DutchDateField(_l("End date"),
                                validators=[InputRequired(message=_l("Enter the end date."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)],
                           description=_l("Required when the stage stopped early."),
                           render_kw={"rows": 3})
    version = _version()


class OutcomeForm(FlaskForm):
    # intake
    suitable_for_care = RadioField(_l("Suitable for care work?"), choices=YES_NO,
                                   validators=[Optional()])
    suitable_level = SelectField(_l("At which level"), choices=LEVEL_CHOICES,
                                 validators=[Optional()])
    suitable_function = StringField(_l("In which function"),
                                    validators=[Optional(), Length(max=160)])
    # werkervaringsplaats
    next_step_decision = TextAreaField(_l("Decision on the next step"),
                                       validators=[Optional(), Length(max=4000)],
                                       render_kw={"rows": 4})
    next_step_decided_on = DutchDateField(_l("Decided on"), validators=[Optional()])
    # bbl, bol
    diploma = RadioField(_l("Diploma obtained?"), choices=YES_NO, validators=[Optional()])
    # paid job
    contract_type = RadioField(_l("Type of contract"),
                               choices=[SelectChoice(c.value, c.label) for c in ContractType],
                               validators=[Optional()])
    contract_hours = DutchDecimalField(_l("Contract hours per week"), validators=[Optional()])
    contract_start = DutchDateField(_l("Contract start"), validators=[Optional()])
    outcome_note = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=4000)],
                                 render_kw={"rows": 4})
    version = _version()


class EditForm(KindFieldsMixin, FlaskForm):
    planned_start = DutchDateField(
        _l("Planned start"),
        validators=[InputRequired(message=_l("Enter the planned start date."))])
    planned_end = DutchDateField(_l("Planned end"), validators=[Optional()])
    responsible_user_id = SelectField(_l("Responsible person"), validators=[Optional()])
    responsible_name = StringField(_l("Or another responsible person (name)"),
                                   validators=[Optional(), Length(max=120)])
    offer_item_id = SelectField(_l("Place from the provider's offer"), validators=[Optional()])
    vacancy_id = SelectField(_l("Vacancy this stage fills"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 4})
    version = _version()


class CareForm(FlaskForm):
    care_client = BooleanField(_l("The candidate is a care client of this provider"))
    care_choice = RadioField(_l("This stage counts as"),
                             choices=[SelectChoice(c.value, c.label) for c in CareChoice],
                             validators=[Optional()])
    care_reason = TextAreaField(_l("Reason for the choice"),
                                validators=[Optional(), Length(max=1000)], render_kw={"rows": 4},
                                description=_l("Support given as care (paid through the "
                                               "contract) is not Social Return."))
    version = _version()


class TransferForm(FlaskForm):
    provider_id = SelectField(_l("New provider"),
                              validators=[DataRequired(message=_l("Choose a provider."))])
    end_on = DutchDateField(_l("Last day at the current provider"),
                            validators=[InputRequired(message=_l("Enter the end date."))])
    end_status = RadioField(_l("The current stage"),
                            choices=[SelectChoice(StageStatus.AFGEROND.value,
                                                  _l("is completed")),
                                     SelectChoice(StageStatus.AFGEBROKEN.value,
                                                  _l("is stopped early"))],
                            validators=[InputRequired(message=_l("Choose how the current stage "
                                                                 "ends."))])
    planned_start = DutchDateField(
        _l("Planned start at the new provider"),
        validators=[InputRequired(message=_l("Enter the planned start date."))])
    planned_end = DutchDateField(_l("Planned end at the new provider"), validators=[Optional()])
    answer_due = DutchDateField(_l("Answer wanted by"), validators=[Optional()],
                                description=_l("Leave empty for 10 working days from today."))
    note = TextAreaField(_l("Why the transfer"), validators=[Optional(), Length(max=400)],
                         render_kw={"rows": 3})
    version = _version()


class ConfirmForm(FlaskForm):
    """An empty form: gives POST-only actions their CSRF token."""
