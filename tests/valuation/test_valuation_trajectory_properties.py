"""Properties of a person's learning line valued together (TRAJECTORIES.md T1-T9), with Hypothesis.

Random people (benefit history, register, age), providers with and without a contract
(base period, extensions exercised or not) and stages of every kind in any record order.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from trajectory.valuation.engine import (
    STAGE_KINDS,
    BenefitPeriod,
    Candidate,
    Contract,
    ContractPeriods,
    Period,
    Person,
    Stage,
    Step,
    add_months,
    exact_months_between,
    newest_rulebook,
    round_half_up,
    select_block,
    value_stage,
    value_trajectory,
)

BOOK = newest_rulebook()
ONE_DAY = timedelta(days=1)
SETTINGS = settings(deadline=None, max_examples=150)
PROVIDERS = ("p0", "p1", "p2", "p3")
EXCLUSIVE = ("werkervaringsplaats", "bbl")
# Intake and coaching are valued by their hours spread over their days: a shorter one
# spreads the same hours over fewer days, so "shorter is never worth more" is about the
# stages valued by time (as in test_valuation_properties.py).
NOT_BY_HOURS = tuple(k for k in STAGE_KINDS if k not in ("intake", "coaching"))

starts = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))
lengths = st.integers(0, 800)


@st.composite
def stage_steps(draw, index: int, kinds=STAGE_KINDS, providers=PROVIDERS) -> Step:
    kind = draw(st.sampled_from(kinds))
    start = draw(starts)
    end = start + timedelta(days=draw(lengths))
    stage = Stage(
        kind=kind,
        start=start,
        end=end,
        hours_per_week=draw(st.sampled_from([Decimal(h) for h in (4, 9, 12, 18, 24, 30, 36, 40)]))
        if kind == "paid_job"
        else None,
        level=draw(st.integers(1, 4)) if kind in ("bbl", "bol") else None,
        permanent=draw(st.booleans()) if kind == "paid_job" else False,
        hours=draw(st.integers(0, 60)) if kind in ("intake", "coaching") else None,
    )
    agreed = None
    if kind == "werkervaringsplaats" and draw(st.booleans()):
        agreed = start + timedelta(days=draw(lengths))
    return Step(f"s{index}", draw(st.sampled_from(providers)), stage, agreed_end=agreed)


@st.composite
def step_lists(draw, kinds=STAGE_KINDS, min_size: int = 1, max_size: int = 6) -> list[Step]:
    size = draw(st.integers(min_size, max_size))
    return [draw(stage_steps(n, kinds)) for n in range(size)]


@st.composite
def contract_lists(draw, exercised_adjacent_only: bool = False) -> list[ContractPeriods]:
    """A contract for some of the providers (p3 never has one)."""
    found = []
    for n, provider in enumerate(PROVIDERS[:3]):
        if not draw(st.booleans()):
            continue
        start = draw(st.dates(min_value=date(2022, 1, 1), max_value=date(2025, 12, 31)))
        end = start + timedelta(days=draw(st.integers(200, 1800)))
        periods = [Period(start, end)]
        last = end
        for _ in range(draw(st.integers(0, 2))):
            gap = 0 if exercised_adjacent_only else draw(st.integers(0, 200))
            e_start = last + timedelta(days=1 + gap)
            e_end = e_start + timedelta(days=draw(st.integers(30, 700)))
            exercised = draw(st.booleans())
            if exercised_adjacent_only and not exercised:
                break
            if exercised:
                periods.append(Period(e_start, e_end))
            last = e_end
        found.append(ContractPeriods(f"C{n}", provider, tuple(periods)))
    return found


@st.composite
def people(draw) -> Person:
    benefits = []
    day = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2025, 6, 30)))
    for _ in range(draw(st.integers(0, 3))):
        start = day + timedelta(days=draw(st.integers(0, 500)))
        kind = draw(st.sampled_from(["participatiewet", "ww", "wajong", "wia_wao", "wsw"]))
        if draw(st.integers(0, 4)) == 0:
            benefits.append(BenefitPeriod(kind, start))
            break
        end = start + timedelta(days=draw(st.integers(0, 900)))
        benefits.append(BenefitPeriod(kind, start, end))
        day = end + ONE_DAY
    return Person(
        birth_date=draw(st.dates(min_value=date(1955, 1, 1), max_value=date(2010, 12, 31))),
        statushouder=draw(st.booleans()),
        doelgroepregister=draw(st.integers(0, 4)) == 0,
        benefits=tuple(benefits),
    )


def with_end(step: Step, end: date) -> Step:
    return replace(step, stage=replace(step.stage, end=end))


def segments(runs_by_stage: dict[str, list[tuple[Period, Fraction]]]) -> list[Period]:
    """The stretches of days on which nobody's kept runs begin or end."""
    edges = sorted({p.start for runs in runs_by_stage.values() for p, _ in runs}
                   | {p.end + ONE_DAY for runs in runs_by_stage.values() for p, _ in runs})
    return [Period(lo, hi - ONE_DAY) for lo, hi in zip(edges, edges[1:], strict=False)]


