"""The quarterly figures of a cohort, as pure functions over rows already loaded.

``loader.load_rows`` reads the daily work (candidates, their cohort membership,
ladder measurements, stages, the valuation ledger, open signals) in a fixed
number of queries; ``compute`` turns one cohort's rows into the figures of one
quarter: a plain, JSON-safe dict (amounts as strings, dates as ISO strings,
candidates by id). The page, the PDF pack, the Excel file and the snapshot of a
closed evaluation all render this same dict, so they cannot disagree.

No euro of Social Return is computed here: the amounts per provider are sums of
the pieces ``euros.py`` cut from the stages of the cohort's candidates, each valued
by the product's one valuation (or frozen by the adviser's approval); ``compute``
takes the pieces that lie inside the quarter, up to its "as of" day. The only euros
computed here are the *estimate* of lower benefit costs: months off benefit × the
monthly amount in ``BENEFIT_MONTHLY_AMOUNTS``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from trajectory.cohorts.models import quarter_end, quarter_label
from trajectory.cohorts.stagefacts import PAID_WORK, TRAINING, StageFact
from trajectory.valuation.engine import exact_months_between, round_half_up

ZERO = Decimal("0.00")
# 2: Social Return per provider is the cohort's candidates' stages, their days in the
# quarter (1: the providers' whole ledger, dated by approval, submission or start).
FORMAT_VERSION = 2

# The "main" stage of a candidate when stages run in parallel: the furthest along the line.
STAGE_ORDER = ("paid_job", "bbl", "bol", "vso_workplace", "werkervaringsplaats",
               "vso_internship", "additional_project", "coaching", "intake")
NO_STAGE = "geen"
LEFT = "uitgestroomd"
OUTFLOW_REASONS = {"betaald_werk": "paid_work", "opleiding": "training", "gestopt": "stopped",
                   "verhuisd": "other", "overig": "other"}
OUTFLOW_ORDER = ("paid_work", "training", "stopped", "other")


@dataclass(frozen=True)
class Member:
    """A candidate at the cohort's table, reduced to what the figures need."""

    candidate_id: int
    pseudonym: str
    municipality: str
    benefit: str
    status: str
    outflow_reason: str | None
    closed_on: date | None
    joined_on: date


@dataclass(frozen=True)
class Agreement:
    candidate_id: int
    provider_id: int
    stage_kind: str | None
    support: str | None


@dataclass(frozen=True)
class LedgerItem:
    """A piece of one stage of a cohort's candidate in euros (``euros.py``): days from
    ``start`` to ``end`` in one calendar month, with one claim status."""

    candidate_id: int
    provider_id: int
    stage_id: int
    start: date
    end: date
    status: str   # approved, submitted, valued (not claimed or a draft), rejected
    value: Decimal


@dataclass
class CohortRows:
    cohort_id: int
    name: str
    start_quarter: date
    providers: list[tuple[int, str]]
    members: list[Member]
    agreements: list[Agreement] = field(default_factory=list)
    stages: dict[int, list[StageFact]] = field(default_factory=dict)
    ladder: dict[int, list[tuple[date, int]]] = field(default_factory=dict)
    ledger: list[LedgerItem] = field(default_factory=list)
    revenue: dict[int, Decimal | None] = field(default_factory=dict)
    signals: dict[str, int] = field(default_factory=dict)
    stages_available: bool = False


# ------------------------------------------------------------------ helpers

def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _share(part: int | Decimal, whole: int | Decimal) -> str | None:
    """A share as a decimal fraction with 4 places ("0.2500"), None when the whole is 0."""
    if not whole:
        return None
    return str(round_half_up(Fraction(Decimal(part)) / Fraction(Decimal(whole)), 4))


def main_stage(stages: list[StageFact], day: date) -> StageFact | None:
    """The running stage furthest along the learning line on ``day``."""
    running = [s for s in stages if s.running_on(day) and not s.care]
    if not running:
        return None
    rank = {kind: i for i, kind in enumerate(STAGE_ORDER)}
    return min(running, key=lambda s: (rank.get(s.kind, len(rank)), s.start or day, s.id))


def _left_by(member: Member, day: date) -> bool:
    return member.status == "uitgestroomd" and member.closed_on is not None \
        and member.closed_on <= day


