"""A person's whole learning line valued together (TRAJECTORIES.md, rules T1-T9).

FORMAT.md values one item at a time; here the building blocks are read per
*person*: a paid job's counting period follows the person across providers (a
placement), a one-off bonus is paid once per placement, and a day of the person
is credited once (parallel paid jobs share it by FTE). The single-item rules
(month counting, FTE, rounding, the blocks of the edition) are reused from
``compute``; nothing here knows Flask or a database.

``value_trajectory`` is the one door. Its result holds, per stage, the value
credited to a contract with the explanation, and it can value any part of a
stage (``part``) as a difference of running totals, so the parts of a stage
(per year, per quarter) always add up to the stage to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from .compute import (
    IN_REGISTER,
    _age_on,
    _fte,
    hours_line,
    once_line,
    select_block,
    too_old_line,
    total_line,
    value_activity,
)
from .explain import EMPTY, Day, Line, Money, Months, Names, Num, Qty, join, span, spans
from .formatting import round_half_up
from .model import BENEFITS, Activity, Candidate, InputError, Stage, Valuation
from .periods import Period, add_months, exact_months_between
from .rulebook import Rulebook

ONE_DAY = timedelta(days=1)
EXCLUSIVE_KINDS = frozenset({"werkervaringsplaats", "bbl"})  # keep a day whole (T6)
TIME_KINDS = EXCLUSIVE_KINDS | {"paid_job"}
ABSORBING_KINDS = TIME_KINDS  # absorb the same provider's coaching (T8)
PERIOD_BENEFITS = tuple(b for b in BENEFITS if b != "nug")

Days = tuple[Period, ...]  # sorted, disjoint and not adjacent


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class BenefitPeriod:
    """A period on a benefit; ``end`` inclusive, None while it runs. Never ``nug``."""

    benefit: str
    start: date
    end: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Person:
    """What the blocks need to know about the person, with the benefit history (T2)."""

    birth_date: date | None = None
    statushouder: bool = False
    doelgroepregister: bool = False
    benefits: tuple[BenefitPeriod, ...] = ()

    def __post_init__(self) -> None:
        ordered = sorted(enumerate(self.benefits), key=lambda p: p[1].start)
        for index, period in enumerate(self.benefits):
            where = f"person.benefits[{index}]"
            if period.benefit == "nug":
                raise InputError(f"{where}.benefit", "nug is not a period: no period means NUG")
            if period.benefit not in PERIOD_BENEFITS:
                raise InputError(f"{where}.benefit", f"must be one of {', '.join(PERIOD_BENEFITS)}")
            if period.end is not None and period.end < period.start:
                raise InputError(f"{where}.to", "is before its from")
        for (_i, first), (j, second) in zip(ordered, ordered[1:], strict=False):
            if first.end is None or second.start <= first.end:
                raise InputError(f"person.benefits[{j}].from", "overlaps another benefit period")


@dataclass(frozen=True)
class ContractPeriods:
    """A provider's contract: its base period and the extensions that were exercised."""

    id: str
    provider: str
    periods: tuple[Period, ...]

    @property
    def days(self) -> Days:
        return _merge(self.periods)

    def covers(self, day: date) -> bool:
        return any(p.contains(day) for p in self.periods)

    @property
    def text(self) -> Line:
        return join([span(p) for p in self.days], " en ", " and ")


@dataclass(frozen=True)
class Step:
    """One stage of the person at a provider, in the order it was recorded.

    ``stage`` carries the FORMAT.md fields (the recorded facts); ``agreed_end`` is a
    werkervaringsplaats's agreed end (T7); ``label`` names the stage in other
    stages' explanations (default: its id).
    """

    id: str
    provider: str
    stage: Stage
    agreed_end: date | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.agreed_end is not None:
            if self.stage.kind != "werkervaringsplaats":
                raise InputError("stage.agreed_end", "only a werkervaringsplaats has an agreed end")
            if self.agreed_end < self.stage.start:
                raise InputError("stage.agreed_end", "is before the start")

    @property
    def kind(self) -> str:
        return self.stage.kind

    @property
    def name(self) -> str:
        return self.label or f"'{self.id}'"


