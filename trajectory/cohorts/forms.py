"""Forms of the cohort pages. They check the format; the rules live in the services."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from trajectory.candidates.forms import MultiCheckboxField
from trajectory.cohorts.models import DECISION_LABELS, DecisionKind, next_quarter, quarter_label
from trajectory.cohorts.services import TEXT_MAX
from trajectory.forms import DutchDateField, TrajectoryForm, not_blank


def quarter_choices(first: date, last: date) -> list[SelectChoice]:
    choices, quarter = [], first
    while quarter <= last:
        choices.append(SelectChoice(quarter.isoformat(), quarter_label(quarter)))
        quarter = next_quarter(quarter)
    return choices


def _int_or_none(value) -> int | None:
    return int(value) if str(value).isdigit() else None


class CohortForm(TrajectoryForm):
    name = StringField(_l("Name"), validators=[DataRequired(), not_blank, Length(max=80)],
                       description=_l("For example \"Maartgolf 2026\"."))
    start_quarter = SelectField(_l("Start quarter"),
                                validators=[InputRequired(message=_l("Choose a quarter."))])
    municipalities = MultiCheckboxField(_l("Municipalities"), coerce=int,
                                        validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)],
                                description=_l("What this wave is about, in a few sentences."))

    def start_date(self) -> date:
        return date.fromisoformat(self.start_quarter.data)


class ProposeForm(TrajectoryForm):
    candidate_id = SelectField(_l("Candidate"), coerce=_int_or_none,
                               validators=[InputRequired(message=_l("Choose a candidate."))])
    motivation = TextAreaField(_l("Why this candidate, and why now?"),
                               validators=[Optional(), Length(max=500)],
                               render_kw={"rows": 3, "maxlength": 500})


class ProvidersForm(TrajectoryForm):
    providers = MultiCheckboxField(_l("Providers at the table"), coerce=int,
                                   validators=[Optional()],
                                   description=_l("Five or six providers sit at the table."))


class AgreementForm(TrajectoryForm):
    candidate_id = SelectField(_l("Candidate"), coerce=_int_or_none,
                               validators=[InputRequired(message=_l("Choose a candidate."))])
    provider_id = SelectField(_l("Provider"), coerce=_int_or_none,
                              validators=[InputRequired(message=_l("Choose a provider."))])
    stage_kind = SelectField(_l("Stage the provider takes"), validators=[Optional()])
    support = StringField(_l("Or the support the provider gives"),
                          validators=[Optional(), Length(max=300)],
                          description=_l("For example \"buddy\" or \"help with debts\"."))


class EvaluationNewForm(TrajectoryForm):
    quarter = SelectField(_l("Quarter"), validators=[InputRequired(message=_l("Choose a quarter."))])


# Under every text typed at the table: the pack without names leaves these texts out
# (trajectory/cohorts/report.py), but the pack with names and the page show them as typed.
NO_NAMES_HINT = _l("Write about the group, not about one person: no names. The version "
                   "without names leaves this text out.")


class AnswersForm(TrajectoryForm):
    works = TextAreaField(_l("Does this work?"), description=NO_NAMES_HINT,
                          validators=[Optional(), Length(max=TEXT_MAX)])
    obstacles = TextAreaField(_l("What do we run into?"), description=NO_NAMES_HINT,
                              validators=[Optional(), Length(max=TEXT_MAX)])
    energy = TextAreaField(_l("What gives energy?"), description=NO_NAMES_HINT,
                           validators=[Optional(), Length(max=TEXT_MAX)])
    yields = TextAreaField(_l("What does it yield?"), description=NO_NAMES_HINT,
                           validators=[Optional(), Length(max=TEXT_MAX)])
    lock_version = HiddenField()


class DecisionForm(TrajectoryForm):
    kind = RadioField(_l("Kind"), default=DecisionKind.DECISION.value,
                      choices=lambda: [SelectChoice(k.value, DECISION_LABELS[k])
                                       for k in DecisionKind],
                      validators=[InputRequired(message=_l("Choose decision or lesson."))])
    text = TextAreaField(_l("Decision or lesson"), description=NO_NAMES_HINT,
                         validators=[DataRequired(), not_blank, Length(max=500)],
                         render_kw={"rows": 3, "maxlength": 500})
    owner = StringField(_l("Owner"), validators=[DataRequired(), not_blank, Length(max=120)],
                        description=_l("Who takes it up: a person or an organisation."))
    due_on = DutchDateField(_l("By when"), validators=[InputRequired()])