# ------------------------------------------------------------------ the figures

def compute(rows: CohortRows, quarter: date, on: date,
            amounts: dict[str, dict[str, str]] | None = None, margin: int = 5) -> dict[str, Any]:
    """The figures of ``rows``' cohort for the quarter starting on ``quarter``, as known on
    ``on`` (a past quarter is looked at on its last day)."""
    end = quarter_end(quarter)
    as_of = min(end, on)
    members = [m for m in rows.members if m.joined_on <= as_of]
    ids = {m.candidate_id for m in members}
    stages = {cid: rows.stages.get(cid, []) for cid in ids}

    per_stage: Counter[str] = Counter()
    people = []
    for member in members:
        current = main_stage(stages[member.candidate_id], as_of)
        bucket = LEFT if _left_by(member, as_of) else (current.kind if current else NO_STAGE)
        per_stage[bucket] += 1
        people.append((member, current, bucket))

    moves = _moves(members, stages, quarter, as_of)
    outflow = _outflow(members, stages, quarter, as_of)
    ladder = _ladder(members, rows.ladder, quarter, as_of)
    providers = _providers(rows, members, stages, quarter, as_of, margin)
    yields = _yields(people, stages, as_of, amounts or {})
    signals = dict(rows.signals)
    outflow_counts = Counter(item["category"] for item in outflow)
    ladder_counts = Counter("up" if i["change"] > 0 else "down" if i["change"] < 0 else "same"
                            for i in ladder)
    stage_kinds = [k for k in STAGE_ORDER if per_stage.get(k)]
    return {
        "version": FORMAT_VERSION,
        "cohort": rows.name,
        "quarter": quarter_label(quarter),
        "quarter_start": quarter.isoformat(),
        "quarter_end": end.isoformat(),
        "as_of": as_of.isoformat(),
        "stages_available": rows.stages_available,
        "members": [{"id": m.candidate_id, "pseudonym": m.pseudonym,
                     "municipality": m.municipality} for m in members],
        "counts": {
            "candidates": len(members),
            "inflow": sum(1 for m in members if quarter <= m.joined_on <= end),
            "in_stage": sum(n for k, n in per_stage.items() if k not in (NO_STAGE, LEFT)),
            "moves": len(moves),
            **{f"outflow_{key}": outflow_counts.get(key, 0) for key in OUTFLOW_ORDER},
            "ladder_measured": len(ladder),
            "ladder_up": ladder_counts.get("up", 0),
            "ladder_same": ladder_counts.get("same", 0),
            "ladder_down": ladder_counts.get("down", 0),
            "paid_work_or_bbl": sum(1 for p in yields["people"] if p["paid_work_or_bbl"]),
            "vacancies_filled": len(yields["vacancies"]),
            "open_signals": sum(signals.values()),
        },
        "per_stage": [{"kind": kind, "count": per_stage[kind]}
                      for kind in [*stage_kinds, NO_STAGE, LEFT] if per_stage.get(kind)],
        "moves": moves,
        "outflow": outflow,
        "ladder": ladder,
        "providers": providers,
        "credited_total": _money(sum((Decimal(p["credited"]) for p in providers), ZERO)),
        "submitted_total": _money(sum((Decimal(p["submitted"]) for p in providers), ZERO)),
        "valued_total": _money(sum((Decimal(p["valued"]) for p in providers), ZERO)),
        "signals": signals,
        "yield": yields,
    }


def _moves(members: list[Member], stages: dict[int, list[StageFact]], quarter: date,
           as_of: date) -> list[dict[str, Any]]:
    """Every stage that started in the quarter, with the main stage the day before."""
    moves = []
    for member in members:
        facts = stages[member.candidate_id]
        for fact in sorted(facts, key=lambda s: (s.start or as_of, s.id)):
            if fact.start is None or not quarter <= fact.start <= as_of or fact.care:
                continue
            if fact.status == "voorgesteld":
                continue
            before = main_stage([s for s in facts if s.id != fact.id],
                                fact.start - timedelta(days=1))
            moves.append({"candidate": member.candidate_id, "from": before.kind if before else None,
                          "to": fact.kind, "day": fact.start.isoformat(),
                          "provider": fact.provider_id})
    return moves