# ------------------------------------------------------------------ day sets


def _merge(periods: Iterable[Period]) -> Days:
    merged: list[Period] = []
    for p in sorted(periods, key=lambda p: p.start):
        if merged and p.start <= merged[-1].end + ONE_DAY:
            if p.end > merged[-1].end:
                merged[-1] = Period(merged[-1].start, p.end)
        else:
            merged.append(p)
    return tuple(merged)


def _intersect(a: Days, b: Days) -> Days:
    out = []
    for p in a:
        for q in b:
            clipped = p.clip(q)
            if clipped is not None:
                out.append(clipped)
    return _merge(out)


def _subtract(a: Days, b: Days) -> Days:
    out: list[Period] = []
    for p in a:
        pieces = [p]
        for q in b:
            nxt = []
            for r in pieces:
                if q.end < r.start or q.start > r.end:
                    nxt.append(r)
                    continue
                if r.start < q.start:
                    nxt.append(Period(r.start, q.start - ONE_DAY))
                if q.end < r.end:
                    nxt.append(Period(q.end + ONE_DAY, r.end))
            pieces = nxt
        out.extend(pieces)
    return _merge(out)


def _through(a: Days, last: date) -> Days:
    return _intersect(a, (Period(date.min, last),)) if last < date.max else a


def _count(a: Days) -> int:
    return sum(p.days for p in a)


# ------------------------------------------------------------------ results


Run = tuple[Period, Fraction]  # consecutive days kept at one FTE


@dataclass(frozen=True)
class Tally:
    """What a stage counts, enough to value it through any day (running totals).

    ``mode``: "time" (kept runs × monthly rate, at most the uncut runs, plus bonus),
    "hours" (hours × rate × share of days counted), "once" (an amount on the start
    day) or "zero".
    """

    mode: str
    start: date
    monthly_rate: Fraction = Fraction(0)
    kept: tuple[Run, ...] = ()
    uncut: tuple[Run, ...] = ()
    bonus: Fraction = Fraction(0)
    amount: Fraction = Fraction(0)
    counted_days: Days = ()
    total_days: int = 1

    def through(self, last: date) -> Fraction:
        """The exact value of what the stage counts up to and including ``last``."""
        if self.mode == "zero" or last < self.start:
            return Fraction(0)
        if self.mode == "once":
            return self.amount
        if self.mode == "hours":
            return self.amount * Fraction(_count(_through(self.counted_days, last)),
                                          self.total_days)
        kept = _run_months(self.kept, last)
        uncut = _run_months(self.uncut, last)
        return self.monthly_rate * min(kept, uncut) + self.bonus


def _run_months(runs: Sequence[Run], last: date) -> Fraction:
    total = Fraction(0)
    for period, fte in runs:
        if period.start > last:
            continue
        total += exact_months_between(period.start, min(period.end, last)) * fte
    return total


@dataclass(frozen=True)
class Credit:
    """A stage's value and the contract it is credited to (None: no contract, no sum)."""

    step: Step
    contract: str | None
    valuation: Valuation
    tally: Tally
    lost: tuple[Loss, ...] = ()  # days (or FTE) given up, and to whom

    @property
    def value(self) -> Decimal:
        return self.valuation.value

    @property
    def kept(self) -> tuple[Run, ...]:
        return self.tally.kept


