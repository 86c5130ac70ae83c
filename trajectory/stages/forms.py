"""Forms for proposing, answering, running, ending and transferring stages.

The plan and outcome fields of every kind are declared here once; which of them a
page shows (and requires) comes from the kind's entry in ``trajectory.stages.kinds``
(``show_plan_fields``, ``show_outcome_fields``). A proposal therefore asks the kind
first (``ChooseKindForm``, a GET form: it works without JavaScript) and then shows
that kind's fields; the service drops whatever does not belong to the kind.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from trajectory.forms import DutchDateField, DutchDecimalField, TrajectoryForm
from trajectory.stages.kinds import StageKind
from trajectory.stages.models import CareChoice, ContractType, StageStatus

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


def _require(form, names) -> None:
    """Mark fields as required (their label then shows no "optional"); the service checks."""
    for name in names:
        form[name].flags.required = True


def show_planned_end(form, kind: StageKind) -> None:
    """The planned end's hint says how the kind's end works; required when it must be given."""
    spec = kind.spec
    hints = [_("For example 31-03-2026.")]
    if spec.default_months:
        hints.append(_("Leave empty for the usual %(months)d months.",
                       months=spec.default_months))
    elif spec.open_ended:
        hints.append(_("Leave empty when it has no end."))
    else:
        _require(form, ["planned_end"])
    form.planned_end.description = " ".join(hints)


def show_plan_fields(form, kind: StageKind) -> list[str]:
    """The plan fields a proposal or an edit of ``kind`` shows, in order; marks the required
    ones (and the planned end, see ``show_planned_end``)."""
    _require(form, kind.spec.plan_required)
    show_planned_end(form, kind)
    return list(kind.spec.plan)


def show_outcome_fields(form, kind: StageKind) -> list[str]:
    """The outcome fields the outcome form of ``kind`` shows, in order; marks the required
    ones."""
    spec = kind.spec
    _require(form, spec.outcome_required)
    return list(spec.outcome_fields)


class KindFieldsMixin:
    """The plan fields; a kind shows some of them (``show_plan_fields``)."""

    level = SelectField(_l("Level"), choices=LEVEL_CHOICES, validators=[Optional()],
                        description=_l("MBO level 1 to 4."))
    hours = DutchDecimalField(_l("Hours"), validators=[Optional()],
                              description=_l("The number of hours, e.g. 12 or 7,5."))
    hours_per_week = DutchDecimalField(_l("Hours per week"), validators=[Optional()])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=160)],
                            description=_l("For example huishoudelijk medewerker."))
    permanent = BooleanField(_l("Permanent contract"))


class ChooseKindForm(Form):
    """Step one of a proposal: the kind and the provider (a GET form; the next page shows the
    kind's fields and only the places of that provider that fit the kind)."""

    soort = RadioField(_l("Kind of stage"), choices=kind_choices,
                       validators=[InputRequired(message=_l("Choose the kind of stage."))])
    aanbieder = SelectField(_l("Provider"),
                            validators=[InputRequired(message=_l("Choose a provider."))])


class ProposeForm(KindFieldsMixin, TrajectoryForm):
    kind = SelectField(_l("Kind of stage"), choices=kind_choices,
                       validators=[DataRequired(message=_l("Choose the kind of stage."))])
    provider_id = SelectField(_l("Provider"),
                              validators=[DataRequired(message=_l("Choose a provider."))])
    # Not checked against the list: a place not listed is refused by the service, saying why
    # (services.offer_item_problem).
    offer_item_id = SelectField(_l("Place from the provider's offer"), validators=[Optional()],
                                validate_choice=False,
                                description=_l("Optional: the place this stage uses, so the "
                                               "offer shows the free places."))
    vacancy_id = SelectField(_l("Vacancy this stage fills"), validators=[Optional()],
                             description=_l("Optional: the open vacancy this stage fills."))
    planned_start = DutchDateField(
        _l("Planned start"),
        validators=[InputRequired(message=_l("Enter the planned start date."))])
    planned_end = DutchDateField(_l("Planned end"), validators=[Optional()])
    answer_due = DutchDateField(_l("Answer wanted by"), validators=[Optional()],
                                description=_l("Leave empty for 10 working days from today."))
    care_client = BooleanField(_l("The candidate is a care client of this provider"))
    note = TextAreaField(_l("Note for the provider"), validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 4})
    previous_stage_id = HiddenField(validators=[Optional()])


