"""Stored stage values (trajectory.stages.stored_values): what is stored equals a fresh
valuation of every person (the demo, a generated region), a changed fact changes the
stored rows in the same transaction, the ledger's figures are the engine's, and the
euro pages cost the same number of queries at two sizes of the region."""

from __future__ import annotations

import traceback
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.candidates.support import replace_benefits
from tests.conftest import BACKEND, CsrfClient, base_config, login
from tests.scale_support import demo_regions
from tests.stages.conftest import P2, P3, days, goes_candidate, make_stage
from tests.valuation.web.sample import make_contract
from trajectory import create_app
from trajectory.audit.trail import Actor, acting_as
from trajectory.candidates.models import Benefit
from trajectory.extensions import db
from trajectory.stages import stored_values
from trajectory.stages.models import Stage, StageClaimValue, StageKind, StageStatus, StageValue
from trajectory.stages.valuation import people
from trajectory.timeutil import today

# ------------------------------------------------------------------ helpers


def _stored() -> dict[int, StageValue]:
    db.session.expire_all()
    return {row.stage_id: row for row in db.session.scalars(sa.select(StageValue))}


def assert_stored_equals_fresh() -> int:
    """Every stage's stored value is what ``people()`` gives now; the number of stages."""
    from trajectory.labour import lines

    ids = list(db.session.scalars(sa.select(Stage.candidate_id).distinct()))
    stored = _stored()
    persons = people(ids)
    again = stored_values.stored_people(ids)
    count = 0
    for candidate_id, person in persons.items():
        for stage_id in person.stages:
            fresh, row = person.values[stage_id], stored[stage_id]
            assert (row.value, tuple(row.explain), row.reason, tuple(row.flags),
                    row.contract_id) == (fresh.value, fresh.explain, fresh.reason, fresh.flags,
                                         fresh.contract_id), stage_id
            assert row.valued_end == person.ends.get(stage_id)
            back = again[candidate_id]
            stage = person.stages[stage_id]
            for start, end in ((None, None), (stage.start, stage.start + timedelta(days=40)),
                               (stage.start + timedelta(days=17), None)):
                assert back.part(stage_id, start, end) == person.part(stage_id, start, end)
            count += 1
    assert set(stored) == {sid for p in persons.values() for sid in p.stages}
    # The ledger's lines: the stored ones are the engine's, line for line.
    from trajectory.valuation.ledger import ledger_query, ledgers

    contracts = db.session.scalars(ledger_query()).unique().all()
    live, kept = lines.live_labour_lines(contracts), lines.labour_lines(contracts)
    for contract in contracts:
        assert [_line(x) for x in kept.get(contract.id, [])] == \
            [_line(x) for x in live.get(contract.id, [])], contract.reference
    # The sums in SQL are the lines' sums.
    for full, summed in zip(ledgers(contracts), ledgers(contracts, lines=False), strict=True):
        assert (full.totals, full.blocks, full.years) == \
            (summed.totals, summed.blocks, summed.years), full.contract.reference
    return count


def _line(line) -> tuple:
    return (line.description, line.person, line.start, line.end, line.status, line.year,
            line.value, line.valuation.explain if line.valuation else None, line.approved_value,
            line.delivered_by, line.flags, line.claim.id if line.claim else None, line.stage_id)


def _cohort_items_equal_fresh() -> int:
    from trajectory.cohorts import euros
    from trajectory.labour.lines import labour_claims

    ids = sorted(set(db.session.scalars(sa.select(Stage.candidate_id))))
    on = today()
    stored = euros.ledger_items(ids, on)
    persons, claims = people(ids), labour_claims(ids)
    count = 0
    for candidate_id, person in persons.items():
        fresh = [item for stage_id in sorted(person.stages)
                 for item in euros.stage_items(person, stage_id, claims.get(stage_id, []), on)]
        assert stored[candidate_id] == fresh, candidate_id
        count += len(fresh)
    return count


# ------------------------------------------------------------------ the demo, a region


