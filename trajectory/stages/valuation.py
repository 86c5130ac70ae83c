"""A candidate's stages in euros: the adapter from the learning line to the valuation engine.

There is one computation in the product, ``engine.value_trajectory`` (TRAJECTORIES.md
T1-T9): every stage of a person is valued *together*, so a counting period follows
the person, a bonus is paid once per placement and a day is credited once. This
module only translates database rows into the engine's plain values and applies
what the engine leaves to the product:

* which stages take part: accepted stages that started or are planned (declined,
  proposed and never-started ones do not); a stage recorded as care (``zorg``) is
  never valued, and a care client's stage waits for that choice;
* the facts: the recorded ones once known (actual dates, the contract hours and
  contract type of the outcome, a werkervaringsplaats's agreed end), the planned
  ones until then (the forecast); an open-ended job is valued up to the end of its
  contract period, or two years without a contract;
* which contract: of the provider's contracts, the candidate's own municipality's
  first, then the region's, then any other (the engine takes the first that covers
  the stage's start);
* which edition: each stage is taken from a run under its contract's edition;
* an additional project (the product's own kind) is valued as activity hours.

``people(candidate_ids)`` values many candidates in a fixed number of queries; the
stage page, the ledger, the labour claims and the cohort figures all read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from trajectory.candidates.models import Benefit, Candidate
from trajectory.extensions import db
from trajectory.stages.models import ContractType, Stage, StageStatus
from trajectory.valuation import engine

OPEN_END_MONTHS = 24
# Stages that take part in the person's valuation (the forecast includes planned ones).
VALUED_STATUSES = frozenset({StageStatus.GEPLAND, StageStatus.LOPEND, StageStatus.AFGEROND,
                             StageStatus.AFGEBROKEN})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StageValue:
    """The value of a stage, or why it has none; ``explain`` are the engine's lines."""

    value: Decimal | None
    explain: tuple[str, ...]
    reason: str | None = None
    rulebook: str | None = None
    flags: tuple[str, ...] = ()
    contract_id: int | None = None

    @property
    def counts(self) -> bool:
        return self.value is not None and self.value > 0


@dataclass
class PersonValues:
    """Every stage of one candidate valued together, with the parts claims and quarters need."""

    candidate_id: int
    candidate: Candidate | None = None  # kept: the session only holds loaded rows weakly
    values: dict[int, StageValue] = field(default_factory=dict)
    runs: dict[str, engine.TrajectoryValuation] = field(default_factory=dict)
    edition_of: dict[int, str] = field(default_factory=dict)
    projects: dict[int, date] = field(default_factory=dict)  # additional projects: start
    stages: dict[int, Stage] = field(default_factory=dict)
    ends: dict[int, date] = field(default_factory=dict)  # the end valued (open end: horizon)

    def value(self, stage_id: int) -> StageValue:
        return self.values[stage_id]

    def part(self, stage_id: int, start: date | None = None, end: date | None = None) -> Decimal:
        """The stage's value from ``start`` to ``end``; the parts of a stage add up to it."""
        edition = self.edition_of.get(stage_id)
        if edition is None:
            return ZERO
        if stage_id in self.projects:  # an additional project counts on its start day
            day = self.projects[stage_id]
            inside = (start is None or start <= day) and (end is None or day <= end)
            return (self.values[stage_id].value or ZERO) if inside else ZERO
        return self.runs[edition].part(str(stage_id), start, end)


# ------------------------------------------------------------------ facts → engine


def engine_person(candidate: Candidate) -> engine.Person:
    return engine.Person(
        birth_date=candidate.date_of_birth, statushouder=bool(candidate.statushouder),
        doelgroepregister=bool(candidate.doelgroepregister),
        # Benefit(...): a period set from a form or test value holds the plain string
        # until it is loaded again, and the stored values are computed before that.
        benefits=tuple(engine.BenefitPeriod(Benefit(p.benefit).value, p.start, p.end)
                       for p in candidate.benefit_periods))


def contract_periods(contract) -> engine.ContractPeriods:
    periods = [engine.Period(contract.start, contract.end)]
    periods += [engine.Period(e.start, e.end) for e in contract.extensions if e.exercised]
    return engine.ContractPeriods(str(contract.id), str(contract.provider_id), tuple(periods))