@dataclass(frozen=True)
class TrajectoryValuation:
    """Every stage of the person valued together, and the sum per contract."""

    credits: dict[str, Credit]
    contracts: dict[str, Decimal]
    rulebook: str

    def part(self, stage_id: str, start: date | None = None, end: date | None = None) -> Decimal:
        """The value of the stage's own days from ``start`` to ``end`` (both inclusive).

        A difference of running totals, each rounded once: the parts of a stage that
        cover it without overlap add up to its value exactly. One-off amounts (a bonus,
        a BOL internship) fall in the part holding the stage's start.
        """
        tally = self.credits[stage_id].tally
        upper = round_half_up(tally.through(end or date.max))
        if start is None or start <= date.min:
            return upper
        return upper - round_half_up(tally.through(start - ONE_DAY))


# ------------------------------------------------------------------ the rules


@dataclass(frozen=True)
class Reading:
    """The benefit read for a start day (T2): the period and the engine's Candidate."""

    period: BenefitPeriod | None
    candidate: Candidate
    line: str


def benefit_reading(person: Person, start: date) -> Reading:
    """T2: the period in force the day before ``start``, else on ``start``, else none (NUG)."""
    found = next((p for p in person.benefits if p.in_force_on(start - ONE_DAY)), None)
    day = start - ONE_DAY
    if found is None:
        found = next((p for p in person.benefits if p.in_force_on(start)), None)
        day = start
    register = IN_REGISTER if person.doelgroepregister else EMPTY
    if found is None:
        line = Line("Geen uitkering op %(before)s of %(start)s: NUG%(register)s",
                    "No benefit on %(before)s or %(start)s: NUG%(register)s",
                    before=Day(start - ONE_DAY), start=Day(start), register=register)
        benefit, since = "nug", None
    else:
        benefit, since = found.benefit, found.start
        line = Line("Uitkering op %(day)s: %(benefit)s sinds %(since)s%(register)s",
                    "Benefit on %(day)s: %(benefit)s since %(since)s%(register)s",
                    day=Day(day), benefit=BENEFITS[benefit], since=Day(since), register=register)
    candidate = Candidate(benefit=benefit, benefit_since=since,
                          doelgroepregister=person.doelgroepregister,
                          birth_date=person.birth_date, statushouder=person.statushouder)
    return Reading(found, candidate, line)


@dataclass
class _Placement:
    """T4: one counting period opened by a paid job, shared by later jobs of the person."""

    start: date
    window: Days
    block_key: str
    rate: Decimal
    label: str
    reading: Reading
    jobs: list[Step] = field(default_factory=list)

    @property
    def text(self) -> Line:
        end = self.window[0].end
        if end >= date.max:
            return Line("plaatsing vanaf %(start)s zonder einde",
                        "placement from %(start)s without an end", start=Day(self.start))
        return Line("plaatsing vanaf %(start)s t/m %(end)s", "placement from %(start)s to %(end)s",
                    start=Day(self.start), end=Day(end))


def _contract_of(step: Step, contracts: Sequence[ContractPeriods]) -> ContractPeriods | None:
    """T1: the contract of the stage's provider; of several, the first that covers the start,
    else the first that the stage overlaps, else the first."""
    own = [c for c in contracts if c.provider == step.provider]
    if len(own) <= 1:
        return own[0] if own else None
    stage_days = (Period(step.stage.start, step.stage.end),)
    return (next((c for c in own if c.covers(step.stage.start)), None)
            or next((c for c in own if _intersect(stage_days, c.days)), None) or own[0])


