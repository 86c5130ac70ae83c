"""Plan snapshots and their readable text, for version views and comparison.

A snapshot is plain JSON (codes and ISO dates), so an old version stays
readable whatever the labels become; the labels are applied when it is shown.
Two versions are compared line by line per section with difflib.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.candidates.models import (
    LABELS,
    SEVERITY_LABELS,
    BarrierCategory,
    BarrierStatus,
    GoalStatus,
    Plan,
    Solvable,
    TrainingStatus,
)
from trajectory.i18n import day

TEXT_SECTIONS = ("wishes", "skills", "needs", "agreements")

SECTION_TITLES = {
    "wishes": _l("Wishes, dreams and ideals"),
    "goals": _l("Goals and steps"),
    "barriers": _l("Barriers"),
    "skills": _l("Skills and competences needed"),
    "trainings": _l("Training and courses"),
    "needs": _l("What the candidate needs for lasting activation and work"),
    "agreements": _l("Agreements"),
}
SECTION_ORDER = ("wishes", "goals", "barriers", "skills", "trainings", "needs", "agreements")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(plan: Plan) -> dict[str, Any]:
    """The whole plan as JSON-safe data."""
    return {
        **{name: getattr(plan, name) or "" for name in TEXT_SECTIONS},
        "goals": [{
            "id": goal.id, "description": goal.description,
            "target_date": _iso(goal.target_date), "status": goal.status.value,
            "steps": [{"id": step.id, "description": step.description, "who": step.who,
                       "due_date": _iso(step.due_date), "done": step.done}
                      for step in goal.steps],
        } for goal in plan.goals],
        "barriers": [{
            "id": b.id, "category": b.category.value, "description": b.description,
            "severity": b.severity, "solvable": b.solvable.value,
            "possible_despite": b.possible_despite, "taken_up_by": b.taken_up_by,
            "status": b.status.value,
        } for b in plan.barriers],
        "trainings": [{
            "id": t.id, "name": t.name, "provider": t.provider,
            "start_date": _iso(t.start_date), "end_date": _iso(t.end_date),
            "status": t.status.value, "certificate": t.certificate,
        } for t in plan.trainings],
    }


def _date(text: str | None) -> str:
    return day(date.fromisoformat(text)) if text else "–"


def _label(enum_cls, value: str) -> str:
    try:
        return str(LABELS[enum_cls(value)])
    except (ValueError, KeyError):
        return value


def goal_lines(goal: dict[str, Any]) -> list[str]:
    lines = [_("Goal: %(text)s (target date %(date)s, %(status)s)",
               text=goal["description"], date=_date(goal.get("target_date")),
               status=_label(GoalStatus, goal["status"]).lower())]
    for step in goal.get("steps", []):
        done = _("done") if step.get("done") else _("to do")
        lines.append("  – " + _("%(text)s (who: %(who)s, by %(date)s, %(done)s)",
                                text=step["description"], who=step.get("who") or "–",
                                date=_date(step.get("due_date")), done=done))
    return lines


def barrier_lines(barrier: dict[str, Any]) -> list[str]:
    head = _("%(category)s: %(severity)s, can be solved: %(solvable)s, status: %(status)s",
             category=_label(BarrierCategory, barrier["category"]),
             severity=str(SEVERITY_LABELS.get(barrier["severity"], barrier["severity"])).lower(),
             solvable=_label(Solvable, barrier["solvable"]).lower(),
             status=_label(BarrierStatus, barrier["status"]).lower())
    lines = [head]
    if barrier.get("description"):
        lines.append("  " + barrier["description"])
    if barrier.get("possible_despite"):
        lines.append("  " + _("Possible despite it: %(text)s", text=barrier["possible_despite"]))
    if barrier.get("taken_up_by"):
        lines.append("  " + _("Taken up by: %(who)s", who=barrier["taken_up_by"]))
    return lines


def training_lines(training: dict[str, Any]) -> list[str]:
    """One whole sentence per case: a gettext call inside another's arguments is not
    extracted ("certificate obtained" stayed English on Dutch pages)."""
    facts = {"name": training["name"], "where": training.get("provider") or "–",
             "start": _date(training.get("start_date")), "end": _date(training.get("end_date")),
             "status": _label(TrainingStatus, training["status"]).lower()}
    if training.get("certificate"):
        return [_("%(name)s at %(where)s, %(start)s to %(end)s, %(status)s, certificate obtained",
                  **facts)]
    return [_("%(name)s at %(where)s, %(start)s to %(end)s, %(status)s", **facts)]


def section_lines(snap: dict[str, Any], section: str) -> list[str]:
    if section in TEXT_SECTIONS:
        return [line.rstrip() for line in (snap.get(section) or "").splitlines() if line.strip()]
    render = {"goals": goal_lines, "barriers": barrier_lines, "trainings": training_lines}[section]
    return [line for item in snap.get(section, []) for line in render(item)]


@dataclass
class SectionDiff:
    key: str
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" ", "-", "+"), text

    @property
    def changed(self) -> bool:
        return any(op != " " for op, _text in self.lines)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[SectionDiff]:
    """Per section, the lines kept, removed ("-") and added ("+")."""
    result = []
    for key in SECTION_ORDER:
        a, b = section_lines(old, key), section_lines(new, key)
        diff = SectionDiff(key, str(SECTION_TITLES[key]))
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                diff.lines += [(" ", line) for line in a[i1:i2]]
                continue
            diff.lines += [("-", line) for line in a[i1:i2]]
            diff.lines += [("+", line) for line in b[j1:j2]]
        result.append(diff)
    return result


# What a version changed, stored as a code and shown translated.
SUMMARIES = {
    "texts": _l("Plan texts changed"),
    "doelen:add": _l("Goal added"),
    "doelen:edit": _l("Goal changed"),
    "doelen:remove": _l("Goal removed"),
    "stappen:add": _l("Step added"),
    "stappen:edit": _l("Step changed"),
    "stappen:remove": _l("Step removed"),
    "belemmeringen:add": _l("Barrier added"),
    "belemmeringen:edit": _l("Barrier changed"),
    "belemmeringen:remove": _l("Barrier removed"),
    "opleidingen:add": _l("Training added"),
    "opleidingen:edit": _l("Training changed"),
    "opleidingen:remove": _l("Training removed"),
}


def summary_label(code: str) -> str:
    """A version's summary: one code, or the codes of one editing session ("a,b")."""
    return ", ".join(str(SUMMARIES.get(part, part)) for part in code.split(",") if part)


def barrier_category(barrier: dict[str, Any]) -> str:
    """A barrier of a snapshot by its category, as the plan names it."""
    return _label(BarrierCategory, barrier["category"])


def readable(snap: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with labels and dates, for the plan templates (live plan and versions)."""
    def as_date(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    return {
        **{name: snap.get(name) or "" for name in TEXT_SECTIONS},
        "goals": [{
            **goal, "target_date": as_date(goal.get("target_date")),
            "status_label": _label(GoalStatus, goal["status"]),
            "steps": [{**step, "due_date": as_date(step.get("due_date"))}
                      for step in goal.get("steps", [])],
        } for goal in snap.get("goals", [])],
        "barriers": [{
            **b, "category_label": _label(BarrierCategory, b["category"]),
            "severity_label": str(SEVERITY_LABELS.get(b["severity"], b["severity"])),
            "solvable_label": _label(Solvable, b["solvable"]),
            "status_label": _label(BarrierStatus, b["status"]),
        } for b in snap.get("barriers", [])],
        "trainings": [{
            **t, "start_date": as_date(t.get("start_date")), "end_date": as_date(t.get("end_date")),
            "status_label": _label(TrainingStatus, t["status"]),
        } for t in snap.get("trainings", [])],
    }
