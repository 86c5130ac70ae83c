"""Pagination in SQL for the lists: rows of several columns, and any list given as a
count and a page (a signal's hits, a task section).

Every pager costs two queries (the count, the page) whatever the size of the list, pages
with ``LIMIT``/``OFFSET`` on an indexed order, and answers a page number beyond the end
with the last page (``?page=`` is read by ``trajectory.ui.page_number``: ``abc`` or a
huge number never fails). The template macro ``pagination`` (macros/ui.html) renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from trajectory.extensions import db
from trajectory.ui import page_number

MAX_PER_PAGE = 200


class RowPagination(SelectPagination):
    """Like Flask-SQLAlchemy's pagination, but ``items`` are whole result rows."""

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"]
        select = select.limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).all())


def paginate_rows(stmt: sa.Select, per_page: int | None = None) -> RowPagination:
    """A page of result rows: two queries (the count and the page), whatever the page size;
    a page number beyond the end shows the last page (two more)."""
    per_page = per_page or current_app.config["PER_PAGE"]
    page = RowPagination(select=stmt, session=db.session, page=page_number(),
                         per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    if page.pages and page.page > page.pages:
        page = RowPagination(select=stmt, session=db.session, page=page.pages,
                             per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    return page


class CountedPagination(Pagination):
    """A page of a list known by its count and a function giving (offset, limit) rows."""

    def _query_items(self) -> list[Any]:
        total = self._query_args["total"]
        # Beyond the end: the last page (its number is what the pager shows).
        last = max(1, -(-total // self.per_page))
        if self.page > last:
            self.page = last
        return list(self._query_args["rows"](self._query_offset, self.per_page))

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def paginate_counted(total: int, rows: Callable[[int, int], list[Any]], page: int,
                     per_page: int | None = None) -> CountedPagination:
    """A page of ``total`` items, ``rows(offset, limit)`` loading only the page (one query,
    also for an empty list: the same number at every size)."""
    per_page = min(per_page or current_app.config["PER_PAGE"], MAX_PER_PAGE)
    return CountedPagination(page=max(page, 1), per_page=per_page, max_per_page=MAX_PER_PAGE,
                             error_out=False, total=total, rows=rows)
