"""Where stages plug into the other features (called once, when the views are imported).

* candidates: a candidate with a stage at a provider is connected to it; that one
  is registered per app by ``trajectory.stages.init_app`` (need to know);
* providers: planned and running stages linked to an offer item take its
  places (free capacity); an offer item that stages used cannot be removed;
  stages linked to a vacancy show it as filled through the approach;
* valuation: the stages are the ledger's source of labour participation;
* the candidate list: filters on the current stage and its provider.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from trajectory.extensions import db
from trajectory.providers import services as provider_services
from trajectory.stages import filters
from trajectory.stages.models import USING_CAPACITY, Stage, StageStatus


def capacity_usage() -> sa.Select:
    return (sa.select(Stage.offer_item_id.label("offer_item_id"),
                      sa.func.count(Stage.id).label("used"))
            .where(Stage.offer_item_id.is_not(None), Stage.status.in_(USING_CAPACITY))
            .group_by(Stage.offer_item_id))


def vacancy_links() -> sa.Select:
    return (sa.select(Stage.vacancy_id.label("vacancy_id"),
                      sa.func.count(Stage.id).label("linked"))
            .where(Stage.vacancy_id.is_not(None),
                   Stage.status.in_((StageStatus.GEPLAND, StageStatus.LOPEND,
                                     StageStatus.AFGEROND)))
            .group_by(Stage.vacancy_id))


def offer_item_in_use(item) -> str | None:
    used = db.session.scalar(sa.select(sa.func.count(Stage.id))
                             .where(Stage.offer_item_id == item.id))
    if used:
        return _("Stages have used this place; set an end date instead of removing it.")
    return None


def install() -> None:
    provider_services.register_usage_source("stages", capacity_usage)
    provider_services.register_vacancy_link_source("stages", vacancy_links)
    provider_services.register_delete_guard("stages", offer_item_in_use)
    filters.install()