def _placements(jobs: list[tuple[int, Step]], person: Person, rulebook: Rulebook
                ) -> tuple[dict[str, _Placement], dict[str, str]]:
    """T4: placements in order of start date; a job is in one, or worth 0 with the reason."""
    placements: list[_Placement] = []
    member: dict[str, _Placement] = {}
    closed: dict[str, str] = {}
    for _index, step in sorted(jobs, key=lambda item: (item[1].stage.start, item[0])):
        start = step.stage.start
        current = placements[-1] if placements else None
        if current is not None and any(p.contains(start) for p in current.window):
            current.jobs.append(step)
            member[step.id] = current
            continue
        reading = benefit_reading(person, start)
        if current is not None and (reading.period is None
                                    or reading.period.start <= current.start):
            closed[step.id] = Line(
                "Telperiode van deze plaatsing is voorbij (%(placement)s) en er is geen nieuwe "
                "uitkering die na %(start)s begon: %(zero)s",
                "The counting period of this placement is over (%(placement)s) and no new "
                "benefit began after %(start)s: %(zero)s",
                placement=current.text, start=Day(current.start), zero=Money(0))
            continue
        block = select_block(Stage("paid_job", start, start, hours_per_week=1),
                             reading.candidate, rulebook)
        cap = block.cap_months
        end = date.max if cap is None else add_months(start, cap) - ONE_DAY
        placement = _Placement(start, (Period(start, end),), block.key, block.rate, block.label,
                               reading, [step])
        placements.append(placement)
        member[step.id] = placement
    return member, closed


def _fte_of(step: Step, rulebook: Rulebook) -> Fraction:
    return _fte(step.stage, rulebook)[0]


def _bonuses(placement: _Placement, person: Person, rulebook: Rulebook,
             starts_inside: dict[str, bool]) -> dict[str, tuple[Fraction, list[str]]]:
    """T5: age 50+ and statushouder once × the first job's FTE, permanent once × the first
    permanent job's FTE; only when the job credited starts inside its contract."""
    out: dict[str, tuple[Fraction, list[str]]] = {}
    first = placement.jobs[0]
    earned: list[tuple[Step, str, Decimal, Line]] = []
    age = rulebook.bonus("age")
    if age is not None:
        if person.birth_date is None:
            raise InputError("person.birth_date", "required for a paid job: the age bonus "
                                                  "depends on it")
        years = _age_on(person.birth_date, placement.start)
        if years >= (age.min_age or 0):
            earned.append((first, age.label, age.amount,
                           Line(" (%(years)s jaar bij de start van de plaatsing)",
                                " (%(years)s years old at the start of the placement)",
                                years=years)))
    status = rulebook.bonus("statushouder")
    if status is not None and person.statushouder:
        earned.append((first, status.label, status.amount, EMPTY))
    permanent = rulebook.bonus("permanent")
    holder = next((j for j in placement.jobs if j.stage.permanent), None)
    if permanent is not None and holder is not None:
        earned.append((holder, permanent.label, permanent.amount, EMPTY))
    for job, label, amount, why in earned:
        total, lines = out.get(job.id, (Fraction(0), []))
        if not starts_inside[job.id]:
            lines.append(Line("%(bonus)s: niet geteld, de baan begint niet binnen het contract",
                              "%(bonus)s: not counted, the job does not start inside the contract",
                              bonus=label))
        else:
            fte = _fte_of(job, rulebook)
            part = Fraction(amount) * fte
            total += part
            lines.append(Line("%(bonus)s%(why)s: %(amount)s × %(fte)s fte = %(part)s",
                              "%(bonus)s%(why)s: %(amount)s × %(fte)s FTE = %(part)s",
                              bonus=label, why=why, amount=Money(amount), fte=Num(fte),
                              part=Money(round_half_up(part))))
        out[job.id] = (total, lines)
    return out


# Days given up, to which stages recorded earlier (their names), and whether only in part
# (a paid job that keeps some FTE).
Loss = tuple[Period, tuple[str, ...], bool]


