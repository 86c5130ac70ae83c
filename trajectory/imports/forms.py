"""The import's forms: the upload, the column mapping and the confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from trajectory.forms import TrajectoryForm
from trajectory.imports.fields import ImportField


class UploadForm(TrajectoryForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("CSV or Excel (.xlsx), at most 10 MB and 10,000 rows. "
                                    "The first row names the columns."))


class ConfirmForm(TrajectoryForm):
    """Only the CSRF token and the number the preview promised."""

    expected = HiddenField()


def mapping_form(fields: tuple[ImportField, ...], headers: list[str],
                 chosen: dict[str, str] | None = None) -> TrajectoryForm:
    """One choice per field: which column of the file holds it (or none); ``chosen``
    fills it in (a GET: the saved mapping or the columns found by name)."""

    class MappingForm(TrajectoryForm):
        pass

    choices = [SelectChoice("", _l("Not in the file"))] + [
        SelectChoice(header, header) for header in dict.fromkeys(h for h in headers if h)]
    for spec in fields:
        description = _l("Required.") if spec.required else None
        setattr(MappingForm, spec.name, SelectField(spec.label, choices=choices,
                                                    description=description, default=""))
    form = MappingForm()
    if chosen:
        for name, header in chosen.items():
            if hasattr(form, name):
                getattr(form, name).data = header
    return form
