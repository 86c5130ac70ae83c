"""Stage values stored, so the ledger, the overviews and the cohort figures are sums in SQL.

The valuation of a person (``trajectory.stages.valuation.people``) values all their
stages together; doing that for every person of a region on every page does not scale.
So its results are kept in ``stage_value`` (one row per stage: value, explanation,
reason, flags, the contract and edition, the valued days as the engine's running
totals, and the ledger's forecast line) and ``stage_claim_value`` (each labour claim's
part of its stage, valued now). They are derived rows:

* **recomputed when a fact changes**, in the same transaction: a stage, the candidate
  (birth date, register flags, municipality), a benefit period, a labour claim (its
  period), or a contract of the provider (its period, an extension, the edition, the
  client) or the provider's name. ``after_flush`` collects who is affected,
  ``settle()`` (at ``before_commit``, and by every reader first) refreshes them. A
  contract's period or client refreshes only the people it credits or may credit
  (``crediting``), not its whole provider; and only rows whose content changed are
  written (``_write``);
* **rebuilt** with ``refresh_all()`` (``flask sroi refresh``), e.g. after a rulebook
  edition was added or changed: the values depend on the rules' files too.

Approved labour claims keep the value frozen on the claim; a stored row is never used
for them. ``StoredPerson`` reads a person back from the rows with the same ``part``
as the engine (a difference of running totals, each rounded once), so a cohort's
quarter or a claim's period is valued exactly without running the engine.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale

from trajectory.candidates.models import Candidate
from trajectory.derived import install_session_hooks
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.stages.models import Stage, StageClaimValue, StageValue
from trajectory.stages.valuation import (
    ZERO,
    PersonValues,
    _contracts_for,
    contract_periods,
    contracts_in_order,
    open_end,
    people,
)
from trajectory.stages.valuation import StageValue as Value
from trajectory.timeutil import utcnow
from trajectory.valuation import engine
from trajectory.valuation.engine.periods import Period
from trajectory.valuation.engine.trajectory import Tally, _contract_of, _intersect

CHUNK = 500  # candidates valued per batch
ONE_DAY = timedelta(days=1)
PENDING = "stored_values.candidates"
PENDING_PROVIDERS = "stored_values.providers"
PENDING_CONTRACTS = "stored_values.contracts"
PENDING_STAGES = "stored_values.stages"
PENDING_BEFORE = "stored_values.contracts_before"  # contract id: its base period before


def _labour() -> bool:
    return importlib.util.find_spec("trajectory.labour") is not None


# ------------------------------------------------------------------ running totals as JSON


def _fraction(text: str) -> Fraction:
    return Fraction(text)


def _days(periods: Iterable[Period]) -> list[list[str]]:
    return [[p.start.isoformat(), p.end.isoformat()] for p in periods]


def tally_json(tally: Tally) -> dict[str, Any]:
    """The engine's running totals of a stage, exactly (fractions as "n/d")."""
    return {"mode": tally.mode, "start": tally.start.isoformat(),
            "rate": str(tally.monthly_rate),
            "kept": [[p.start.isoformat(), p.end.isoformat(), str(fte)] for p, fte in tally.kept],
            "uncut": [[p.start.isoformat(), p.end.isoformat(), str(fte)]
                      for p, fte in tally.uncut],
            "bonus": str(tally.bonus), "amount": str(tally.amount),
            "days": _days(tally.counted_days), "total": tally.total_days}


def _period(pair: Sequence[str]) -> Period:
    return Period(date.fromisoformat(pair[0]), date.fromisoformat(pair[1]))


def tally_from(data: dict[str, Any]) -> Tally:
    return Tally(
        mode=data["mode"], start=date.fromisoformat(data["start"]),
        monthly_rate=_fraction(data["rate"]),
        kept=tuple((_period(r), _fraction(r[2])) for r in data["kept"]),
        uncut=tuple((_period(r), _fraction(r[2])) for r in data["uncut"]),
        bonus=_fraction(data["bonus"]), amount=_fraction(data["amount"]),
        counted_days=tuple(_period(p) for p in data["days"]), total_days=data["total"])