def test_the_demo_stores_what_a_fresh_valuation_gives(app):
    from trajectory.demo.data import load_demo

    with app.test_request_context(), acting_as(Actor(None, "demo", None)):
        load_demo()
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StageClaimValue)) > 0
        assert assert_stored_equals_fresh() > 10
        assert _cohort_items_equal_fresh() > 0


def test_a_generated_region_stores_what_a_fresh_valuation_gives(app):
    from trajectory.demo.data import load_demo
    from trajectory.demo.generator import generate

    with app.test_request_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
            db.session.commit()
        generate(120, seed=5)  # bulk inserts, then refresh_all
        db.session.commit()
        assert assert_stored_equals_fresh() > 150
        assert _cohort_items_equal_fresh() > 0


def test_refresh_all_rebuilds_rows_removed_or_spoilt(app, world):
    with app.test_request_context():
        candidate = goes_candidate(world)
        stage = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS,
                           StageStatus.AFGEROND, start=date(2026, 3, 15), end=date(2026, 6, 14))
        db.session.commit()
        db.session.execute(sa.update(StageValue).values(value=Decimal("1.00")))
        db.session.commit()
        assert _stored()[stage.id].value == Decimal("1.00")
        assert stored_values.refresh_all(batch_size=1) >= 1
        db.session.commit()
        assert _stored()[stage.id].value == Decimal("2250.00")


def test_the_refresh_command(app, world):
    result = app.test_cli_runner().invoke(args=["sroi", "refresh", "--batch-size", "0"])
    assert result.exit_code == 2
    result = app.test_cli_runner().invoke(args=["sroi", "refresh"])
    assert result.exit_code == 0 and "opnieuw gewaardeerd" in result.output


# ------------------------------------------------------------------ a fact changes


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_a_changed_stage_fact_changes_the_stored_value(ctx, world):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                       start=date(2026, 3, 15), end=date(2026, 6, 14))
    db.session.commit()
    assert _stored()[stage.id].value == Decimal("2250.00")
    stage.actual_end = date(2026, 4, 14)  # one month instead of three
    db.session.commit()
    assert _stored()[stage.id].value == Decimal("750.00")
    assert_stored_equals_fresh()
    # Without a commit, a reader in the same transaction sees it too (settle first).
    stage.actual_end = date(2026, 5, 14)
    db.session.flush()
    person = stored_values.stored_people([candidate.id])[candidate.id]
    assert person.value(stage.id).value == Decimal("1500.00")
    db.session.rollback()


def test_a_new_stage_changes_the_other_stages_of_the_person(ctx, world):
    """Values are the person's together: another provider's werkervaringsplaats recorded
    first takes three months of a job recorded later (tests/stages/test_valuation.py)."""
    candidate = goes_candidate(world, date_of_birth=date(1970, 1, 1))
    replace_benefits(world, candidate, (Benefit.PARTICIPATIEWET, date(2020, 1, 1), None))
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.GEPLAND,
                     start=date(2025, 4, 1), end=date(2025, 6, 30))
    wep.status = StageStatus.AFGEWEZEN  # declined for now: takes no part
    db.session.commit()
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=date(2025, 1, 1), end=date(2025, 12, 31), hours_per_week=Decimal(36))
    db.session.commit()
    assert _stored()[job.id].value == Decimal("45000.00") and not _stored()[job.id].flags
    wep.status = StageStatus.AFGEROND  # the other stage's fact changes: the job's row too
    db.session.commit()
    assert _stored()[job.id].value == Decimal("35000.00") and _stored()[job.id].flags
    assert _stored()[wep.id].value == Decimal("2250.00")
    assert_stored_equals_fresh()


def test_a_changed_benefit_history_changes_the_stored_value(ctx, world):
    candidate = goes_candidate(world)
    job = make_stage(world, candidate, P2, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=days(-10), permanent=True)
    db.session.commit()
    before = _stored()[job.id]
    before = (before.value, list(before.explain))  # the row is updated in place
    replace_benefits(world, candidate, (Benefit.WW, today() - timedelta(days=400), None))
    after = _stored()[job.id]
    assert (after.value, after.explain) != before
    assert_stored_equals_fresh()