class AnswerForm(TrajectoryForm):
    decision = RadioField(_l("Your answer"),
                          choices=[SelectChoice("accept", _l("Accept the stage")),
                                   SelectChoice("decline", _l("Decline the stage"))],
                          validators=[InputRequired(message=_l("Choose accept or decline."))])
    responsible_user_id = SelectField(_l("Responsible person"), validators=[Optional()],
                                      description=_l("Who runs the stage at your organisation."))
    responsible_name = StringField(_l("Or another responsible person (name)"),
                                   validators=[Optional(), Length(max=120)],
                                   description=_l("Someone without an account here. A name "
                                                  "typed here is saved instead of the "
                                                  "choice above."))
    reason = TextAreaField(_l("Reason for declining"), validators=[Optional(), Length(max=500)],
                           render_kw={"rows": 3})
    version = _version()


class StartForm(TrajectoryForm):
    actual_start = DutchDateField(_l("Start date"),
                                  validators=[InputRequired(message=_l("Enter the start date."))])
    version = _version()


class EndForm(TrajectoryForm):
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


class OutcomeForm(TrajectoryForm):
    """Every outcome field; a kind shows some of them (``show_outcome_fields``)."""

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
    agreed_end = DutchDateField(
        _l("Agreed end"), validators=[Optional()],
        description=_l("The last day agreed with the candidate: the planned end, unless you "
                       "agreed on another day."))
    # bbl, bol
    diploma = RadioField(_l("Diploma obtained?"), choices=YES_NO, validators=[Optional()])
    # paid job
    contract_type = RadioField(_l("Type of contract"),
                               choices=lambda: [SelectChoice(c.value, c.label)
                                                for c in ContractType],
                               validators=[Optional()])
    contract_hours = DutchDecimalField(_l("Contract hours per week"), validators=[Optional()])
    contract_start = DutchDateField(_l("Contract start"), validators=[Optional()])
    outcome_note = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=4000)],
                                 render_kw={"rows": 4})
    version = _version()


class EditForm(KindFieldsMixin, TrajectoryForm):
    planned_start = DutchDateField(
        _l("Planned start"),
        validators=[InputRequired(message=_l("Enter the planned start date."))])
    planned_end = DutchDateField(_l("Planned end"), validators=[Optional()])
    responsible_user_id = SelectField(_l("Responsible person"), validators=[Optional()])
    responsible_name = StringField(_l("Or another responsible person (name)"),
                                   validators=[Optional(), Length(max=120)],
                                   description=_l("Someone without an account here. A name "
                                                  "typed here is saved instead of the "
                                                  "choice above."))
    offer_item_id = SelectField(_l("Place from the provider's offer"), validators=[Optional()],
                                validate_choice=False)
    vacancy_id = SelectField(_l("Vacancy this stage fills"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)],
                         render_kw={"rows": 4})
    version = _version()


class CareForm(TrajectoryForm):
    care_client = BooleanField(_l("The candidate is a care client of this provider"))
    care_choice = RadioField(_l("This stage counts as"),
                             choices=lambda: [SelectChoice(c.value, c.label) for c in CareChoice],
                             validators=[Optional()])
    care_reason = TextAreaField(_l("Reason for the choice"),
                                validators=[Optional(), Length(max=1000)], render_kw={"rows": 4},
                                description=_l("Support given as care (paid through the "
                                               "contract) is not Social Return."))
    version = _version()


class TransferForm(TrajectoryForm):
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


class ConfirmForm(TrajectoryForm):
    """An empty form: gives POST-only actions their CSRF token."""
