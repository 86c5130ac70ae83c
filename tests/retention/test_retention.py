"""Retention and destruction: what is due, two beheerders, and nothing of the person left.

The demo's Dirk de Jonge (Goes) left for paid work; his file has stages, approved,
rejected and concept labour claims with evidence files, a cohort seat and agreement,
plan versions and buddy assignments. Tests move his closure back eleven years.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from tests import factories
from tests.conftest import BACKEND
from tests.retention.support import ensure_demo, ledger, run, text_cells
from trajectory.audit.models import AuditEvent
from trajectory.auth.roles import Role
from trajectory.candidates.models import (
    Barrier,
    BarrierCategory,
    Candidate,
    Goal,
    GoalStep,
    Plan,
    PlanVersion,
    Solvable,
    Training,
)
from trajectory.cohorts.models import CohortAgreement, CohortCandidate
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.retention import services
from trajectory.retention.models import DestructionRecord, DestructionRequest, RequestStatus
from trajectory.stages.models import Stage
from trajectory.timeutil import today
from trajectory.valuation.evidence import evidence_dir
from trajectory.valuation.models import Claim, Evidence

CANARY = "KANARIE"


@pytest.fixture
def dirk(app):
    ensure_demo()
    candidate = db.session.scalars(sa.select(Candidate).where(
        Candidate.last_name == "Jonge")).one()
    # Closed eleven years ago: due under the default ten years. Plain SQL, as if the
    # file had simply aged (no trail row).
    db.session.execute(sa.update(Candidate).where(Candidate.id == candidate.id)
                       .values(closed_on=today() - timedelta(days=11 * 366)))
    db.session.commit()
    db.session.expire_all()
    return candidate


def _evidence_paths(candidate_id: int) -> list:
    stage_ids = sa.select(Stage.id).where(Stage.candidate_id == candidate_id)
    rows = db.session.scalars(sa.select(Evidence).join(Claim, Evidence.claim_id == Claim.id)
                              .where(Claim.stage_id.in_(stage_ids))).all()
    return [evidence_dir() / e.stored_name for e in rows]


def _one_error(result, msgid: str, **values) -> None:
    """Exit 2 with exactly the one (Dutch) line the service gives."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    with force_locale("nl"):
        assert lines[0] == f"fout: {gettext(msgid, **values)}"
    assert "Traceback" not in result.output


