"""Labels for codes the cohort pages show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OUTFLOW_LABELS = {
    "paid_work": _l("To paid work"),
    "training": _l("To training"),
    "stopped": _l("Stopped"),
    "other": _l("Left otherwise (moved, other)"),
}


def stage_kind_label(kind: str | None) -> str:
    """The label of a stage kind (its value), from the stage kinds' table
    (``trajectory.stages.kinds``); the value itself while the stages feature is absent."""
    if not kind:
        return ""
    from trajectory.cohorts import stagefacts

    if not stagefacts.available():
        return kind
    from trajectory.stages.kinds import label_of

    return label_of(kind)