def test_a_changed_contract_period_changes_the_stored_values(ctx, world):
    contract = make_contract(world, provider=P2, start=date(2026, 1, 1),
                             end=date(2026, 12, 31), reference="SV-001")
    candidate = goes_candidate(world)
    job = make_stage(world, candidate, P2, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=date(2026, 3, 1), permanent=True)
    db.session.commit()
    row = _stored()[job.id]
    assert row.contract_id == contract.id and row.line_contract_id == contract.id
    assert row.valued_end == date(2026, 12, 31)  # open-ended: up to the contract's end
    contract.end = date(2027, 6, 30)
    db.session.commit()
    row = _stored()[job.id]
    assert row.valued_end == date(2027, 6, 30)
    contract.provider_id = world.org(P3).id  # another provider's contract now
    db.session.commit()
    assert _stored()[job.id].contract_id is None
    assert_stored_equals_fresh()


def test_a_contract_edit_refreshes_only_whom_it_credits(app, monkeypatch):
    """A contract's period or client refreshes the people it credits before or after, not
    its whole provider (``stored_values.crediting``), writes only rows that changed, and
    leaves every stored row equal to a fresh valuation."""
    from trajectory.demo.data import load_demo
    from trajectory.demo.generator import generate
    from trajectory.valuation.models import Contract, Extension

    refreshed: list[int] = []
    written: list[int] = []
    chunk, write = stored_values._refresh_chunk, stored_values._write

    def counting_chunk(ids):
        refreshed.extend(ids)
        return chunk(ids)

    def counting_write(*args):
        written.append(write(*args))
        return written[-1]

    with app.test_request_context():
        with acting_as(Actor(None, "demo", None)):
            load_demo()
            db.session.commit()
        generate(120, seed=7)
        db.session.commit()
        provider_id, people_there = db.session.execute(
            sa.select(Stage.provider_id, sa.func.count(sa.distinct(Stage.candidate_id)))
            .group_by(Stage.provider_id)
            .order_by(sa.func.count(sa.distinct(Stage.candidate_id)).desc())).first()
        contracts = db.session.scalars(sa.select(Contract).where(
            Contract.provider_id == provider_id).order_by(Contract.id)).all()
        assert len(contracts) >= 2
        monkeypatch.setattr(stored_values, "_refresh_chunk", counting_chunk)
        monkeypatch.setattr(stored_values, "_write", counting_write)
        clients = [c.client_id for c in contracts]
        edits = [(c, field, shift) for c in contracts
                 for field, shift in (("end", -200), ("end", 1), ("start", 90),
                                      ("start", -400))]
        fewer = 0
        for contract, field, shift in edits:
            refreshed.clear()
            setattr(contract, field, getattr(contract, field) + timedelta(days=shift))
            db.session.commit()
            fewer += len(set(refreshed)) < people_there
            assert_stored_equals_fresh()
        assert fewer > 0  # some edit refreshed only part of the provider
        written.clear()
        stored_values.refresh_providers({provider_id})  # nothing left to correct
        assert sum(written) == 0
        # The client (the order of the contracts) and an extension.
        contracts[0].client_id = clients[-1]
        contracts[-1].client_id = clients[0]
        db.session.commit()
        assert_stored_equals_fresh()
        last = contracts[-1]
        db.session.add(Extension(contract=last, start=last.end + timedelta(days=1),
                                 end=last.end + timedelta(days=400), exercised=True))
        db.session.commit()
        assert_stored_equals_fresh()
        written.clear()
        db.session.execute(sa.update(Contract).where(Contract.id == last.id)
                           .values(reference=last.reference))  # no fact: nothing to do
        stored_values.refresh_providers({provider_id})
        assert sum(written) == 0


