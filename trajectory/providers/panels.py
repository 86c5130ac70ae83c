"""Home panels: the regional offer in numbers, and the intaker's own offer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.main.home import register_panel
from trajectory.providers import services
from trajectory.providers.models import Vacancy, VacancyStatus


def _offer_numbers(provider_id: int | None) -> dict[str, Any]:
    overview = services.offer_overview_stmt(provider_id=provider_id).subquery()
    items, free = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(
            sa.func.sum(sa.case((overview.c.free > 0, overview.c.free), else_=0)), 0))
        .select_from(overview)).one()
    vacancies = sa.select(sa.func.count(Vacancy.id)).where(Vacancy.status == VacancyStatus.OPEN)
    if provider_id is not None:
        vacancies = vacancies.where(Vacancy.organisation_id == provider_id)
    return {"offers": items, "free": int(free), "open_vacancies": db.session.scalar(vacancies) or 0}


def regional_context(user: Any) -> dict[str, Any]:
    return _offer_numbers(None)


def own_context(user: Any) -> dict[str, Any]:
    context = _offer_numbers(user.organisation_id)
    context["provider_id"] = user.organisation_id
    context["empty"] = context["offers"] == 0
    return context


register_panel("providers-offer", {Role.KLANTMANAGER, Role.COORDINATOR},
               "providers/_panel_offer.html", regional_context, order=60)
register_panel("providers-own", {Role.INTAKER}, "providers/_panel_own.html", own_context, order=60)
