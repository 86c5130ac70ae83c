"""The kinds of stage, described once.

Every fact about a kind is in its one entry of ``ENTRIES``: its label, its colour on the
timeline, the plan fields a proposal and an edit show and require, the outcome fields
the outcome form asks, the places of the offer it may use, how its planned end works,
whether it absorbs the same provider's coaching, whether it fills a vacancy, and how the
valuation engine values it. Forms, services, templates, the timeline, the task list and
the cohort labels read this table; a new kind is one entry here (and its member of
``StageKind``) plus its block in each rulebook (``trajectory/valuation/rulebooks/``).
See docs/extending.md.

The kinds are FORMAT.md's (``shared/sroi-scenarios/FORMAT.md``) plus
``additional_project``, which the engine values as an activity.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from trajectory.i18n import label_text
from trajectory.providers.models import OfferType


class StageKind(enum.StrEnum):
    INTAKE = "intake"
    COACHING = "coaching"
    WERKERVARINGSPLAATS = "werkervaringsplaats"
    BBL = "bbl"
    BOL = "bol"
    VSO_INTERNSHIP = "vso_internship"
    VSO_WORKPLACE = "vso_workplace"
    PAID_JOB = "paid_job"
    ADDITIONAL_PROJECT = "additional_project"

    @property
    def spec(self) -> KindSpec:
        return KINDS[self]

    @property
    def label(self) -> str:
        return label_text(KINDS[self].label)


# The plan fields (columns of ``Stage``) a kind may have, in the order forms show them.
PLAN_FIELDS = ("hours", "level", "job_title", "hours_per_week", "permanent")
# The outcome fields (columns of ``Stage``); every kind's outcome ends with the note.
OUTCOME_FIELDS = ("suitable_for_care", "suitable_level", "suitable_function",
                  "next_step_decision", "next_step_decided_on", "agreed_end", "diploma",
                  "contract_type", "contract_hours", "contract_start", "outcome_note")
# How the engine measures a kind: by its hours, by its level (the level picks the block),
# by time (its dates: months, FTE-years), or once (a fixed amount when it starts).
MEASURES = ("hours", "level", "time", "once")


@dataclass(frozen=True)
class Valuation:
    """How a kind is valued: ``engine_kind`` is its kind in FORMAT.md and in the rulebooks'
    ``[labour.*]`` blocks (``kind = "..."``), or None for a kind valued as an activity
    (hours at the edition's activity rate); ``measure`` is one of ``MEASURES``."""

    engine_kind: str | None
    measure: str


@dataclass(frozen=True, kw_only=True)
class KindSpec:
    """One kind of stage. Field names are ``Stage`` columns."""

    kind: StageKind
    label: Any                              # lazy: the kind's name as every page shows it
    colour: tuple[str, str]                 # timeline: (fill, outline), 3:1 against white
    plan: tuple[str, ...] = ()              # plan fields that propose and edit show, in order
    plan_required: tuple[str, ...] = ()     # ... and of those, the ones that must be filled
    outcome: tuple[str, ...] = ()           # outcome fields the outcome form asks (besides
    outcome_required: tuple[str, ...] = ("outcome_note",)  # the note, which it always asks)
    offer_types: frozenset[OfferType]       # the places of a provider's offer it may use
    default_months: int | None = None       # planned end left empty: start + months - 1 day
    open_ended: bool = False                # may run without a planned end
    absorbs_coaching: bool = False          # the same provider's coaching meanwhile counts 0
    fills_vacancy: bool = False             # may fill one of the provider's vacancies
    valuation: Valuation

    def __post_init__(self) -> None:
        problems = [
            *(f"unknown plan field {name!r}" for name in self.plan if name not in PLAN_FIELDS),
            *(f"required plan field {name!r} is not shown" for name in self.plan_required
              if name not in self.plan),
            *(f"unknown outcome field {name!r}" for name in self.outcome
              if name not in OUTCOME_FIELDS or name == "outcome_note"),
            *(f"required outcome field {name!r} is not asked" for name in self.outcome_required
              if name not in self.outcome_fields),
        ]
        if self.valuation.measure not in MEASURES:
            problems.append(f"unknown measure {self.valuation.measure!r}")
        if problems:
            raise ValueError(f"stage kind {self.kind.value}: {'; '.join(problems)}")

    @property
    def outcome_fields(self) -> tuple[str, ...]:
        """What the outcome form asks, in order: the kind's fields, then the note."""
        return (*self.outcome, "outcome_note")

    @property
    def ends_with_decision(self) -> bool:
        """Ends with a decision on the next step (the task list asks for it in time)."""
        return "next_step_decision" in self.outcome

    def default_end(self, start: date) -> date | None:
        """The planned end when none is given: start + ``default_months`` − 1 day
        (15 March → 14 June for 3 months), or None."""
        if self.default_months is None:
            return None
        from trajectory.valuation.engine import add_months

        return add_months(start, self.default_months) - timedelta(days=1)


ENTRIES: tuple[KindSpec, ...] = (
    KindSpec(
        kind=StageKind.INTAKE, label=_l("Intake"), colour=("#5b6b7a", "#37424d"),
        plan=("hours",), plan_required=("hours",),
        outcome=("suitable_for_care", "suitable_level", "suitable_function"),
        outcome_required=("suitable_for_care",),
        offer_types=frozenset({OfferType.INTAKE}),
        valuation=Valuation("intake", "hours")),
    KindSpec(
        kind=StageKind.COACHING, label=_l("Coaching"), colour=("#7a5195", "#4e3360"),
        plan=("hours",), plan_required=("hours",),
        offer_types=frozenset({OfferType.BUDDY, OfferType.SPECIALIST}),
        valuation=Valuation("coaching", "hours")),
    KindSpec(
        kind=StageKind.WERKERVARINGSPLAATS, label=_l("Work-experience place"),
        colour=("#1f78b4", "#134b70"),
        plan=("hours_per_week",),
        outcome=("next_step_decision", "next_step_decided_on", "agreed_end"),
        outcome_required=("next_step_decision",),
        offer_types=frozenset({OfferType.WERKERVARINGSPLAATS}),
        default_months=3, absorbs_coaching=True,
        valuation=Valuation("werkervaringsplaats", "time")),
    KindSpec(
        kind=StageKind.BBL, label=_l("BBL place"), colour=("#2e7d32", "#1b4d1e"),
        plan=("level", "hours_per_week"), plan_required=("level",),
        outcome=("diploma",), outcome_required=("diploma",),
        offer_types=frozenset({OfferType.BBL}),
        absorbs_coaching=True, fills_vacancy=True,
        valuation=Valuation("bbl", "level")),
    KindSpec(
        kind=StageKind.BOL, label=_l("BOL internship"), colour=("#558b2f", "#33541c"),
        plan=("level", "hours_per_week"), plan_required=("level",),
        outcome=("diploma",), outcome_required=("diploma",),
        offer_types=frozenset({OfferType.BOL}),
        valuation=Valuation("bol", "level")),
    KindSpec(
        kind=StageKind.VSO_INTERNSHIP, label=_l("VSO internship"),
        colour=("#8d6e00", "#5c4800"),
        plan=("hours_per_week",),
        offer_types=frozenset({OfferType.VSO}),
        valuation=Valuation("vso_internship", "once")),
    KindSpec(
        kind=StageKind.VSO_WORKPLACE, label=_l("VSO workplace"), colour=("#a0522d", "#66341d"),
        plan=("hours_per_week",),
        offer_types=frozenset({OfferType.VSO, OfferType.PAID_JOB}),
        fills_vacancy=True,
        valuation=Valuation("vso_workplace", "once")),
    KindSpec(
        kind=StageKind.PAID_JOB, label=_l("Paid job"), colour=("#c2185b", "#7c0f3a"),
        plan=("job_title", "hours_per_week", "permanent"),
        plan_required=("job_title", "hours_per_week"),
        outcome=("contract_type", "contract_hours", "contract_start"),
        outcome_required=("contract_type",),
        offer_types=frozenset({OfferType.PAID_JOB}),
        open_ended=True, absorbs_coaching=True, fills_vacancy=True,
        valuation=Valuation("paid_job", "time")),
    KindSpec(
        kind=StageKind.ADDITIONAL_PROJECT, label=_l("Additional project"),
        colour=("#00796b", "#004d44"),
        plan=("hours",), plan_required=("hours",),
        offer_types=frozenset({OfferType.ADDITIONAL_PROJECT}),
        valuation=Valuation(None, "hours")),
)

KINDS: dict[StageKind, KindSpec] = {spec.kind: spec for spec in ENTRIES}


def spec_of(kind: StageKind | str) -> KindSpec:
    """The entry of a kind (a ``StageKind`` or its value)."""
    return KINDS[StageKind(kind)]


def kinds_where(test: Callable[[KindSpec], bool]) -> frozenset[StageKind]:
    """The kinds whose entry passes ``test``, e.g. ``kinds_where(lambda k: k.fills_vacancy)``."""
    return frozenset(spec.kind for spec in ENTRIES if test(spec))


def label_of(kind: str | None) -> str:
    """The label of a kind given as its value; an unknown value is shown as it is."""
    if not kind:
        return ""
    try:
        return str(spec_of(kind).label)
    except ValueError:
        return kind
