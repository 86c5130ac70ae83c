"""A stage in euros: the adapter from a ``Stage`` and its ``Candidate`` to the valuation engine.

There is one computation in the product (``trajectory.valuation.engine``); this
module only translates and applies the two product rules the engine leaves to
us (FORMAT.md rule 9 and the care-client watch-out):

* a stage recorded as care (``zorg``) is never valued: zero, with the reason;
* coaching by a provider that has the candidate in a werkervaringsplaats, BBL
  place or paid job at the same time counts zero for the days that overlap
  (the support is in that block already): the engine values the coaching hours
  that fall outside those days, spread evenly over the stage;
* one person-month is never credited twice across providers: when a
  werkervaringsplaats, BBL place or paid job overlaps one of these at another
  provider, the stage recorded later is valued without the overlapping days
  (the engine values the part or parts that remain) and both carry a flag.

An additional project is valued as hours at the edition's activity rate
(``value_activity``). An open-ended paid job is valued up to a horizon of two
years from its start (the longest "counted for" period of a benefit block),
which the explanation says.

``register`` makes the stages the source of labour participation for the
contract ledger (``trajectory.valuation.ledger.register_labour_source``), when
that module exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _

from trajectory.candidates.models import Candidate
from trajectory.stages.models import ABSORBING_KINDS, Stage, StageKind, StageStatus
from trajectory.valuation import engine

OPEN_END_MONTHS = 24
ENGINE_HOUR_KINDS = frozenset({StageKind.INTAKE, StageKind.COACHING})
ENGINE_LEVEL_KINDS = frozenset({StageKind.BBL, StageKind.BOL})


@dataclass(frozen=True)
class StageValue:
    """The value of a stage, or why it has none; ``explain`` are the engine's lines."""

    value: Decimal | None
    explain: tuple[str, ...]
    reason: str | None = None
    rulebook: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def counts(self) -> bool:
        return self.value is not None and self.value > 0


def engine_candidate(candidate: Candidate) -> engine.Candidate:
    return engine.Candidate(
        benefit=candidate.benefit.value, benefit_since=candidate.benefit_since,
        doelgroepregister=bool(candidate.doelgroepregister),
        birth_date=candidate.date_of_birth, statushouder=bool(candidate.statushouder))


def valued_period(stage: Stage) -> tuple[date, date, str | None]:
    """The period the engine values: as it happened, else as planned; open-ended: 2 years."""
    start = stage.start
    end = stage.end
    if end is None:
        end = engine.add_months(start, OPEN_END_MONTHS) - timedelta(days=1)
        return start, end, _("Open-ended: valued up to %(end)s (two years from the start).",
                             end=engine.format_date(end))
    return start, end, None


def engine_stage(stage: Stage, hours: Decimal | None = None,
                 period: tuple[date, date] | None = None) -> engine.Stage:
    """The engine's ``Stage`` for a stage (not for an additional project); ``hours``
    overrides the stage's hours (the coaching hours that count), ``period`` its dates (the
    part credited here)."""
    start, end, _note = valued_period(stage)
    if period is not None:
        start, end = period
    kind = stage.kind
    return engine.Stage(
        kind=kind.value, start=start, end=end, hours_per_week=stage.hours_per_week,
        level=stage.level if kind in ENGINE_LEVEL_KINDS else None,
        permanent=bool(stage.permanent) if kind is StageKind.PAID_JOB else False,
        hours=(hours if hours is not None else stage.hours) if kind in ENGINE_HOUR_KINDS
        else None)


def absorbed_days(stage: Stage, others: Sequence[Stage]) -> tuple[int, int, list[Stage]]:
    """Days of a coaching stage covered by a werkervaringsplaats, BBL place or paid job of the
    same provider: (covered days, total days, the covering stages)."""
    start, end, _note = valued_period(stage)
    covering = [o for o in others
                if o.id != stage.id and o.provider_id == stage.provider_id
                and o.candidate_id == stage.candidate_id and o.kind in ABSORBING_KINDS
                and o.status not in (StageStatus.VOORGESTELD, StageStatus.AFGEWEZEN)
                and not o.never_started and not o.is_zorg]
    covered: set[date] = set()
    used = []
    for other in covering:
        o_start, o_end, _n = valued_period(other)
        lo, hi = max(start, o_start), min(end, o_end)
        if lo <= hi:
            used.append(other)
            covered.update(lo + timedelta(days=n) for n in range((hi - lo).days + 1))
    return len(covered), (end - start).days + 1, used


def rulebook_for(stage: Stage, name: str | None = None) -> engine.Rulebook:
    if name:
        return engine.load_rulebook(name)
    return engine.rulebook_in_force(stage.start) or engine.newest_rulebook()