def _outflow(members: list[Member], stages: dict[int, list[StageFact]], quarter: date,
             as_of: date) -> list[dict[str, Any]]:
    """One category per candidate who left in the quarter (status and reason), or who
    started paid work (paid job) or training (BBL, BOL) in it; paid work wins."""
    found = []
    for member in members:
        categories: dict[str, date] = {}
        if member.closed_on and quarter <= member.closed_on <= as_of \
                and member.status == "uitgestroomd":
            categories[OUTFLOW_REASONS.get(member.outflow_reason or "", "other")] = \
                member.closed_on
        for fact in stages[member.candidate_id]:
            if fact.start is None or not quarter <= fact.start <= as_of or fact.care \
                    or fact.status in ("voorgesteld", "afgebroken"):
                continue
            if fact.kind in PAID_WORK:
                categories.setdefault("paid_work", fact.start)
            elif fact.kind in TRAINING:
                categories.setdefault("training", fact.start)
        for category in OUTFLOW_ORDER:
            if category in categories:
                found.append({"candidate": member.candidate_id, "category": category,
                              "day": categories[category].isoformat()})
                break
    return found


def _ladder(members: list[Member], ladder: dict[int, list[tuple[date, int]]], quarter: date,
            as_of: date) -> list[dict[str, Any]]:
    """Per candidate measured in the quarter: the rung at the start of the quarter (the
    last measurement before it, else the first one in it) against the latest in it."""
    found = []
    for member in members:
        points = sorted(ladder.get(member.candidate_id, []))
        inside = [p for p in points if quarter <= p[0] <= as_of]
        if not inside:
            continue
        before = [p for p in points if p[0] < quarter]
        start = before[-1] if before else inside[0]
        latest = inside[-1]
        found.append({"candidate": member.candidate_id, "start": start[1], "end": latest[1],
                      "start_day": start[0].isoformat(), "end_day": latest[0].isoformat(),
                      "change": latest[1] - start[1]})
    return found


def _providers(rows: CohortRows, members: list[Member], stages: dict[int, list[StageFact]],
               quarter: date, as_of: date, margin: int) -> list[dict[str, Any]]:
    """Per provider at the table: the euros of the cohort's candidates' stages in the
    quarter (the pieces wholly inside it, up to ``as_of``) and "naar rato"."""
    table = [pid for pid, _name in rows.providers]
    ids = {m.candidate_id for m in members}
    sums: dict[str, dict[int, Decimal]] = {status: defaultdict(lambda: ZERO)
                                           for status in ("approved", "submitted", "valued")}
    for item in rows.ledger:
        if (item.provider_id in table and item.candidate_id in ids
                and item.status in sums and quarter <= item.start and item.end <= as_of):
            sums[item.status][item.provider_id] += item.value
    credited, submitted, valued = sums["approved"], sums["submitted"], sums["valued"]
    agreements = Counter(a.provider_id for a in rows.agreements
                         if a.provider_id in table and a.candidate_id in ids)
    stage_count: Counter[int] = Counter(
        fact.provider_id for cid in ids for fact in stages.get(cid, [])
        if fact.provider_id in table and fact.start is not None and not fact.care
        and rows.start_quarter <= fact.start <= as_of and fact.status != "voorgesteld")
    revenue = {pid: rows.revenue.get(pid) for pid in table}
    known = all(value is not None for value in revenue.values())
    revenue_total = sum((v for v in revenue.values() if v is not None), ZERO)
    agreement_total = sum(agreements.values())
    stage_total = sum(stage_count.values())
    result = []
    for pid, name in rows.providers:
        revenue_share = _share(revenue[pid], revenue_total) if known else None
        agreement_share = _share(agreements.get(pid, 0), agreement_total)
        result.append({
            "id": pid, "name": name,
            "credited": _money(credited[pid]), "submitted": _money(submitted[pid]),
            "valued": _money(valued[pid]),
            "revenue_share": revenue_share,
            "agreements": agreements.get(pid, 0), "agreement_share": agreement_share,
            "stages": stage_count.get(pid, 0), "stage_share": _share(stage_count.get(pid, 0),
                                                                     stage_total),
            "marker": naar_rato_marker(agreement_share, revenue_share, margin),
        })
    return result


