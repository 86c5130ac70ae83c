"""Forms of the candidate file. They check the format of the input; the rules
that need the database or several fields at once live in the services.

Plan forms carry ``lock_version`` (the plan's optimistic lock) as a hidden field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from trajectory.candidates.models import (
    LABELS,
    LADDER_RUNGS,
    SEVERITY_LABELS,
    ZRM_LEVELS,
    BarrierCategory,
    BarrierStatus,
    Benefit,
    CandidateStatus,
    GoalStatus,
    MeasurementKind,
    OutflowReason,
    Solvable,
    TrainingStatus,
    ZrmDomain,
)
from trajectory.forms import DutchDateField, TrajectoryForm

TEXT_LIMIT = 5000


class MultiCheckboxField(SelectMultipleField):
    """Several yes/no facts as checkboxes in one fieldset (the macro's choice_group)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(enum_cls) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum_cls]


def _required_date(label):
    return DutchDateField(label, validators=[InputRequired()])


def _optional_date(label, description=None):
    kwargs = {"description": description} if description else {}
    return DutchDateField(label, validators=[Optional()], **kwargs)


SITUATION = ("doelgroepregister", "statushouder", "nt2", "driving_licence", "own_transport")
CONSENT_SHARES = ("consent_providers", "consent_buddy", "consent_overlegtafel")


def situation_choices() -> list[SelectChoice]:
    return [
        SelectChoice("doelgroepregister", _l("In the doelgroepregister (banenafspraak)")),
        SelectChoice("statushouder", _l("Status holder (statushouder)")),
        SelectChoice("nt2", _l("Needs Dutch language support (NT2)")),
        SelectChoice("driving_licence", _l("Has a driving licence")),
        SelectChoice("own_transport", _l("Has own transport")),
    ]


def consent_choices() -> list[SelectChoice]:
    return [
        SelectChoice("consent_providers", _l("Care providers in the trajectory")),
        SelectChoice("consent_buddy", _l("The buddy (including the address)")),
        SelectChoice("consent_overlegtafel", _l("The overlegtafel (name, status, buddy)")),
    ]


class CandidateForm(TrajectoryForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)],
                             render_kw={"autocomplete": "off"})
    tussenvoegsel = StringField(_l("Tussenvoegsel"), validators=[Optional(), Length(max=20)],
                                description=_l("For example \"van der\"."),
                                render_kw={"autocomplete": "off"})
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=80)],
                            render_kw={"autocomplete": "off"})
    date_of_birth = _required_date(_l("Date of birth"))
    phone = StringField(
        _l("Phone number"),
        validators=[Optional(), Length(max=30),
                    Regexp(r"^\+?[0-9 ()-]{8,}$",
                           message=_l("Enter a phone number such as 06 12345678."))],
        render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = StringField(
        _l("Email address"),
        validators=[Optional(), Length(max=254),
                    Email(message=_l("Enter an email address such as naam@voorbeeld.nl."))],
        render_kw={"autocomplete": "off", "type": "email"})
    street = StringField(_l("Street and house number"), validators=[Optional(), Length(max=120)],
                         render_kw={"autocomplete": "off"})
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Regexp(r"^\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$",
                                       message=_l("Enter a postcode such as 4461 AB."))],
        render_kw={"autocomplete": "off"})
    place = StringField(_l("Place"), validators=[Optional(), Length(max=80)],
                        render_kw={"autocomplete": "off"})
    situation = MultiCheckboxField(_l("Situation"), choices=situation_choices,
                                   validators=[Optional()],
                                   description=_l("Tick what applies."))
    bsn = StringField(
        _l("BSN (citizen service number)"), validators=[Optional(), Length(max=12)],
        description=_l("Nine digits. Only people of your municipality see it."),
        render_kw={"autocomplete": "off", "inputmode": "numeric"})
    client_number = StringField(
        _l("Client number (benefit system)"), validators=[Optional(), Length(max=30)],
        description=_l("The number of this person in your municipality's benefit system, "
                       "so exports can be matched to it. Optional."),
        render_kw={"autocomplete": "off"})
    klantmanager_id = SelectField(_l("Client manager"), coerce=int,
                                  validators=[InputRequired()])
    consent_given_on = _optional_date(_l("Consent given on"))
    consent_shares = MultiCheckboxField(_l("The candidate agreed to share their data with"),
                                        choices=consent_choices, validators=[Optional()])
    consent_expires_on = _optional_date(_l("Consent expires on"))


