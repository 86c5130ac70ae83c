"""Labels for codes the cohort pages show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGE_KIND_LABELS = {
    "intake": _l("Intake / voorportaal"),
    "coaching": _l("Coaching / support"),
    "werkervaringsplaats": _l("Work-experience place"),
    "bbl": _l("BBL place"),
    "bol": _l("BOL internship"),
    "vso_internship": _l("VSO internship"),
    "vso_workplace": _l("VSO workplace"),
    "paid_job": _l("Paid job"),
    "additional_project": _l("Additional project"),
}

OUTFLOW_LABELS = {
    "paid_work": _l("To paid work"),
    "training": _l("To training"),
    "stopped": _l("Stopped"),
    "other": _l("Left otherwise (moved, other)"),
}


def stage_kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    return str(STAGE_KIND_LABELS.get(kind, kind))
