"""What every page needs: the navigation for the user's roles, sorting and paging.

Features add their menu items with ``register_nav`` so the base layout
never has to know the features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import Undefined

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.inputs import MAX_PAGE, RESERVED_KEYS


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    roles: frozenset[Role] | None  # None: every logged-in user
    order: int


_NAV: list[NavItem] = []


def register_nav(endpoint: str, label: Any, roles: set[Role] | None = None,
                 order: int = 100) -> None:
    if any(item.endpoint == endpoint for item in _NAV):
        return
    _NAV.append(NavItem(endpoint, label, frozenset(roles) if roles else None, order))
    _NAV.sort(key=lambda item: item.order)


def nav_for(user: Any) -> list[dict[str, Any]]:
    if not user.is_authenticated:
        return []
    items = []
    for item in _NAV:
        if item.roles is None or user.has_role(*item.roles):
            href = url_for(item.endpoint)
            current = request.path == href or (href != "/" and request.path.startswith(href))
            items.append({"href": href, "label": item.label, "current": current})
    return items


def sort_link(column: str) -> dict[str, Any]:
    """The URL and state of a sortable column header (sorting works without JavaScript)."""
    args = link_args()
    current = args.get("sort", "")
    descending = current == f"-{column}"
    active = current in (column, f"-{column}")
    args["sort"] = column if (not active or descending) else f"-{column}"
    args.pop("page", None)
    return {
        "href": url_for(request.endpoint, **{**args, **(request.view_args or {})}),
        "active": active,
        "descending": descending,
    }


def apply_sort(stmt: sa.Select, columns: dict[str, Any], default: str) -> sa.Select:
    """Order ``stmt`` by the ``sort`` query argument, limited to ``columns``."""
    key = request.args.get("sort", default)
    name = key.lstrip("-")
    if name not in columns:
        key, name = default, default.lstrip("-")
    column = columns[name]
    return stmt.order_by(column.desc() if key.startswith("-") else column.asc())


def page_number() -> int:
    """``?page=`` as a number from 1; anything else is page 1 (``trajectory.inputs``
    already caps a huge number)."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def paginate(stmt: sa.Select, per_page: int | None = None):
    """A page of results (Flask-SQLAlchemy's pagination, two queries); a page number
    beyond the end shows the last page."""
    from flask import current_app

    per_page = per_page or current_app.config["PER_PAGE"]
    page = db.paginate(stmt, page=page_number(), per_page=per_page, max_per_page=200,
                       error_out=False)
    if page.pages and page.page > page.pages:
        page = db.paginate(stmt, page=page.pages, per_page=per_page, max_per_page=200,
                           error_out=False)
    return page


def link_args(*drop: str) -> dict[str, str]:
    """The query arguments to carry into a link on this page: never ``url_for``'s own
    keywords (``endpoint``, ``_anchor``, ``_external`` ...; ``trajectory.inputs`` drops
    them from the request already), never a name of the page's URL arguments, nor ``drop``."""
    taken = set(request.view_args or {}) | set(drop) | RESERVED_KEYS
    return {key: value for key, value in request.args.items()
            if key not in taken and not key.startswith("_")}


def page_url(page: int) -> str:
    args = link_args()
    args["page"] = str(page)
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


class PrintedCallableError(TypeError):
    """A template printed a function instead of its value (``ctx.items`` on a dict)."""


def _finalize(value: Any) -> Any:
    """Never print a Python repr: a callable in ``{{ }}`` is a template bug (a dict key
    that shadows a method, a macro without its call). In tests it fails loudly; a
    user sees nothing rather than "<built-in method items of dict object at 0x…>"."""
    if callable(value) and not hasattr(value, "__html__") and not isinstance(value, Undefined):
        # (an Undefined is callable too, and prints as nothing: form.csrf_token, CSRF off)
        from flask import current_app
        if current_app.testing or current_app.debug:
            raise PrintedCallableError(f"template printed a callable: {value!r}")
        current_app.logger.error("template printed a callable: %r", value)
        return ""
    return value


def init_ui(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.finalize = _finalize
    register_nav("main.home", _l("Home"), None, order=0)

    # Globals, not a context processor: imported macros see globals only.
    app.jinja_env.globals.update(sort_link=sort_link, page_url=page_url, link_args=link_args,
                                 app_name="Trajectory", Role=Role)

    @app.context_processor
    def ui_context() -> dict[str, Any]:
        return {"nav_items": nav_for(current_user)}