def _allocate(order: list[Step], windows: dict[str, Days], ftes: dict[str, Fraction]
              ) -> tuple[dict[str, list[Run]], dict[str, list[Loss]]]:
    """T6: on a day more than one stage would count, the one recorded first keeps it; paid
    jobs share it by FTE in record order; a later werkervaringsplaats or BBL loses it."""
    edges = sorted({p.start for w in windows.values() for p in w}
                   | {p.end + ONE_DAY for w in windows.values() for p in w if p.end < date.max})
    kept: dict[str, list[Run]] = {s.id: [] for s in order}
    lost: dict[str, list[Loss]] = {s.id: [] for s in order}
    for lo, hi in zip(edges, [*edges[1:], None], strict=False):
        segment = Period(lo, (hi - ONE_DAY) if hi is not None else date.max)
        keeper: Step | None = None   # a werkervaringsplaats or BBL that keeps the segment
        paid: list[Step] = []        # paid jobs recorded earlier that count the segment
        sharing: list[Step] = []     # ... and keep some FTE of it
        used = Fraction(0)
        for step in order:
            if not any(p.start <= segment.start and segment.end <= p.end
                       for p in windows[step.id]):
                continue
            if step.kind in EXCLUSIVE_KINDS:
                if keeper is None and not paid:
                    keeper = step
                    _keep(kept[step.id], segment, Fraction(1))
                else:
                    takers = [keeper] if keeper is not None else (sharing or paid)
                    lost[step.id].append((segment, tuple(t.name for t in takers), False))
            elif keeper is not None:
                lost[step.id].append((segment, (keeper.name,), False))
            else:
                share = max(Fraction(0), min(ftes[step.id], 1 - used))
                if share < ftes[step.id] and paid:
                    lost[step.id].append((segment, tuple(t.name for t in (sharing or paid)),
                                          share > 0))
                if share > 0:
                    _keep(kept[step.id], segment, share)
                    sharing.append(step)
                used += share
                paid.append(step)
    return kept, lost


def _keep(runs: list[Run], segment: Period, fte: Fraction) -> None:
    if runs and runs[-1][1] == fte and runs[-1][0].end + ONE_DAY == segment.start:
        runs[-1] = (Period(runs[-1][0].start, segment.end), fte)
    else:
        runs.append((segment, fte))


def _lost_lines(lost: list[Loss]) -> list[str]:
    """T6 in words: which days went to which stage recorded earlier."""
    grouped: dict[tuple[tuple[str, ...], bool], list[Period]] = {}
    for segment, names, partial in lost:
        grouped.setdefault((names, partial), []).append(segment)
    lines = []
    for (names, partial), days in grouped.items():
        facts = {"days": spans(_merge(days)), "whom": Names(names)}
        if partial:
            lines.append(Line("Op %(days)s deelt deze baan de dag met %(whom)s (eerder "
                              "vastgelegd): alleen de fte die daarnaast vrij is telt",
                              "On %(days)s this job shares the day with %(whom)s (recorded "
                              "earlier): only the FTE left free counts", **facts))
        elif len(names) == 1:
            lines.append(Line("Telt niet op %(days)s: die dagen telt %(whom)s (eerder "
                              "vastgelegd); een persoon telt één keer per dag",
                              "Does not count on %(days)s: those days count for %(whom)s "
                              "(recorded earlier); a person counts once a day", **facts))
        else:
            lines.append(Line("Telt niet op %(days)s: die dagen tellen %(whom)s (eerder "
                              "vastgelegd); een persoon telt één keer per dag",
                              "Does not count on %(days)s: those days count for %(whom)s "
                              "(recorded earlier); a person counts once a day", **facts))
    return lines


def _runs_text(runs: Sequence[Run]) -> list[str]:
    return [Line("Geteld: %(span)s = %(months)s", "Counted: %(span)s = %(months)s",
                 span=span(p), months=Months(exact_months_between(p.start, p.end)))
            if fte == 1 else
            Line("Geteld: %(span)s = %(months)s × %(fte)s fte",
                 "Counted: %(span)s = %(months)s × %(fte)s FTE",
                 span=span(p), months=Months(exact_months_between(p.start, p.end)), fte=Num(fte))
            for p, fte in runs]