# ------------------------------------------------------------------ a person read back


@dataclass
class StoredPerson:
    """A person's stage values read from the stored rows, with ``PersonValues``' reading
    API (``value``, ``part``, ``stages``, ``ends``, ``values``, ``projects``)."""

    candidate_id: int
    values: dict[int, Value] = field(default_factory=dict)
    stages: dict[int, Stage] = field(default_factory=dict)
    ends: dict[int, date] = field(default_factory=dict)
    projects: dict[int, date] = field(default_factory=dict)
    tallies: dict[int, Tally] = field(default_factory=dict)
    editions: dict[int, str] = field(default_factory=dict)
    line_contracts: dict[int, int | None] = field(default_factory=dict)

    def value(self, stage_id: int) -> Value:
        return self.values[stage_id]

    def part(self, stage_id: int, start: date | None = None, end: date | None = None) -> Decimal:
        """As ``PersonValues.part`` (and ``TrajectoryValuation.part``), from the stored totals."""
        if stage_id in self.projects:
            day = self.projects[stage_id]
            inside = (start is None or start <= day) and (end is None or day <= end)
            return (self.values[stage_id].value or ZERO) if inside else ZERO
        tally = self.tallies.get(stage_id)
        if tally is None:
            return ZERO
        upper = engine.round_half_up(tally.through(end or date.max))
        if start is None or start <= date.min:
            return upper
        return upper - engine.round_half_up(tally.through(start - ONE_DAY))


def _value_of(row: StageValue) -> Value:
    title = None
    if row.rulebook:
        try:
            title = engine.load_rulebook(row.rulebook).title
        except (KeyError, engine.InputError, FileNotFoundError):
            title = row.rulebook
    return Value(row.value, tuple(row.explain or ()), row.reason, title, tuple(row.flags or ()),
                 row.contract_id)


def person_of(candidate_id: int, rows: Iterable[StageValue]) -> StoredPerson:
    person = StoredPerson(candidate_id)
    for row in rows:
        person.values[row.stage_id] = _value_of(row)
        person.stages[row.stage_id] = row.stage
        person.line_contracts[row.stage_id] = row.line_contract_id
        if row.valued_end is not None:
            person.ends[row.stage_id] = row.valued_end
        if row.rulebook:
            person.editions[row.stage_id] = row.rulebook
        if row.tally and row.tally.get("mode") == "project":
            person.projects[row.stage_id] = date.fromisoformat(row.tally["day"])
        elif row.tally:
            person.tallies[row.stage_id] = tally_from(row.tally)
    return person


def stored_people(candidate_ids: Iterable[int]) -> dict[int, StoredPerson]:
    """The stored values of these candidates' stages, per candidate, in one query (the
    stages and their candidates come with it)."""
    settle()
    ids = sorted(set(candidate_ids))
    found: dict[int, list[StageValue]] = {cid: [] for cid in ids}
    for chunk in _chunks(ids, CHUNK):
        for row in db.session.scalars(
                sa.select(StageValue).where(StageValue.candidate_id.in_(chunk))
                .options(so.joinedload(StageValue.stage).joinedload(Stage.candidate),
                         so.joinedload(StageValue.stage).joinedload(Stage.provider))
                .order_by(StageValue.stage_id)).unique():
            found[row.candidate_id].append(row)
    return {cid: person_of(cid, rows) for cid, rows in found.items()}


# ------------------------------------------------------------------ computing the rows


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _tally(person: PersonValues, stage_id: int) -> dict[str, Any] | None:
    edition = person.edition_of.get(stage_id)
    if edition is None:
        return None
    if stage_id in person.projects:
        return {"mode": "project", "day": person.projects[stage_id].isoformat()}
    return tally_json(person.runs[edition].credits[str(stage_id)].tally)