# Person-months: the blocks valued by time. One month of a person is credited once.
TIME_KINDS = frozenset({StageKind.WERKERVARINGSPLAATS, StageKind.BBL, StageKind.PAID_JOB})
COUNTED_STATUSES = frozenset({StageStatus.GEPLAND, StageStatus.LOPEND, StageStatus.AFGEROND,
                              StageStatus.AFGEBROKEN})


def _credit_candidates(stage: Stage, others: Sequence[Stage]) -> list[Stage]:
    return [o for o in others
            if o.id != stage.id and o.candidate_id == stage.candidate_id
            and o.provider_id != stage.provider_id and o.kind in TIME_KINDS
            and o.status in COUNTED_STATUSES and not o.is_zorg and not o.never_started]


def _overlap(stage: Stage, other: Stage) -> tuple[date, date] | None:
    start, end, _n = valued_period(stage)
    o_start, o_end, _m = valued_period(other)
    lo, hi = max(start, o_start), min(end, o_end)
    return (lo, hi) if lo <= hi else None


def credited_elsewhere(stage: Stage, others: Sequence[Stage]) -> list[tuple[Stage, date, date]]:
    """Overlaps with person-month stages at *other* providers recorded *before* this one: those
    months are credited there, so this stage is valued without them."""
    if stage.kind not in TIME_KINDS:
        return []
    found = []
    for other in _credit_candidates(stage, others):
        period = _overlap(stage, other)
        if other.id < stage.id and period:
            found.append((other, *period))
    return found


def credited_here_not_there(stage: Stage, others: Sequence[Stage]) -> list[tuple[Stage, date, date]]:
    """Overlaps with person-month stages at other providers recorded *after* this one."""
    if stage.kind not in TIME_KINDS:
        return []
    found = []
    for other in _credit_candidates(stage, others):
        period = _overlap(stage, other)
        if other.id > stage.id and period:
            found.append((other, *period))
    return found