def _plant(candidate: Candidate) -> None:
    """A unique string in every personal field and free text of the file, through the
    models (so the audit trail holds them too); claim and evidence texts by plain SQL."""
    n = iter(range(100))

    def canary() -> str:
        return f"{CANARY}{next(n):02d}"

    c = candidate
    c.first_name, c.last_name, c.tussenvoegsel = canary(), canary(), canary()
    c.phone, c.email, c.street, c.place = canary(), f"{canary()}@voorbeeld.nl", canary(), canary()
    c.postcode, c.bsn = CANARY, f"{CANARY}99"
    c.pause_reason, c.outflow_note = canary(), canary()
    plan = db.session.scalar(sa.select(Plan).where(Plan.candidate_id == c.id))
    plan.wishes, plan.skills, plan.needs, plan.agreements = canary(), canary(), canary(), canary()
    goal = Goal(plan_id=plan.id, candidate_id=c.id, description=canary())
    plan.goals.append(goal)
    db.session.flush()
    goal.steps.append(GoalStep(candidate_id=c.id, description=canary(), who=canary()))
    plan.barriers.append(Barrier(candidate_id=c.id, category=BarrierCategory.SCHULDEN,
                                 description=canary(), solvable=Solvable.DEELS,
                                 possible_despite=canary(), taken_up_by=canary()))
    plan.trainings.append(Training(candidate_id=c.id, name=canary(), provider=canary()))
    version = db.session.scalars(sa.select(PlanVersion).where(
        PlanVersion.candidate_id == c.id)).first()
    version.summary, version.snapshot = canary(), {"wishes": canary()}
    c.measurements[0].note = canary()
    for assignment in c.assignments:
        assignment.contact_phone = canary()
    buddy = c.assignments[0].buddy_id
    db.session.add(ContactLog(candidate_id=c.id, buddy_id=buddy, contact_on=today(),
                              kind=ContactKind.GESPREK, note=canary(),
                              signal_category=SignalCategory.SCHULDEN, signal_text=canary(),
                              signal_handled_note=canary()))
    for stage in db.session.scalars(sa.select(Stage).where(Stage.candidate_id == c.id)):
        stage.note, stage.outcome_note, stage.next_step_decision = canary(), canary(), canary()
        stage.care_reason, stage.decline_reason = canary(), canary()
        if stage.actual_end:
            stage.end_reason = canary()
    for row in db.session.scalars(sa.select(CohortCandidate).where(
            CohortCandidate.candidate_id == c.id)):
        row.motivation = canary()
    for agreement in db.session.scalars(sa.select(CohortAgreement).where(
            CohortAgreement.candidate_id == c.id)):
        agreement.support = canary()
    db.session.commit()
    # Claim and evidence texts by plain SQL (no trail row; the trail's upload-time names are
    # covered by test_claim_and_evidence_audit_rows_lose_their_values).
    stage_ids = sa.select(Stage.id).where(Stage.candidate_id == c.id).scalar_subquery()
    db.session.execute(sa.update(Claim).where(Claim.stage_id.in_(stage_ids)).values(
        description=f"{CANARY}-claim", rejection_reason=sa.case(
            (Claim.rejection_reason.is_not(None), f"{CANARY}-reden"), else_=None)))
    claim_ids = sa.select(Claim.id).where(Claim.stage_id.in_(stage_ids)).scalar_subquery()
    db.session.execute(sa.update(Evidence).where(Evidence.claim_id.in_(claim_ids)).values(
        original_name=f"{CANARY}-loonstrook.pdf"))
    db.session.commit()
    db.session.expire_all()


def _where(cells) -> set[str]:
    return {table for table, _column, text in cells if CANARY in text}


# ---------------------------------------------------------------- what is due