def rows_of(person: PersonValues, contracts: Sequence, claims: dict[int, list], now
            ) -> tuple[list[dict], list[dict]]:
    """The stored rows of one valued person: one per stage, one per labour claim."""
    stage_rows, claim_rows = [], []
    ordered = None
    for stage_id, stage in sorted(person.stages.items()):
        value = person.values.get(stage_id) or Value(None, ())
        row = {"stage_id": stage_id, "candidate_id": person.candidate_id,
               "provider_id": stage.provider_id, "contract_id": value.contract_id,
               "line_contract_id": None, "rulebook": person.edition_of.get(stage_id),
               "value": value.value, "explain": list(value.explain), "reason": value.reason,
               "flags": list(value.flags), "valued_start": stage.start,
               "valued_end": person.ends.get(stage_id), "tally": _tally(person, stage_id),
               "forecast_status": None, "forecast_value": None, "forecast_year": None,
               "forecast_note": None, "computed_at": now}
        if _labour():
            from trajectory.labour import lines

            if lines.listed(stage):
                if ordered is None:
                    ordered = contracts_in_order(person.candidate or stage.candidate, contracts)
                credited = lines.credited_contract(person, stage_id, ordered)
                row["line_contract_id"] = credited
                own = claims.get(stage_id, [])
                if credited is not None:
                    forecast = lines.forecast_line(person, stage, own)
                    if forecast is not None:
                        row["forecast_status"] = forecast.status
                        row["forecast_value"] = (forecast.valuation.value
                                                 if forecast.valuation else None)
                        row["forecast_year"] = forecast.year
                        if own and forecast.valuation is not None:
                            row["forecast_note"] = forecast.valuation.explain[-1]
                for claim in own:
                    line = lines.claim_line(person, stage, claim, credited)
                    claim_rows.append({
                        "claim_id": claim.id, "stage_id": stage_id,
                        "candidate_id": person.candidate_id, "contract_id": claim.contract_id,
                        "year": line.ledger_year,
                        "value": line.valuation.value if line.valuation else None,
                        "explain": list(line.valuation.explain) if line.valuation else [],
                        "flags": list(line.flags), "computed_at": now})
        stage_rows.append(row)
    return stage_rows, claim_rows


def _refresh_chunk(ids: Sequence[int]) -> int:
    """Value these candidates and replace their rows. The words the adapter adds (reasons,
    overlap flags, the open-end note) are stored in the default language, whoever's request
    caused the refresh, as an approved claim stores its explanation."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        return _store(ids)


def _store(ids: Sequence[int]) -> int:
    persons = people(ids)
    claims: dict[int, list] = {}
    if _labour():
        from trajectory.labour.lines import labour_claims

        claims = labour_claims(list(ids))
    providers = {s.provider_id for p in persons.values() for s in p.stages.values()}
    contracts = _contracts_for(providers)
    by_provider: dict[int, list] = defaultdict(list)
    for contract in contracts:
        by_provider[contract.provider_id].append(contract)
    now = utcnow()
    stage_rows, claim_rows = [], []
    for person in persons.values():
        own = [c for pid in {s.provider_id for s in person.stages.values()}
               for c in by_provider.get(pid, [])]
        found, claimed = rows_of(person, own, claims, now)
        stage_rows += found
        claim_rows += claimed
    _write(StageClaimValue, "claim_id", ids, claim_rows)
    _write(StageValue, "stage_id", ids, stage_rows)
    return len(stage_rows)


def _write(model: type, key: str, ids: Sequence[int], rows: list[dict]) -> int:
    """Make the stored rows of these candidates equal ``rows``, writing only the difference:
    an UPDATE (one executemany) for a row whose content changed, an INSERT for a new one, a
    DELETE for one that is gone. A contract edit refreshes everyone at its provider, and
    most of them keep every figure; rewriting their rows was a third of the refresh.
    ``computed_at`` is the time a row last changed. The number of rows written."""
    session = db.session
    table = model.__table__
    pk = table.c[key]
    old = {row[key]: row for row in session.execute(
        sa.select(table).where(table.c.candidate_id.in_(ids))).mappings()}
    new = {row[key]: row for row in rows}
    fields = [name for name in (c.name for c in table.columns) if name not in (key, "computed_at")]
    changed = [row for k, row in new.items()
               if k in old and any(old[k][name] != row[name] for name in fields)]
    added = [row for k, row in new.items() if k not in old]
    gone = sorted(set(old) - set(new))
    # A row of another candidate's batch under the same key (a stage moved to another
    # candidate) is replaced, not collided with.
    stale = gone + sorted(row[key] for row in added)
    for chunk in _chunks(stale, CHUNK):
        session.execute(sa.delete(model).where(pk.in_(chunk)))
    if changed:
        session.execute(
            table.update().where(pk == sa.bindparam("_key")).values(
                {name: sa.bindparam(name) for name in (*fields, "computed_at")}),
            [{**row, "_key": row[key]} for row in changed])
        _expire(session, model, {row[key] for row in changed})
    if added:
        session.execute(sa.insert(model), added)
    return len(changed) + len(added) + len(gone)


def _expire(session: so.Session, model: type, keys: set) -> None:
    """Rows of ``model`` the session holds and a Core UPDATE changed: read them again."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and sa.inspect(obj).identity[0] in keys:
            session.expire(obj)


