"""The ledger's labour lines: every stage credited to a contract, claimed in parts or not.

A stage credited to a contract (the person's valuation decides which,
``trajectory.stages.valuation``) yields a line per labour claim for it (concept,
ingediend, goedgekeurd with its frozen value, afgewezen) and one *forecast* line for
what is not claimed yet (planned, running or completed). The claimed parts and the
forecast add up to the stage's value, because parts are differences of one running
total. All lines of all contracts on a page come from a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import has_request_context, url_for
from flask_babel import gettext as _

from trajectory.extensions import db
from trajectory.stages import stored_values
from trajectory.stages.models import Stage, StageClaimValue, StageStatus, StageValue
from trajectory.stages.valuation import (
    VALUED_STATUSES,
    ZERO,
    PersonValues,
    contract_periods,
    contracts_in_order,
    part_valuation,
    people,
    value_part,
)
from trajectory.valuation import engine
from trajectory.valuation.labels import initials
from trajectory.valuation.ledger import LabourLine
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus, Contract

ONE_DAY = timedelta(days=1)
FORECAST_STATUS = {StageStatus.GEPLAND: "planned", StageStatus.LOPEND: "running",
                   StageStatus.AFGEROND: "completed", StageStatus.AFGEBROKEN: "completed"}
CLAIM_STATUS = {ClaimStatus.CONCEPT: "concept", ClaimStatus.SUBMITTED: "submitted",
                ClaimStatus.APPROVED: "approved", ClaimStatus.REJECTED: "rejected"}


def _url(endpoint: str, **values) -> str | None:
    return url_for(endpoint, **values) if has_request_context() else None


def covered(claims: Iterable[Claim]) -> tuple[engine.Period, ...]:
    """The days of a stage that labour claims already cover (any status: a rejected period
    does not come back into the forecast; a new claim may cover it again)."""
    periods = [engine.Period(c.period_start, c.period_end) for c in claims
               if c.period_start and c.period_end and c.period_end >= c.period_start]
    merged: list[engine.Period] = []
    for p in sorted(periods, key=lambda p: p.start):
        if merged and p.start <= merged[-1].end + ONE_DAY:
            merged[-1] = engine.Period(merged[-1].start, max(p.end, merged[-1].end))
        else:
            merged.append(p)
    return tuple(merged)


def unclaimed(person: PersonValues, stage_id: int, claims: Sequence[Claim]
              ) -> list[engine.Period]:
    """The stage's valued days that no labour claim covers yet."""
    stage = person.stages[stage_id]
    end = person.ends.get(stage_id) or stage.end or stage.start
    rest = [engine.Period(stage.start, end)]
    for p in covered(claims):
        nxt = []
        for r in rest:
            if p.end < r.start or p.start > r.end:
                nxt.append(r)
                continue
            if r.start < p.start:
                nxt.append(engine.Period(r.start, p.start - ONE_DAY))
            if p.end < r.end:
                nxt.append(engine.Period(p.end + ONE_DAY, r.end))
        rest = nxt
    return rest


def credited_contract(person: PersonValues, stage_id: int, contracts: Sequence[Contract]
                      ) -> int | None:
    """The contract the stage counts for; for a stage without a value yet, the contract of its
    provider that covers its start (so the adviser still sees it, with the reason)."""
    value = person.value(stage_id)
    if value.contract_id is not None or value.value is not None:
        return value.contract_id
    stage = person.stages[stage_id]
    own = [c for c in contracts if c.provider_id == stage.provider_id]
    return next((c.id for c in own if contract_periods(c).covers(stage.start)), None)


def line_order(line: LabourLine) -> tuple:
    """The ledger's order of labour lines, the same as ``line_page``'s SQL: by start, stage
    and end, a stage's forecast before its claims, claims by number (two claims of one
    period, a rejected one and its successor, never swap places)."""
    claim_id = line.claim.id if line.claim is not None else None
    return (line.start, line.stage_id or 0, line.end, 0 if claim_id is None else 1,
            claim_id if claim_id is not None else line.stage_id or 0)


