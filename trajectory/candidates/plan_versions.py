"""When a save of the plan makes a version, and when it un-agrees the plan.

**One version per editing session.** A save folds into the newest version while
that version is *open*: written by the same person, not agreed, and its last
save at most ``EDIT_SESSION_GAP`` ago. Otherwise the save starts a new version.
So the nine small saves of one sitting are one version; a save by someone else
(the intaker after the klantmanager), the agreement, or a pause longer than the
gap closes the version. The clock is ``trajectory.timeutil.utcnow`` (tests move it).

**Agreed until the substance changes.** The agreement freezes the newest
version. The plan stays agreed until a save changes its *substance* compared
with the agreed version (``SUBSTANCE``): the four texts (ignoring spaces and
line breaks), and what the goals, steps, barriers and trainings say. Progress
is not substance (``PROGRESS``: a goal's or barrier's status, a step done, a
training's status or certificate): carrying out the agreed plan keeps it agreed.
``Plan.substance_changed_at`` records the first change of substance; a save
that brings the substance back to the agreed version clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy.orm as so
from flask_babel import gettext as _

from trajectory import timeutil
from trajectory.auth.models import User
from trajectory.candidates.models import Plan, PlanVersion
from trajectory.candidates.plan_text import (
    SECTION_TITLES,
    TEXT_SECTIONS,
    barrier_category,
    snapshot,
)
from trajectory.extensions import db

# Saves by the same person less than this apart belong to one editing session.
EDIT_SESSION_GAP = timedelta(minutes=30)

# The fields of the snapshot that make the plan what was agreed, per kind of item.
SUBSTANCE: dict[str, tuple[str, ...]] = {
    "goals": ("description", "target_date"),
    "steps": ("description", "who", "due_date"),
    "barriers": ("category", "description", "severity", "solvable", "possible_despite",
                 "taken_up_by"),
    "trainings": ("name", "provider", "start_date", "end_date"),
}
# How the plan is carried out: a change here keeps an agreed plan agreed.
PROGRESS: dict[str, tuple[str, ...]] = {
    "goals": ("status",),
    "steps": ("done",),
    "barriers": ("status",),
    "trainings": ("status", "certificate"),
}


class StaleLock(Exception):
    """The plan row changed under this save (optimistic lock); the service raises its
    own ``PlanConflict``."""


# ------------------------------------------------------------------ substance

def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def _steps(snap: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for goal in snap.get("goals", []) for step in goal.get("steps", [])]


def _items(snap: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return _steps(snap) if kind == "steps" else list(snap.get(kind, []))


def substance(snap: dict[str, Any]) -> dict[str, Any]:
    """The part of a snapshot an agreement is about (comparable with ``==``)."""
    result: dict[str, Any] = {name: _words(snap.get(name)) for name in TEXT_SECTIONS}
    for kind, keys in SUBSTANCE.items():
        result[kind] = {item.get("id"): tuple(_norm(item.get(key)) for key in keys)
                        for item in _items(snap, kind)}
    return result


def _norm(value: Any) -> Any:
    return _words(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Change:
    """One line of "what changed since the agreement"."""

    kind: str       # texts, goals, steps, barriers, trainings
    action: str     # added, changed, removed
    text: str       # translated, with what it is about

    def __str__(self) -> str:
        return self.text


def _item_name(kind: str, item: dict[str, Any]) -> str:
    if kind == "barriers":
        return barrier_category(item)
    if kind == "trainings":
        return item.get("name") or "–"
    return item.get("description") or "–"


_MESSAGES = {
    ("goals", "added"): lambda name: _("Goal added: %(name)s", name=name),
    ("goals", "changed"): lambda name: _("Goal changed: %(name)s", name=name),
    ("goals", "removed"): lambda name: _("Goal removed: %(name)s", name=name),
    ("steps", "added"): lambda name: _("Step added: %(name)s", name=name),
    ("steps", "changed"): lambda name: _("Step changed: %(name)s", name=name),
    ("steps", "removed"): lambda name: _("Step removed: %(name)s", name=name),
    ("barriers", "added"): lambda name: _("Barrier added: %(name)s", name=name),
    ("barriers", "changed"): lambda name: _("Barrier changed: %(name)s", name=name),
    ("barriers", "removed"): lambda name: _("Barrier removed: %(name)s", name=name),
    ("trainings", "added"): lambda name: _("Training added: %(name)s", name=name),
    ("trainings", "changed"): lambda name: _("Training changed: %(name)s", name=name),
    ("trainings", "removed"): lambda name: _("Training removed: %(name)s", name=name),
}


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes of substance from snapshot ``old`` to ``new``, in the plan's order."""
    before, after = substance(old), substance(new)
    found: list[Change] = []
    for name in TEXT_SECTIONS:
        if before[name] != after[name]:
            found.append(Change("texts", "changed", _("Changed: %(section)s",
                                                      section=SECTION_TITLES[name])))
    for kind in SUBSTANCE:
        old_items = {item.get("id"): item for item in _items(old, kind)}
        for item in _items(new, kind):
            key = item.get("id")
            if key not in before[kind]:
                action = "added"
            elif before[kind][key] != after[kind][key]:
                action = "changed"
            else:
                continue
            found.append(Change(kind, action, _MESSAGES[(kind, action)](_item_name(kind, item))))
        for key, item in old_items.items():
            if key not in after[kind]:
                found.append(Change(kind, "removed",
                                    _MESSAGES[(kind, "removed")](_item_name(kind, item))))
    return found