def contracts_in_order(candidate: Candidate, contracts: Iterable) -> list:
    """The contracts a stage of this candidate may be credited to, the most fitting first."""
    region = candidate.municipality.region_id if candidate.municipality else None

    def rank(contract) -> tuple[int, object, int]:
        if contract.client_id == candidate.municipality_id:
            return 0, contract.start, contract.id
        return (1 if contract.client_id == region else 2), contract.start, contract.id

    return sorted(contracts, key=rank)


def open_end(start: date) -> date:
    """Where an open-ended stage without a covering contract is valued to: two years."""
    return engine.add_months(start, OPEN_END_MONTHS) - timedelta(days=1)


def _horizon(stage: Stage, start: date, contracts: Sequence) -> tuple[date, str]:
    """Where an open-ended stage is valued to: its contract's end, else two years."""
    own = [c for c in contracts if c.provider_id == stage.provider_id]
    covering = next((c for c in own if contract_periods(c).covers(start)), None)
    if covering is not None and covering.period_end >= start:
        end = covering.period_end
        return end, _("Open-ended: valued up to the end of contract %(ref)s (%(end)s).",
                      ref=covering.reference, end=engine.format_date(end))
    end = open_end(start)
    return end, _("Open-ended: valued up to %(end)s (two years from the start).",
                  end=engine.format_date(end))


def recorded_facts(stage: Stage) -> dict:
    """The facts the value uses: recorded once known, else planned (see the module doc).

    Which recorded facts a kind has follows from its outcome fields (``kinds.py``): the
    contract hours and type of a paid job, the agreed end of a werkervaringsplaats.
    """
    facts: dict = {"start": stage.start, "end": stage.end}
    outcome = stage.kind.spec.outcome
    if "contract_hours" in outcome:
        facts["hours_per_week"] = (stage.contract_hours if stage.contract_hours is not None
                                   else stage.hours_per_week)
    if "contract_type" in outcome:
        recorded_type = stage.contract_type
        facts["permanent"] = (recorded_type is ContractType.PERMANENT
                              if recorded_type is not None else bool(stage.permanent))
    if "agreed_end" in outcome:
        facts["agreed_end"] = stage.agreed_end or stage.planned_end
    return facts


class Editions:
    """The rulebook editions and kind names a batch of valuations asks for, looked up once
    per batch (``people`` values thousands of persons; each asks for the same few)."""

    def __init__(self) -> None:
        self._books: dict[str, engine.Rulebook] = {}
        self._in_force: dict[date, engine.Rulebook] = {}
        self._kinds: dict = {}
        self.newest = engine.newest_rulebook()

    def load(self, name: str) -> engine.Rulebook:
        if name not in self._books:
            self._books[name] = engine.load_rulebook(name)
        return self._books[name]

    def default_for(self, stage: Stage) -> engine.Rulebook:
        """The edition of a stage without a contract: the one in force at its start."""
        if stage.start not in self._in_force:
            self._in_force[stage.start] = engine.rulebook_in_force(stage.start) or self.newest
        return self._in_force[stage.start]

    def kind_name(self, stage: Stage) -> str:
        if stage.kind not in self._kinds:
            self._kinds[stage.kind] = stage.kind.label.lower()
        return self._kinds[stage.kind]


def _label(stage: Stage, books: Editions | None = None) -> str:
    kind = books.kind_name(stage) if books is not None else stage.kind.label.lower()
    return f"{kind} bij {stage.provider.name} (#{stage.id})"


def engine_step(stage: Stage, end: date | None = None, books: Editions | None = None
                ) -> engine.Step:
    """The engine's Step for a stage valued by the engine (its kind's ``engine_kind``, from
    ``trajectory.stages.kinds``); raises engine.InputError."""
    facts = recorded_facts(stage)
    how = stage.kind.spec.valuation
    spec = engine.Stage(
        kind=how.engine_kind, start=facts["start"], end=end or facts["end"],
        hours_per_week=facts.get("hours_per_week", stage.hours_per_week),
        level=stage.level if how.measure == "level" else None,
        permanent=facts.get("permanent", False),
        hours=stage.hours if how.measure == "hours" else None)
    agreed = facts.get("agreed_end")
    if agreed is not None and agreed < spec.start:
        agreed = None
    return engine.Step(str(stage.id), str(stage.provider_id), spec, agreed_end=agreed,
                       label=_label(stage, books))


