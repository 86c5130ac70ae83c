"""Filters on the candidate list: the cohort at whose table a candidate sits, and the
signals (``trajectory.cohorts.signals``) a candidate trips.

The candidates feature applies every function in
``trajectory.candidates.queries.EXTRA_FILTERS`` to its list and its exports; its filter
bar includes ``cohorts/_candidate_filters.html``, which renders the form from
``cohort_filters()``. A signal is defined once, in ``signals.py``: the filter asks that
definition for the SELECT of the candidates it finds within the user's signal scope and
keeps the list to those (a subquery: no ids pass through Python). Only cohorts the user
may see and signals the user's roles see are offered or applied; anything else in the
query string is ignored.
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
from trajectory.cohorts import signals
from trajectory.cohorts.models import Cohort
from trajectory.extensions import db
from trajectory.forms import TrajectoryForm
from trajectory.inputs import as_int


class CohortFilterForm(TrajectoryForm):
    class Meta:
        csrf = False  # a search form: GET, no state change

    cohort = SelectField(_l("Cohort"), validators=[Optional()])
    signal = SelectField(_l("Signal"), validators=[Optional()])


# The cohort filter offers the most recent cohorts (a provider at a large region's tables
# sits at thousands: a list that long took 140 ms to render and cannot be read); an older
# one stays reachable by its link (``?cohort=<id>``, checked against the scope).
MAX_COHORT_CHOICES = 100


def _cohorts(user: Any, chosen: int | None = None) -> list[tuple[int, str]]:
    """The newest cohorts in the user's scope, and the chosen one when it is older."""
    found = list(db.session.execute(
        sa.select(Cohort.id, Cohort.name).where(Cohort.scope_filter(user))
        .order_by(Cohort.start_quarter.desc(), Cohort.name, Cohort.id)
        .limit(MAX_COHORT_CHOICES)).all())
    if chosen is not None and chosen not in {cohort_id for cohort_id, _name in found}:
        found += db.session.execute(
            sa.select(Cohort.id, Cohort.name)
            .where(Cohort.id == chosen, Cohort.scope_filter(user))).all()
    return found


def cohort_filter_form() -> CohortFilterForm:
    form = CohortFilterForm(request.args)
    chosen = as_int(request.args.get("cohort") or "")
    form.cohort.choices = [SelectChoice("", _l("Any cohort")),
                           *[SelectChoice(str(i), name)
                             for i, name in _cohorts(current_user, chosen)]]
    form.signal.choices = [SelectChoice("", _l("Any signal")),
                           *[SelectChoice(s.key, s.label)
                             for s in signals.signals_seen_by(current_user) if s.available]]
    return form


def signal_condition(user: Any, key: str) -> sa.ColumnElement[bool] | None:
    """The candidates that trip the signal ``key`` now, as the user sees signals; None for
    a key that is unknown or not the user's."""
    signal = signals.BY_KEY.get(key)
    if signal is None or not (signal.roles & user.roles) or not signal.available:
        return None
    return Candidate.id.in_(signal.candidate_ids(signals.signal_scope(user)))


def apply_cohort_filters(stmt: sa.Select, args: dict[str, str]) -> sa.Select:
    """The candidate list's ``cohort`` and ``signal`` arguments."""
    cohort_id = as_int(args.get("cohort") or "")
    if cohort_id is not None:
        visible = sa.select(Cohort.id).where(Cohort.id == cohort_id,
                                             Cohort.scope_filter(current_user))
        stmt = stmt.where(signals.in_cohorts([cohort_id]), sa.exists(visible))
    condition = signal_condition(current_user, args.get("signal") or "")
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


def install() -> bool:
    """Register the filter with the candidate list, when it offers the hook."""
    from trajectory.candidates import queries

    extra = getattr(queries, "EXTRA_FILTERS", None)
    if extra is None:
        return False
    if apply_cohort_filters not in extra:
        extra.append(apply_cohort_filters)
    return True