def changes_since_agreement(plan: Plan) -> list[Change]:
    """What changed in substance since the agreed version (empty while the plan is agreed)."""
    agreed, latest = plan.agreed_version, plan.latest_version
    if agreed is None or latest is None or plan.substance_changed_at is None:
        return []
    return changes(agreed.snapshot, latest.snapshot)


# ------------------------------------------------------------------ the session rule

def _open_version(plan: Plan, actor: User, now) -> PlanVersion | None:
    """The newest version if this save still belongs to its editing session."""
    version = plan.latest_version
    if version is None or version.agreed_on is not None or version.author_id != actor.id:
        return None
    if now - timeutil.as_utc(version.updated_at) > EDIT_SESSION_GAP:
        return None
    return version


def _codes(existing: str, code: str) -> str:
    codes = [c for c in existing.split(",") if c]
    return ",".join(codes if code in codes else [*codes, code])


def record_save(actor: User, plan: Plan, code: str) -> PlanVersion:
    """After a change to the live plan (flushed): fold it into the open version or start
    the next one, and decide whether the plan is still as agreed.

    Raises ``StaleLock`` when the plan row changed under this save.
    """
    now = timeutil.utcnow()
    version = _open_version(plan, actor, now)
    if version is None:
        plan.current_number += 1
    plan.updated_at = now
    plan.updated_by_id = actor.id
    try:
        db.session.flush()  # bumps lock_version; a stale one refuses the whole save
    except so.exc.StaleDataError:
        raise StaleLock() from None
    # Items were added or removed by id: read the lists again for the snapshot.
    db.session.expire(plan, ["goals", "barriers", "trainings"])
    for goal in plan.goals:
        db.session.expire(goal, ["steps"])
    snap = snapshot(plan)
    if version is None:
        version = PlanVersion(plan_id=plan.id, candidate_id=plan.candidate_id,
                              number=plan.current_number, author_id=actor.id, created_at=now,
                              updated_at=now, save_count=1, summary=code, snapshot=snap)
        db.session.add(version)
    else:
        version.snapshot = snap
        version.updated_at = now
        version.save_count += 1
        version.summary = _codes(version.summary, code)
    _follow_agreement(plan, snap, now)
    db.session.flush()
    db.session.expire(plan, ["versions"])  # read again (with this one) only when needed
    return version


def _follow_agreement(plan: Plan, snap: dict[str, Any], now) -> None:
    agreed = plan.agreed_version
    if agreed is None:
        return
    if substance(snap) == substance(agreed.snapshot):
        plan.substance_changed_at = None
    elif plan.substance_changed_at is None:
        plan.substance_changed_at = now


def record_agreement(actor: User, plan: Plan, agreed_on) -> PlanVersion:
    """Freeze the newest version as the agreed one; the next save starts a new version."""
    version = plan.latest_version
    assert version is not None and version.number == plan.current_number
    version.agreed_on = agreed_on
    version.agreed_by_id = actor.id
    plan.agreed_number = version.number
    plan.substance_changed_at = None
    db.session.flush()
    return version