def fte_on(runs: list[tuple[Period, Fraction]], segment: Period) -> Fraction:
    return sum((fte for p, fte in runs if p.start <= segment.start and segment.end <= p.end),
               Fraction(0))


def kept_map(result) -> dict[str, list[tuple[Period, Fraction]]]:
    return {sid: list(c.kept) for sid, c in result.credits.items()}


# ---------------------------------------------------------------- (a) monotone


@SETTINGS
@given(people(), step_lists(), contract_lists(), st.data())
def test_cutting_a_stage_never_raises_its_value(person, steps, contracts, data):
    """An earlier end of one stage (kept start, same record order) never raises its value."""
    candidates = [n for n, s in enumerate(steps) if s.kind in NOT_BY_HOURS]
    if not candidates:
        return
    n = data.draw(st.sampled_from(candidates))
    step = steps[n]
    length = (step.stage.end - step.stage.start).days
    new_end = step.stage.end - timedelta(days=data.draw(st.integers(0, length)))
    cut = [*steps[:n], with_end(step, new_end), *steps[n + 1:]]
    before = value_trajectory(person, steps, contracts, BOOK).credits[step.id].value
    after = value_trajectory(person, cut, contracts, BOOK).credits[step.id].value
    assert after <= before


@SETTINGS
@given(people(), step_lists(), contract_lists(),
       stage_steps(99, kinds=EXCLUSIVE))
def test_a_werkervaringsplaats_or_bbl_recorded_first_takes_and_never_gives(
        person, steps, contracts, first):
    """Adding a werkervaringsplaats or BBL recorded before everything else: every other stage
    keeps at most what it kept (day by day, FTE by FTE), and a stage that lost nothing before
    is worth at most what it was worth.

    Only that far, because T6 counts each run of kept days in months by rule 2 and caps the sum
    at the uncut value only: a stage already cut into runs can gain a little from one more cut
    (test_a_further_cut_can_add_cents_under_the_uncut_cap pins an example).
    """
    before = value_trajectory(person, steps, contracts, BOOK)
    after = value_trajectory(person, [first, *steps], contracts, BOOK)
    old, new = kept_map(before), kept_map(after)
    for step in steps:
        both = {"old": old[step.id], "new": new[step.id]}
        for segment in segments(both):
            assert fte_on(new[step.id], segment) <= fte_on(old[step.id], segment), step
        credit, was = after.credits[step.id], before.credits[step.id]
        if not was.lost:
            assert credit.value <= was.value, (step, credit.valuation.explain)
        if credit.tally.mode == "time":
            assert credit.tally.through(date.max) <= credit.tally.monthly_rate * sum(
                (Fraction(p.months) * f for p, f in credit.tally.uncut), Fraction(0)
            ) + credit.tally.bonus


