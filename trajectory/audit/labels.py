"""What the audit trail's names mean to a person: labels declared next to the models.

The trail stores class and column names and raw values (``trail.py``); pages that show
it ("Geschiedenis") read the labels from the models themselves, so a new field gets
its label where it is defined:

* a model: ``__label__ = _l("Cohort agreement")`` (what "… added" names);
* a column: ``mapped_column(..., info={"label": _l("Pause reason")})``; bookkeeping
  (locks, timestamps, hashes, derived values, the link to the person itself) is
  ``info={"shown": False}``. A primary key is never shown and needs nothing;
* optional extras in the same ``info``: ``"values"`` (a mapping code -> label, or a
  function value -> text) for codes that are not an ``Enum`` with ``.label``, and
  ``"format": "money"`` for amounts;
* a model that other rows point to declares ``__title__ = "name"``: the column that
  names one of its rows, so a foreign key shows the cohort's name or the user's name
  (found through the foreign key's target, never guessed from the column name).

``event_rows(events)`` turns audit events into rows a person reads (the candidate's
history page, the history of an account). ``missing_labels()`` lists what an audited
model lacks; tests/audit/test_labels.py fails on it, so nobody can add an audited field
without saying how it reads.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trajectory.extensions import db

REDACTED = "***"


@dataclass(frozen=True)
class FieldSpec:
    """How one audited column reads: its label, whether it is shown, how values read."""

    key: str
    label: str | None
    shown: bool
    column: sa.Column

    @property
    def target(self) -> type | None:
        """The model a foreign key points to (by the key's target table)."""
        for fk in self.column.foreign_keys:
            return model_for_table(fk.column.table.name)
        return None


def audited_models() -> list[type]:
    """Every model whose changes the trail records, in a stable order."""
    models = [m.class_ for m in db.Model.registry.mappers
              if getattr(m.class_, "__audit__", False)]
    return sorted(models, key=lambda cls: (cls.__module__, cls.__name__))


@cache
def _models_by_name() -> dict[str, type]:
    return {m.class_.__name__: m.class_ for m in db.Model.registry.mappers}


@cache
def _models_by_table() -> dict[str, type]:
    return {m.local_table.name: m.class_ for m in db.Model.registry.mappers
            if m.local_table is not None}


def model_for_name(name: str) -> type | None:
    return _models_by_name().get(name)


def model_for_table(table: str) -> type | None:
    return _models_by_table().get(table)


def model_label(name: str) -> str:
    """The label of a model by its class name (as the trail stores it)."""
    cls = model_for_name(name)
    label = getattr(cls, "__label__", None) if cls is not None else None
    return str(label) if label is not None else _("Other data")


def field_spec(cls: type, key: str) -> FieldSpec | None:
    """The declaration of one column (None: the model has no such column any more)."""
    attr = sa.inspect(cls).column_attrs.get(key)
    if attr is None:
        return None
    column = attr.columns[0]
    info = column.info
    shown = info.get("shown", True) and not column.primary_key
    label = info.get("label")
    return FieldSpec(key, str(label) if label is not None else None, bool(shown), column)


def missing_labels(models: Iterable[type] | None = None) -> list[str]:
    """``Model`` without ``__label__``, ``Model.column`` without a label or "not shown",
    and shown foreign keys whose target model has no ``__title__``."""
    missing = []
    for cls in models if models is not None else audited_models():
        if getattr(cls, "__label__", None) is None:
            missing.append(cls.__name__)
        for attr in sa.inspect(cls).column_attrs:
            spec = field_spec(cls, attr.key)
            if spec is None or spec.column.primary_key:
                continue
            if "shown" not in spec.column.info and spec.label is None:
                missing.append(f"{cls.__name__}.{attr.key}")
            elif spec.shown and spec.column.foreign_keys:
                target = spec.target
                if target is None or getattr(target, "__title__", None) is None:
                    missing.append(f"{cls.__name__}.{attr.key} -> __title__ of "
                                   f"{target.__name__ if target else '?'}")
    return missing


# ------------------------------------------------------------------ values

def resolve_references(wanted: Mapping[type, set[Any]]) -> dict[type, dict[Any, str]]:
    """Names for the ids a page needs: one query per target model."""
    names: dict[type, dict[Any, str]] = {}
    for target, ids in wanted.items():
        ids = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
        if not ids:
            names[target] = {}
            continue
        title = getattr(target, target.__title__)
        rows = db.session.execute(sa.select(target.id, title).where(target.id.in_(ids))).all()
        spec = field_spec(target, target.__title__)
        names[target] = {row[0]: display(spec, _plain(row[1]), {}) if spec else str(row[1])
                         for row in rows}
    return names


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _enum_label(column: sa.Column, value: Any) -> str | None:
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is None:
        return None
    try:
        member = enum_class(value)
    except ValueError:
        return None
    label = getattr(member, "label", None)
    return str(label) if label is not None else None


def _from_values(values: Mapping[Any, Any] | Callable[[Any], Any], value: Any) -> str | None:
    if callable(values):
        text = values(value)
        return str(text) if text not in (None, "") else None
    found = values.get(value)
    return str(found) if found is not None else None


def display(spec: FieldSpec, value: Any, names: Mapping[type, Mapping[Any, str]]) -> str:
    """One stored value as a person reads it: names for ids, labels for codes, Dutch dates
    and numbers, yes/no. Never the raw code when a label is declared."""
    from trajectory.i18n import day, hours, moment, money

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    column, info = spec.column, spec.column.info
    if column.foreign_keys:
        target = spec.target
        return names.get(target, {}).get(value, _("(no longer exists)"))
    kind = column.type
    try:
        if "values" in info:
            found = _from_values(info["values"], value)
            if found is not None:
                return found
        label = _enum_label(column, value)
        if label is not None:
            return label
        if isinstance(kind, sa.DateTime) and isinstance(value, str):
            return moment(datetime.fromisoformat(value))
        if isinstance(kind, sa.Date) and isinstance(value, str):
            return day(date.fromisoformat(value))
        if info.get("format") == "money":
            return money(Decimal(str(value)))
        if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
            return hours(value)  # hours, percentages: "24", "24,5", never "24,00"
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    if isinstance(value, (dict, list)):
        return _("(not shown)")
    return str(value)


# ------------------------------------------------------------------ rows

ACTION_LABELS = {"create": _l("added"), "update": _l("changed"), "delete": _l("removed")}


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None      # None: the field was empty before (an addition)
    new: str | None      # None: the field is empty now (a removal)
    hidden: bool         # changed, but the value is never shown (BSN, snapshots)


@dataclass(frozen=True)
class EventRow:
    at: datetime
    actor: str
    what: str
    action: str
    changes: list[Change]


def event_rows(events: list[Any]) -> list[EventRow]:
    """Audit events (``AuditEvent``) as rows a person reads: the model's label and the
    action, who (by name), per shown field the old and new value. One query per kind of
    object the values name, however many events."""
    from trajectory.auth.models import User as user_model

    wanted: dict[type, set[Any]] = {user_model: {e.actor_user_id for e in events
                                                 if e.actor_user_id}}
    plans = []
    for event in events:
        cls = model_for_name(event.object_type)
        fields = []
        for key, pair in (event.changes or {}).items():
            spec = field_spec(cls, key) if cls is not None else None
            if spec is None or not spec.shown or spec.label is None:
                continue  # bookkeeping, or a column that no longer exists
            fields.append((spec, pair))
            target = spec.target
            if target is not None:
                wanted.setdefault(target, set()).update(v for v in pair if v != REDACTED)
        plans.append((event, fields))
    names = resolve_references(wanted)
    actors = names.get(user_model, {})
    rows = []
    for event, fields in plans:
        changes = []
        for spec, (old, new) in fields:
            if event.action != "update" and old in (None, "") and new in (None, ""):
                continue  # an empty field of an added or removed row says nothing
            if REDACTED in (old, new):
                changes.append(Change(spec.label, None, None, True))
                continue
            changes.append(Change(
                spec.label,
                None if old in (None, "") else display(spec, old, names),
                None if new in (None, "") else display(spec, new, names), False))
        if event.action == "update" and not changes:
            continue  # only bookkeeping changed (a lock, a version counter)
        what = f"{model_label(event.object_type)} " \
               f"{ACTION_LABELS.get(event.action, _('changed'))}"
        actor = actors.get(event.actor_user_id) if event.actor_user_id else None
        rows.append(EventRow(event.at, actor or system_name(event.actor_name), what,
                             event.action, changes))
    return rows


SYSTEM_ACTORS = {"demo": _l("demo data"), "cli": _l("command line"),
                 "systeem": _l("the system")}


def system_name(name: str) -> str:
    label = SYSTEM_ACTORS.get(name)
    return str(label) if label is not None else name
