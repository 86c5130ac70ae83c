"""The generated region (trajectory.demo.generator): deterministic for a seed, rows as the
services write them, visible to every demo account, pages open on it, bad CLI input exits 2."""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND, base_config, login
from trajectory import create_app
from trajectory.auth.models import User
from trajectory.candidates.models import (
    BenefitPeriod,
    BuddyAssignment,
    Candidate,
    Plan,
    PlanVersion,
)
from trajectory.candidates.scope import candidate_scope
from trajectory.cohorts.models import CohortCandidate
from trajectory.contacts.models import ContactLog
from trajectory.demo.generator import GeneratorError, check_count, generate
from trajectory.extensions import db
from trajectory.stages.models import Stage, StageStatus, StageValue
from trajectory.valuation.models import (
    EVIDENCE_EMPLOYMENT,
    Claim,
    ClaimKind,
    ClaimStatus,
    Contract,
)

# What two runs must agree on: every table the generator writes, bar stored values'
# timestamps (and accounts, whose session tokens are random by design).
DIGEST_TABLES = ("candidate", "candidate_benefit_period", "plan", "plan_goal", "plan_goal_step",
                 "plan_barrier", "plan_training", "plan_version", "buddy_assignment",
                 "ladder_measurement", "zrm_score", "stage", "contact_log", "cohort",
                 "cohort_municipality", "cohort_provider", "cohort_candidate",
                 "cohort_agreement", "cohort_evaluation", "stage_value")
# Columns that hold the moment of writing or a random file name, not generated data.
SKIP_COLUMNS = {"computed_at", "stored_name"}


def digest() -> str:
    sha = hashlib.sha256()
    for name in DIGEST_TABLES:
        table = db.metadata.tables[name]
        columns = [c for c in table.c if c.name not in SKIP_COLUMNS]
        key = table.c.id if "id" in table.c else table.c.stage_id
        for row in db.session.execute(sa.select(*columns).order_by(key)):
            sha.update(repr(tuple(row)).encode())
    claims = db.metadata.tables["sroi_claim"]
    labour = sa.select(claims.c.stage_id, claims.c.status, claims.c.period_start,
                       claims.c.period_end, claims.c.approved_value).where(
        claims.c.kind == "arbeid").order_by(claims.c.id)
    for row in db.session.execute(labour):
        sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


@pytest.mark.skipif(BACKEND == "postgres", reason="two SQLite files from the world template")
def test_same_seed_same_rows_in_two_fresh_databases(world_template, tmp_path):
    digests = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        path = tmp_path / f"{name}.sqlite"
        shutil.copyfile(world_template, path)
        app = create_app(base_config(f"sqlite:///{path}"))
        with app.app_context():
            counts = generate(40, seed)
            db.session.commit()
            assert counts["candidate"] == 40
            digests.append(digest())
            db.session.remove()
            db.engine.dispose()
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_rows_keep_the_invariants_of_the_services(app, world):
    counts = generate(150, seed=3)
    db.session.commit()
    assert counts["candidate"] == 150 and counts["plan"] == 150
    for table in ("stage", "contact_log", "plan_version", "buddy_assignment", "plan_goal",
                  "plan_barrier", "ladder_measurement", "candidate_benefit_period"):
        assert counts[table] > 0, table
    assert counts["contact_log"] >= 5 * 150  # about ten per candidate with a buddy
    candidates = db.session.scalars(sa.select(Candidate)).all()
    assert len({c.bsn for c in candidates if c.bsn}) == sum(1 for c in candidates if c.bsn)
    for candidate in candidates:
        periods = candidate.benefit_periods
        if periods:  # the mirror is the latest period; periods never overlap
            assert (candidate.benefit, candidate.benefit_since) == (periods[-1].benefit,
                                                                    periods[-1].start)
            for earlier, later in zip(periods, periods[1:], strict=False):
                assert earlier.end is not None and earlier.end < later.start
        spans = candidate.assignments
        for earlier, later in zip(spans, spans[1:], strict=False):
            assert earlier.end_date is not None and earlier.end_date < later.start_date
        plan = candidate.plan
        assert plan is not None
        assert plan.current_number == len(plan.versions)
        if plan.versions:
            latest = plan.versions[-1].snapshot
            assert [g["id"] for g in latest["goals"]] == [g.id for g in plan.goals]
            assert latest["wishes"] == plan.wishes
        if plan.agreed_number:
            assert plan.agreed_version.agreed_on is not None
    # Contacts only by a buddy of the day, never in the future.
    for entry in db.session.scalars(sa.select(ContactLog)):
        assert any(a.buddy_id == entry.buddy_id and a.is_active_on(entry.contact_on)
                   for a in entry.candidate.assignments)
    statuses = set(db.session.scalars(sa.select(Stage.status)))
    assert {StageStatus.VOORGESTELD, StageStatus.LOPEND, StageStatus.AFGEROND} <= statuses
    # The app's own inserts continue after the generated ids (PostgreSQL sequences).
    db.session.add(BenefitPeriod(candidate_id=candidates[0].id, benefit="ww",
                                 start=candidates[0].date_of_birth.replace(year=2001)))
    db.session.flush()
    db.session.rollback()