def claim_line(person: PersonValues, stage: Stage, claim: Claim, credited: int | None
                ) -> LabourLine:
    flags: list[str] = []
    try:
        valuation = part_valuation(person, stage.id, claim.period_start, claim.period_end)
    except engine.InputError:
        valuation = None
        flags.append(person.value(stage.id).reason or _("Cannot be valued yet."))
    if credited is not None and credited != claim.contract_id:
        flags.append(_("The valuation now credits this stage to another contract."))
    return LabourLine(
        description=stage.title, person=initials(stage.candidate), start=claim.period_start,
        end=claim.period_end, valuation=valuation, status=CLAIM_STATUS[claim.status],
        approved_value=claim.approved_value, year=claim.period_start.year,
        delivered_by=claim.subcontractor.name if claim.subcontractor else None,
        flags=tuple(flags) + person.value(stage.id).flags,
        url=_url("valuation.claim", claim_id=claim.id), claim=claim, stage_id=stage.id)


def forecast_line(person: PersonValues, stage: Stage, claims: Sequence[Claim]
                   ) -> LabourLine | None:
    value = person.value(stage.id)
    rest = unclaimed(person, stage.id, claims)
    if claims and not rest:
        return None
    valuation = None
    if value.value is not None:
        amount = value.value - sum((person.part(stage.id, p.start, p.end)
                                    for p in covered(claims)), ZERO)
        explain = value.explain
        if claims:
            explain = (*explain, _("Not claimed yet: %(amount)s.",
                                   amount=engine.format_eur(amount)))
        valuation = engine.Valuation(amount, explain, stage.kind.value)
    end = person.ends.get(stage.id) or stage.end or stage.start
    first = rest[0].start if rest else stage.start
    return LabourLine(
        description=stage.title, person=initials(stage.candidate), start=stage.start, end=end,
        valuation=valuation, status=FORECAST_STATUS[stage.status], year=first.year,
        flags=((value.reason,) if value.reason else ()) + value.flags,
        url=_url("stages.detail", stage_id=stage.id), stage_id=stage.id)


def listed(stage: Stage) -> bool:
    """A stage the ledger lists: accepted and started or planned, not care, not stopped
    before it started."""
    return (stage.status in VALUED_STATUSES and not stage.is_zorg
            and not stage.never_started)


def _candidate_ids(provider_ids: set[int]) -> list[int]:
    return list(db.session.scalars(
        sa.select(Stage.candidate_id).distinct()
        .where(Stage.provider_id.in_(provider_ids), Stage.status.in_(tuple(VALUED_STATUSES)))))


def labour_claims(candidate_ids: Sequence[int]) -> dict[int, list[Claim]]:
    """Every labour claim of these candidates' stages, per stage, in one query."""
    if not candidate_ids:
        return defaultdict(list)
    return claims_of_stages(sa.select(Stage.id).where(Stage.candidate_id.in_(candidate_ids)))


def claims_of_stages(stage_ids: sa.Select) -> dict[int, list[Claim]]:
    """Every labour claim of the stages in ``stage_ids`` (a SELECT), per stage, in one query."""
    found: dict[int, list[Claim]] = defaultdict(list)
    for claim in db.session.scalars(
            sa.select(Claim).where(Claim.kind == ClaimKind.LABOUR, Claim.stage_id.in_(stage_ids))
            .options(so.joinedload(Claim.subcontractor), so.lazyload(Claim.contract))
            .order_by(Claim.id)).unique():
        found[claim.stage_id].append(claim)
    return found


def _stage_options(model) -> tuple:
    """A stored row's stage with what a line shows of it (title, person), joined."""
    stage = so.joinedload(model.stage)
    return stage.joinedload(Stage.candidate), stage.joinedload(Stage.offer_item)


def labour_lines(contracts: Sequence[Contract]) -> Mapping[int, list[LabourLine]]:
    """The ledger's labour source: lines per contract id, for all contracts at once, read
    from the stored values (``trajectory.stages.stored_values``) in two queries."""
    page = sorted({c.id for c in contracts})
    if not page:
        return {}
    stored_values.settle()
    lines: dict[int, list[LabourLine]] = defaultdict(list)
    kinds: dict = {}  # the kinds' labels, translated once (not per line)
    for row in db.session.scalars(
            sa.select(StageValue)
            .where(StageValue.line_contract_id.in_(page), StageValue.forecast_status.is_not(None))
            .options(*_stage_options(StageValue))):
        lines[row.line_contract_id].append(_stored_forecast(row, kinds))
    for row, claim in db.session.execute(
            sa.select(StageClaimValue, Claim).join(Claim, Claim.id == StageClaimValue.claim_id)
            .where(Claim.contract_id.in_(page))
            .options(*_stage_options(StageClaimValue),
                     so.joinedload(Claim.subcontractor), so.lazyload(Claim.contract))):
        lines[claim.contract_id].append(_stored_claim(row, claim, kinds))
    for found in lines.values():
        found.sort(key=line_order)
    return lines