def refresh(candidate_ids: Iterable[int], batch_size: int = CHUNK) -> int:
    """Value these candidates again and replace their stored rows; the number of stages."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return 0
    db.session.flush()
    return sum(_refresh_chunk(chunk) for chunk in _chunks(ids, batch_size))


def _candidates_with_stages(where: sa.ColumnElement | None, batch_size: int
                            ) -> Iterator[list[int]]:
    """Candidate ids with stages (matching ``where``), batch by batch, keyset-paged in SQL."""
    last = 0
    while True:
        stmt = sa.select(Stage.candidate_id).distinct().where(Stage.candidate_id > last)
        if where is not None:
            stmt = stmt.where(where)
        chunk = list(db.session.scalars(stmt.order_by(Stage.candidate_id).limit(batch_size)))
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def refresh_providers(provider_ids: Iterable[int], batch_size: int = CHUNK) -> int:
    """Refresh everyone with a stage at these providers (a contract of theirs changed)."""
    ids = sorted(set(provider_ids))
    if not ids:
        return 0
    db.session.flush()
    return sum(_refresh_chunk(chunk) for chunk in
               _candidates_with_stages(Stage.provider_id.in_(ids), batch_size))


def refresh_all(batch_size: int = CHUNK) -> int:
    """Rebuild every stored value, ``batch_size`` candidates at a time; the number of stages."""
    db.session.flush()
    _take_pending(db.session)
    total = sum(_refresh_chunk(chunk) for chunk in _candidates_with_stages(None, batch_size))
    orphans = sa.select(Stage.candidate_id)
    db.session.execute(sa.delete(StageValue).where(StageValue.candidate_id.not_in(orphans)))
    return total


# ------------------------------------------------------------------ keeping them current


def _take_pending(session: so.Session) -> tuple[set[int], set[int], set[int], set[int]]:
    session.info.pop(PENDING_BEFORE, None)
    return (session.info.pop(PENDING, set()), session.info.pop(PENDING_PROVIDERS, set()),
            session.info.pop(PENDING_CONTRACTS, set()), session.info.pop(PENDING_STAGES, set()))


def settle(session: so.Session | None = None) -> None:
    """Refresh whoever a change of this transaction affects (called before commit and by the
    readers, so a page in the same transaction sees its own changes)."""
    session = session or db.session
    for _round in range(5):  # a refresh changes no watched object; once is the rule
        session.flush()
        before = session.info.get(PENDING_BEFORE, {})
        candidates, providers, contracts, stages = _take_pending(session)
        if not (candidates or providers or contracts or stages):
            return
        if contracts:
            candidates |= crediting(contracts - providers_of(providers), before)
        if stages:
            candidates |= set(session.scalars(
                sa.select(Stage.candidate_id).where(Stage.id.in_(sorted(stages)))))
        if providers:
            refresh_providers(providers)
        refresh(candidates)


def providers_of(provider_ids: set[int]) -> set[int]:
    """The contracts of these providers (refreshed whole already)."""
    from trajectory.valuation.models import Contract

    if not provider_ids:
        return set()
    return set(db.session.scalars(
        sa.select(Contract.id).where(Contract.provider_id.in_(sorted(provider_ids)))))


def crediting(contract_ids: set[int], before: dict[int, Period | None] | None = None
              ) -> set[int]:
    """The candidates whose values a change of these contracts' periods or client can change.

    The engine credits a stage to the first of its provider's contracts (in the adapter's
    order) that covers its start, else the first it overlaps, else the first (T1); the
    open end, the edition, an additional project and the ledger line follow the first that
    covers the start. Of that contract the valuation reads only whether the stage's days
    (and start) lie inside it, and the open end its end: nothing of any other contract.
    So a person is refreshed when one of their stages is credited to a changed contract
    before (the stored ``contract_id`` or ``line_contract_id``) or after (the rule again,
    on the new periods); unless that stage is credited to it both times, has an end and
    lies inside the contract's old base period (``before``, from the flush) and its new
    periods, so that nothing it reads changed. A change of the edition, the provider, a
    new or a deleted contract refreshes the whole provider instead (a person is valued
    under the editions of all their contracts)."""
    if not contract_ids:
        return set()
    before = before or {}
    changed = {c.id: c for c in _contracts_for_ids(contract_ids)}
    affected: set[int] = set()
    for provider_id in sorted({c.provider_id for c in changed.values()}):
        contracts = _contracts_for({provider_id})
        periods = {c.id: contract_periods(c) for c in contracts}
        orders: dict[tuple, list] = {}  # the contract order per municipality and region
        for row in db.session.execute(
                sa.select(Stage.candidate_id,
                          sa.func.coalesce(Stage.actual_start, Stage.planned_start),
                          sa.func.coalesce(Stage.actual_end, Stage.planned_end),
                          StageValue.contract_id, StageValue.line_contract_id,
                          StageValue.stage_id, Candidate.municipality_id,
                          Organisation.region_id)
                .join(Candidate, Candidate.id == Stage.candidate_id)
                .outerjoin(Organisation, Organisation.id == Candidate.municipality_id)
                .outerjoin(StageValue, StageValue.stage_id == Stage.id)
                .where(Stage.provider_id == provider_id)):
            if row[0] not in affected and _touches(row, contracts, periods, changed, before,
                                                   orders):
                affected.add(row[0])
    return affected


def _touches(row: sa.Row, contracts: list, periods: dict, changed: dict,
             before: dict[int, Period | None], orders: dict[tuple, list]) -> bool:
    """Whether a change of ``changed`` can change this stage's value (see ``crediting``)."""
    _candidate, start, end, credited, listed, stored, municipality, region = row
    if stored is None or start is None or (end is not None and end < start):
        return True
    if (municipality, region) not in orders:
        whom = _Whom(municipality, _Place(region) if municipality is not None else None)
        orders[(municipality, region)] = [periods[c.id]
                                          for c in contracts_in_order(whom, contracts)]
    ordered = orders[(municipality, region)]
    first_covering = next((p for p in ordered if p.covers(start)), None)
    step = _Step(ordered[0].provider, Period(start, end or (
        max(p.end for p in first_covering.periods) if first_covering else open_end(start))))
    now = _contract_of(step, ordered)
    ids = {credited, listed, now.id if now else None,
           first_covering.id if first_covering else None}
    ids = {None if i is None else int(i) for i in ids}
    if not ids & set(changed):
        return False
    if end is None or len(ids - {None}) > 1 or credited is None:
        return True
    (contract_id,) = ids - {None}
    old = before.get(contract_id)
    days = Period(start, end)
    return old is None or not (old.start <= start and end <= old.end
                               and _intersect((days,), periods[contract_id].days) == (days,))