def naar_rato_marker(carried: str | None, revenue: str | None, margin: int) -> str:
    """``more`` / ``less`` than its share of the revenue (beyond ``margin`` percentage
    points), ``fair`` within it, ``unknown`` without a revenue share or agreements."""
    if carried is None or revenue is None:
        return "unknown"
    difference = (Decimal(carried) - Decimal(revenue)) * 100
    if difference > margin:
        return "more"
    if difference < -margin:
        return "less"
    return "fair"


def _yields(people: list[tuple[Member, StageFact | None, str]],
            stages: dict[int, list[StageFact]], as_of: date,
            amounts: dict[str, dict[str, str]]) -> dict[str, Any]:
    """"Wat levert het op": who is where, who reached paid work or BBL (with hours),
    vacancies filled through the approach and the estimate of lower benefit costs."""
    listed, vacancies, benefit_rows = [], [], []
    hours_total = Decimal("0")
    estimate = Fraction(0)
    for member, current, bucket in people:
        facts = [f for f in stages[member.candidate_id] if not f.care
                 and f.status not in ("voorgesteld",) and f.start and f.start <= as_of]
        reached = sorted((f for f in facts if f.kind in PAID_WORK | {"bbl"}),
                         key=lambda f: f.start)
        paid = [f for f in facts if f.kind in PAID_WORK]
        paid_start = min((f.start for f in paid), default=None)
        if paid_start is None and member.outflow_reason == "betaald_werk" \
                and member.closed_on and member.closed_on <= as_of:
            paid_start = member.closed_on
        since = reached[0].start if reached else paid_start
        hours = None
        if current is not None and current.kind in PAID_WORK and current.hours_per_week:
            hours = current.hours_per_week
            hours_total += hours
        listed.append({"candidate": member.candidate_id, "stage": bucket,
                       "provider": current.provider_id if current else None,
                       "paid_work_or_bbl": since is not None, "since": _iso(since),
                       "hours": str(hours) if hours is not None else None})
        for fact in facts:
            if fact.vacancy:
                vacancies.append({"candidate": member.candidate_id, "vacancy": fact.vacancy,
                                  "kind": fact.kind, "provider": fact.provider_id,
                                  "day": fact.start.isoformat()})
        if paid_start is not None:
            stop = as_of
            if paid and all(f.end is not None and f.end < as_of for f in paid):
                stop = max(f.end for f in paid)
            months, amount, counted = benefit_saving(member.benefit, paid_start, stop, amounts)
            estimate += amount
            benefit_rows.append({"candidate": member.candidate_id, "benefit": member.benefit,
                                 "since": paid_start.isoformat(), "until": stop.isoformat(),
                                 "months": str(round_half_up(months, 1)),
                                 "amount": _money(round_half_up(amount)) if counted else None})
    return {"people": listed, "hours_per_week": str(hours_total), "vacancies": vacancies,
            "benefit_rows": benefit_rows, "benefit_estimate": _money(round_half_up(estimate))}


def monthly_amount(amounts: dict[str, dict[str, str]], benefit: str, year: int) -> Decimal | None:
    """The configured monthly amount for ``benefit`` in ``year`` (or the latest earlier
    year that has one); None when the benefit has no amount (not a municipal cost)."""
    years = sorted((int(y) for y, table in amounts.items() if benefit in table and int(y) <= year),
                   reverse=True)
    if not years:
        return None
    return Decimal(str(amounts[str(years[0])][benefit]))


def benefit_saving(benefit: str, start: date, stop: date, amounts: dict[str, dict[str, str]]
                   ) -> tuple[Fraction, Fraction, bool]:
    """(months off benefit, estimated amount, counted): per calendar year the months of
    paid work in it × that year's monthly amount for the benefit."""
    if stop < start:
        return Fraction(0), Fraction(0), monthly_amount(amounts, benefit, start.year) is not None
    months_total = exact_months_between(start, stop)
    total = Fraction(0)
    counted = False
    for year in range(start.year, stop.year + 1):
        part_start, part_stop = max(start, date(year, 1, 1)), min(stop, date(year, 12, 31))
        amount = monthly_amount(amounts, benefit, year)
        if amount is None:
            continue
        counted = True
        total += exact_months_between(part_start, part_stop) * Fraction(amount)
    return months_total, total, counted