def test_cohorts_contracts_claims_and_labour_lines(app, world):
    counts = generate(400, seed=4)
    db.session.commit()
    assert counts["sroi_contract"] >= 3 and counts["cohort"] >= 5
    sizes = db.session.execute(sa.select(CohortCandidate.cohort_id, sa.func.count())
                               .group_by(CohortCandidate.cohort_id)).all()
    assert {size for _cohort, size in sizes} <= {5, 6}
    generated = sa.select(Contract.id).where(Contract.reference.like("GEN-%"))
    statuses = set(db.session.scalars(sa.select(Claim.status).where(
        Claim.contract_id.in_(generated))))
    assert statuses == set(ClaimStatus)
    labour = db.session.scalars(sa.select(Claim).where(Claim.kind == ClaimKind.LABOUR,
                                                       Claim.contract_id.in_(generated))).all()
    assert {c.status for c in labour} >= {ClaimStatus.CONCEPT, ClaimStatus.SUBMITTED,
                                          ClaimStatus.APPROVED, ClaimStatus.REJECTED}
    for claim in labour:
        stored = db.session.get(StageValue, claim.stage_id)
        assert claim.stage.provider_id == claim.contract.provider_id
        assert stored.contract_id == claim.contract_id
        if claim.status is ClaimStatus.APPROVED:  # the whole stage, frozen at its value
            assert claim.approved_value == stored.value and claim.approved_explain
        if claim.status is not ClaimStatus.CONCEPT:  # submitted with its evidence
            assert EVIDENCE_EMPLOYMENT in {e.kind for e in claim.evidence}


def test_the_adviser_and_coordinator_pages_open_on_a_generated_region(app, world, client_for):
    generate(200, seed=6)
    db.session.commit()
    contract = db.session.scalar(sa.select(Contract).where(Contract.reference.like("GEN-%"))
                                 .order_by(Contract.id))
    adviser = client_for("adviseur")
    for page in ("/", f"/sroi/contracten/{contract.id}"):
        assert adviser.get(page).status_code == 200, page
    coordinator = client_for("coordinator")
    cohort_id = db.session.scalar(sa.select(CohortCandidate.cohort_id).limit(1))
    for page in ("/", f"/cohorten/{cohort_id}"):
        assert coordinator.get(page).status_code == 200, page


def test_a_second_run_adds_to_the_first(app, world):
    generate(20, seed=1)
    db.session.commit()
    generate(20, seed=1)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 40
    assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 40
    versions = db.session.execute(sa.select(PlanVersion.plan_id, PlanVersion.number)).all()
    assert len(versions) == len(set(versions))


@pytest.mark.parametrize("username", ["klantmanager", "klantmanager2", "intaker", "intaker2",
                                      "buddy", "coordinator", "m.devos", "h.meijer",
                                      "l.vandijke", "t.wisse"])
