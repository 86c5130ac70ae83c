"""The labour line form: which stage, which period, delivered by whom, and its evidence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from trajectory.forms import TrajectoryForm
from trajectory.valuation.forms import date_field

FILE_HINT = _l("PDF, PNG, JPEG or Excel (XLSX), at most 10 MB.")


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LabourClaimForm(TrajectoryForm):
    # The service checks the stage (with a message that says why), not the choice list:
    # a stage claimed in full, or of another provider, is refused in words.
    stage_id = SelectField(_l("Stage"), coerce=_int_or_none, validate_choice=False,
                           validators=[InputRequired(message=_l("Choose the stage."))])
    period_start = date_field(_l("Period from"))
    period_end = date_field(_l("Period to"), description=_l(
        "A long job is claimed per calendar year; the suggested period is the first one not "
        "claimed yet."))
    subcontractor_id = SelectField(_l("Delivered by"), coerce=_int_or_none,
                                   validators=[Optional()])
    description = StringField(_l("Description"),
                              validators=[Optional(), Length(max=300)])
    employment_file = FileField(_l("Employment, learn-work or placement contract"),
                                description=FILE_HINT)
    benefit_file = FileField(_l("Benefit background"), description=_l(
        "For a paid job: proof of the benefit before the start (for example a statement "
        "from the municipality or UWV)."))
    bonus_file = FileField(_l("Proof for a bonus"), description=_l(
        "For example the residence status of a status holder."))