def _remaining(start: date, end: date, cut: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """[start, end] without the cut periods, as contiguous segments."""
    segments = [(start, end)]
    for lo, hi in sorted(cut):
        next_segments = []
        for s_start, s_end in segments:
            if hi < s_start or lo > s_end:
                next_segments.append((s_start, s_end))
                continue
            if s_start < lo:
                next_segments.append((s_start, lo - timedelta(days=1)))
            if hi < s_end:
                next_segments.append((hi + timedelta(days=1), s_end))
        segments = next_segments
    return segments


def _span(lo: date, hi: date) -> str:
    return f"{engine.format_date(lo)} t/m {engine.format_date(hi)}"


def value_of(stage: Stage, others: Sequence[Stage] = (), *, rulebook: engine.Rulebook | None = None,
             contract: engine.Contract | None = None) -> StageValue:
    """The stage's value with the engine; ``others`` are the candidate's other stages."""
    if stage.status is StageStatus.AFGEWEZEN:
        return StageValue(None, (), _("Declined: not valued."))
    if stage.never_started:
        return StageValue(Decimal("0.00"), (), _("Stopped before it started: nothing to value."))
    if stage.is_zorg:
        return StageValue(Decimal("0.00"), (), _(
            "Recorded as care, not Social Return: never valued. Reason: %(reason)s",
            reason=stage.care_reason or "–"))
    if stage.care_choice_missing:
        return StageValue(None, (), _("The candidate is a care client of this provider: record "
                                      "whether this stage is Social Return or care first."))
    book = rulebook or rulebook_for(stage)
    start, end, open_note = valued_period(stage)
    prefix = (open_note,) if open_note else ()
    flags = tuple(
        _("Overlaps with a %(kind)s at %(provider)s (%(period)s), recorded later: those months "
          "count here, not there.", kind=o.kind.label.lower(), provider=o.provider.name,
          period=_span(lo, hi))
        for o, lo, hi in credited_here_not_there(stage, others))
    try:
        if stage.kind is StageKind.ADDITIONAL_PROJECT:
            result = engine.value_activity(engine.Activity(hours=stage.hours), book)
            return StageValue(result.value, prefix + result.explain, rulebook=book.title)
        hours = None
        extra: tuple[str, ...] = ()
        if stage.kind is StageKind.COACHING:
            covered, total, covering = absorbed_days(stage, others)
            if covered:
                share = Fraction(total - covered, total)
                exact = Fraction(stage.hours or 0) * share
                hours = engine.round_half_up(Decimal(exact.numerator) / exact.denominator)
                names = ", ".join(sorted({o.kind.label.lower() for o in covering}))
                extra = (_("Coaching by the provider that also has the candidate in a %(kinds)s: "
                           "%(covered)d of %(total)d days overlap and count zero (that support "
                           "is in the block already).", kinds=names, covered=covered,
                           total=total),)
                flags += extra
                if covered == total:
                    return StageValue(Decimal("0.00"), extra, _(
                        "Coaching during a %(kinds)s at the same provider counts zero.",
                        kinds=names), rulebook=book.title, flags=flags)
        person = engine_candidate(stage.candidate)
        elsewhere = credited_elsewhere(stage, others)
        if not elsewhere:
            result = engine.value_stage(engine_stage(stage, hours), person, book, contract)
            return StageValue(result.value, prefix + extra + result.explain, rulebook=book.title,
                              flags=flags)
        # One person-month is never credited twice across providers.
        notes = tuple(
            _("Overlaps with a %(kind)s at %(provider)s (%(period)s), recorded earlier: those "
              "months are credited there, not here.", kind=o.kind.label.lower(),
              provider=o.provider.name, period=_span(lo, hi))
            for o, lo, hi in elsewhere)
        flags += notes
        segments = _remaining(start, end, [(lo, hi) for _o, lo, hi in elsewhere])
        if not segments:
            return StageValue(Decimal("0.00"), notes, _(
                "Every month of this stage is credited to another provider already."),
                rulebook=book.title, flags=flags)
        total_value = Decimal("0.00")
        lines: list[str] = list(prefix + notes)
        for lo, hi in segments:
            result = engine.value_stage(engine_stage(stage, hours, (lo, hi)), person, book,
                                        contract)
            total_value += result.value
            if len(segments) > 1:
                lines.append(_("Part %(period)s:", period=_span(lo, hi)))
            lines.extend(result.explain)
        return StageValue(total_value, tuple(lines), rulebook=book.title, flags=flags)
    except engine.InputError as error:
        return StageValue(None, (), _("Cannot be valued yet: %(problem)s", problem=error.message))


# ------------------------------------------------------------------ the ledger

LEDGER_STATUS = {StageStatus.GEPLAND: "planned", StageStatus.LOPEND: "running",
                 StageStatus.AFGEROND: "completed", StageStatus.AFGEBROKEN: "completed"}


def _initials(candidate: Candidate) -> str:
    parts = [candidate.first_name, candidate.last_name]
    return ".".join(p[0].upper() for p in parts if p) + "."


def labour_source(contracts: Sequence) -> Mapping[int, list]:
    """Labour lines per contract: every stage at the contract's provider that overlaps the
    contract period, valued under the contract's edition and clipped to it (one query)."""
    import sqlalchemy as sa
    import sqlalchemy.orm as so
    from flask import url_for

    from trajectory.extensions import db
    from trajectory.valuation.adapters import contract_input, rulebook_of
    from trajectory.valuation.ledger import LabourLine

    provider_ids = {c.provider_id for c in contracts}
    if not provider_ids:
        return {}
    candidate_ids = (sa.select(Stage.candidate_id)
                     .where(Stage.provider_id.in_(provider_ids),
                            Stage.status.in_(tuple(LEDGER_STATUS))))
    # Every stage of these candidates (at any provider), for the overlap rules: one query.
    everything = list(db.session.scalars(
        sa.select(Stage).where(Stage.candidate_id.in_(candidate_ids))
        .options(so.joinedload(Stage.candidate), so.joinedload(Stage.provider),
                 so.joinedload(Stage.offer_item))))
    by_candidate: dict[int, list[Stage]] = {}
    for stage in everything:
        by_candidate.setdefault(stage.candidate_id, []).append(stage)
    stages = [s for s in everything
              if s.provider_id in provider_ids and s.status in LEDGER_STATUS]
    lines: dict[int, list] = {}
    for contract in contracts:
        book = rulebook_of(contract)
        terms = contract_input(contract, book)
        for stage in stages:
            if stage.provider_id != contract.provider_id or stage.is_zorg or stage.never_started:
                continue
            start, end, _note = valued_period(stage)
            if end < contract.start or start > contract.period_end:
                continue
            result = value_of(stage, by_candidate[stage.candidate_id], rulebook=book,
                              contract=terms)
            valuation = (engine.Valuation(result.value, result.explain, stage.kind.value)
                         if result.value is not None else None)
            try:
                url = url_for("stages.detail", stage_id=stage.id)
            except RuntimeError:
                url = None
            lines.setdefault(contract.id, []).append(LabourLine(
                description=stage.title, person=_initials(stage.candidate), start=start,
                end=end, valuation=valuation, status=LEDGER_STATUS[stage.status],
                flags=((result.reason,) if result.reason else ()) + result.flags, url=url))
    return lines


def register() -> bool:
    """Make the stages the ledger's source of labour participation, if the ledger exists."""
    try:
        from trajectory.valuation import ledger
    except ImportError:
        return False
    register_labour_source = getattr(ledger, "register_labour_source", None)
    if register_labour_source is None:
        return False
    register_labour_source(labour_source)
    return True
