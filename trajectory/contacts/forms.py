"""The buddy's contact form (one short form, radio buttons, no JavaScript) and the
klantmanager's "handled" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from trajectory.contacts.models import (
    NOTE_MAX,
    WELLBEING_LABELS,
    ContactKind,
    SignalCategory,
)
from trajectory.forms import DutchDateField, TrajectoryForm, not_blank

# The fields whose values survive an idle logout (trajectory.security keeps them).
KEPT_FIELDS = ("contact_on", "kind", "note", "wellbeing", "signal_category", "signal_text")


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, kind.label) for kind in ContactKind]


def wellbeing_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Not asked"))] + [
        SelectChoice(str(score), f"{score} – {label}") for score, label in WELLBEING_LABELS.items()]


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("No signal"))] + [
        SelectChoice(category.value, category.label) for category in SignalCategory]


class ContactForm(TrajectoryForm):
    contact_on = DutchDateField(_l("Date of the contact"), validators=[InputRequired()],
                                description=_l("Today unless you change it. For example "
                                               "31-03-2026."))
    kind = RadioField(_l("How was the contact?"), choices=kind_choices,
                      validators=[InputRequired(message=_l("Choose how the contact went."))])
    note = TextAreaField(_l("Short note"),
                         validators=[Optional(), Length(max=NOTE_MAX)],
                         description=_l("At most 500 characters. Only facts the klantmanager "
                                        "and the provider need."),
                         render_kw={"rows": 4, "maxlength": NOTE_MAX})
    wellbeing = RadioField(_l("How is it going? (1 to 5)"), choices=wellbeing_choices,
                           default="", validators=[Optional()])
    signal_category = RadioField(_l("Signal for the klantmanager"), choices=category_choices,
                                 default="", validators=[Optional()],
                                 description=_l("Choose a subject when something needs the "
                                                "klantmanager. It lands in their task list."))
    signal_text = TextAreaField(_l("What is the signal about?"),
                                validators=[Optional(), Length(max=NOTE_MAX)],
                                description=_l("Needed when you chose a subject above."),
                                render_kw={"rows": 3, "maxlength": NOTE_MAX})

    def validate_signal_text(self, field) -> None:
        if self.signal_category.data and not (field.data or "").strip():
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Describe the signal in a few words."))


class HandleSignalForm(TrajectoryForm):
    note = TextAreaField(_l("What did you do with the signal?"),
                         validators=[DataRequired(), not_blank, Length(max=NOTE_MAX)],
                         render_kw={"rows": 4, "maxlength": NOTE_MAX})
