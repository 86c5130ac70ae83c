"""Inserting the import's prepared candidates in bulk, as the session's flush would.

A flush of 5,000 candidates with their plans and benefit periods (15,000 objects) spent
most of the confirmation in the ORM's unit of work and in the listeners that walk
``session.new``. Here every object the session's ``save-update`` cascade would add is
inserted with one executemany per table (``insertmanyvalues``, RETURNING the ids in
order), and what the flush's listeners do for new objects is done for the batch:

* ``inputs.guard_object``: the same column check (NULs stripped, too long refused) as
  ``guard_columns`` before a flush;
* the audit trail's ``create`` rows through ``audit.trail.record_created``, built by the
  same code as the ``after_flush`` listener;
* the derived tables told through ``derived.note_new_candidates`` (signal facts and
  provider connections settle them before the commit; a new candidate has no stages,
  so no stored stage values);
* Python-side column defaults (``default=``, the version counter) filled in as the
  flush fills them, so the objects hold what the rows hold.

The objects stay outside the session (the caller only counts them and reads their ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.audit.trail import record_created
from trajectory.candidates.models import Candidate
from trajectory.derived import note_new_candidates
from trajectory.extensions import db
from trajectory.inputs import guard_object


def _graph(candidates: Sequence[Candidate]) -> list[Any]:
    """Every object ``session.add`` would add for these candidates (the cascade)."""
    objects: list[Any] = []
    seen: set[int] = set()
    for candidate in candidates:
        state = sa.inspect(candidate)
        for obj in (candidate, *(o for o, *_ in state.mapper.cascade_iterator(
                "save-update", state))):
            if id(obj) not in seen:
                seen.add(id(obj))
                objects.append(obj)
    return objects


def _fill_defaults(obj: Any) -> None:
    """The values the flush would give an unset (or None) attribute: the column's
    Python-side default. A server-side default would make the row differ from the
    object; none of the import's tables has one (checked, not assumed)."""
    state = sa.inspect(obj)
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if column.primary_key or state.dict.get(prop.key) is not None:
            continue
        if column.server_default is not None:
            raise RuntimeError(f"{column} has a server default: insert it through the ORM")
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            setattr(obj, prop.key, default.arg)
        elif default.is_callable:
            setattr(obj, prop.key, default.arg(None))
        else:
            raise RuntimeError(f"{column} has a SQL default: insert it through the ORM")


def _sync_children(obj: Any) -> None:
    """Foreign keys of the children from the parent's new primary key (the flush's sync)."""
    state = sa.inspect(obj)
    for rel in state.mapper.relationships:
        if rel.direction is not so.interfaces.ONETOMANY or rel.key not in state.dict:
            continue
        value = state.dict[rel.key]
        children = value if isinstance(value, list) else [value] if value is not None else []
        for child in children:
            child_mapper = sa.inspect(child).mapper
            for local, remote in rel.local_remote_pairs:
                setattr(child, child_mapper.get_property_by_column(remote).key,
                        state.dict[state.mapper.get_property_by_column(local).key])


def _insert(mapper: so.Mapper, objects: list[Any]) -> None:
    """One executemany for ``objects`` of one table; their ids set from RETURNING."""
    table = mapper.local_table
    (pk,) = mapper.primary_key
    keys = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs
            if not prop.columns[0].primary_key]
    rows = [{column: obj.__dict__.get(key) for key, column in keys} for obj in objects]
    result = db.session.connection().execute(
        sa.insert(table).returning(pk, sort_by_parameter_order=True), rows)
    pk_key = mapper.get_property_by_column(pk).key
    for obj, (new_id,) in zip(objects, result.all(), strict=True):
        setattr(obj, pk_key, new_id)
        _sync_children(obj)


def insert_candidates(candidates: Sequence[Candidate]) -> None:
    """Insert prepared candidates (``prepare_candidate`` + ``with_plan``), not in the
    session, with everything they hold, in the caller's transaction."""
    if not candidates:
        return
    db.session.flush()  # whatever the session holds goes first, through the ORM
    objects = _graph(candidates)
    for obj in objects:
        _fill_defaults(obj)
        guard_object(obj)
    by_table: dict[sa.Table, tuple[so.Mapper, list[Any]]] = {}
    for obj in objects:
        mapper = sa.inspect(obj).mapper
        by_table.setdefault(mapper.local_table, (mapper, []))[1].append(obj)
    order = {table: n for n, table in enumerate(db.metadata.sorted_tables)}
    for table in sorted(by_table, key=order.__getitem__):
        mapper, rows = by_table[table]
        _insert(mapper, rows)
    record_created(db.session, objects)
    note_new_candidates(db.session, (c.id for c in candidates))