def value_trajectory(person: Person, steps: Sequence[Step], contracts: Sequence[ContractPeriods],
                     rulebook: Rulebook) -> TrajectoryValuation:
    """Value every stage of one person together (T1-T9), each credited to its contract."""
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise InputError("stages", "two stages have the same id")
    contract_of = {s.id: _contract_of(s, contracts) for s in steps}

    def inside(step: Step, day: date) -> bool:
        contract = contract_of[step.id]
        return contract is None or contract.covers(day)

    def contract_days(step: Step) -> Days | None:
        contract = contract_of[step.id]
        return contract.days if contract is not None else None

    starts_inside = {s.id: inside(s, s.stage.start) for s in steps}
    jobs = [(i, s) for i, s in enumerate(steps) if s.kind == "paid_job"]
    member, closed = _placements(jobs, person, rulebook)
    bonuses: dict[str, tuple[Fraction, list[str]]] = {}
    for placement in {id(p): p for p in member.values()}.values():
        bonuses.update(_bonuses(placement, person, rulebook, starts_inside))

    # What each time stage would count before T6: its dates, contract, placement, agreement.
    windows: dict[str, Days] = {}
    notes: dict[str, list[str]] = {s.id: [] for s in steps}
    for step in steps:
        st = step.stage
        if step.kind not in TIME_KINDS:
            continue
        days: Days = (Period(st.start, st.end),)
        if step.kind == "werkervaringsplaats" and step.agreed_end is not None:
            if step.agreed_end < st.end:
                notes[step.id].append(Line(
                    "Alleen de afgesproken periode telt: tot en met %(end)s (T7)",
                    "Only the agreed period counts: up to and including %(end)s (T7)",
                    end=Day(step.agreed_end)))
            days = _intersect(days, (Period(st.start, min(st.end, step.agreed_end)),))
        if step.kind == "paid_job":
            placement = member.get(step.id)
            if placement is None:
                windows[step.id] = ()
                continue
            if placement.jobs[0] is step:
                notes[step.id].append(placement.reading.line)
                notes[step.id].append(Line(
                    "Bouwblok %(block)s: %(rate)s per fte-jaar; %(placement)s",
                    "Building block %(block)s: %(rate)s per FTE year; %(placement)s",
                    block=placement.label, rate=Money(placement.rate), placement=placement.text))
            else:
                notes[step.id].append(Line(
                    "Begint binnen de %(placement)s (%(block)s): hetzelfde bouwblok, "
                    "geen nieuwe telperiode",
                    "Starts inside the %(placement)s (%(block)s): the same building block, "
                    "no new counting period", placement=placement.text, block=placement.label))
            inside_placement = _intersect(days, placement.window)
            if inside_placement != days:
                notes[step.id].append(Line("Alleen binnen de %(placement)s",
                                           "Only inside the %(placement)s",
                                           placement=placement.text))
            days = inside_placement
        contract = contract_days(step)
        if contract is not None:
            clipped = _intersect(days, contract)
            if clipped != days:
                notes[step.id].append(Line(
                    "Alleen binnen contract %(contract)s (%(period)s)",
                    "Only inside contract %(contract)s (%(period)s)",
                    contract=contract_of[step.id].id, period=contract_of[step.id].text))
            days = clipped
        windows[step.id] = days
    ftes = {s.id: (_fte_of(s, rulebook) if s.kind == "paid_job" else Fraction(1))
            for s in steps if s.kind in TIME_KINDS}
    order = [s for s in steps if s.kind in TIME_KINDS]
    kept, lost = _allocate(order, windows, ftes)

    credits: dict[str, Credit] = {}
    for step in steps:
        contract = contract_of[step.id]
        lines = list(notes[step.id])
        if step.id in closed:
            tally = Tally("zero", step.stage.start)
            lines.append(closed[step.id])
            block_key = "paid_job"
        elif step.kind in TIME_KINDS:
            tally, block_key = _time_tally(step, member.get(step.id), windows[step.id],
                                           kept[step.id], ftes[step.id], bonuses, lost[step.id],
                                           rulebook, lines)
        elif step.kind in ("intake", "coaching"):
            tally, block_key = _hours_tally(step, steps, contract_days(step), rulebook, lines)
        else:
            tally, block_key = _once_tally(step, person, starts_inside[step.id], rulebook, lines)
        value = round_half_up(tally.through(date.max))
        if contract is None:
            lines.append(NO_CONTRACT)
        valuation = Valuation(value, tuple(lines), block_key)
        credits[step.id] = Credit(step, contract.id if contract else None, valuation, tally,
                                  tuple(lost.get(step.id, ())))
    sums = {c.id: Decimal("0.00") for c in contracts}
    for credit in credits.values():
        if credit.contract is not None:
            sums[credit.contract] += credit.value
    return TrajectoryValuation(credits, sums, rulebook.name)