def test_list_shows_due_files_only_and_a_hold_postpones(app, dirk):
    result = run(app, "retention", "list", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [row["candidate_id"] for row in document["due"]] == [dirk.id]
    [row] = document["due"]
    assert row["municipality"] == "Goes"
    assert row["due_on"] == services.add_years(date.fromisoformat(row["closed_on"]), 10).isoformat()
    assert "Jonge" not in result.stdout and "Dirk" not in result.stdout

    # The other closed files (closed weeks ago) fall due ten years after closure.
    closed = db.session.scalars(sa.select(Candidate).where(
        Candidate.closed_on.is_not(None), Candidate.id != dirk.id)).all()
    assert closed
    later = max(services.add_years(c.closed_on, 10) for c in closed)
    almost = run(app, "retention", "list", "--json", "--on",
                 (later - timedelta(days=1)).isoformat())
    assert len(json.loads(almost.stdout)["due"]) == len(closed)  # all but the last one + Dirk
    everything = run(app, "retention", "list", "--json", "--on", later.isoformat())
    due = {row["candidate_id"] for row in json.loads(everything.stdout)["due"]}
    assert due == {dirk.id} | {c.id for c in closed}  # open files never

    text = run(app, "retention", "list")
    assert text.exit_code == 0 and f"{dirk.id}\tGoes\t" in text.stdout

    # A legal hold keeps the file off the list until its day.
    hold_until = today() + timedelta(days=365)
    held = run(app, "retention", "hold", str(dirk.id), "--until", hold_until.isoformat(),
               "--reason", "Bezwaarzaak 2026/114", "--by", "beheer")
    assert held.exit_code == 0, held.output
    assert json.loads(run(app, "retention", "list", "--json").stdout)["due"] == []
    request = run(app, "retention", "request", str(dirk.id), "--by", "beheer")
    _one_error(request, "File %(id)d is kept until %(date)s; it cannot be destroyed yet.",
               id=dirk.id, date=hold_until.isoformat())


# ---------------------------------------------------------------- destruction

def test_two_beheerders_anonymise_the_whole_file_and_the_figures_stay(app, dirk):
    _plant(dirk)
    engine = db.engine
    before = _where(text_cells(engine))
    # The scan sees the planted strings everywhere they were put (so it can fail).
    assert {"candidate", "plan", "plan_goal", "plan_goal_step", "plan_barrier", "plan_training",
            "plan_version", "ladder_measurement", "buddy_assignment", "contact_log", "stage",
            "cohort_candidate", "cohort_agreement", "sroi_claim", "sroi_evidence",
            "audit_event"} <= before
    files = _evidence_paths(dirk.id)
    assert len(files) >= 3 and all(path.exists() for path in files)
    others = [evidence_dir() / name for name in db.session.scalars(sa.select(Evidence.stored_name))
              if evidence_dir() / name not in files]
    assert others
    figures = ledger(app)
    born = dirk.date_of_birth

    requested = run(app, "retention", "request", str(dirk.id), "--by", "beheer")
    assert requested.exit_code == 0, requested.output
    request = db.session.scalars(sa.select(DestructionRequest)).one()
    assert request.status is RequestStatus.REQUESTED
    # Nothing destroyed on the request alone.
    assert db.session.get(Candidate, dirk.id).first_name.startswith(CANARY)
    listed = json.loads(run(app, "retention", "list", "--json").stdout)["due"]
    assert listed[0]["request_id"] == request.id

    approved = run(app, "retention", "approve", str(request.id), "--by", "b.goes")
    assert approved.exit_code == 0, approved.output

    leftovers = [(t, c, text[:160]) for t, c, text in text_cells(engine) if CANARY in text]
    assert leftovers == [], leftovers
    candidate = db.session.get(Candidate, dirk.id)
    assert candidate.first_name == candidate.last_name == services.ANONYMOUS
    assert candidate.bsn is None and candidate.phone is None and candidate.street is None
    assert candidate.date_of_birth.year == born.year and candidate.date_of_birth <= born
    assert candidate.status.value == "uitgestroomd" and candidate.closed_on is not None
    assert not any(path.exists() for path in files), "evidence files of the person removed"
    assert all(path.exists() for path in others), "other people's evidence stays"
    assert _evidence_paths(dirk.id) == []
    trail = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == "Candidate", AuditEvent.subject_id == str(dirk.id))).all()
    assert trail and all(value == ["***", "***"] for row in trail
                         for value in (row.changes or {}).values())
    # The figures: claims, stage values and the ledger read the same.
    assert ledger(app) == figures
    record = db.session.scalars(sa.select(DestructionRecord)).one()
    assert (record.candidate_id, record.requested_by_name, record.approved_by_name) == (
        dirk.id, "beheer", "b.goes")
    assert record.categories["evidence_files"] == len(files)
    for category in ("personal_fields", "plan_texts", "plan_goals", "barriers", "trainings",
                     "plan_versions", "contact_notes", "stage_notes", "cohort_motivations",
                     "ladder_notes", "buddy_phone", "claim_texts", "audit_rows"):
        assert record.categories.get(category, 0) > 0, category
    db.session.refresh(request)
    assert request.status is RequestStatus.APPROVED and request.approved_by.username == "b.goes"
    # Done once: off the list, and a second request is refused.
    assert json.loads(run(app, "retention", "list", "--json").stdout)["due"] == []
    again = run(app, "retention", "request", str(dirk.id), "--by", "beheer")
    _one_error(again, "File %(id)d has already been anonymised.", id=dirk.id)
    records = json.loads(run(app, "retention", "records", "--json").stdout)["records"]
    assert [r["candidate_id"] for r in records] == [dirk.id]


