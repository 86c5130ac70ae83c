"""The home page is made of panels that features contribute per role.

A feature calls ``register_panel`` at import time with the roles it serves, a
template and a function that builds the panel's context; the home view shows
the panels the user's roles ask for, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trajectory.auth.roles import Role


@dataclass(frozen=True)
class Panel:
    key: str
    roles: frozenset[Role]
    template: str
    context: Callable[[Any], dict[str, Any]]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, roles: set[Role] | frozenset[Role], template: str,
                   context: Callable[[Any], dict[str, Any]] | None = None,
                   order: int = 100) -> None:
    _PANELS[key] = Panel(key, frozenset(roles), template, context or (lambda user: {}), order)


def panels_for(user: Any) -> list[tuple[Panel, dict[str, Any]]]:
    chosen = sorted((p for p in _PANELS.values() if user.has_role(*p.roles)),
                    key=lambda p: (p.order, p.key))
    return [(panel, panel.context(user)) for panel in chosen]
