"""Load what the quarterly figures need, for any number of cohorts at once, in a fixed
number of queries: cohorts with municipalities, providers and agreements, the
candidates at their tables, ladder measurements, stages (through ``stagefacts``), the
euros of those candidates' stages (``euros.py``: pieces per stage, calendar month and
claim status), the revenue of the providers at the tables and the open signals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from trajectory.candidates.models import Candidate, Measurement
from trajectory.cohorts import euros, stagefacts
from trajectory.cohorts import signals as sig
from trajectory.cohorts.evaluation import Agreement, CohortRows, Member
from trajectory.cohorts.models import (
    Cohort,
    CohortCandidate,
    CohortCandidateStatus,
    CohortMunicipality,
    CohortProvider,
)
from trajectory.extensions import db
from trajectory.timeutil import today

DEFAULT_BENEFIT_AMOUNTS = {
    "2025": {"participatiewet": "1400.00"},
    "2026": {"participatiewet": "1450.00"},
}
DEFAULT_MARGIN = 5


def letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (a cohort has 5 or 6 people, but stays correct beyond)."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def pseudonyms(rows: Sequence[CohortCandidate]) -> dict[int, str]:
    """"Kandidaat A", "Kandidaat B" … by the order the candidates came to the table."""
    accepted = [row for row in rows if row.status is CohortCandidateStatus.ACCEPTED]
    accepted.sort(key=lambda row: (row.joined_on, row.id))
    return {row.candidate_id: f"Kandidaat {letter(i)}" for i, row in enumerate(accepted)}


def cohort_query() -> sa.Select:
    """Cohorts with everything a cohort page shows, eagerly loaded."""
    return sa.select(Cohort).options(
        so.selectinload(Cohort.municipality_rows).joinedload(CohortMunicipality.municipality),
        so.selectinload(Cohort.provider_rows).joinedload(CohortProvider.provider),
        so.selectinload(Cohort.candidate_rows).joinedload(CohortCandidate.candidate)
        .joinedload(Candidate.municipality),
        so.selectinload(Cohort.agreements),
        so.selectinload(Cohort.evaluations),
    )


def benefit_amounts() -> dict[str, dict[str, str]]:
    return current_app.config.get("BENEFIT_MONTHLY_AMOUNTS", DEFAULT_BENEFIT_AMOUNTS)


def margin() -> int:
    return int(current_app.config.get("COHORT_NAAR_RATO_MARGIN", DEFAULT_MARGIN))


def _revenue(provider_ids: set[int]) -> dict[int, Decimal]:
    """The revenue of every contract of these providers (base period plus exercised
    extensions, actual figures where given, else forecasts), as the valuation reads it:
    one query, the years and extensions joined (a contract has a handful of each)."""
    from trajectory.valuation.adapters import revenue_of
    from trajectory.valuation.models import Contract

    revenue: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    if not provider_ids:
        return revenue
    for contract in db.session.scalars(
            sa.select(Contract).where(Contract.provider_id.in_(provider_ids))
            .options(so.joinedload(Contract.years), so.joinedload(Contract.extensions),
                     so.lazyload("*"))
            .order_by(Contract.id)).unique():
        base, extension = revenue_of(contract)
        revenue[contract.provider_id] += base + extension
    return revenue


def load_rows(cohorts: Sequence[Cohort], *, with_signals: bool = True,
              on: date | None = None) -> dict[int, CohortRows]:
    """The rows of every cohort given (loaded with ``cohort_query``), keyed by cohort id;
    the euros of the stages are cut at ``on`` (default today), the "as of" day of the
    open quarter."""
    on = on or today()
    members: dict[int, list[Member]] = {}
    candidate_ids: set[int] = set()
    provider_ids: set[int] = set()
    for cohort in cohorts:
        names = pseudonyms(cohort.candidate_rows)
        members[cohort.id] = [
            Member(row.candidate_id, names[row.candidate_id], row.candidate.municipality.name,
                   row.candidate.benefit.value, row.candidate.status.value,
                   row.candidate.outflow_reason.value if row.candidate.outflow_reason else None,
                   row.candidate.closed_on, row.joined_on)
            for row in sorted(cohort.candidate_rows, key=lambda r: (r.joined_on, r.id))
            if row.status is CohortCandidateStatus.ACCEPTED]
        candidate_ids.update(m.candidate_id for m in members[cohort.id])
        provider_ids.update(row.provider_id for row in cohort.provider_rows)

    ladder: dict[int, list[tuple[date, int]]] = defaultdict(list)
    if candidate_ids:
        for candidate_id, day, rung in db.session.execute(
                sa.select(Measurement.candidate_id, Measurement.measured_on, Measurement.rung)
                .where(Measurement.candidate_id.in_(candidate_ids))
                .order_by(Measurement.measured_on, Measurement.id)).all():
            ladder[candidate_id].append((day, rung))
    stages = stagefacts.facts_for(candidate_ids)
    ledger = euros.ledger_items(candidate_ids, on)
    revenue = _revenue(provider_ids)
    counts = sig.cohort_counts([c.id for c in cohorts]) if with_signals and cohorts else {}

    result = {}
    for cohort in cohorts:
        ids = {m.candidate_id for m in members[cohort.id]}
        table = sorted(((row.provider_id, row.provider.name) for row in cohort.provider_rows),
                       key=lambda p: p[1])
        result[cohort.id] = CohortRows(
            cohort_id=cohort.id, name=cohort.name, start_quarter=cohort.start_quarter,
            providers=table, members=members[cohort.id],
            agreements=[Agreement(a.candidate_id, a.provider_id, a.stage_kind, a.support)
                        for a in cohort.agreements],
            stages={cid: stages.get(cid, []) for cid in ids},
            ladder={cid: ladder.get(cid, []) for cid in ids},
            ledger=[item for m in members[cohort.id] for item in ledger.get(m.candidate_id, [])],
            revenue={pid: revenue.get(pid, Decimal("0.00")) for pid, _n in table},
            signals={k: v for k, v in counts.get(cohort.id, {}).items() if v},
            stages_available=stagefacts.available(),
        )
    return result