def _not_valued(stage: Stage) -> StageValue | None:
    """Why a stage takes no part in the person's valuation, or None when it does."""
    if stage.status is StageStatus.AFGEWEZEN:
        return StageValue(None, (), _("Declined: not valued."))
    if stage.status is StageStatus.VOORGESTELD:
        return StageValue(None, (), _("Proposed: valued once the provider accepts it."))
    if stage.never_started:
        return StageValue(ZERO, (), _("Stopped before it started: nothing to value."))
    if stage.is_zorg:
        return StageValue(ZERO, (), _(
            "Recorded as care, not Social Return: never valued. Reason: %(reason)s",
            reason=stage.care_reason or "–"))
    if stage.care_choice_missing:
        return StageValue(None, (), _("The candidate is a care client of this provider: record "
                                      "whether this stage is Social Return or care first."))
    return None


def value_person(candidate: Candidate, stages: Sequence[Stage], contracts: Sequence,
                 extra_edition: str | None = None, books: Editions | None = None
                 ) -> PersonValues:
    """Value all stages of one candidate together; ``contracts`` are those of their providers.

    No queries: the caller loads candidate (with benefit periods), stages (with provider)
    and contracts (with extensions); ``books`` the editions, shared by a batch.
    """
    books = books or Editions()
    result = PersonValues(candidate.id, candidate, stages={s.id: s for s in stages})
    ordered = contracts_in_order(candidate, contracts)
    by_id = {str(c.id): c for c in ordered}
    steps: list[engine.Step] = []
    notes: dict[int, str] = {}
    for stage in sorted(stages, key=lambda s: s.id):
        why = _not_valued(stage)
        if why is not None:
            result.values[stage.id] = why
            continue
        if stage.kind.spec.valuation.engine_kind is None:  # valued as activity hours
            result.projects[stage.id] = stage.start
            result.ends[stage.id] = stage.end or stage.start
            continue
        end = None
        if stage.end is None:
            end, notes[stage.id] = _horizon(stage, stage.start, ordered)
        result.ends[stage.id] = end or stage.end
        try:
            steps.append(engine_step(stage, end, books))
        except engine.InputError as error:
            result.values[stage.id] = StageValue(
                None, (), _("Cannot be valued yet: %(problem)s", problem=error.message))
    periods = [contract_periods(c) for c in ordered]
    editions = {c.rulebook for c in ordered} | {books.newest.name}
    if extra_edition:
        editions.add(extra_edition)
    stage_by_id = result.stages
    try:
        for name in sorted(editions):
            result.runs[name] = engine.value_trajectory(
                engine_person(candidate), steps, periods, books.load(name))
    except engine.InputError as error:
        for step in steps:
            result.values[int(step.id)] = StageValue(
                None, (), _("Cannot be valued yet: %(problem)s", problem=error.message))
        return result
    default = books.newest.name
    for step in steps:
        stage_id = int(step.id)
        first = result.runs[default].credits[step.id]
        contract = by_id.get(first.contract) if first.contract else None
        edition = contract.rulebook if contract is not None else books.default_for(
            stage_by_id[stage_id]).name
        if edition not in result.runs:
            edition = default
        credit = result.runs[edition].credits[step.id]
        result.edition_of[stage_id] = edition
        prefix = (notes[stage_id],) if stage_id in notes else ()
        result.values[stage_id] = StageValue(
            credit.value, prefix + credit.valuation.explain,
            rulebook=books.load(edition).title,
            flags=_flags(step, result.runs[edition]),
            contract_id=contract.id if contract is not None else None)
    for stage_id in result.projects:
        _value_project(result, stage_by_id[stage_id], ordered, periods, books)
    return result


def _value_project(result: PersonValues, stage: Stage, ordered: Sequence,
                   periods: Sequence[engine.ContractPeriods], books: Editions) -> None:
    contract = next((c for c, p in zip(ordered, periods, strict=True)
                     if c.provider_id == stage.provider_id and p.covers(stage.start)), None)
    book = books.load(contract.rulebook) if contract else books.default_for(stage)
    try:
        valuation = engine.value_additional_project(stage.hours or 0, book)
    except engine.InputError as error:
        result.values[stage.id] = StageValue(
            None, (), _("Cannot be valued yet: %(problem)s", problem=error.message))
        return
    result.edition_of[stage.id] = book.name
    result.values[stage.id] = StageValue(valuation.value, valuation.explain,
                                         rulebook=book.title,
                                         contract_id=contract.id if contract else None)


