"""The one form of the retention page: a button that names a file or a request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

_ID = NumberRange(min=1, max=2**31 - 1)


class DestructionForm(FlaskForm):
    """``candidate_id``: request the destruction of that file; ``request_id``: approve it."""

    candidate_id = IntegerField(validators=[Optional(), _ID])
    request_id = IntegerField(validators=[Optional(), _ID])
