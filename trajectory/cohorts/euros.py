"""The cohort's euros: the stages of the cohort's candidates, cut into pieces that each lie
in one calendar month and have one claim status, so that ``evaluation.compute`` (a pure
function) can sum exactly the days of a quarter.

Nothing is valued here. Every amount is the product's one valuation of a person's
learning line, as stored (``trajectory.stages.stored_values.stored_people``: ``part``,
the value of a stage's days from one day to another from the stored running totals,
exactly as the engine gives it; parts over disjoint periods add up exactly to the
stage's value) or the value an adviser froze when approving a labour claim
(``trajectory.labour.lines.labour_claims``).

How the days of a stage are cut: at the first of every month, after the day the rows
are loaded (``on``: the open quarter ends there) and at the start and after the end of
each labour claim of the stage. Each piece then is

* ``approved``: inside an approved labour claim. Its euros are the claim's frozen
  ``approved_value`` × part(piece) / part(claim period), rounded on the running total
  so that the pieces of one claim add up to its approved value exactly; when the
  valuation now gives the claim's period no value at all, the approved value is spread
  over its calendar days instead;
* ``submitted``: inside a claim waiting for the adviser: part(piece);
* ``valued``: not claimed, or in a draft claim: part(piece), the forecast; only for a
  stage the valuation credits to a contract;
* ``rejected``: inside a rejected claim (and no newer one): listed, never counted.

Care stages (``zorg``) and stages stopped before they started never count; purchases,
activities and fund payments are not a candidate's and are not read at all.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from trajectory.cohorts.evaluation import LedgerItem
from trajectory.valuation.engine import round_half_up

ONE_DAY = timedelta(days=1)
ZERO = Decimal("0.00")
# Which claim decides a day covered by more than one (a rejected period claimed again).
PRIORITY = {"goedgekeurd": 0, "ingediend": 1, "concept": 2, "afgewezen": 3}
STATUS = {"goedgekeurd": "approved", "ingediend": "submitted", "concept": "valued",
          "afgewezen": "rejected"}


def available() -> bool:
    """True when stages and labour claims are installed (else a cohort has no euros)."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("trajectory.stages", "trajectory.labour"))


def month_starts(start: date, end: date) -> list[date]:
    """The first days of the months after ``start``'s, up to ``end``."""
    found = []
    day = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    while day <= end:
        found.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def pieces(start: date, end: date, cuts: Iterable[date]) -> list[tuple[date, date]]:
    """``start``..``end`` cut before every day in ``cuts`` and at every month start."""
    if end < start:
        return []
    starts = {start, *month_starts(start, end)}
    starts.update(day for day in cuts if start < day <= end)
    ordered = sorted(starts)
    return [(a, (ordered[i + 1] - ONE_DAY) if i + 1 < len(ordered) else end)
            for i, a in enumerate(ordered)]


def _status(claim: Any) -> str:
    return getattr(claim.status, "value", str(claim.status))


def _deciding(claims: Sequence[Any], a: date, b: date) -> Any | None:
    """The claim that decides the piece ``a``..``b`` (pieces never cross a claim's edge)."""
    inside = [c for c in claims if c.period_start <= a and b <= c.period_end]
    if not inside:
        return None
    return min(inside, key=lambda c: (PRIORITY.get(_status(c), 2), c.id))


def stage_items(person: Any, stage_id: int, claims: Sequence[Any], on: date
                ) -> list[LedgerItem]:
    """The pieces of one stage up to ``on`` (see the module doc); none for care."""
    stage = person.stages[stage_id]
    if stage.is_zorg or stage.never_started or stage.start is None:
        return []
    value = person.values.get(stage_id)
    forecast = value is not None and value.value is not None and value.contract_id is not None
    claims = [c for c in claims if c.period_start and c.period_end
              and c.period_end >= c.period_start]
    if not forecast and not claims:
        return []
    end = person.ends.get(stage_id) or stage.end or stage.start
    first = min([stage.start, *(c.period_start for c in claims)])
    last = min(max([end, *(c.period_end for c in claims)]), on)
    cuts = {on + ONE_DAY}
    for claim in claims:
        cuts.update((claim.period_start, claim.period_end + ONE_DAY))
    items = []
    shares = _ApprovedShares(person, stage_id)
    for a, b in pieces(first, last, cuts):
        claim = _deciding(claims, a, b)
        status = STATUS.get(_status(claim), "valued") if claim is not None else "valued"
        if status == "approved":
            amount = shares.piece(claim, a, b)
        elif status == "valued" and not forecast:
            continue
        else:
            amount = person.part(stage_id, a, b)
        if amount:
            items.append(LedgerItem(stage.candidate_id, stage.provider_id, stage_id, a, b,
                                    status, amount))
    return items


class _ApprovedShares:
    """An approved claim's frozen value spread over its pieces by the valuation's parts,
    rounded on the running total (so a claim's pieces add up to its approved value)."""

    def __init__(self, person: Any, stage_id: int) -> None:
        self.person, self.stage_id = person, stage_id

    def _weight(self, claim: Any, a: date, b: date, by_days: bool) -> Fraction:
        if by_days:
            return Fraction((b - a).days + 1)
        return Fraction(self.person.part(self.stage_id, a, b))

    def piece(self, claim: Any, a: date, b: date) -> Decimal:
        frozen = claim.approved_value
        if frozen is None:  # approved before values were frozen: the value now
            return self.person.part(self.stage_id, a, b)
        whole = self._weight(claim, claim.period_start, claim.period_end, False)
        by_days = whole == 0
        if by_days:
            whole = self._weight(claim, claim.period_start, claim.period_end, True)
        before = self._weight(claim, claim.period_start, a - ONE_DAY, by_days) \
            if a > claim.period_start else Fraction(0)
        through = before + self._weight(claim, a, b, by_days)
        scale = Fraction(frozen) / whole
        return round_half_up(through * scale) - round_half_up(before * scale)


def ledger_items(candidate_ids: Iterable[int], on: date) -> dict[int, list[LedgerItem]]:
    """The pieces of every stage of these candidates up to ``on``, per candidate, in a fixed
    number of queries (the stored values' and one for the labour claims)."""
    ids = sorted(set(candidate_ids))
    found: dict[int, list[LedgerItem]] = {cid: [] for cid in ids}
    if not ids or not available():
        return found
    from trajectory.labour.lines import labour_claims
    from trajectory.stages.stored_values import stored_people

    persons = stored_people(ids)
    claims = labour_claims(ids)
    for candidate_id, person in persons.items():
        for stage_id in sorted(person.stages):
            found[candidate_id].extend(stage_items(person, stage_id, claims.get(stage_id, []),
                                                   on))
    return found