@dataclass(frozen=True)
class _Place:
    region_id: int | None


@dataclass(frozen=True)
class _Whom:
    """What ``contracts_in_order`` reads of a candidate."""

    municipality_id: int | None
    municipality: _Place | None


@dataclass(frozen=True)
class _Step:
    """What the engine's contract rule reads of a step: its provider and days."""

    provider: str
    stage: Period


def _contracts_for_ids(contract_ids: set[int]) -> list:
    from trajectory.valuation.models import Contract

    return list(db.session.scalars(
        sa.select(Contract).where(Contract.id.in_(sorted(contract_ids)))
        .options(so.selectinload(Contract.extensions), so.lazyload("*"))))


CANDIDATE_FACTS = ("date_of_birth", "statushouder", "doelgroepregister", "municipality_id")
# A change of these refreshes the candidates the contract credits (``crediting``), of the
# others everyone at the provider.
CONTRACT_PERIOD_FACTS = ("start", "end", "client_id")
CONTRACT_WIDE_FACTS = ("rulebook", "provider_id")
CONTRACT_FACTS = (*CONTRACT_PERIOD_FACTS, *CONTRACT_WIDE_FACTS)


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names
               if name in state.attrs)


def _old(obj: Any, name: str) -> Any:
    history = sa.inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else None