def test_a_further_cut_can_add_cents_under_the_uncut_cap():
    """T6 read literally: runs are counted in months from their own start (rule 2) and only
    the uncut value caps the sum. A job already cut (December 2022 lost) gains when a
    one-day werkervaringsplaats recorded first cuts it again on 11-02-2023:
    01-01..11-03-2023 = 2 11/31 months; 01-01..10-02 + 12-02..11-03 = 2 5/14 months, still
    under the uncut 3 11/31 months. (docs/valuation.md, "A person's learning line".)"""
    person = Person(date(1990, 1, 1),
                    benefits=(BenefitPeriod("participatiewet", date(2019, 1, 1)),))
    contracts = [ContractPeriods("A", "a", (Period(date(2022, 1, 1), date(2026, 12, 31)),))]
    job = Step("job", "a",
               Stage("paid_job", date(2022, 12, 1), date(2023, 3, 11), hours_per_week=36))
    december = Step("dec", "b", Stage("werkervaringsplaats", date(2022, 12, 1), date(2022, 12, 31)))
    one_day = Step("day", "b", Stage("werkervaringsplaats", date(2023, 2, 11), date(2023, 2, 11)))
    uncut = value_trajectory(person, [job], contracts, BOOK).credits["job"]
    once = value_trajectory(person, [december, job], contracts, BOOK).credits["job"]
    twice = value_trajectory(person, [one_day, december, job], contracts, BOOK).credits["job"]
    assert uncut.value == Decimal("11182.80")  # 40.000 x (3 11/31) / 12
    assert once.value == Decimal("7849.46")  # 40.000 x (2 11/31) / 12
    assert twice.value == Decimal("7857.14")  # 40.000 x (2 5/14) / 12


# ---------------------------------------------------------------- (b) once a day


@SETTINGS
@given(people(), step_lists(max_size=7), contract_lists())
def test_no_day_is_credited_twice(person, steps, contracts):
    result = value_trajectory(person, steps, contracts, BOOK)
    runs = kept_map(result)
    kinds = {s.id: s.kind for s in steps}
    for sid, kept in runs.items():
        for period, fte in kept:
            assert 0 < fte <= 1
            assert kinds[sid] == "paid_job" or fte == 1
            stage = result.credits[sid].step.stage
            assert stage.start <= period.start <= period.end <= stage.end
    for segment in segments(runs):
        exclusive = [sid for sid in runs if kinds[sid] in EXCLUSIVE and fte_on(runs[sid], segment)]
        paid = sum((fte_on(runs[sid], segment) for sid in runs if kinds[sid] == "paid_job"),
                   Fraction(0))
        assert len(exclusive) <= 1, (segment, exclusive)
        assert not (exclusive and paid > 0), (segment, exclusive)
        assert paid <= 1, segment


# ---------------------------------------------------------------- (c) never above single items


@st.composite
def single_benefit_people(draw, earliest: date) -> Person:
    """One benefit period without an end from before every stage, or none (NUG)."""
    benefits = ()
    if draw(st.integers(0, 3)):
        kind = draw(st.sampled_from(["participatiewet", "ww", "wajong", "wia_wao", "wsw"]))
        since = earliest - timedelta(days=draw(st.integers(0, 1500)))
        benefits = (BenefitPeriod(kind, since),)
    return Person(
        birth_date=draw(st.dates(min_value=date(1955, 1, 1), max_value=date(2010, 12, 31))),
        statushouder=draw(st.booleans()),
        doelgroepregister=draw(st.integers(0, 4)) == 0,
        benefits=benefits,
    )


@SETTINGS
@given(step_lists(max_size=7), contract_lists(exercised_adjacent_only=True), st.data())
def test_the_whole_line_is_never_worth_more_than_its_stages_one_by_one(steps, contracts, data):
    """The benefit period begins on or before every stage's start, so T2 reads it for each.
    (A stage before the benefit began is NUG by T2, which a single item with that benefit as
    Candidate does not know.)"""
    person = data.draw(single_benefit_people(min(s.stage.start for s in steps)))
    result = value_trajectory(person, steps, contracts, BOOK)
    benefit = person.benefits[0] if person.benefits else None
    candidate = Candidate(
        benefit.benefit if benefit else "nug",
        benefit_since=benefit.start if benefit else None,
        doelgroepregister=person.doelgroepregister,
        birth_date=person.birth_date,
        statushouder=person.statushouder,
    )
    by_provider = {c.provider: c for c in contracts}
    single = Decimal(0)
    for step in steps:
        contract = by_provider.get(step.provider)
        clip = None
        if contract is not None:
            clip = Contract(contract.periods[0].start, max(p.end for p in contract.periods),
                            Decimal("1500000.00"))
        single += value_stage(step.stage, candidate, BOOK, clip).value
    total = sum((c.value for c in result.credits.values()), Decimal(0))
    assert total <= single


