"""The Social Return ledger: obligation against what counts, per contract, provider and region.

Every euro comes from the engine (obligation, claim values) or from a value the
adviser froze at approval; this module only adds those up. The pages, the Excel
export and the PDF statement all read a ``ContractLedger``, so they show the
same figures.

Labour participation comes from *labour sources* (the stages feature registers
one): ``register_labour_source(fn)`` where ``fn(contracts)`` returns, per contract
id, the ``LabourLine``s valued for that contract. The contract is described in
docs/valuation.md ("For the stages feature"). A source may also give its sums
without the lines (``register_labour_totals``: per contract, year and bucket, summed
in SQL from the stored stage values) and the lines still to submit
(``register_labour_pending``); the overviews and home panels read those, so they
cost the same however many stages the region has. The contract page reads the sums
too, and one page of the lines (``register_labour_page``); the Excel ledger and the
PDF statement carry every line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
import sqlalchemy.orm as so

from trajectory.extensions import db
from trajectory.timeutil import today
from trajectory.valuation import engine
from trajectory.valuation.adapters import (
    PsoStatus,
    contract_input,
    missing_revenue_years,
    pso_status,
    revenue_of,
    rulebook_of,
    value_claim,
)
from trajectory.valuation.models import Claim, ClaimKind, ClaimStatus, Contract

ZERO = Decimal("0.00")
BLOCKS = ("labour", "purchase", "activity", "fund")
KIND_BLOCK = {ClaimKind.LABOUR: "labour", ClaimKind.PURCHASE: "purchase",
              ClaimKind.ACTIVITY: "activity", ClaimKind.FUND: "fund"}

# The claims a ledger loads (labour claims are summed from their stored values): IN, not
# "!= labour", so the claims are read through ix_sroi_claim_contract_kind.
OTHER_KINDS = tuple(kind for kind in ClaimKind if kind is not ClaimKind.LABOUR)

# The labour buckets the overviews and home panels show (obligation, approved, submitted,
# fulfilled, at risk): no forecast.
OVERVIEW = frozenset({"approved", "submitted"})

# The bucket a purchase, activity or fund claim of a status counts in (``_claim_line``;
# an approved claim without its frozen value counts as planned, in no overview).
CLAIM_BUCKET = {ClaimStatus.APPROVED: "approved", ClaimStatus.SUBMITTED: "submitted",
                ClaimStatus.REJECTED: "rejected", ClaimStatus.CONCEPT: "concept"}

# Labour line statuses: planned/running/completed count in the forecast only.
LABOUR_FORECAST = frozenset({"planned", "running", "completed"})


@dataclass(frozen=True)
class LabourLine:
    """One stage valued for a contract, as a labour source reports it.

    ``valuation`` is the engine's result under the contract's edition (None when it
    cannot be valued yet); ``approved_value`` is the value frozen at approval, or
    None. ``person`` is a pseudonym or initials, never a name. ``flags`` carry
    warnings to show, e.g. an overlap with another provider's claim.
    """

    description: str
    person: str
    start: date
    end: date
    valuation: engine.Valuation | None
    status: str  # planned, running, completed, concept, submitted, approved, rejected
    approved_value: Decimal | None = None
    year: int | None = None
    delivered_by: str | None = None
    flags: tuple[str, ...] = ()
    url: str | None = None
    claim: Claim | None = None  # the labour claim this line is, None for a forecast line
    stage_id: int | None = None

    @property
    def value(self) -> Decimal:
        if self.status == "approved" and self.approved_value is not None:
            return self.approved_value
        return self.valuation.value if self.valuation else ZERO

    @property
    def ledger_year(self) -> int:
        return self.year or self.start.year


LabourSource = Callable[[Sequence[Contract]], Mapping[int, Sequence[LabourLine]]]
_LABOUR_SOURCES: list[LabourSource] = []
# A source's sums without its lines: fn(contract ids, a list or a SELECT of them[, buckets])
# -> {contract id: {(year, bucket): amount}} (only those buckets when given); and its lines
# still to submit: fn(contract ids, limit) -> ([(contract id, forecast line)], how many).
LabourTotals = Callable[[sa.Select | Sequence[int]], Mapping[int, Mapping[tuple[int, str],
                                                                         Decimal]]]
LabourPending = Callable[[sa.Select | Sequence[int], int],
                         tuple[list[tuple[int, LabourLine]], int]]
_LABOUR_TOTALS: dict[LabourSource, tuple[LabourTotals, LabourPending | None]] = {}
# A source's lines of one contract a page at a time: fn(contract id, year, status) ->
# (how many, rows(offset, limit) -> those lines in the ledger's order).
LineRows = Callable[[int, int], list["LabourLine"]]
LabourPage = Callable[[int, int | None, str | None], tuple[int, LineRows]]
_LABOUR_PAGES: dict[LabourSource, LabourPage] = {}
LABOUR_STATUSES = ("planned", "running", "completed", "concept", "submitted", "approved",
                   "rejected")


def register_labour_source(source: LabourSource) -> None:
    """Add a source of labour lines (idempotent); called at import by the stages feature."""
    if source not in _LABOUR_SOURCES:
        _LABOUR_SOURCES.append(source)


def labour_sources() -> tuple[LabourSource, ...]:
    """The registered sources (the statement PDF sums in SQL when it knows every one)."""
    return tuple(_LABOUR_SOURCES)


def register_labour_totals(source: LabourSource, totals: LabourTotals,
                           pending: LabourPending | None = None) -> None:
    """What a registered source gives without its lines: its sums (the same figures as its
    lines) and, optionally, its lines still to submit."""
    _LABOUR_TOTALS[source] = (totals, pending)


def register_labour_page(source: LabourSource, page: LabourPage) -> None:
    """How a registered source gives one contract's lines a page at a time (the contract
    page lists them 50 at a time, so it costs the same however many there are)."""
    _LABOUR_PAGES[source] = page


def labour_page(contract: Contract, *, year: int | None = None, status: str | None = None
                ) -> tuple[int, LineRows]:
    """The contract's labour lines (of ``year``, with ``status`` when given) as how many
    and ``rows(offset, limit)``, sorted by start; a source that cannot page gives all its
    lines, cut here."""
    if len(_LABOUR_SOURCES) == 1 and _LABOUR_SOURCES[0] in _LABOUR_PAGES:
        return _LABOUR_PAGES[_LABOUR_SOURCES[0]](contract.id, year, status)
    lines = sorted((line for line in labour_lines([contract]).get(contract.id, [])
                    if (year is None or line.ledger_year == year)
                    and (status is None or line.status == status)),
                   key=lambda line: (line.start, line.stage_id or 0, line.end))
    return len(lines), lambda offset, limit: lines[offset:offset + limit]


def labour_totals(contract_ids: sa.Select | Sequence[int],
                  buckets: Collection[str] | None = None
                  ) -> dict[int, dict[tuple[int, str], Decimal]] | None:
    """Every source's sums per contract id, year and bucket (only ``buckets`` when given);
    None when a source only gives lines (then the ledger loads them)."""
    if any(source not in _LABOUR_TOTALS for source in _LABOUR_SOURCES):
        return None
    found: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    for source in _LABOUR_SOURCES:
        totals = _LABOUR_TOTALS[source][0]
        cells_of = totals(contract_ids) if buckets is None else totals(contract_ids, buckets)
        for contract_id, cells in cells_of.items():
            mine = found[contract_id]
            for key, amount in cells.items():
                mine[key] = mine.get(key, ZERO) + amount
    return found


def labour_pending(contracts: Sequence[Contract], limit: int = 5
                   ) -> tuple[list[tuple[Contract, LabourLine]], int]:
    """Started stages no labour claim covers yet, with a value (the provider's "to
    submit"): the first ``limit`` with their contract, and how many there are."""
    by_id = {c.id: c for c in contracts}
    found: list[tuple[Contract, LabourLine]] = []
    total = 0
    for source in _LABOUR_SOURCES:
        pending = _LABOUR_TOTALS.get(source, (None, None))[1]
        if pending is not None:
            lines, count = pending(sorted(by_id), limit)
            found += [(by_id[cid], line) for cid, line in lines if cid in by_id]
            total += count
            continue
        for contract_id, lines in source(contracts).items():
            waiting = [(by_id[contract_id], line) for line in lines
                       if line.claim is None and line.status in ("running", "completed")
                       and line.value > 0]
            found += waiting
            total += len(waiting)
    return found[:limit], total


def labour_lines(contracts: Sequence[Contract]) -> dict[int, list[LabourLine]]:
    """Every source's lines, per contract id; a source answers for all contracts at once."""
    lines: dict[int, list[LabourLine]] = defaultdict(list)
    if not contracts:
        return lines
    for source in _LABOUR_SOURCES:
        for contract_id, found in source(contracts).items():
            lines[contract_id].extend(found)
    return lines


@dataclass
class Figures:
    """Sums in one cell of the ledger (a block, a year or the whole contract)."""

    approved: Decimal = ZERO
    submitted: Decimal = ZERO
    rejected: Decimal = ZERO
    concept: Decimal = ZERO
    planned: Decimal = ZERO

    def add(self, status: str, value: Decimal) -> None:
        bucket = {"approved": "approved", "submitted": "submitted", "rejected": "rejected",
                  "concept": "concept"}.get(status, "planned")
        setattr(self, bucket, getattr(self, bucket) + value)


@dataclass(frozen=True)
class ClaimLine:
    """A claim with its value: frozen when approved, else the engine's value now."""

    claim: Claim
    valuation: engine.Valuation | None
    value: Decimal
    status: str  # ledger bucket: approved, submitted, rejected, concept, planned

    @property
    def block(self) -> str:
        return KIND_BLOCK[self.claim.kind]


def _claim_line(claim: Claim, rulebook: engine.Rulebook) -> ClaimLine:
    if claim.status is ClaimStatus.APPROVED and claim.approved_value is not None:
        return ClaimLine(claim, None, claim.approved_value, "approved")
    planned = claim.status in (ClaimStatus.PROPOSED, ClaimStatus.AGREED)
    try:
        valuation = value_claim(claim, rulebook, planned=planned)
    except engine.InputError:
        valuation = None
    value = valuation.value if valuation else ZERO
    bucket = {ClaimStatus.SUBMITTED: "submitted", ClaimStatus.REJECTED: "rejected",
              ClaimStatus.CONCEPT: "concept"}.get(claim.status, "planned")
    if claim.status is ClaimStatus.REJECTED and claim.planned_hours is not None \
            and claim.hours is None and claim.custom_value is None:
        # A rejected proposal: what was proposed.
        try:
            valuation = value_claim(claim, rulebook, planned=True)
            value = valuation.value
        except engine.InputError:
            pass
    return ClaimLine(claim, valuation, value, bucket)


@dataclass
class ContractLedger:
    """Everything the contract page, the exports and the overviews show about one contract."""

    contract: Contract
    rulebook: engine.Rulebook
    obligation: engine.Obligation
    pso: PsoStatus
    base_revenue: Decimal
    extension_revenue: Decimal
    claims: list[ClaimLine]
    labour: list[LabourLine]
    on: date
    # The labour sums per (year, bucket) when the lines were not loaded (overviews).
    labour_totals: Mapping[tuple[int, str], Decimal] | None = None
    # The buckets summed when not all were (None: all): an overview's ledger holds the
    # approved and submitted claims and labour only, so it has no forecast to give.
    labour_buckets: frozenset[str] | None = None
    totals: Figures = field(default_factory=Figures)
    blocks: dict[str, Figures] = field(default_factory=dict)
    years: dict[int, Figures] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.blocks = {block: Figures() for block in BLOCKS}
        years: dict[int, Figures] = defaultdict(Figures)
        for line in self.claims:
            year = line.claim.day.year if line.claim.day else self.contract.start.year
            for figures in (self.totals, self.blocks[line.block], years[year]):
                figures.add(line.status, line.value)
        for labour in self.labour:
            status = "planned" if labour.status in LABOUR_FORECAST else labour.status
            for figures in (self.totals, self.blocks["labour"], years[labour.ledger_year]):
                figures.add(status, labour.value)
        for (year, status), amount in (self.labour_totals or {}).items():
            for figures in (self.totals, self.blocks["labour"], years[year]):
                figures.add(status, amount)
        self.years = dict(sorted(years.items()))

    @property
    def required(self) -> Decimal:
        return self.obligation.amount

    @property
    def missing_years(self) -> list[int]:
        """Years of the base period without a revenue figure (adapters.missing_revenue_years)."""
        return missing_revenue_years(self.contract)

    @property
    def provisional(self) -> bool:
        """The obligation is provisional while years of the base period have no figures."""
        return bool(self.missing_years)

    @property
    def approved(self) -> Decimal:
        return self.totals.approved

    @property
    def submitted(self) -> Decimal:
        return self.totals.submitted

    @property
    def still_to_go(self) -> Decimal:
        return max(self.required - self.approved, ZERO)

    @property
    def forecast(self) -> Decimal:
        """Approved + submitted + what is planned and running (stages, agreed proposals)."""
        if self.labour_buckets is not None and "planned" not in self.labour_buckets:
            raise ValueError("an overview's ledger sums no labour forecast")
        return self.totals.approved + self.totals.submitted + self.totals.planned

    @property
    def gap(self) -> Decimal:
        return max(self.required - self.forecast, ZERO)

    @property
    def percent_fulfilled(self) -> Decimal | None:
        if self.required <= 0:
            return None
        return engine.round_half_up(Fraction(self.approved) * 100 / Fraction(self.required), 1)

    @property
    def elapsed_share(self) -> Fraction:
        """The share of the contract period (with exercised extensions) that has passed."""
        start, end = self.contract.start, self.contract.period_end
        total = (end - start).days + 1
        passed = (min(self.on, end) - start).days + 1
        return Fraction(min(max(passed, 0), total), total)

    @property
    def expected_by_now(self) -> Decimal:
        return engine.round_half_up(Fraction(self.required) * self.elapsed_share)

    @property
    def ended(self) -> bool:
        return self.on > self.contract.period_end

    @property
    def at_risk(self) -> bool:
        """Approved + submitted lag behind the time-elapsed share of the obligation.

        A contract that was finally evaluated is settled and no longer "at risk".
        """
        if self.required <= 0 or self.contract.evaluation is not None:
            return False
        if self.on < self.contract.start:
            return False
        return self.approved + self.submitted < self.expected_by_now

    @property
    def shortfall(self) -> Decimal:
        return self.still_to_go


def contract_ledger(contract: Contract, *, labour: Sequence[LabourLine] | None = None,
                    on: date | None = None,
                    totals: Mapping[tuple[int, str], Decimal] | None = None,
                    buckets: frozenset[str] | None = None) -> ContractLedger:
    """The ledger of one contract; ``labour`` is given by ``ledgers`` to batch the sources,
    or ``totals``: the labour sums without the lines (``ledger.labour`` is then empty)."""
    rulebook = rulebook_of(contract)
    if totals is not None:
        labour = []
    elif labour is None:
        labour = labour_lines([contract]).get(contract.id, [])
    base, extension = revenue_of(contract)
    return ContractLedger(
        contract=contract, rulebook=rulebook,
        obligation=engine.compute_obligation(contract_input(contract, rulebook), rulebook),
        pso=pso_status(contract, rulebook), base_revenue=base, extension_revenue=extension,
        claims=[_claim_line(c, rulebook) for c in contract.claims
                if c.kind is not ClaimKind.LABOUR],
        labour=list(labour),
        on=on or today(), labour_totals=totals, labour_buckets=buckets)


def contract_figures(contract: Contract, on: date | None = None) -> ContractLedger:
    """The contract's ledger with the labour summed in SQL, no line loaded (the contract
    page; ``labour_page`` gives its lines): the same figures as ``contract_ledger``."""
    return ledgers([contract], on=on, lines=False)[0]


def ledger_query(user=None, *, buckets: frozenset[str] | None = None) -> sa.Select:
    """Contracts in the user's scope (every contract for a maintenance command, ``user``
    None) with everything the ledger reads, loaded in a fixed number of queries however
    many contracts there are. Of the claims only purchases, activities and fund payments:
    labour claims come from the labour source (they grow with the region); with
    ``buckets`` (an overview) only the claims that count in them (the request's
    ``contract.claims`` then holds those only)."""
    stmt = sa.select(Contract)
    if user is not None:
        stmt = stmt.where(Contract.scope_filter(user))
    claims = Claim.kind.in_(OTHER_KINDS)
    if buckets is not None:
        claims = sa.and_(claims, Claim.status.in_(
            [status for status, bucket in CLAIM_BUCKET.items() if bucket in buckets]))
    return (stmt
            .options(so.joinedload(Contract.client), so.joinedload(Contract.provider),
                     so.selectinload(Contract.years), so.selectinload(Contract.extensions),
                     so.selectinload(Contract.claims.and_(claims)),
                     so.selectinload(Contract.evaluation))
            .order_by(Contract.start.desc(), Contract.id))


def ledgers(contracts: Sequence[Contract], on: date | None = None, *, lines: bool = True,
            ids: sa.Select | None = None, buckets: frozenset[str] | None = None
            ) -> list[ContractLedger]:
    """The ledgers of these contracts; ``lines=False``: the figures only, the labour summed
    in SQL (``ids``: the contracts as a SELECT of their ids, else their ids; ``buckets``:
    only these labour buckets)."""
    if not lines:
        totals = labour_totals(ids if ids is not None else [c.id for c in contracts], buckets)
        if totals is not None:
            return [contract_ledger(c, totals=totals.get(c.id, {}), on=on, buckets=buckets)
                    for c in contracts]
    found = labour_lines(contracts)
    return [contract_ledger(c, labour=found.get(c.id, []), on=on, buckets=buckets)
            for c in contracts]


def ledgers_for(user, *, provider_id: int | None = None, on: date | None = None,
                lines: bool = False, buckets: frozenset[str] | None = OVERVIEW
                ) -> list[ContractLedger]:
    """The ledgers in the user's scope, figures only unless ``lines`` (the labour lines of
    every contract: the statement and the workbook need them). The overviews show approved
    and submitted only, so by default only those buckets are loaded and summed: the
    forecast would read every stored stage value of the region (``buckets=None``: all)."""
    buckets = None if lines else buckets
    stmt = ledger_query(user, buckets=buckets)
    ids = sa.select(Contract.id)
    if user is not None:
        ids = ids.where(Contract.scope_filter(user))
    if provider_id is not None:
        stmt = stmt.where(Contract.provider_id == provider_id)
        ids = ids.where(Contract.provider_id == provider_id)
    contracts = db.session.scalars(stmt).unique().all()
    return ledgers(contracts, on=on, lines=lines, ids=ids, buckets=buckets)


def _amounts(figures: Mapping[str, Figures], pick: Callable[[Figures], Decimal]
             ) -> dict[str, str]:
    return {block: f"{pick(figures[block]):.2f}" for block in BLOCKS}


def ledger_document(items: Iterable[ContractLedger]) -> dict:
    """The figures as one JSON document (``flask sroi ledger --json``), from the same
    ledgers as the pages: amounts as strings with two decimals, the four blocks always."""
    contracts = []
    for ledger in items:
        if getattr(ledger, "labour_buckets", None) is not None:
            raise ValueError("an overview's ledger sums no labour forecast or rejections")
        percent = ledger.percent_fulfilled
        contracts.append({
            "reference": ledger.contract.reference,
            "provider": ledger.contract.provider.name,
            "obligation": f"{ledger.required:.2f}",
            "provisional": bool(getattr(ledger, "provisional", False)),
            "approved": _amounts(ledger.blocks, lambda f: f.approved),
            "submitted": _amounts(ledger.blocks, lambda f: f.submitted),
            "rejected": _amounts(ledger.blocks, lambda f: f.rejected),
            "forecast": _amounts(ledger.blocks,
                                 lambda f: f.approved + f.submitted + f.planned),
            "realised_percent": None if percent is None else f"{percent:.1f}",
        })
    return {"contracts": contracts}


@dataclass
class Summary:
    """Totals over several contracts: one provider, or the whole region."""

    name: str
    provider_id: int | None = None
    contracts: int = 0
    required: Decimal = ZERO
    approved: Decimal = ZERO
    submitted: Decimal = ZERO
    at_risk: int = 0

    @property
    def percent_fulfilled(self) -> Decimal | None:
        if self.required <= 0:
            return None
        return engine.round_half_up(Fraction(self.approved) * 100 / Fraction(self.required), 1)

    @property
    def still_to_go(self) -> Decimal:
        return max(self.required - self.approved, ZERO)

    def add(self, ledger: ContractLedger) -> None:
        self.contracts += 1
        self.required += ledger.required
        self.approved += ledger.approved
        self.submitted += ledger.submitted
        self.at_risk += ledger.at_risk


def summarise(items: Iterable[ContractLedger], name: str) -> Summary:
    summary = Summary(name)
    for ledger in items:
        summary.add(ledger)
    return summary


def by_provider(items: Iterable[ContractLedger]) -> list[Summary]:
    groups: dict[int, Summary] = {}
    for ledger in items:
        provider = ledger.contract.provider
        groups.setdefault(provider.id, Summary(provider.name, provider.id)).add(ledger)
    return sorted(groups.values(), key=lambda s: s.name)


@dataclass(frozen=True)
class WhatIf:
    """A claim valued under another edition, against the value that counts now."""

    rulebook: engine.Rulebook
    valuation: engine.Valuation | None
    current: Decimal
    error: str | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.valuation is None else self.valuation.value - self.current


def what_if(claim: Claim, line: ClaimLine, rulebook_name: str) -> WhatIf:
    """"What if" this claim were valued under ``rulebook_name``: value and difference."""
    rulebook = engine.load_rulebook(rulebook_name)
    try:
        valuation = value_claim(claim, rulebook, planned=claim.is_proposal)
    except engine.InputError as error:
        return WhatIf(rulebook, None, line.value, error.message)
    return WhatIf(rulebook, valuation, line.value)


def claim_line(claim: Claim) -> ClaimLine:
    return _claim_line(claim, rulebook_of(claim.contract))
