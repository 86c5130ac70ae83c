"""Forms for contracts, yearly figures, claims, judgements, the final evaluation and the calculator.

Money fields accept Dutch notation ("1.500,50"); dates accept 2026-03-31 (the
browser's date field) and 31-03-2026.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trajectory.forms import DutchDecimalField, TrajectoryForm, not_blank
from trajectory.valuation import engine
from trajectory.valuation.models import EVIDENCE_LABELS, LABOUR_EVIDENCE, REMEDY_LABELS

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]
DATE_MESSAGE = _l("Enter a date such as 31-03-2026.")

def stage_kind_choices() -> list[SelectChoice]:
    """The kinds the engine values, labelled as every page shows them (the stage kinds'
    table, ``trajectory.stages.kinds``); additional projects are valued as activities."""
    from trajectory.stages.kinds import ENTRIES

    return [SelectChoice(spec.valuation.engine_kind, spec.label) for spec in ENTRIES
            if spec.valuation.engine_kind in engine.STAGE_KINDS]


def date_field(label, required: bool = True, description=None) -> DateField:
    checks = [InputRequired(message=DATE_MESSAGE)] if required else [Optional()]
    return DateField(label, format=DATE_FORMATS, validators=checks, description=description)


def money_field(label, required: bool = False, description=None) -> DutchDecimalField:
    checks = [InputRequired(message=_l("Enter an amount such as 1.500,50."))] if required \
        else [Optional()]
    return DutchDecimalField(label, validators=[*checks, NumberRange(min=0, message=_l(
        "The amount cannot be negative."))], description=description)


def rulebook_choices(include_default: str | None = None, *, adopted_only: bool = False,
                     keep: str | None = None) -> list[SelectChoice]:
    """Every edition (calculator, "what if"); ``adopted_only`` for a contract, which lists a
    concept edition only when it is ``keep``, the contract's own."""
    choices = []
    for name in engine.available_rulebooks():
        book = engine.load_rulebook(name)
        if adopted_only and not book.adopted and name != keep:
            continue
        status = "" if book.adopted else f" ({book.status})"
        choices.append(SelectChoice(name, f"{book.title}{status}"))
    if include_default:
        choices.insert(0, SelectChoice("", include_default))
    return choices


def pso_choices() -> list[SelectChoice]:
    book = engine.newest_rulebook()
    return [SelectChoice("", _l("No certificate")),
            *[SelectChoice(c.key, c.label) for c in book.pso_discounts]]


def supplier_choices(rulebook: str) -> list[SelectChoice]:
    book = engine.load_rulebook(rulebook)
    return [SelectChoice("", _l("Choose …")),
            *[SelectChoice(c.key, c.label) for c in book.suppliers]]


class ContractForm(TrajectoryForm):
    name = StringField(_l("Name of the contract"), validators=[DataRequired(), not_blank,
                                                              Length(max=160)])
    reference = StringField(_l("Reference"), validators=[DataRequired(), not_blank,
                                                         Length(max=60)],
                            description=_l("The contract number, e.g. WMO-GOES-2024-017."))
    client_id = SelectField(_l("Client (municipality or region)"), coerce=int,
                            validators=[DataRequired()])
    provider_id = SelectField(_l("Provider"), coerce=int, validators=[DataRequired()])
    start = date_field(_l("Start of the base period"))
    end = date_field(_l("End of the base period"),
                     description=_l("The base period is normally 4 years; extensions are "
                                    "added separately."))
    rulebook = SelectField(_l("Edition of the building blocks"), validators=[DataRequired()],
                           description=_l("A contract keeps the edition it was signed under."))
    pso_step = SelectField(_l("PSO certificate (Prestatieladder Socialer Ondernemen)"),
                           validators=[Optional()])
    pso_valid_from = date_field(_l("Certificate valid from"), required=False)
    pso_valid_until = date_field(_l("Certificate valid until"), required=False,
                                 description=_l("The discount applies pro rata to the part of "
                                                "the base period the certificate covers."))
    sroi_percentage = DutchDecimalField(
        _l("Social Return percentage"), default=Decimal("5"),
        validators=[InputRequired(message=_l("Give the Social Return percentage, in principle "
                                             "5."))],
        description=_l("In principle 5 percent: the share of the contract revenue to deliver "
                       "as Social Return."))


class ExtensionForm(TrajectoryForm):
    start = date_field(_l("Start of the extension"))
    end = date_field(_l("End of the extension"))
    exercised = BooleanField(_l("The extension has been exercised"))


class SubcontractorForm(TrajectoryForm):
    name = StringField(_l("Name of the subcontractor"),
                       validators=[DataRequired(), not_blank, Length(max=160)])


