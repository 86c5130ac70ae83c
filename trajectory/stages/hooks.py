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
from flask_babel import lazy_gettext as _l

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


# Labels for "Geschiedenis" on the candidate file (trajectory.candidates.history).
HISTORY_FIELD_LABELS = {
    "provider_id": _l("Provider"), "responsible_user_id": _l("Responsible person"),
    "responsible_name": _l("Responsible person"), "planned_start": _l("Planned start"),
    "planned_end": _l("Planned end"), "actual_start": _l("Start date"),
    "actual_end": _l("End date"), "end_reason": _l("Reason for the end"),
    "answer_due": _l("Answer wanted by"), "decline_reason": _l("Reason for declining"),
    "level": _l("Level"), "hours_per_week": _l("Hours per week"),
    "permanent": _l("Permanent contract"), "job_title": _l("Job title"), "hours": _l("Hours"),
    "suitable_for_care": _l("Suitable for care work"), "suitable_level": _l("At which level"),
    "suitable_function": _l("In which function"),
    "next_step_decision": _l("Decision on the next step"),
    "next_step_decided_on": _l("Decided on"), "agreed_end": _l("Agreed end"),
    "diploma": _l("Diploma obtained"),
    "contract_type": _l("Type of contract"), "contract_hours": _l("Contract hours per week"),
    "contract_start": _l("Contract start"), "outcome_note": _l("Outcome"),
    "care_client": _l("Care client of this provider"), "care_choice": _l("Counts as"),
    "care_reason": _l("Reason for the choice"), "previous_stage_id": _l("Follows"),
    "offer_item_id": _l("Place from the offer"), "vacancy_id": _l("Fills vacancy"),
    "proposed_by_id": _l("Proposed by"), "answered_by_id": _l("Answered by"),
    "outcome_recorded_by_id": _l("Outcome recorded by"),
    "care_decided_by_id": _l("Care choice made by"), "note": _l("Note"),
}


HISTORY_HIDDEN = {"version", "proposed_at", "answered_at", "outcome_recorded_at",
                  "care_decided_at", "via_transfer", "answer_due"}
HISTORY_DATES = {"planned_start", "planned_end", "actual_start", "actual_end",
                 "contract_start", "agreed_end"}


def _names(model, column) -> object:
    def resolve(ids: set[int]) -> dict[int, str]:
        return dict(db.session.execute(sa.select(model.id, column).where(model.id.in_(ids))).all())
    return resolve


def _history_labels() -> None:
    """Stage changes in the candidate's "Geschiedenis": labels, Dutch dates, names for ids."""
    try:
        from trajectory.candidates import history
        from trajectory.candidates.models import LABELS
    except ImportError:  # pragma: no cover - the candidates feature is always there
        return
    from trajectory.organisations.models import Organisation
    from trajectory.providers.models import OfferItem, Vacancy
    from trajectory.stages.kinds import ENTRIES
    from trajectory.stages.models import STATUS_LABELS

    history.OBJECT_LABELS.setdefault("Stage", _l("Stage"))
    for key, label in HISTORY_FIELD_LABELS.items():
        history.FIELD_LABELS.setdefault(key, label)
    for spec in ENTRIES:
        LABELS.setdefault(spec.kind, spec.label)
    for member, label in STATUS_LABELS.items():
        LABELS.setdefault(member, label)
    hidden = getattr(history, "HIDDEN_EXTRA", None)
    if hidden is not None:
        hidden.update(HISTORY_HIDDEN)
        history.DATE_FIELDS.update(HISTORY_DATES)
        history.ID_NAMES.setdefault("provider_id", _names(Organisation, Organisation.name))
        history.ID_NAMES.setdefault("offer_item_id", _names(OfferItem, OfferItem.title))
        history.ID_NAMES.setdefault("vacancy_id", _names(Vacancy, Vacancy.title))
        history.ID_NAMES.setdefault("previous_stage_id", _stage_names)


def _stage_names(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(Stage.id, Stage.kind).where(Stage.id.in_(ids))).all()
    return {stage_id: f"{kind.label} (#{stage_id})" for stage_id, kind in rows}


def install() -> None:
    provider_services.register_usage_source("stages", capacity_usage)
    provider_services.register_vacancy_link_source("stages", vacancy_links)
    provider_services.register_delete_guard("stages", offer_item_in_use)
    filters.install()
    _history_labels()
