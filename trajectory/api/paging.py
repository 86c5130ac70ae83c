"""Paging, sorting and filtering in one style for every list (docs/api.md).

``?page=2&pageSize=20`` (camelCase keys), ``?sort=-effectiveFrom,name`` (a minus for
descending, the fields the list names), filters as the field's own name. A list answers
``{"_links": {self, first, prev, next, last}, "page", "pageSize", "totalItems",
"totalPages", "items"}``; a page beyond the end is an empty page, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from marshmallow import Schema, ValidationError, fields, validate

from trajectory.extensions import db

DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 20, 100, 100_000


class PageQuery(Schema):
    """The paging keys every list takes."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE),
                          metadata={"description": "Page number, from 1."})
    page_size = fields.Integer(data_key="pageSize", load_default=DEFAULT_PAGE_SIZE,
                               validate=validate.Range(1, MAX_PAGE_SIZE),
                               metadata={"description": "Items per page (at most 100)."})


def sort_field(allowed: Sequence[str], default: str) -> fields.String:
    """A ``sort`` key: comma-separated names from ``allowed``, each optionally with a minus."""
    pattern = "^-?(" + "|".join(allowed) + ")(,-?(" + "|".join(allowed) + "))*$"

    def check(value: str) -> None:
        names = [part.lstrip("-") for part in value.split(",")]
        if any(name not in allowed for name in names):
            raise ValidationError(f"use one or more of {', '.join(allowed)}, "
                                  "separated by commas, a minus for descending")

    return fields.String(load_default=default, validate=check,
                         metadata={"description": f"Sort on {', '.join(allowed)}; "
                                   "a minus sign for descending.", "pattern": pattern})


def sort_keys(value: str) -> list[tuple[str, bool]]:
    """``-a,b`` as ``[("a", True), ("b", False)]`` (name, descending); a name given twice
    counts where it first stands."""
    keys: dict[str, bool] = {}
    for part in value.split(","):
        keys.setdefault(part.lstrip("-"), part.startswith("-"))
    return list(keys.items())


def _href(page: int, size: int) -> dict[str, str]:
    args = request.args.to_dict(flat=True)
    args.update(page=str(page), pageSize=str(size))
    return {"href": f"{request.path}?{urlencode(args)}"}


def page_body(items: list[Any], total: int, page: int, size: int) -> dict[str, Any]:
    pages = max(1, -(-total // size))
    links = {"self_": _href(page, size), "first": _href(1, size), "last": _href(pages, size)}
    if page > 1:
        links["prev"] = _href(min(page - 1, pages), size)
    if page < pages:
        links["next"] = _href(page + 1, size)
    return {"_links": links, "page": page, "page_size": size, "total_items": total,
            "total_pages": pages, "items": items}


def page_of_list(rows: Sequence[Any], page: int, size: int) -> tuple[list[Any], int]:
    """A page of a short list held in memory (the rulebook editions)."""
    start = (page - 1) * size
    return list(rows[start:start + size]), len(rows)


def page_of_query(stmt: sa.Select, page: int, size: int,
                  load: Callable[[sa.Select], list[Any]] | None = None) -> tuple[list[Any], int]:
    """A page in SQL: the count and LIMIT/OFFSET on the statement's (stable) order."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.order_by(None).subquery())) or 0
    limited = stmt.limit(size).offset((page - 1) * size)
    rows = load(limited) if load else list(db.session.scalars(limited).unique())
    return rows, total


class Href(Schema):
    href = fields.String(required=True)


class PageLinks(Schema):
    self_ = fields.Nested(Href, data_key="self", required=True)
    first = fields.Nested(Href, required=True)
    last = fields.Nested(Href, required=True)
    prev = fields.Nested(Href)
    next = fields.Nested(Href)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The list answer's schema for items of ``item`` (named ``name`` in the document)."""
    attrs = {
        "_links": fields.Nested(PageLinks, data_key="_links", required=True),
        "page": fields.Integer(required=True),
        "page_size": fields.Integer(data_key="pageSize", required=True),
        "total_items": fields.Integer(data_key="totalItems", required=True),
        "total_pages": fields.Integer(data_key="totalPages", required=True),
        "items": fields.List(fields.Nested(item), required=True),
    }
    return type(name, (Schema,), attrs)