class YearForm(TrajectoryForm):
    forecast = money_field(_l("Forecast revenue (euros)"))
    actual = money_field(_l("Actual revenue (euros)"),
                         description=_l("Once the year is over."))


class UploadForm(TrajectoryForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("PDF, PNG, JPEG or Excel (XLSX), at most 10 MB."))


class LabourUploadForm(UploadForm):
    """Evidence for a labour line says what it proves (domain brief, "Accountability")."""

    kind = RadioField(_l("What does the file prove?"),
                      choices=lambda: [SelectChoice(k, EVIDENCE_LABELS[k]) for k in LABOUR_EVIDENCE],
                      validators=[InputRequired(message=_l("Choose what the file proves."))])


class ConfirmForm(TrajectoryForm):
    """An empty form: gives POST-only actions their CSRF token."""


class ClaimForm(TrajectoryForm):
    """The fields every claim has; the kind-specific forms below add theirs."""

    day = date_field(_l("Date"))
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
    subcontractor_id = SelectField(_l("Delivered by"), coerce=lambda v: int(v) if v else None,
                                   validators=[Optional()])
    file = FileField(_l("Evidence"), description=_l("PDF, PNG, JPEG or Excel (XLSX), at most "
                                                    "10 MB."))


class PurchaseForm(ClaimForm):
    supplier_name = StringField(_l("Supplier"), validators=[DataRequired(), not_blank,
                                                            Length(max=160)])
    supplier_type = SelectField(_l("Kind of supplier"),
                                validators=[DataRequired(message=_l("Choose the kind of "
                                                                    "supplier."))])
    amount = money_field(_l("Invoice amount excluding VAT"), required=True)


class ActivityForm(ClaimForm):
    description = StringField(_l("Description"), validators=[DataRequired(), not_blank,
                                                             Length(max=300)],
                              description=_l("E.g. guest lesson 'Working in care' at Scalda."))
    hours = DutchDecimalField(_l("Hours"), validators=[Optional(), NumberRange(min=0)],
                              description=_l("For a proposal: the planned hours."))
    custom_value = money_field(_l("Value (for a large activity)"),
                               description=_l("Instead of hours; the SROI adviser judges it."))


class FundForm(ClaimForm):
    amount = money_field(_l("Amount paid into the fund"), required=True)


class JudgeForm(TrajectoryForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                   SelectChoice("reject", _l("Reject"))],
                          validators=[InputRequired(message=_l("Choose approve or reject."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           description=_l("Required when you reject."))
    custom_value = money_field(_l("Value set by the adviser"),
                               description=_l("Only for a social activity: replaces hours × "
                                              "rate."))


class EvaluationForm(TrajectoryForm):
    remedy = RadioField(_l("Agreed measure"),
                        choices=[SelectChoice(k.value, v) for k, v in REMEDY_LABELS.items()],
                        validators=[InputRequired(message=_l("Choose the agreed measure."))])
    decision = TextAreaField(_l("Decision"), validators=[DataRequired(), not_blank,
                                                         Length(max=4000)])
    decided_on = date_field(_l("Date of the decision"))


class WhatIfForm(TrajectoryForm):
    class Meta:
        csrf = False  # GET: nothing changes

    editie = SelectField(_l("Edition"), validators=[Optional()])


class CalculatorForm(TrajectoryForm):
    """The engine's inputs for one stage; GET, so a result can be bookmarked."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of stage"),
                       choices=stage_kind_choices,
                       validators=[DataRequired()])
    start = date_field(_l("Start"))
    end = date_field(_l("End (inclusive)"))
    hours = DutchDecimalField(_l("Hours (intake and coaching)"),
                              validators=[Optional(), NumberRange(min=0)])
    hours_per_week = DutchDecimalField(_l("Hours per week (paid job)"),
                                       validators=[Optional(), NumberRange(min=0, max=168)])
    level = SelectField(_l("Level (BBL and BOL)"),
                        choices=[SelectChoice("", _l("No level")),
                                 *[SelectChoice(str(n), str(n)) for n in (1, 2, 3, 4)]],
                        validators=[Optional()])
    permanent = BooleanField(_l("Permanent contract"))
    benefit = SelectField(_l("Benefit at the start"),
                          choices=[SelectChoice("", _l("Not relevant for this stage")),
                                   *[SelectChoice(k, v) for k, v in engine.BENEFITS.items()]],
                          validators=[Optional()])
    benefit_since = date_field(_l("On benefit since"), required=False)
    doelgroepregister = BooleanField(_l("In the doelgroepregister"))
    birth_date = date_field(_l("Date of birth"), required=False,
                            description=_l("For the 50+ bonus on a paid job."))
    statushouder = BooleanField(_l("Status holder (statushouder)"))
    rulebook = SelectField(_l("Edition"), validators=[Optional()])
