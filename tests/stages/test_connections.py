"""The stored provider connections (trajectory/candidates/connections.py) are the access
rule stored per person: after every kind of edit the rows equal a fresh computation, and
the scope read from them equals the registered conditions (stage, cohort agreement,
buddy, with consent for providers) on every day around the dates involved, the grace
period's boundaries included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.candidates.support import actor_of, assign, register
from tests.cohorts.support import agree, make_cohort, seat
from tests.stages.conftest import P1, P2, days, make_stage
from trajectory.audit.trail import acting_as
from trajectory.candidates import connections, need_to_know
from trajectory.candidates import services as candidate_services
from trajectory.candidates.connections import ProviderConnection
from trajectory.candidates.models import Candidate, CandidateStatus, OutflowReason
from trajectory.cohorts import services as cohort_services
from trajectory.cohorts.models import CohortCandidateStatus
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.stages import services as stage_services
from trajectory.stages.models import StageKind, StageStatus
from trajectory.timeutil import today

COLUMNS = ("provider_id", "candidate_id", "cause", "since", "until", "consent_from",
           "consent_until")


def _stored() -> list[tuple]:
    db.session.commit()
    return sorted(tuple(row) for row in db.session.execute(
        sa.select(*[getattr(ProviderConnection, name) for name in COLUMNS])))


def _fresh() -> list[tuple]:
    ids = list(db.session.scalars(sa.select(Candidate.id)))
    return sorted(tuple(row[name] for name in COLUMNS)
                  for row in connections.rows_for(db.session, ids))


def _ids(condition) -> set[int]:
    return set(db.session.scalars(sa.select(Candidate.id).where(condition)))


def _check_days() -> set[date]:
    """Today and the days around every date a connection or consent turns on."""
    grace = need_to_know.grace_days()
    found = {today()}
    for row in db.session.execute(sa.select(*[getattr(ProviderConnection, name)
                                              for name in COLUMNS[3:]])):
        for value in row:
            if value is not None and value != connections.RUNNING:
                for shift in (-1, 0, 1, grace - 1, grace, grace + 1):
                    found.add(value + timedelta(days=shift))
    return found


def check(monkeypatch) -> None:
    """Stored rows as a fresh computation; the stored scope as the registered
    conditions on every day that matters, for each provider."""
    assert _stored() == _fresh()
    providers = list(db.session.scalars(sa.select(Organisation.id).where(
        Organisation.kind == OrganisationKind.PROVIDER)))
    for day in sorted(_check_days()):
        monkeypatch.setattr(need_to_know, "today", lambda day=day: day)
        for provider_id in providers:
            reference = sa.and_(need_to_know.connected_to_provider(provider_id),
                                need_to_know.consent_covers("providers", day))
            assert _ids(need_to_know.connected_with_consent(provider_id)) == _ids(reference), \
                (day, provider_id)
            writing = sa.and_(need_to_know.working_with_provider(provider_id),
                              need_to_know.consent_covers("providers", day))
            assert _ids(need_to_know.connected_with_consent(
                provider_id, need_to_know.PLAN_WRITING_CONNECTIONS, day)) == _ids(writing), \
                (day, provider_id)
    monkeypatch.undo()


@pytest.fixture
def grace(app):
    app.config["CONNECTION_GRACE_DAYS"] = 10
    return 10


def test_stages_connect_as_the_rule_says(world, monkeypatch, grace):
    candidate = register(world)
    check(monkeypatch)
    proposed = make_stage(world, candidate, P1, StageKind.INTAKE)
    check(monkeypatch)  # a proposal connects nothing
    assert not _ids(need_to_know.connected_with_consent(world.org(P1).id))
    declined = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    planned = make_stage(world, candidate, P2, StageKind.INTAKE, StageStatus.GEPLAND,
                         start=days(5))
    check(monkeypatch)
    assert candidate.id in _ids(need_to_know.connected_with_consent(world.org(P2).id))
    intaker2 = world.user("intaker2")
    with acting_as(actor_of(intaker2)):  # cancelled before its start: no connection left
        stage_services.end_stage(planned, status=StageStatus.AFGEBROKEN, actual_end=today(),
                                 reason="Gaat niet door", version=None)
        db.session.commit()
    check(monkeypatch)
    running = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.LOPEND,
                         start=days(-40))
    check(monkeypatch)
    intaker = world.user("intaker")
    with acting_as(actor_of(intaker)):  # ended: the grace period runs
        stage_services.end_stage(running, status=StageStatus.AFGEROND, actual_end=days(-3),
                                 reason=None, version=None)
        db.session.commit()
    check(monkeypatch)
    ended = make_stage(world, candidate, P2, StageKind.INTAKE, StageStatus.AFGEROND,
                       start=days(-80), end=days(-20))
    check(monkeypatch)  # ended longer ago than the grace period
    assert candidate.id not in _ids(need_to_know.connected_with_consent(world.org(P2).id))
    with acting_as(actor_of(world.user("klantmanager"))):  # a stage removed altogether
        db.session.delete(ended)
        db.session.delete(proposed)
        db.session.delete(declined)
        db.session.commit()
    check(monkeypatch)


def test_consent_buddies_and_the_closed_file(world, monkeypatch, grace):
    candidate = register(world)
    assign(world, candidate, "buddy")  # Welzijn De Bevelanden (P2)
    make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.LOPEND)
    check(monkeypatch)
    provider = world.org(P2).id
    assert candidate.id in _ids(need_to_know.connected_with_consent(provider))
    candidate.consent_providers = False  # withdrawn
    db.session.commit()
    check(monkeypatch)
    assert candidate.id not in _ids(need_to_know.connected_with_consent(provider))
    candidate.consent_providers = True  # given again, until a day ahead
    candidate.consent_expires_on = days(4)
    db.session.commit()
    check(monkeypatch)
    candidate.consent_given_on = None
    db.session.commit()
    check(monkeypatch)
    candidate.consent_given_on = days(-100)
    candidate.consent_expires_on = None
    db.session.commit()
    other = register(world, first_name="Ander", last_name="Mens", bsn=None)
    assign(world, other, "buddy", start=days(3))  # an assignment that begins later
    check(monkeypatch)
    klantmanager = world.user("klantmanager")
    with acting_as(actor_of(klantmanager)):  # the buddy's assignment ends
        assignment = candidate.assignments[0]
        assignment.end_date = days(-2)
        db.session.commit()
    check(monkeypatch)
    buddy = world.user("buddy")  # the buddy moves to another provider
    buddy.organisation_id = world.org(P1).id
    db.session.commit()
    check(monkeypatch)
    with acting_as(actor_of(klantmanager)):  # the file is closed
        candidate_services.change_status(klantmanager, candidate, CandidateStatus.UITGESTROOMD,
                                         outflow_reason=next(iter(OutflowReason)),
                                         outflow_note="Verhuisd")
        db.session.commit()
    check(monkeypatch)


def test_cohort_agreements_connect_while_at_the_table(world, monkeypatch, grace):
    candidate = register(world)
    cohort = make_cohort(world, providers=(P1, P2))
    row = seat(world, cohort, candidate)
    agree(world, cohort, candidate, P1)
    check(monkeypatch)
    row.status = CohortCandidateStatus.PROPOSED  # proposed, not yet accepted: no connection
    db.session.commit()
    check(monkeypatch)
    assert candidate.id not in _ids(need_to_know.connected_with_consent(world.org(P1).id))
    coordinator = world.user("coordinator")
    with acting_as(actor_of(coordinator)):
        cohort_services.decide_candidate(coordinator, row, accept=True)
        db.session.commit()
    check(monkeypatch)
    assert candidate.id in _ids(need_to_know.connected_with_consent(world.org(P1).id))
    agree(world, cohort, candidate, P2)
    check(monkeypatch)
    with acting_as(actor_of(coordinator)):  # one agreement removed
        cohort_services.remove_agreement(coordinator, cohort.agreements[0])
        db.session.commit()
    check(monkeypatch)
    klantmanager = world.user("klantmanager")
    with acting_as(actor_of(klantmanager)):  # the file closed: the grace period runs
        candidate_services.change_status(klantmanager, candidate, CandidateStatus.UITGESTROOMD,
                                         outflow_reason=next(iter(OutflowReason)),
                                         outflow_note="Verhuisd")
        db.session.commit()
    check(monkeypatch)
    with acting_as(actor_of(coordinator)):  # the candidate leaves the table
        cohort_services.remove_candidate(coordinator, row)
        db.session.commit()
    check(monkeypatch)


def test_a_rebuild_gives_the_same_rows(world, grace):
    candidate = register(world)
    assign(world, candidate, "buddy")
    make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.LOPEND)
    kept = _stored()
    assert kept
    connections.refresh_all()
    assert _stored() == kept


def test_the_intakers_count_comes_from_the_stored_rows(world, grace):
    """The candidate list's count for an intaker (stored_scope_count) is the scope's,
    a person connected twice counted once; other roles count the scope itself."""
    twice = register(world)
    assign(world, twice, "buddy")  # Welzijn De Bevelanden (P2), and a stage there
    make_stage(world, twice, P2, StageKind.INTAKE, StageStatus.LOPEND)
    once = register(world, first_name="Een", last_name="Keer", bsn=None)
    make_stage(world, once, P2, StageKind.INTAKE, StageStatus.GEPLAND, start=days(3))
    register(world, first_name="Geen", last_name="Toestemming", bsn=None,
             consent_providers=False)
    intaker2 = world.user("intaker2")
    scope = db.session.scalar(sa.select(sa.func.count(Candidate.id))
                              .where(need_to_know.candidate_scope(intaker2)))
    assert need_to_know.stored_scope_count(intaker2) == scope == 2
    assert need_to_know.stored_scope_count(world.user("klantmanager")) is None