def test_claim_and_evidence_audit_rows_lose_their_values(app, dirk):
    """Labour claims and their files name the candidate in the trail, so the upload-time
    file names and claim descriptions go with the rest of the person."""
    names = set(db.session.scalars(sa.select(Evidence.original_name).join(
        Claim, Evidence.claim_id == Claim.id).join(Stage, Claim.stage_id == Stage.id)
        .where(Stage.candidate_id == dirk.id)))
    assert any("jonge" in name for name in names)
    assert run(app, "retention", "request", str(dirk.id), "--by", "beheer").exit_code == 0
    request_id = db.session.scalar(sa.select(DestructionRequest.id))
    assert run(app, "retention", "approve", str(request_id), "--by", "b.goes").exit_code == 0
    leftovers = [(t, c) for t, c, text in text_cells(db.engine)
                 if any(name in text for name in names)]
    assert leftovers == []


def test_the_same_person_cannot_approve(app, dirk):
    assert run(app, "retention", "request", str(dirk.id), "--by", "beheer").exit_code == 0
    request_id = db.session.scalar(sa.select(DestructionRequest.id))
    result = run(app, "retention", "approve", str(request_id), "--by", "beheer")
    _one_error(result, "Destruction needs two people: the person who requested it cannot "
                       "approve it. Ask another beheerder.")
    candidate = db.session.get(Candidate, dirk.id)
    assert candidate.last_name == "Jonge"
    assert all(path.exists() for path in _evidence_paths(dirk.id))
    assert db.session.scalar(sa.select(sa.func.count(DestructionRecord.id))) == 0
    assert db.session.get(DestructionRequest, request_id).status is RequestStatus.REQUESTED


def test_only_a_beheerder_of_the_municipality_or_region_may(app, dirk):
    refused = ("Only a beheerder of the candidate's municipality or of the region may "
               "request or approve the destruction of a file.")
    _one_error(run(app, "retention", "request", str(dirk.id), "--by", "klantmanager"), refused)
    _one_error(run(app, "retention", "request", str(dirk.id), "--by", "m.devos"), refused)
    world = factories.load_world()
    factories.make_user("beheer.tholen", world.org("Tholen"), Role.BEHEERDER)
    _one_error(run(app, "retention", "request", str(dirk.id), "--by", "beheer.tholen"), refused)
    # The Goes beheerder asks; neither a klantmanager nor Tholen's beheerder may approve.
    assert run(app, "retention", "request", str(dirk.id), "--by", "b.goes").exit_code == 0
    request_id = db.session.scalar(sa.select(DestructionRequest.id))
    _one_error(run(app, "retention", "approve", str(request_id), "--by", "klantmanager"), refused)
    _one_error(run(app, "retention", "approve", str(request_id), "--by", "beheer.tholen"),
               refused)
    assert db.session.get(Candidate, dirk.id).last_name == "Jonge"
    # Unknown ids and users: one line, exit 2.
    for args in (("request", "999999", "--by", "beheer"), ("approve", "999999", "--by", "beheer"),
                 ("request", str(dirk.id), "--by", "niemand")):
        result = run(app, "retention", *args)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, args
        assert result.stderr.startswith("fout: ")


def test_an_open_or_recent_file_cannot_be_requested(app, dirk):
    open_file = db.session.scalars(sa.select(Candidate).where(
        Candidate.closed_on.is_(None))).first()
    _one_error(run(app, "retention", "request", str(open_file.id), "--by", "beheer"),
               "File %(id)d is not closed; only a closed file can be destroyed.", id=open_file.id)
    recent = db.session.scalars(sa.select(Candidate).where(
        Candidate.closed_on.is_not(None), Candidate.id != dirk.id)).first()
    _one_error(run(app, "retention", "request", str(recent.id), "--by", "beheer"),
               "File %(id)d is kept until %(date)s; it cannot be destroyed yet.", id=recent.id,
               date=services.add_years(recent.closed_on, 10).isoformat())
    assert run(app, "retention", "request", str(dirk.id), "--by", "beheer").exit_code == 0
    _one_error(run(app, "retention", "request", str(dirk.id), "--by", "b.goes"),
               "File %(id)d already has a destruction request (%(request)d) waiting for "
               "approval.", id=dirk.id, request=db.session.scalar(sa.select(DestructionRequest.id)))


