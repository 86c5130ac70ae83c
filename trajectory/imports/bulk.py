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

import collections
import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.audit.trail import record_created
from trajectory.candidates.models import Candidate
from trajectory.derived import note_new_candidates
from trajectory.extensions import db
from trajectory.inputs import guard_object


@functools.cache
def _plan(mapper: so.Mapper) -> tuple[list, list, list]:
    """Per mapper, once: the relationships the ``save-update`` cascade follows, the
    Python-side column defaults, and the one-to-many foreign keys to fill in."""
    cascades = [rel.key for rel in mapper.relationships if rel.cascade.save_update]
    defaults = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.primary_key:
            continue
        if column.server_default is not None:
            raise RuntimeError(f"{column} has a server default: insert it through the ORM")
        default = column.default
        if default is None:
            continue
        if default.is_scalar:
            defaults.append((prop.key, False, default.arg))
        elif default.is_callable:
            defaults.append((prop.key, True, default.arg))
        else:
            raise RuntimeError(f"{column} has a SQL default: insert it through the ORM")
    children = [(rel.key, [(mapper.get_property_by_column(local).key,
                            rel.mapper.get_property_by_column(remote).key)
                           for local, remote in rel.local_remote_pairs])
                for rel in mapper.relationships if rel.direction is so.interfaces.ONETOMANY]
    return cascades, defaults, children


def _related(obj: Any, keys: list[str]) -> list[Any]:
    found: list[Any] = []
    for key in keys:
        value = obj.__dict__.get(key)
        if value is None:
            continue
        found.extend(value if isinstance(value, list) else [value])
    return found


def _graph(candidates: Sequence[Candidate]) -> list[Any]:
    """Every object ``session.add`` would add for these candidates (the ``save-update``
    cascade over what the objects hold), each once."""
    objects: list[Any] = []
    seen: set[int] = set()
    todo = collections.deque(candidates)  # in order: the ids follow the file's rows
    while todo:
        obj = todo.popleft()
        if id(obj) in seen:
            continue
        state = sa.inspect(obj)
        if state.key is not None:
            continue  # already in the database (the klantmanager, the municipality)
        seen.add(id(obj))
        objects.append(obj)
        todo.extend(_related(obj, _plan(state.mapper)[0]))
    return objects


def _fill_defaults(obj: Any) -> None:
    """The values the flush gives an unset (or None) attribute: the column's Python-side
    default. A server-side default would make the row differ from the object; none of the
    import's tables has one (checked, not assumed, in ``_plan``)."""
    values = obj.__dict__
    for key, call, arg in _plan(sa.inspect(obj).mapper)[1]:
        if values.get(key) is None:
            setattr(obj, key, arg(None) if call else arg)


def _sync_children(obj: Any) -> None:
    """Foreign keys of the children from the parent's new primary key (the flush's sync)."""
    values = obj.__dict__
    for key, pairs in _plan(sa.inspect(obj).mapper)[2]:
        for child in _related(obj, [key]):
            for local, remote in pairs:
                setattr(child, remote, values[local])


def _insert(mapper: so.Mapper, objects: list[Any]) -> None:
    """One executemany for ``objects`` of one table; their ids set as the INSERT gave them.

    SQLite: ``insertmanyvalues`` with RETURNING in the rows' order. PostgreSQL: the ids
    are taken from the column's sequence first (one query, as the INSERTs would take
    them) and the rows inserted with them without RETURNING: psycopg pipelines that
    executemany, where the batched INSERT ... RETURNING statements cost more parsing them
    (``_split_query``) on the client than the rest of the import."""
    table = mapper.local_table
    (pk,) = mapper.primary_key
    pk_key = mapper.get_property_by_column(pk).key
    keys = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs
            if not prop.columns[0].primary_key]
    rows = [{column: obj.__dict__.get(key) for key, column in keys} for obj in objects]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, pk.name)
        ids = sorted(connection.scalars(
            sa.select(sa.func.nextval(sequence))
            .select_from(sa.func.generate_series(1, len(objects)))))
        for row, new_id in zip(rows, ids, strict=True):
            row[pk.key] = new_id
        connection.execute(sa.insert(table), rows)
    else:
        ids = [new_id for (new_id,) in connection.execute(
            sa.insert(table).returning(pk, sort_by_parameter_order=True), rows)]
    for obj, new_id in zip(objects, ids, strict=True):
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