# ---------------------------------------------------------------- (d) parts add up


@SETTINGS
@given(people(), step_lists(), contract_lists(),
       st.lists(st.dates(min_value=date(2022, 6, 1), max_value=date(2029, 6, 30)), max_size=6))
def test_parts_of_a_stage_add_up_to_its_value(person, steps, contracts, cuts):
    result = value_trajectory(person, steps, contracts, BOOK)
    for step in steps:
        value = result.credits[step.id].value
        years = range(step.stage.start.year, step.stage.end.year + 1)
        assert sum(result.part(step.id, date(y, 1, 1), date(y, 12, 31)) for y in years) == value
        inner = (c for c in cuts if step.stage.start < c <= step.stage.end)
        bounds = sorted({step.stage.start, *inner})
        pieces = [result.part(step.id, lo, hi - ONE_DAY)
                  for lo, hi in zip(bounds, [*bounds[1:], step.stage.end + ONE_DAY], strict=True)]
        assert all(p >= 0 for p in pieces)
        assert sum(pieces) == value
        assert result.part(step.id) == value


# ---------------------------------------------------------------- (e) contract figures


@SETTINGS
@given(people(), step_lists(), contract_lists())
def test_a_contracts_figure_is_the_sum_of_its_stages(person, steps, contracts):
    result = value_trajectory(person, steps, contracts, BOOK)
    assert set(result.contracts) == {c.id for c in contracts}
    own = {c.provider: c.id for c in contracts}
    for step in steps:
        credit = result.credits[step.id]
        assert credit.contract == own.get(step.provider)
        assert credit.value >= 0 and credit.value.as_tuple().exponent == -2
        assert credit.valuation.explain
    for contract in contracts:
        credited = [c.value for c in result.credits.values() if c.contract == contract.id]
        assert result.contracts[contract.id] == sum(credited, Decimal("0.00"))


# ---------------------------------------------------------------- a second, naive reading


def _age(birth: date, day: date) -> int:
    years = day.year - birth.year
    return years - 1 if add_months(birth, 12 * years) > day else years


def _run_months(kept: dict[date, Fraction]) -> Fraction:
    """Runs of consecutive days at one FTE, each counted in months by rule 2, times its FTE."""
    total, days = Fraction(0), sorted(kept)
    i = 0
    while i < len(days):
        j = i
        while (j + 1 < len(days) and days[j + 1] == days[j] + ONE_DAY
               and kept[days[j + 1]] == kept[days[i]]):
            j += 1
        total += exact_months_between(days[i], days[j]) * kept[days[i]]
        i = j + 1
    return total