NO_CONTRACT = Line("Geen contract van deze aanbieder: telt voor geen verplichting",
                   "No contract of this provider: counts towards no obligation")


def _time_tally(step: Step, placement: _Placement | None, window: Days, kept: list[Run],
                fte: Fraction, bonuses: dict[str, tuple[Fraction, list[str]]],
                lost: list[Loss], rulebook: Rulebook, lines: list[str]
                ) -> tuple[Tally, str]:
    st = step.stage
    if placement is not None:
        rate, label, key = Fraction(placement.rate), placement.label, placement.block_key
        monthly = rate / 12
        unit = "per_fte_year"
    else:
        block = select_block(st, None, rulebook)
        rate, label, key, unit = Fraction(block.rate), block.label, block.key, block.unit
        monthly = rate if unit == "per_month" else rate / 12
    uncut = tuple((p, fte) for p in window)
    if not window:
        lines.append(Line("%(block)s: geen dagen binnen de telperiode: %(zero)s",
                          "%(block)s: no days inside the counting period: %(zero)s",
                          block=label, zero=Money(0)))
    lines += _lost_lines(lost)
    if unit == "per_fte_year":
        lines.append(_fte(st, rulebook)[1])
    lines += _runs_text(kept)
    months = sum((exact_months_between(p.start, p.end) * f for p, f in kept), Fraction(0))
    whole = sum((exact_months_between(p.start, p.end) * f for p, f in uncut), Fraction(0))
    if unit == "per_fte_year":
        base = rate * months / 12
        lines.append(Line("%(block)s: %(rate)s per fte-jaar × %(months)s fte-maanden / 12 = "
                          "%(value)s",
                          "%(block)s: %(rate)s per FTE year × %(months)s FTE months / 12 = "
                          "%(value)s", block=label, rate=Money(rate), months=Qty(months),
                          value=Money(round_half_up(base))))
    elif unit == "per_month":
        base = rate * months
        lines.append(Line("%(block)s: %(months)s × %(rate)s = %(value)s",
                          "%(block)s: %(months)s × %(rate)s = %(value)s", block=label,
                          months=Months(months), rate=Money(rate),
                          value=Money(round_half_up(base))))
    else:
        base = rate * months / 12
        lines.append(Line("%(block)s: %(rate)s × %(years)s leerwerkjaar = %(value)s",
                          "%(block)s: %(rate)s × %(years)s learning-working years = %(value)s",
                          block=label, rate=Money(rate), years=Num(months / 12),
                          value=Money(round_half_up(base))))
    if months > whole:
        lines.append(Line("Ten hoogste de waarde zonder onderbreking: %(value)s",
                          "At most the value without a break: %(value)s",
                          value=Money(round_half_up(monthly * whole))))
    bonus, bonus_lines = bonuses.get(step.id, (Fraction(0), []))
    lines += bonus_lines
    tally = Tally("time", st.start, monthly_rate=monthly, kept=tuple(kept), uncut=uncut,
                  bonus=bonus)
    if bonus:
        lines.append(total_line(round_half_up(tally.through(date.max))))
    return tally, key