def test_a_labour_claim_takes_its_part_out_of_the_forecast(ctx, world):
    from trajectory.labour import services as labour
    from trajectory.valuation.ledger import contract_ledger

    contract = make_contract(world, provider=P2, start=date(2024, 1, 1), reference="SV-002")
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                       start=date(2026, 3, 15), end=date(2026, 6, 14))
    db.session.commit()
    assert _stored()[stage.id].forecast_value == Decimal("2250.00")
    claim = labour.create_labour_claim(contract, labour.LabourClaimData(
        stage, date(2026, 3, 15), date(2026, 4, 14)), world.user("intaker"))
    db.session.commit()
    row = _stored()[stage.id]
    assert row.forecast_value == Decimal("1500.00") and row.forecast_note
    part = db.session.get(StageClaimValue, claim.id)
    assert part.value == Decimal("750.00") and part.contract_id == contract.id
    ledger = contract_ledger(contract)
    assert ledger.blocks["labour"].concept == Decimal("750.00")
    assert ledger.blocks["labour"].planned == Decimal("1500.00")
    assert_stored_equals_fresh()
    db.session.delete(claim)
    db.session.commit()
    assert _stored()[stage.id].forecast_value == Decimal("2250.00")


# ------------------------------------------------------------------ query counts


SMALL, LARGE = 60, 300


@pytest.fixture(scope="module")
def sized(database_template, tmp_path_factory) -> dict[int, str]:
    """The demo with a generated region of SMALL and of LARGE candidates."""
    if BACKEND == "postgres":
        pytest.skip("query counts are measured on SQLite (the same statements)")
    return demo_regions(database_template, tmp_path_factory.mktemp("stored"), (SMALL, LARGE))


def _pages(uri: str) -> dict[str, tuple[str, ...]]:
    """The euro pages: the first contract of the busiest provider, that provider, the
    region, the homes that show euros, the first demo cohort."""
    from trajectory.cohorts.models import Cohort
    from trajectory.valuation.models import Contract

    app = create_app(base_config(uri))
    with app.app_context():
        provider = db.session.scalar(
            sa.select(Contract.provider_id).join(Stage, Stage.provider_id == Contract.provider_id)
            .group_by(Contract.provider_id).order_by(sa.func.count(Stage.id).desc(),
                                                     Contract.provider_id).limit(1))
        contract = db.session.scalar(sa.select(Contract.id).where(Contract.provider_id == provider)
                                     .order_by(Contract.id).limit(1))
        cohort = db.session.scalar(sa.select(sa.func.min(Cohort.id)))
        db.engine.dispose()
    return {"adviseur": ("/", "/sroi/", f"/sroi/aanbieders/{provider}",
                         f"/sroi/contracten/{contract}"),
            "coordinator": ("/", "/sroi/", f"/cohorten/{cohort}"),
            "intaker": ("/sroi/",)}


def _measure(uri: str, username: str, pages: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per page: (status, the page's queries). Not counted: what the audit trail writes
    about the people a page happens to show (trajectory.audit: its own tests count it)."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            return
        if any("trajectory/audit/" in frame.filename for frame in traceback.extract_stack()):
            return
        statements.append(statement)

    app = create_app(base_config(uri))
    app.test_client_class = CsrfClient
    result = {}
    with app.app_context():
        client = app.test_client()
        assert login(client, username).status_code == 302
        engine = db.engine
        for url in pages:
            client.get(url)  # warm
            statements.clear()
            sa.event.listen(engine, "before_cursor_execute", before)
            try:
                status = client.get(url).status_code
            finally:
                sa.event.remove(engine, "before_cursor_execute", before)
            result[url] = (status, len(statements))
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.mark.parametrize("username", ["adviseur", "coordinator", "intaker"])
def test_euro_pages_cost_the_same_queries_at_two_sizes(sized, username):
    pages = _pages(sized[SMALL])[username]
    assert _pages(sized[LARGE])[username] == pages
    small, large = _measure(sized[SMALL], username, pages), \
        _measure(sized[LARGE], username, pages)
    for url in pages:
        assert small[url][0] == large[url][0] == 200, url
    assert small == large


def test_the_larger_region_has_more_stored_values(sized):
    counts = {}
    for size, uri in sized.items():
        app = create_app(base_config(uri))
        with app.app_context():
            counts[size] = db.session.scalar(sa.select(sa.func.count()).select_from(StageValue))
            db.engine.dispose()
    assert counts[LARGE] > 3 * counts[SMALL]
