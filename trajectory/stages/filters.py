"""Filters on the candidate list: the kind of the current stage and its provider.

"Current" means running (lopend) today. The candidates feature applies every
function in ``trajectory.candidates.queries.EXTRA_FILTERS`` to its list (and
its exports); its filter bar includes ``stages/_candidate_filters.html``,
which renders the form from ``stage_filters()``. Both conditions are an
``EXISTS`` on the stages the user may see, so the list keeps its constant
number of queries and a filter never reveals a stage outside the user's scope.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.forms import TrajectoryForm
from trajectory.organisations.models import Organisation
from trajectory.providers.models import provider_filter
from trajectory.stages.models import Stage, StageKind, StageStatus

NO_STAGE = "geen"


class StageFilterForm(TrajectoryForm):
    class Meta:
        csrf = False  # a search form: GET, no state change

    stage = SelectField(_l("Current stage"), validators=[Optional()])
    provider = SelectField(_l("Provider of the current stage"), validators=[Optional()])


def stage_filter_form() -> StageFilterForm:
    form = StageFilterForm(request.args)
    form.stage.choices = [SelectChoice("", _l("Any stage")),
                          SelectChoice(NO_STAGE, _l("No running stage")),
                          *[SelectChoice(k.value, k.label) for k in StageKind]]
    providers = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(provider_filter(), Organisation.active.is_(True)).order_by(Organisation.name)).all()
    form.provider.choices = [SelectChoice("", _l("Any provider")),
                             *[SelectChoice(str(i), name) for i, name in providers]]
    return form


def _running(user: Any, *conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.exists().where(Stage.candidate_id == Candidate.id,
                             Stage.status == StageStatus.LOPEND, Stage.scope_filter(user),
                             *conditions)


def apply_stage_filters(stmt: sa.Select, args: dict[str, str]) -> sa.Select:
    """The candidate list's ``stage`` and ``provider`` arguments; unknown values are ignored."""
    kind = args.get("stage") or ""
    provider = args.get("provider") or ""
    conditions = []
    if kind in {k.value for k in StageKind}:
        conditions.append(Stage.kind == StageKind(kind))
    if provider.isdigit():
        conditions.append(Stage.provider_id == int(provider))
    if conditions:
        stmt = stmt.where(_running(current_user, *conditions))
    elif kind == NO_STAGE:
        stmt = stmt.where(~_running(current_user))
    if kind == NO_STAGE and provider.isdigit():
        stmt = stmt.where(sa.false())  # no running stage, yet running at a provider: nothing
    return stmt


def install() -> bool:
    """Register the filter with the candidate list, when it offers the hook."""
    from trajectory.candidates import queries

    extra = getattr(queries, "EXTRA_FILTERS", None)
    if extra is None:
        return False
    if apply_stage_filters not in extra:
        extra.append(apply_stage_filters)
    return True