def test_a_failure_half_way_leaves_nothing_destroyed(app, dirk, monkeypatch):
    files = _evidence_paths(dirk.id)
    assert run(app, "retention", "request", str(dirk.id), "--by", "beheer").exit_code == 0
    request_id = db.session.scalar(sa.select(DestructionRequest.id))

    def broken(subject_type, subject_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "redact_subject_history", broken)
    result = run(app, "retention", "approve", str(request_id), "--by", "b.goes")
    assert result.exit_code != 0
    candidate = db.session.get(Candidate, dirk.id)
    assert (candidate.first_name, candidate.last_name) == ("Dirk", "Jonge")
    assert db.session.scalar(sa.select(Plan.wishes).where(Plan.candidate_id == dirk.id))
    assert db.session.scalar(sa.select(sa.func.count(PlanVersion.id)).where(
        PlanVersion.candidate_id == dirk.id)) > 0
    assert all(path.exists() for path in files) and _evidence_paths(dirk.id) == files
    assert db.session.scalar(sa.select(sa.func.count(DestructionRecord.id))) == 0
    assert db.session.get(DestructionRequest, request_id).status is RequestStatus.REQUESTED


def test_the_birth_date_keeps_the_age_on_every_stage_date():
    born = date(1970, 11, 20)
    assert services.anonymous_birth_date(born, []) == date(1970, 1, 1)
    assert services.anonymous_birth_date(born, [date(2020, 12, 1)]) == date(1970, 1, 1)
    # 50 on 2020-11-25 but 49 on 2020-11-19: the earliest birth date keeping both is 20 Nov.
    kept = services.anonymous_birth_date(born, [date(2020, 11, 19), date(2020, 11, 25)])
    assert kept == born
    kept = services.anonymous_birth_date(born, [date(2020, 3, 1)])
    assert kept == date(1970, 3, 2)  # 49 on 1 March 2020, as with the real date


def test_every_table_about_a_person_is_known_to_retention(app):
    """A new table with a candidate id and text columns must be added to ``anonymise``."""
    unknown = []
    for table in db.metadata.sorted_tables:
        if "candidate_id" not in table.c:
            continue
        texts = [c.name for c in table.c if isinstance(c.type, (sa.String, sa.Text, sa.JSON))
                 and not isinstance(c.type, sa.Enum)]
        if texts and table.name not in services.HANDLED_TABLES | {"destruction_record"}:
            unknown.append((table.name, texts))
    assert unknown == []


@pytest.mark.skipif(BACKEND != "postgres",
                    reason="PostgreSQL only: SQLite has no roles or grants")
def test_destruction_runs_as_the_applications_database_role(app, dirk):
    """Under the append-only grants (migration 0011) the application's role anonymises the
    file and blanks the trail through the redaction function, with no UPDATE on it."""
    from trajectory.auth.models import User

    def user(name):
        return db.session.scalars(sa.select(User).where(User.username == name)).one()

    request = services.request_destruction(user("beheer"), dirk)
    db.session.commit()
    files = _evidence_paths(dirk.id)
    db.session.execute(sa.text("SET LOCAL ROLE trajectory_app"))
    # The role really may not UPDATE the trail.
    with pytest.raises(sa.exc.ProgrammingError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE audit_event SET changes = '{}'"))
    destruction = services.approve_destruction(user("b.goes"), request)
    db.session.commit()
    assert services.remove_files(destruction.files) == []
    assert not any(path.exists() for path in files)
    assert db.session.get(Candidate, dirk.id).last_name == services.ANONYMOUS
    trail = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == "Candidate", AuditEvent.subject_id == str(dirk.id))).all()
    assert trail and all(value == ["***", "***"] for row in trail
                         for value in (row.changes or {}).values())