def test_every_demo_account_sees_a_caseload(app, world, username):
    generate(300, seed=5)
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(User.username == username))
    with app.test_request_context():
        seen = db.session.scalar(sa.select(sa.func.count(Candidate.id))
                                 .where(candidate_scope(user)))
    assert seen >= 5, f"{username} sees {seen} generated candidates"


def test_pages_open_for_a_generated_candidate(app, world, client):
    generate(120, seed=2)
    db.session.commit()
    klantmanager = db.session.scalar(sa.select(User).where(User.username == "klantmanager"))
    candidate = db.session.scalar(
        sa.select(Candidate).join(Stage, Stage.candidate_id == Candidate.id)
        .join(BuddyAssignment, BuddyAssignment.candidate_id == Candidate.id)
        .where(Candidate.klantmanager_id == klantmanager.id).order_by(Candidate.id).limit(1))
    stage_ids = list(db.session.scalars(sa.select(Stage.id).where(
        Stage.candidate_id == candidate.id)))
    assert login(client, "klantmanager").status_code == 302
    base = f"/kandidaten/{candidate.id}"
    pages = [base, f"{base}/plan", f"{base}/plan/versies", f"{base}/contacten",
             f"{base}/geschiedenis", "/kandidaten", "/", *(f"/trajecten/{s}" for s in stage_ids)]
    if candidate.plan.current_number:
        pages.append(f"{base}/plan/versies/1")
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page


def test_pages_open_for_the_buddy_and_intaker(app, world, client_for):
    generate(120, seed=2)
    db.session.commit()
    seen = defaultdict(list)
    for username in ("buddy", "intaker", "coordinator"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        with app.test_request_context():
            seen[username] = list(db.session.scalars(
                sa.select(Candidate.id).where(candidate_scope(user)).order_by(Candidate.id)
                .limit(2)))
        client = client_for(username)
        for candidate_id in seen[username]:
            assert client.get(f"/kandidaten/{candidate_id}").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/kandidaten").status_code == 200


@pytest.mark.parametrize("value", ["0", "-3", "abc", "1.5", "2000000", ""])
def test_bad_counts_are_refused(value):
    with pytest.raises(GeneratorError):
        check_count(value)


@pytest.mark.parametrize("args", [["--candidates", "0"], ["--candidates", "veel"],
                                  ["--candidates", "5000000"], ["--candidates", "5",
                                                                "--seed", "x"]])
def test_cli_bad_input_exits_2_with_one_dutch_line(app, args):
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fout: ")
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == 0


@pytest.mark.skipif(BACKEND != "postgres", reason="the planner statistics of PostgreSQL")
def test_cli_leaves_the_planner_statistics_fresh_on_postgresql(app):
    """After the bulk load the planner knows how large the tables are (ANALYZE): without
    that it takes them for nearly empty and scans a large region whole for six people."""
    assert app.test_cli_runner().invoke(args=["demo", "--candidates", "6"]).exit_code == 0
    db.session.commit()
    people = db.session.scalar(sa.select(sa.func.count(Candidate.id)))
    estimate = db.session.scalar(sa.text(
        "SELECT reltuples FROM pg_class WHERE relname = 'candidate'"))
    assert estimate == people


def test_cli_loads_the_demo_first_then_adds(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--candidates", "6"])
    assert first.exit_code == 0, first.output
    assert "Demogegevens geladen" in first.output and "Klaar: 6 kandidaten" in first.output
    demo_and_six = db.session.scalar(sa.select(sa.func.count(Candidate.id)))
    second = runner.invoke(args=["demo", "--candidates", "4", "--seed", "9"])
    assert second.exit_code == 0, second.output
    assert "Demogegevens geladen" not in second.output
    assert db.session.scalar(sa.select(sa.func.count(Candidate.id))) == demo_and_six + 4
    # Without --candidates a full database is still refused, and --if-empty still succeeds.
    assert runner.invoke(args=["demo"]).exit_code == 2
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0 and "niet opnieuw geladen" in skipped.output