class RegisterForm(CandidateForm):
    """Registration also asks for the benefit: the first period of the benefit history.
    Editing the details does not (that would rewrite the history)."""

    benefit = RadioField(_l("Benefit"), choices=lambda: _choices(Benefit),
                         validators=[InputRequired(message=_l("Choose the benefit."))])
    benefit_since = _required_date(_l("Benefit since"))
    not_duplicate = BooleanField(_l("This is a different person, register anyway"))


def period_benefit_choices() -> list[SelectChoice]:
    """Every benefit but NUG: no benefit is no period."""
    return [SelectChoice(b.value, b.label) for b in Benefit if b is not Benefit.NUG]


class BenefitPeriodForm(TrajectoryForm):
    # The service explains a refused value (such as NUG) on the field itself.
    benefit = RadioField(_l("Benefit"), choices=period_benefit_choices, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose the benefit."))],
                         description=_l("No benefit (NUG) is not a period: without a period "
                                        "the candidate counts as NUG."))
    start = _required_date(_l("From"))
    end = _optional_date(_l("To"), description=_l(
        "The last day of the benefit, for example 31-03-2026. Empty: it is still running."))


class BenefitEndForm(TrajectoryForm):
    end = _required_date(_l("Last day of the benefit"))


class StatusForm(TrajectoryForm):
    status = RadioField(_l("Status"), choices=lambda: _choices(CandidateStatus),
                        validators=[InputRequired(message=_l("Choose a status."))])
    pause_reason = StringField(_l("Reason for the pause"), validators=[Optional(), Length(max=300)],
                               description=_l("Only when the status is paused."))
    outflow_reason = RadioField(_l("Reason for leaving"), choices=lambda: _choices(OutflowReason),
                                validators=[Optional()],
                                description=_l("Only when the candidate leaves the programme."))
    outflow_note = TextAreaField(_l("Note on leaving"), validators=[Optional(), Length(max=500)],
                                 description=_l("Required when the reason is \"other\"."),
                                 render_kw={"rows": 3})
    effective_on = _optional_date(_l("Date of leaving"),
                                  description=_l("For example 31-03-2026. Empty: today."))


class BuddyForm(TrajectoryForm):
    buddy_id = SelectField(_l("Buddy"), coerce=int, validators=[InputRequired()])
    start_date = _required_date(_l("Start date"))
    contact_phone = StringField(
        _l("Phone number the candidate can call"),
        validators=[Optional(), Length(max=30),
                    Regexp(r"^\+?[0-9 ()-]{8,}$",
                           message=_l("Enter a phone number such as 06 12345678."))],
        description=_l("Shown in \"Mijn plan\". Agree with the buddy which number to give."),
        render_kw={"autocomplete": "off", "inputmode": "tel"})


def rung_choices() -> list[SelectChoice]:
    return [SelectChoice(str(n), f"{n}. {label}") for n, label in LADDER_RUNGS.items()]