def _hours_tally(step: Step, steps: Sequence[Step], contract: Days | None, rulebook: Rulebook,
                 lines: list[str]) -> tuple[Tally, str]:
    """Intake and coaching: hours × rate × the share of days that count (contract; T8)."""
    st = step.stage
    block = select_block(st, None, rulebook)
    whole: Days = (Period(st.start, st.end),)
    days = whole
    if step.kind == "coaching":
        covering = [s for s in steps if s.provider == step.provider and s.id != step.id
                    and s.kind in ABSORBING_KINDS]
        absorbed = _intersect(days, _merge(Period(s.stage.start, s.stage.end) for s in covering))
        if absorbed:
            lines.append(Line(
                "Coaching op %(absorbed)s van de %(days)s dagen telt nul: dezelfde aanbieder "
                "heeft de persoon dan in een werkervaringsplaats, BBL of baan (%(spans)s), die "
                "begeleiding zit in dat bouwblok",
                "Coaching on %(absorbed)s of the %(days)s days counts zero: the same provider "
                "then has the person in a work-experience place, BBL or job (%(spans)s); that "
                "support is part of that building block",
                absorbed=_count(absorbed), days=whole[0].days, spans=spans(absorbed)))
            days = _subtract(days, absorbed)
    if contract is not None:
        clipped = _intersect(days, contract)
        if clipped != days:
            lines.append(Line("Alleen binnen het contract: %(days)s dagen",
                              "Only inside the contract: %(days)s days", days=_count(clipped)))
        days = clipped
    hours = Fraction(st.hours or 0)
    amount = hours * Fraction(block.rate)
    share = Fraction(_count(days), whole[0].days)
    facts = {"block": block.label, "hours": Qty(hours), "rate": Money(block.rate),
             "value": Money(round_half_up(amount * share))}
    if share != 1:
        lines.append(Line("%(block)s: %(hours)s uur × %(rate)s × %(counted)s/%(days)s dagen = "
                          "%(value)s",
                          "%(block)s: %(hours)s hours × %(rate)s × %(counted)s/%(days)s days = "
                          "%(value)s", **facts, counted=_count(days), days=whole[0].days))
    else:
        lines.append(hours_line(**facts))
    return Tally("hours", st.start, amount=amount, counted_days=days,
                 total_days=whole[0].days), block.key


def _once_tally(step: Step, person: Person, starts_inside: bool, rulebook: Rulebook,
                lines: list[str]) -> tuple[Tally, str]:
    """BOL, VSO internship, VSO workplace: the fixed amount when the start lies inside the
    contract; the VSO workplace only under 18 (T9)."""
    st = step.stage
    candidate = Candidate("nug", birth_date=person.birth_date, statushouder=person.statushouder,
                          doelgroepregister=person.doelgroepregister)
    block = select_block(st, candidate, rulebook)
    if block.under_age is not None:
        if person.birth_date is None:
            raise InputError("person.birth_date", f"required for a {st.kind}: it counts only "
                                                  f"under {block.under_age}")
        age = _age_on(person.birth_date, st.start)
        if age >= block.under_age:
            lines.append(too_old_line(block.label, age, block.under_age))
            return Tally("zero", st.start), block.key
    if not starts_inside:
        lines.append(Line("%(block)s: de start op %(start)s valt buiten het contract: %(zero)s",
                          "%(block)s: the start on %(start)s falls outside the contract: %(zero)s",
                          block=block.label, start=Day(st.start), zero=Money(0)))
        return Tally("zero", st.start), block.key
    lines.append(once_line(block.label, block.rate))
    return Tally("once", st.start, amount=Fraction(block.rate)), block.key


def value_additional_project(hours: Decimal | int, rulebook: Rulebook) -> Valuation:
    """An additional project (the product's own stage kind) is valued as activity hours."""
    return value_activity(Activity(hours=hours), rulebook)
