"""The one form of the retention page: a button that names a file or a request."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from trajectory.forms import TrajectoryForm

_ID = NumberRange(min=1, max=2**31 - 1)


class DestructionForm(TrajectoryForm):
    """``candidate_id``: request the destruction of that file; ``request_id``: approve it."""

    candidate_id = IntegerField(validators=[Optional(), _ID])
    request_id = IntegerField(validators=[Optional(), _ID])