def _valuation(value, explain, stage: Stage) -> engine.Valuation | None:
    return None if value is None else engine.Valuation(value, tuple(explain or ()),
                                                       stage.kind.value)


def _title(stage: Stage, kinds: dict | None) -> str:
    """``Stage.title``, its kind's label from ``kinds`` (filled as met) when given."""
    if kinds is None:
        return stage.title
    if stage.kind not in kinds:
        kinds[stage.kind] = stage.kind.label
    detail = stage.job_title or (stage.offer_item.title if stage.offer_item_id and stage.offer_item
                                 else None)
    return f"{kinds[stage.kind]} – {detail}" if detail else kinds[stage.kind]


def _stored_forecast(row: StageValue, kinds: dict | None = None) -> LabourLine:
    stage = row.stage
    return LabourLine(
        description=_title(stage, kinds), person=initials(stage.candidate), start=stage.start,
        end=row.valued_end or stage.end or stage.start,
        valuation=_valuation(row.forecast_value, _forecast_explain(row), stage),
        status=row.forecast_status, year=row.forecast_year,
        flags=((row.reason,) if row.reason else ()) + tuple(row.flags or ()),
        url=_url("stages.detail", stage_id=stage.id), stage_id=stage.id)


def _forecast_explain(row: StageValue) -> tuple[str, ...]:
    return tuple(row.explain or ()) + ((row.forecast_note,) if row.forecast_note else ())


def _stored_claim(row: StageClaimValue, claim: Claim, kinds: dict | None = None
                  ) -> LabourLine:
    stage = row.stage
    return LabourLine(
        description=_title(stage, kinds), person=initials(stage.candidate), start=claim.period_start,
        end=claim.period_end, valuation=_valuation(row.value, row.explain, stage),
        status=CLAIM_STATUS[claim.status], approved_value=claim.approved_value, year=row.year,
        delivered_by=claim.subcontractor.name if claim.subcontractor else None,
        flags=tuple(row.flags or ()), url=_url("valuation.claim", claim_id=claim.id),
        claim=claim, stage_id=stage.id)


def labour_totals(contract_ids: sa.Select | Sequence[int],
                  buckets: Collection[str] | None = None
                  ) -> dict[int, dict[tuple[int, str], Decimal]]:
    """The labour lines' sums per contract, year and ledger bucket, in SQL (two GROUP BY
    queries): what ``labour_lines`` would add up, without loading a line. An approved
    claim counts its frozen value. ``buckets``: only these (the overviews show approved and
    submitted: no forecast, which reads every stored stage value of the region)."""
    stored_values.settle()
    ids = contract_ids if isinstance(contract_ids, sa.Select) else sorted(set(contract_ids))
    found: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(lambda: defaultdict(
        lambda: ZERO))
    if buckets is None or "planned" in buckets:
        forecast = (sa.select(StageValue.line_contract_id, StageValue.forecast_year,
                              sa.func.sum(StageValue.forecast_value))
                    .where(StageValue.line_contract_id.in_(ids),
                           StageValue.forecast_status.is_not(None))
                    .group_by(StageValue.line_contract_id, StageValue.forecast_year))
        for contract_id, year, amount in db.session.execute(forecast):
            found[contract_id][(year, "planned")] += _money(amount)
    wanted = [] if buckets is None else [
        Claim.status.in_([status for status in ClaimStatus
                          if CLAIM_STATUS.get(status, "planned") in buckets])]
    frozen = sa.and_(Claim.status == ClaimStatus.APPROVED, Claim.approved_value.is_not(None))
    claimed = (sa.select(Claim.contract_id, StageClaimValue.year, Claim.status,
                         sa.func.sum(sa.case((frozen, Claim.approved_value),
                                             else_=sa.func.coalesce(StageClaimValue.value, 0))))
               .join(Claim, Claim.id == StageClaimValue.claim_id)
               # Only labour claims have stored values: the kind lets the claims be read
               # from ix_sroi_claim_contract_kind alone (contract, kind, status, value).
               .where(Claim.contract_id.in_(ids), Claim.kind == ClaimKind.LABOUR, *wanted)
               .group_by(Claim.contract_id, StageClaimValue.year, Claim.status))
    for contract_id, year, status, amount in db.session.execute(claimed):
        found[contract_id][(year, CLAIM_STATUS.get(status, "planned"))] += _money(amount)
    return {cid: dict(cells) for cid, cells in found.items()}