def _old_period(contract: Any) -> Period | None:
    """A contract's base period before this flush, or None when an old value was not loaded
    (an attribute set without reading it first keeps no history)."""
    ends = []
    for name in ("start", "end"):
        history = sa.inspect(contract).attrs[name].history
        if history.deleted:
            ends.append(history.deleted[0])
        elif history.added:
            return None
        else:
            ends.append(getattr(contract, name))
    return Period(*ends) if None not in ends and ends[0] <= ends[1] else None


def _collect(session: so.Session, _context: Any) -> None:
    """``after_flush``: note who the flushed changes affect (see the module doc)."""
    from trajectory.candidates.models import BenefitPeriod, Candidate
    from trajectory.organisations.models import Organisation
    from trajectory.valuation.models import Claim, ClaimKind, Contract, Extension

    candidates: set[int] = session.info.setdefault(PENDING, set())
    providers: set[int] = session.info.setdefault(PENDING_PROVIDERS, set())
    contracts: set[int] = session.info.setdefault(PENDING_CONTRACTS, set())
    stages: set[int] = session.info.setdefault(PENDING_STAGES, set())
    before: dict[int, Period | None] = session.info.setdefault(PENDING_BEFORE, {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Stage | BenefitPeriod):
            if obj.candidate_id is not None:
                candidates.add(obj.candidate_id)
            if isinstance(obj, Stage) and _old(obj, "candidate_id"):
                candidates.add(_old(obj, "candidate_id"))
        elif isinstance(obj, Candidate):
            if obj in session.dirty and _changed(obj, CANDIDATE_FACTS):
                candidates.add(obj.id)
        elif isinstance(obj, Claim):
            if obj.kind is ClaimKind.LABOUR or _old(obj, "kind") is ClaimKind.LABOUR:
                for stage_id in (obj.stage_id, _old(obj, "stage_id")):
                    if stage_id is not None:
                        stages.add(stage_id)
        elif isinstance(obj, Contract):
            if obj in session.dirty and not _changed(obj, CONTRACT_FACTS):
                continue
            if obj in session.dirty and not _changed(obj, CONTRACT_WIDE_FACTS):
                if obj.id not in contracts:  # the period the stored rows were valued with
                    before[obj.id] = _old_period(obj)
                contracts.add(obj.id)
                continue
            for provider_id in (obj.provider_id, _old(obj, "provider_id")):
                if provider_id is not None:
                    providers.add(provider_id)
        elif isinstance(obj, Extension):
            for contract_id in (obj.contract_id, _old(obj, "contract_id")):
                if contract_id is not None:
                    contracts.add(contract_id)
                    before[contract_id] = None  # its periods before are not known here
        elif isinstance(obj, Organisation) and obj in session.dirty \
                and _changed(obj, ("name",)):
            providers.add(obj.id)


def _before_commit(session: so.Session) -> None:
    if any(session.info.get(key) for key in (PENDING, PENDING_PROVIDERS, PENDING_CONTRACTS,
                                             PENDING_STAGES)) or session.new or session.dirty \
            or session.deleted:
        settle(session)


def install() -> None:
    """Listen to every session (once): collect after a flush, settle before a commit."""
    install_session_hooks(_collect, _before_commit)