class MeasurementForm(TrajectoryForm):
    measured_on = _required_date(_l("Date of the measurement"))
    rung = RadioField(_l("Rung of the participatieladder"), choices=rung_choices, coerce=int,
                      validators=[InputRequired(message=_l("Choose a rung."))])
    kind = RadioField(_l("Kind of measurement"), choices=lambda: _choices(MeasurementKind),
                      validators=[InputRequired(message=_l("Choose intake or review."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 3})


def zrm_score_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Not scored"))] + [
        SelectChoice(str(n), f"{n}. {label}") for n, label in ZRM_LEVELS.items()]


class ZrmForm(TrajectoryForm):
    scored_on = _required_date(_l("Date of the scoring"))

    def domain_fields(self):
        return [getattr(self, f"zrm_{domain.value}") for domain in ZrmDomain]

    def scores(self) -> dict[ZrmDomain, int]:
        return {domain: int(getattr(self, f"zrm_{domain.value}").data)
                for domain in ZrmDomain if getattr(self, f"zrm_{domain.value}").data}


for _domain in ZrmDomain:
    setattr(ZrmForm, f"zrm_{_domain.value}",
            SelectField(LABELS[_domain], choices=zrm_score_choices, validators=[Optional()]))


class PlanTextForm(TrajectoryForm):
    lock_version = HiddenField()
    wishes = TextAreaField(_l("Wishes, dreams and ideals"),
                           validators=[Optional(), Length(max=TEXT_LIMIT)],
                           description=_l("In the candidate's own words where possible."),
                           render_kw={"rows": 5})
    skills = TextAreaField(_l("Skills and competences needed"),
                           validators=[Optional(), Length(max=TEXT_LIMIT)], render_kw={"rows": 4})
    needs = TextAreaField(_l("What the candidate needs for lasting activation and work"),
                          validators=[Optional(), Length(max=TEXT_LIMIT)], render_kw={"rows": 4})
    agreements = TextAreaField(_l("Agreements"), validators=[Optional(), Length(max=TEXT_LIMIT)],
                               render_kw={"rows": 4})


class GoalForm(TrajectoryForm):
    lock_version = HiddenField()
    description = TextAreaField(_l("Goal"), validators=[DataRequired(), Length(max=500)],
                                render_kw={"rows": 2})
    target_date = _optional_date(_l("Target date"))
    status = SelectField(_l("Status"), choices=lambda: _choices(GoalStatus),
                         validators=[InputRequired()])


class StepForm(TrajectoryForm):
    lock_version = HiddenField()
    description = StringField(_l("Step"), validators=[DataRequired(), Length(max=300)])
    who = StringField(_l("Who does it"), validators=[Optional(), Length(max=120)],
                      description=_l("A name or an organisation."))
    due_date = _optional_date(_l("By when"))
    done = BooleanField(_l("Done"))


def severity_choices() -> list[SelectChoice]:
    return [SelectChoice(str(n), label) for n, label in SEVERITY_LABELS.items()]


class BarrierForm(TrajectoryForm):
    lock_version = HiddenField()
    category = SelectField(_l("Category"), choices=lambda: _choices(BarrierCategory),
                           validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)],
                                description=_l("Only what the plan needs."),
                                render_kw={"rows": 2})
    severity = RadioField(_l("Severity"), choices=severity_choices, coerce=int,
                          validators=[InputRequired(message=_l("Choose the severity."))])
    solvable = RadioField(_l("Can it be solved?"), choices=lambda: _choices(Solvable),
                          validators=[InputRequired(message=_l("Choose yes, no or partly."))])
    possible_despite = TextAreaField(_l("What is possible despite it"),
                                     validators=[Optional(), Length(max=500)],
                                     render_kw={"rows": 2})
    taken_up_by = StringField(_l("Who takes it up"), validators=[Optional(), Length(max=120)],
                              description=_l("An organisation or a person."))
    status = SelectField(_l("Status"), choices=lambda: _choices(BarrierStatus),
                         validators=[InputRequired()])


class TrainingForm(TrajectoryForm):
    lock_version = HiddenField()
    name = StringField(_l("Training or course"), validators=[DataRequired(), Length(max=200)])
    provider = StringField(_l("Where"), validators=[Optional(), Length(max=200)])
    start_date = _optional_date(_l("From"))
    end_date = _optional_date(_l("To"))
    status = SelectField(_l("Status"), choices=lambda: _choices(TrainingStatus),
                         validators=[InputRequired()])
    certificate = BooleanField(_l("Certificate or diploma obtained"))


class AgreeForm(TrajectoryForm):
    version_number = HiddenField()
    agreed_on = _required_date(_l("Agreed on"))
    with_candidate = BooleanField(
        _l("The candidate and I agreed on this plan together"),
        validators=[DataRequired(message=_l("Confirm that the candidate agreed to the plan."))])


class LockForm(TrajectoryForm):
    """A POST-only action on the plan (remove an item): CSRF plus the lock."""

    lock_version = HiddenField()


def _postcode_start(form, field) -> None:
    from trajectory.candidates.queries import postcode_start

    if (field.data or "").strip() and postcode_start(field.data) is None:
        raise ValidationError(_l("Enter a postcode or its start, such as 4461 or 4461 AB."))


class CandidateFilterForm(TrajectoryForm):
    class Meta:
        csrf = False  # a search form: GET, no state change

    # The hint says what this user may search for (trajectory.candidates.queries).
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    render_kw={"type": "search", "autocomplete": "off"})
    postcode = StringField(
        _l("Postcode"), description=_l("All of it or its start: 4461 or 4461 AB."),
        validators=[Optional(), Length(max=10), _postcode_start],
        render_kw={"autocomplete": "off"})
    mine = BooleanField(_l("My candidates"), render_kw={"value": "1"})
    municipality = SelectField(_l("Municipality"), validators=[Optional()])
    benefit = SelectField(_l("Benefit"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    buddy = SelectField(_l("Buddy"), validators=[Optional()])
    attention = SelectField(_l("Needs attention"), validators=[Optional()])