def line_groups(contract_id: int) -> list[tuple[int | None, str, int, Decimal]]:
    """One contract's lines per year and line status: (year, status, how many, their value),
    in SQL (two GROUP BY queries over the stored rows): what grouping ``labour_lines`` gives,
    without loading a line (the statement PDF of a contract with thousands of lines)."""
    stored_values.settle()
    found: dict[tuple[int | None, str], list] = {}

    def add(year, status: str, count: int, amount) -> None:
        cell = found.setdefault((year, status), [0, ZERO])
        cell[0] += count
        cell[1] += _money(amount)

    for year, status, count, amount in db.session.execute(
            sa.select(StageValue.forecast_year, StageValue.forecast_status, sa.func.count(),
                      sa.func.sum(StageValue.forecast_value))
            .where(StageValue.line_contract_id == contract_id,
                   StageValue.forecast_status.is_not(None))
            .group_by(StageValue.forecast_year, StageValue.forecast_status)):
        add(year, status, count, amount)
    frozen = sa.and_(Claim.status == ClaimStatus.APPROVED, Claim.approved_value.is_not(None))
    for year, status, count, amount in db.session.execute(
            sa.select(StageClaimValue.year, Claim.status, sa.func.count(),
                      sa.func.sum(sa.case((frozen, Claim.approved_value),
                                          else_=sa.func.coalesce(StageClaimValue.value, 0))))
            .join(Claim, Claim.id == StageClaimValue.claim_id)
            .where(Claim.contract_id == contract_id)
            .group_by(StageClaimValue.year, Claim.status)):
        add(year, CLAIM_STATUS[status], count, amount)
    return [(year, status, count, amount) for (year, status), (count, amount) in found.items()]


def _money(amount) -> Decimal:
    return ZERO if amount is None else Decimal(amount).quantize(ZERO)


def to_submit(contract_ids: sa.Select | Sequence[int], limit: int = 5
              ) -> tuple[list[tuple[int, LabourLine]], int]:
    """Started stages with a value that no labour claim covers yet (the provider's "to
    submit"), the first ``limit`` with the contract id, and how many there are."""
    stored_values.settle()
    ids = contract_ids if isinstance(contract_ids, sa.Select) else sorted(set(contract_ids))
    condition = sa.and_(StageValue.line_contract_id.in_(ids),
                        StageValue.forecast_status.in_(("running", "completed")),
                        StageValue.forecast_value > 0)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(StageValue)
                              .where(condition)) or 0
    order = (Contract.start.desc(), Contract.id, StageValue.valued_start, StageValue.stage_id)
    # The first ``limit`` chosen on the stored rows' keys, then only those loaded with their
    # stage and person (not every waiting stage joined before the sort).
    chosen = (sa.select(StageValue.stage_id)
              .join(Contract, Contract.id == StageValue.line_contract_id)
              .where(condition).order_by(*order).limit(limit))
    rows = db.session.scalars(
        sa.select(StageValue).join(Contract, Contract.id == StageValue.line_contract_id)
        .where(StageValue.stage_id.in_(chosen))
        .options(*_stage_options(StageValue)).order_by(*order))
    return [(row.line_contract_id, _stored_forecast(row)) for row in rows], total


def live_labour_lines(contracts: Sequence[Contract]) -> Mapping[int, list[LabourLine]]:
    """The lines valued now by the engine (what the stored values hold; the tests compare
    ``labour_lines`` with it): every person with a stage at the contracts' providers."""
    page = {c.id for c in contracts}
    provider_ids = {c.provider_id for c in contracts}
    if not provider_ids:
        return {}
    ids = _candidate_ids(provider_ids)
    persons = people(ids)
    claims = labour_claims(ids)
    lines: dict[int, list[LabourLine]] = defaultdict(list)
    for person in persons.values():
        candidate_contracts = None
        for stage_id, stage in person.stages.items():
            if (stage.provider_id not in provider_ids or stage.status not in VALUED_STATUSES
                    or stage.is_zorg or stage.never_started):
                continue
            if candidate_contracts is None:
                candidate_contracts = contracts_in_order(stage.candidate, contracts)
            credited = credited_contract(person, stage_id, candidate_contracts)
            own = claims.get(stage_id, [])
            for claim in own:
                if claim.contract_id in page:
                    lines[claim.contract_id].append(claim_line(person, stage, claim, credited))
            if credited in page:
                forecast = forecast_line(person, stage, own)
                if forecast is not None:
                    lines[credited].append(forecast)
    for found in lines.values():
        found.sort(key=line_order)
    return lines