def reference_values(person: Person, steps: list[Step], contracts: list[ContractPeriods]
                     ) -> dict[str, Decimal]:
    """TRAJECTORIES.md T1-T9 read day by day, written apart from trajectory.py: only the
    FORMAT.md pieces (block choice, months, rounding) are shared."""
    contract = {c.provider: c for c in contracts}

    def inside(step: Step, day: date) -> bool:  # T1
        c = contract.get(step.provider)
        return c is None or any(p.contains(day) for p in c.periods)

    def benefit_on(start: date) -> BenefitPeriod | None:  # T2
        for day in (start - ONE_DAY, start):
            for b in person.benefits:
                if b.start <= day and (b.end is None or day <= b.end):
                    return b
        return None

    full = Fraction(BOOK.fte_hours_per_week)
    fte = {s.id: min(Fraction(s.stage.hours_per_week) / full, Fraction(1))
           if s.kind == "paid_job" else Fraction(1) for s in steps}
    placements: list[dict] = []  # T4, in order of start (record order on a tie)
    placement_of: dict[str, dict | None] = {}
    for step in sorted((s for s in steps if s.kind == "paid_job"),
                       key=lambda s: (s.stage.start, steps.index(s))):
        start, current = step.stage.start, placements[-1] if placements else None
        if current and current["start"] <= start <= current["last"]:
            current["jobs"].append(step)
            placement_of[step.id] = current
            continue
        b = benefit_on(start)
        if current and (b is None or b.start <= current["start"]):
            placement_of[step.id] = None  # closed, no new benefit: 0
            continue
        who = Candidate(b.benefit if b else "nug", b.start if b else None,
                        person.doelgroepregister, person.birth_date, person.statushouder)
        block = select_block(Stage("paid_job", start, start, hours_per_week=1), who, BOOK)
        last = (date.max if block.cap_months is None
                else add_months(start, block.cap_months) - ONE_DAY)
        placements.append({"start": start, "last": last, "rate": Fraction(block.rate),
                           "jobs": [step]})
        placement_of[step.id] = placements[-1]

    def counts(step: Step, day: date) -> bool:  # would the stage count the day itself?
        s = step.stage
        if not (s.start <= day <= s.end and inside(step, day)):
            return False
        if step.agreed_end is not None and day > step.agreed_end:  # T7
            return False
        if step.kind == "paid_job":
            placement = placement_of[step.id]
            return placement is not None and day <= placement["last"]
        return True

    timed = [s for s in steps if s.kind in (*EXCLUSIVE, "paid_job")]
    kept: dict[str, dict[date, Fraction]] = {s.id: {} for s in timed}
    uncut: dict[str, dict[date, Fraction]] = {s.id: {} for s in timed}
    if timed:  # T6, one day at a time, in record order
        day = min(s.stage.start for s in timed)
        while day <= max(s.stage.end for s in timed):
            keeper, paid_before, used = None, False, Fraction(0)
            for step in (s for s in timed if counts(s, day)):
                uncut[step.id][day] = fte[step.id]
                if step.kind != "paid_job":
                    if keeper is None and not paid_before:
                        keeper, kept[step.id][day] = step, Fraction(1)
                elif keeper is None:
                    share = max(Fraction(0), min(fte[step.id], 1 - used))
                    used, paid_before = used + share, True
                    if share:
                        kept[step.id][day] = share
            day += ONE_DAY

    bonus = {s.id: Fraction(0) for s in steps}  # T5
    for placement in placements:
        permanent = next((j for j in placement["jobs"] if j.stage.permanent), None)
        earned = [(placement["jobs"][0], "age"), (placement["jobs"][0], "statushouder"),
                  (permanent, "permanent")]
        for job, key in earned:
            rule = BOOK.bonus(key)
            if job is None or rule is None or not inside(job, job.stage.start):
                continue
            if key == "age" and _age(person.birth_date, placement["start"]) < rule.min_age:
                continue
            if key == "statushouder" and not person.statushouder:
                continue
            bonus[job.id] += Fraction(rule.amount) * fte[job.id]

    values = {}
    for step in steps:
        s = step.stage
        if step.id in kept:
            if step.kind == "paid_job":
                if placement_of[step.id] is None:
                    values[step.id] = Decimal("0.00")
                    continue
                monthly = placement_of[step.id]["rate"] / 12
            else:
                block = select_block(s, None, BOOK)
                monthly = Fraction(block.rate) / (1 if block.unit == "per_month" else 12)
            value = (monthly * min(_run_months(kept[step.id]), _run_months(uncut[step.id]))
                     + bonus[step.id])
        elif step.kind in ("intake", "coaching"):  # T8
            counted, day = 0, s.start
            while day <= s.end:
                absorbed = step.kind == "coaching" and any(
                    o is not step and o.provider == step.provider
                    and o.kind in (*EXCLUSIVE, "paid_job") and o.stage.start <= day <= o.stage.end
                    for o in steps)
                counted += not absorbed and inside(step, day)
                day += ONE_DAY
            rate = Fraction(select_block(s, None, BOOK).rate)
            value = Fraction(s.hours) * rate * Fraction(counted, (s.end - s.start).days + 1)
        else:  # once, inside the contract; the VSO workplace under 18 only (T9)
            block = select_block(s, Candidate("nug", birth_date=person.birth_date), BOOK)
            value = Fraction(block.rate) if inside(step, s.start) else Fraction(0)
            if block.under_age is not None and _age(person.birth_date, s.start) >= block.under_age:
                value = Fraction(0)
        values[step.id] = round_half_up(value)
    return values


@SETTINGS
@given(people(), step_lists(max_size=7), contract_lists())
def test_the_engine_agrees_with_a_naive_day_by_day_reading(person, steps, contracts):
    result = value_trajectory(person, steps, contracts, BOOK)
    assert {sid: c.value for sid, c in result.credits.items()} == reference_values(
        person, steps, contracts)
