"""The recorded facts of a stage against its plan.

The plan (planned end, hours per week, permanent) is what was agreed when the stage was
proposed; the facts recorded later (actual end, the outcome's contract and agreed end)
may differ. ``plan_differences`` says where, in short sentences for the stage page.
Which comparisons apply follows from the kind's fields (``trajectory.stages.kinds``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from trajectory.i18n import day as format_day
from trajectory.i18n import hours as format_hours
from trajectory.stages.models import ContractType, Stage, StageStatus
from trajectory.timeutil import today


def _hours(value) -> str:
    """24 → "24", 7.5 → "7,5" (``trajectory.i18n.hours``)."""
    return format_hours(value)


def plan_differences(stage: Stage, on: date | None = None) -> list[str]:
    """Where the recorded facts differ from the plan, one sentence each (none: as planned)."""
    on = on or today()
    spec = stage.kind.spec
    notes: list[str] = []
    if ("permanent" in spec.plan and "contract_type" in spec.outcome
            and stage.contract_type is not None):
        recorded_permanent = stage.contract_type is ContractType.PERMANENT
        if stage.permanent and not recorded_permanent:
            notes.append(_("Planned as a permanent contract, recorded as: %(contract)s.",
                           contract=stage.contract_type.label.lower()))
        elif not stage.permanent and recorded_permanent:
            notes.append(_("Planned without a permanent contract, recorded as a permanent "
                           "contract."))
    if ("hours_per_week" in spec.plan and "contract_hours" in spec.outcome
            and stage.contract_hours is not None and stage.hours_per_week is not None
            and stage.contract_hours != stage.hours_per_week):
        notes.append(_("The contract is for %(recorded)s hours a week, the plan for "
                       "%(planned)s.", recorded=_hours(stage.contract_hours),
                       planned=_hours(stage.hours_per_week)))
    agreed = None
    if "agreed_end" in spec.outcome:
        agreed = stage.agreed_end or stage.planned_end
        if stage.agreed_end is not None and stage.agreed_end != stage.planned_end:
            notes.append(_("The end agreed with the candidate (%(agreed)s) differs from the "
                           "planned end (%(planned)s).", agreed=format_day(stage.agreed_end),
                           planned=format_day(stage.planned_end)))
    ran_past = agreed is not None and (
        (stage.actual_end is not None and stage.actual_end > agreed)
        or (stage.actual_end is None and stage.status is StageStatus.LOPEND and on > agreed))
    if stage.actual_end is not None and stage.actual_end != stage.planned_end and not (
            ran_past and agreed == stage.planned_end):
        if stage.planned_end is None:
            notes.append(_("Ended on %(actual)s; the plan had no end.",
                           actual=format_day(stage.actual_end)))
        else:
            notes.append(_("Ended on %(actual)s; the planned end was %(planned)s.",
                           actual=format_day(stage.actual_end),
                           planned=format_day(stage.planned_end)))
    if ran_past and stage.actual_end is not None:
        notes.append(_("Ran past the agreed end (%(agreed)s): ended on %(actual)s.",
                       agreed=format_day(agreed), actual=format_day(stage.actual_end)))
    elif ran_past:
        notes.append(_("Still running after the agreed end (%(agreed)s).",
                       agreed=format_day(agreed)))
    return notes