def _flags(step: engine.Step, run: engine.TrajectoryValuation) -> tuple[str, ...]:
    """Overlaps with the person's other stages, in both directions, for the adviser to see."""
    flags = []
    credit = run.credits[step.id]
    for whom in dict.fromkeys(w for _p, names, _partial in credit.lost for w in names):
        flags.append(_("Overlaps with the %(other)s, recorded earlier: the shared days count "
                       "there first.", other=whom))
    for other in run.credits.values():
        if other.step.id != step.id and any(step.name in names for _p, names, _x in other.lost):
            flags.append(_("Overlaps with the %(other)s, recorded later: the shared days count "
                           "here first.", other=other.step.name))
    return tuple(flags)


# ------------------------------------------------------------------ loading in bulk


def _contracts_for(provider_ids: set[int]) -> list:
    from trajectory.valuation.models import Contract

    if not provider_ids:
        return []
    return list(db.session.scalars(
        sa.select(Contract).where(Contract.provider_id.in_(provider_ids))
        .options(so.selectinload(Contract.extensions), so.lazyload("*"))).unique())


def load_stages(candidate_ids: Iterable[int]) -> dict[int, list[Stage]]:
    ids = sorted(set(candidate_ids))
    found: dict[int, list[Stage]] = {cid: [] for cid in ids}
    if not ids:
        return found
    for stage in db.session.scalars(
            sa.select(Stage).where(Stage.candidate_id.in_(ids))
            .options(so.joinedload(Stage.provider), so.joinedload(Stage.offer_item))
            .order_by(Stage.id)).unique():
        found[stage.candidate_id].append(stage)
    return found


def people(candidate_ids: Iterable[int]) -> dict[int, PersonValues]:
    """Every stage of these candidates valued, per candidate, in a fixed number of queries."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return {}
    candidates = db.session.scalars(
        sa.select(Candidate).where(Candidate.id.in_(ids))
        .options(so.selectinload(Candidate.benefit_periods),
                 so.joinedload(Candidate.municipality))).unique().all()
    stages = load_stages(ids)
    contracts = _contracts_for({s.provider_id for found in stages.values() for s in found})
    by_provider: dict[int, list] = {}
    for contract in contracts:
        by_provider.setdefault(contract.provider_id, []).append(contract)
    books = Editions()
    out = {}
    for candidate in candidates:
        own = stages.get(candidate.id, [])
        providers = sorted({s.provider_id for s in own})
        out[candidate.id] = value_person(
            candidate, own, [c for pid in providers for c in by_provider.get(pid, [])],
            books=books)
    return out


def value_of(stage: Stage) -> StageValue:
    """The value of one stage, the person's whole learning line taking part."""
    return people([stage.candidate_id])[stage.candidate_id].value(stage.id)


def part_valuation(person: PersonValues, stage_id: int, start: date, end: date,
                   edition: str | None = None) -> engine.Valuation:
    """The stage's days from ``start`` to ``end`` with the stage's explanation and a line
    for the part; ``edition`` another edition of the same run (a "what if")."""
    value = person.value(stage_id)
    if value.value is None:
        raise engine.InputError("stage", value.reason or "cannot be valued")
    stage = person.stages[stage_id]
    if edition is not None and edition in person.runs and stage_id not in person.projects:
        credit = person.runs[edition].credits[str(stage_id)]
        whole, explain = credit.value, credit.valuation.explain
        part = person.runs[edition].part(str(stage_id), start, end)
    else:
        whole, explain = value.value, value.explain
        part = person.part(stage_id, start, end)
    if part != whole:
        explain = (*explain, _("Claimed part %(start)s to %(end)s: %(part)s of the stage's "
                               "%(whole)s.", start=engine.format_date(start),
                               end=engine.format_date(end), part=engine.format_eur(part),
                               whole=engine.format_eur(whole)))
    return engine.Valuation(part, tuple(explain), stage.kind.value)


def value_part(stage: Stage, start: date, end: date, rulebook: str | None = None
               ) -> engine.Valuation:
    """What a labour claim for the stage's days from ``start`` to ``end`` is worth now, under
    ``rulebook`` (default: its contract's edition); the person's whole line takes part."""
    candidate = db.session.get(Candidate, stage.candidate_id)
    stages = load_stages([stage.candidate_id])[stage.candidate_id]
    contracts = _contracts_for({s.provider_id for s in stages})
    person = value_person(candidate, stages, contracts, extra_edition=rulebook)
    return part_valuation(person, stage.id, start, end, rulebook)
