"""Pagination over rows of several columns (``trajectory.ui.paginate`` yields only the first)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import SelectPagination

from trajectory.extensions import db


class RowPagination(SelectPagination):
    """Like Flask-SQLAlchemy's pagination, but ``items`` are whole result rows."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"]
        select = select.limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(stmt: sa.Select, per_page: int | None = None) -> RowPagination:
    """A page of result rows: two queries (the count and the page), whatever the page size."""
    return RowPagination(select=stmt, session=db.session,
                         per_page=per_page or current_app.config["PER_PAGE"],
                         max_per_page=200, error_out=False)