def value_labour_claim(claim: Claim, rulebook: engine.Rulebook) -> engine.Valuation:
    """A labour claim's value now under ``rulebook``: its period of the stage, the person's
    whole learning line taking part (the valuer behind ``adapters.value_claim``)."""
    if claim.stage is None or claim.period_start is None or claim.period_end is None:
        raise engine.InputError("stage", "a labour line needs its stage and period")
    return value_part(claim.stage, claim.period_start, claim.period_end, rulebook.name)


def line_page(contract_id: int, year: int | None = None, status: str | None = None
              ) -> tuple[int, Callable[[int, int], list[LabourLine]]]:
    """One contract's lines a page at a time (the contract page): how many there are (one
    query), and ``rows(offset, limit)`` giving a page in ``labour_lines``' order (three
    queries: the page's keys sorted in SQL, its forecast rows, its claim rows), whatever
    the contract's size. ``year`` and ``status`` (a line status) narrow the lines."""
    stored_values.settle()
    forecast, claimed = _line_conditions(contract_id, year, status)
    counted = (
        sa.select(sa.func.count()).select_from(StageValue).where(*forecast).scalar_subquery()
        + sa.select(sa.func.count()).select_from(StageClaimValue)
        .join(Claim, Claim.id == StageClaimValue.claim_id).where(*claimed).scalar_subquery())
    total = db.session.scalar(sa.select(counted)) or 0
    start = sa.func.coalesce(Stage.actual_start, Stage.planned_start)  # Stage.start
    keys = sa.union_all(
        sa.select(sa.literal(0, sa.Integer).label("kind"), StageValue.stage_id.label("key"),
                  start.label("start"), StageValue.stage_id.label("stage_id"),
                  sa.func.coalesce(StageValue.valued_end, Stage.actual_end, Stage.planned_end,
                                   start).label("end"))
        .join(Stage, Stage.id == StageValue.stage_id).where(*forecast),
        sa.select(sa.literal(1, sa.Integer), StageClaimValue.claim_id, Claim.period_start,
                  StageClaimValue.stage_id, Claim.period_end)
        .join(Claim, Claim.id == StageClaimValue.claim_id).where(*claimed)).subquery()

    def rows(offset: int, limit: int) -> list[LabourLine]:
        page = db.session.execute(
            sa.select(keys.c.kind, keys.c.key)
            .order_by(keys.c.start, keys.c.stage_id, keys.c.end, keys.c.kind, keys.c.key)
            .offset(offset).limit(limit)).all()
        stage_ids = [key for kind, key in page if kind == 0]
        claim_ids = [key for kind, key in page if kind == 1]
        found: dict[tuple[int, int], LabourLine] = {}
        # Both queries also when a page has no line of one kind: the same count every page.
        for row in db.session.scalars(
                sa.select(StageValue).where(StageValue.stage_id.in_(stage_ids))
                .options(*_stage_options(StageValue))):
            found[(0, row.stage_id)] = _stored_forecast(row)
        for row, claim in db.session.execute(
                sa.select(StageClaimValue, Claim)
                .join(Claim, Claim.id == StageClaimValue.claim_id)
                .where(StageClaimValue.claim_id.in_(claim_ids))
                .options(*_stage_options(StageClaimValue),
                         so.joinedload(Claim.subcontractor), so.lazyload(Claim.contract))):
            found[(1, claim.id)] = _stored_claim(row, claim)
        return [found[(kind, key)] for kind, key in page if (kind, key) in found]

    return total, rows


def _line_conditions(contract_id: int, year: int | None, status: str | None
                     ) -> tuple[list, list]:
    """Which forecast rows (``StageValue``) and which claim rows (``StageClaimValue`` with
    its ``Claim``) are the contract's lines of ``year`` with ``status``."""
    forecast = [StageValue.line_contract_id == contract_id,
                StageValue.forecast_status.is_not(None)]
    claimed = [Claim.contract_id == contract_id]
    if year is not None:
        forecast.append(StageValue.forecast_year == year)
        claimed.append(StageClaimValue.year == year)
    if status is not None:
        by_status = {name: claim_status for claim_status, name in CLAIM_STATUS.items()}
        forecast.append(StageValue.forecast_status == status)
        claimed.append(Claim.status == by_status[status] if status in by_status
                       else sa.false())
    return forecast, claimed
