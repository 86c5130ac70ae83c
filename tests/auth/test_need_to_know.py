"""Need to know (issue 11): what each role reads of a file, as a user would notice it.

The rule lives in trajectory.candidates.need_to_know. The people here are Goes files of
klantmanager Sanne Bosman with consent for everyone unless a test says otherwise; Kees
Dekker (``buddy``) of Stichting Welzijn De Bevelanden is their buddy, so ``intaker2``
(that provider) is connected through the buddy; ``intaker`` (Zorggroep Scheldezoom)
is connected only through a stage or a cohort agreement.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from flask import Flask

from tests.candidates.support import actor_of, assign, register, write_plan
from tests.cohorts.support import PROVIDERS, make_cohort
from tests.stages.conftest import P1, make_stage
from trajectory import create_app
from trajectory.audit.trail import acting_as
from trajectory.candidates import services as candidate_services
from trajectory.candidates.models import CandidateStatus
from trajectory.cohorts import services as cohort_services
from trajectory.cohorts.models import CohortAgreement
from trajectory.contacts import services as contact_services
from trajectory.contacts.models import ContactKind
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.stages import services as stage_services
from trajectory.stages.models import StageKind, StageStatus
from trajectory.timeutil import today

BARRIER = "Schulden bij de zorgverzekeraar"     # write_plan's barrier
CONTACT_NOTE = "Gesproken over de brief van de deurwaarder."
MOTIVATION = "Technische dienst, na de taakstraf."
GRACE_DAYS = 30  # the default of CONNECTION_GRACE_DAYS


def _file(client, candidate) -> tuple[int, str]:
    response = client.get(f"/kandidaten/{candidate.id}")
    return response.status_code, response.text


def _withdraw(world, candidate, *flags: str) -> None:
    """The klantmanager records that the candidate withdrew these consents."""
    with acting_as(actor_of(world.user("klantmanager"))):
        for flag in flags:
            setattr(candidate, f"consent_{flag}", False)
        db.session.commit()


def _log_contact(world, candidate, note: str = CONTACT_NOTE) -> None:
    buddy = world.user("buddy")
    with acting_as(actor_of(buddy)):
        contact_services.log_contact(buddy, candidate, contact_on=today(),
                                     kind=ContactKind.GESPREK, note=note)
        db.session.commit()


# ------------------------------------------------------------------ the coordinator

def test_the_coordinator_does_not_see_the_pause_reason(world, coordinator_client,
                                                       klantmanager_client):
    candidate = register(world, first_name="Anouk", tussenvoegsel=None, last_name="Bakker",
                         bsn=None)
    klantmanager = world.user("klantmanager")
    with acting_as(actor_of(klantmanager)):
        candidate_services.change_status(klantmanager, candidate, CandidateStatus.GEPAUZEERD,
                                         pause_reason="Operatie en herstel")
        db.session.commit()
    status, page = _file(coordinator_client, candidate)
    assert status == 200 and "Anouk Bakker" in page and "Gepauzeerd" in page
    assert "Operatie en herstel" not in page
    assert "Operatie en herstel" in _file(klantmanager_client, candidate)[1]


def test_the_coordinator_does_not_see_stage_notes(world, coordinator_client,
                                                  klantmanager_client, intaker_client):
    candidate = register(world, bsn=None)
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       note="Schulden bij de woningcorporatie, in de schuldsanering")
    page = coordinator_client.get(f"/trajecten/{stage.id}").text
    assert "Werkervaringsplaats" in page and "schuldsanering" not in page
    assert "Werkervaringsplaats" in _file(coordinator_client, candidate)[1]
    # The klantmanager and the provider's intaker (their own stage) read the note.
    assert "schuldsanering" in klantmanager_client.get(f"/trajecten/{stage.id}").text
    assert "schuldsanering" in intaker_client.get(f"/trajecten/{stage.id}").text


def test_the_coordinator_does_not_see_why_a_stage_ended(world, coordinator_client):
    candidate = register(world, bsn=None)
    stage = make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                       start=today() - timedelta(days=20))
    with acting_as(actor_of(world.user("intaker"))):
        stage_services.end_stage(stage, status=StageStatus.AFGEBROKEN, actual_end=today(),
                                 reason="Opgenomen in de verslavingszorg", version=None)
        db.session.commit()
    page = coordinator_client.get(f"/trajecten/{stage.id}").text
    assert "afgebroken" in page.lower() or "gestopt" in page.lower()
    assert "verslavingszorg" not in page


# ------------------------------------------------------------------ cohorts

def _cohort_with(world, candidate, motivation: str = MOTIVATION):
    cohort = make_cohort(world, providers=PROVIDERS[:2])
    coordinator = world.user("coordinator")
    with acting_as(actor_of(coordinator)):
        cohort_services.propose_candidate(coordinator, cohort, candidate, motivation)
        db.session.commit()
    return cohort


def _agree(world, cohort, candidate, provider: str = P1) -> CohortAgreement:
    coordinator = world.user("coordinator")
    with acting_as(actor_of(coordinator)):
        agreement = cohort_services.add_agreement(
            coordinator, cohort, candidate_id=candidate.id, provider_id=world.org(provider).id,
            stage_kind="werkervaringsplaats", support=None)
        db.session.commit()
    return agreement


def test_cohort_motivations_only_for_those_who_read_the_file(
        world, coordinator_client, klantmanager_client, intaker_client, intaker2_client):
    """Scheldezoom (intaker) has an agreement and reads the file; Welzijn De Bevelanden
    (intaker2) sits at the table without a connection (no buddy here)."""
    candidate = register(world, first_name="Erik", tussenvoegsel=None, last_name="Hoogstrate",
                         bsn=None)
    cohort = _cohort_with(world, candidate)
    _agree(world, cohort, candidate)
    url = f"/cohorten/{cohort.id}"
    for client in (coordinator_client, intaker2_client):
        page = client.get(url).text
        assert "Maartgolf 2026" in page and "na de taakstraf" not in page
    for client in (klantmanager_client, intaker_client):
        assert "na de taakstraf" in client.get(url).text


def test_an_agreement_needs_the_candidates_consent_for_providers(world, coordinator_client,
                                                                 intaker_client):
    candidate = register(world, bsn=None, consent_providers=False)
    cohort = _cohort_with(world, candidate)
    response = coordinator_client.post(f"/cohorten/{cohort.id}/afspraken/nieuw", data={
        "candidate_id": str(candidate.id), "provider_id": str(world.org(P1).id),
        "stage_kind": "werkervaringsplaats", "support": ""})
    assert response.status_code == 200
    # Dutch once the lead merges the translations (/tmp/i18n/access.json), English before.
    assert ("geen toestemming gegeven om het dossier met aanbieders te delen" in response.text
            or "has not consented to sharing their file with providers" in response.text)
    assert db.session.query(CohortAgreement).count() == 0
    assert _file(intaker_client, candidate)[0] == 404
    # Expired consent is no consent either.
    other = register(world, first_name="Verlopen", last_name="Toestemming", bsn=None,
                     consent_given_on=today() - timedelta(days=400),
                     consent_expires_on=today() - timedelta(days=1))
    with pytest.raises(ServiceError):
        cohort_services.add_agreement(world.user("coordinator"), cohort, candidate_id=other.id,
                                      provider_id=world.org(P1).id, stage_kind=None,
                                      support="Buddy")
    db.session.rollback()


def test_an_agreement_opens_the_file_only_under_consent(world, intaker_client):
    candidate = register(world, bsn=None)
    write_plan(world, candidate)
    cohort = _cohort_with(world, candidate)
    assert _file(intaker_client, candidate)[0] == 404
    _agree(world, cohort, candidate)
    status, page = _file(intaker_client, candidate)
    assert status == 200 and "Zoë de Vries" in page
    _withdraw(world, candidate, "providers")
    assert _file(intaker_client, candidate)[0] == 404
    assert intaker_client.get(f"/kandidaten/{candidate.id}/plan").status_code == 404


def test_an_agreement_ends_when_the_candidate_leaves_the_table(world, intaker_client):
    candidate = register(world, bsn=None)
    cohort = _cohort_with(world, candidate)
    _agree(world, cohort, candidate)
    assert _file(intaker_client, candidate)[0] == 200
    coordinator = world.user("coordinator")
    with acting_as(actor_of(coordinator)):
        cohort_services.remove_candidate(coordinator, cohort.candidate_rows[0])
        db.session.commit()
    assert _file(intaker_client, candidate)[0] == 404


# ------------------------------------------------------------------ consent

def test_withdrawn_consent_closes_the_file_to_the_buddy_at_once(world, buddy_client):
    candidate = register(world, bsn=None)
    assign(world, candidate, "buddy", phone="06 11112222")
    write_plan(world, candidate)
    _log_contact(world, candidate)
    status, page = _file(buddy_client, candidate)
    assert status == 200 and CONTACT_NOTE in page and "Persoonlijk plan" in page
    assert BARRIER in buddy_client.get(f"/kandidaten/{candidate.id}/plan").text

    _withdraw(world, candidate, "buddy")
    status, page = _file(buddy_client, candidate)
    # Still enough to reach the person ...
    assert status == 200 and "Zoë de Vries" in page and "06 12345678" in page
    # ... and nothing of the plan, the barriers, the notes or the ladder.
    assert CONTACT_NOTE not in page and "Persoonlijk plan" not in page
    assert "Participatieladder" not in page and "Kerkstraat" not in page
    assert buddy_client.get(f"/kandidaten/{candidate.id}/plan").status_code == 403
    assert buddy_client.get(f"/kandidaten/{candidate.id}/contacten").status_code == 403
    assert buddy_client.get(f"/kandidaten/{candidate.id}/contact").status_code == 403
    home = buddy_client.get("/").text
    assert "Kennismaken op de afdeling" not in home  # the plan's next step


def test_withdrawn_consent_closes_the_file_to_the_intaker_at_once(world, intaker2_client):
    candidate = register(world, bsn=None)
    assign(world, candidate, "buddy")  # Welzijn De Bevelanden: intaker2 is connected
    write_plan(world, candidate)
    _log_contact(world, candidate)
    status, page = _file(intaker2_client, candidate)
    assert status == 200 and CONTACT_NOTE in page
    assert BARRIER in intaker2_client.get(f"/kandidaten/{candidate.id}/plan").text

    _withdraw(world, candidate, "providers")
    assert _file(intaker2_client, candidate)[0] == 404
    for path in ("plan", "contacten", "mijn-plan"):
        response = intaker2_client.get(f"/kandidaten/{candidate.id}/{path}")
        assert response.status_code == 404 and BARRIER not in response.text
    assert "Zoë" not in intaker2_client.get("/kandidaten").text


def test_expired_consent_counts_as_withdrawn(world, intaker2_client, buddy_client):
    candidate = register(world, bsn=None, consent_given_on=today() - timedelta(days=400),
                         consent_expires_on=today() - timedelta(days=1))
    assign(world, candidate, "buddy")
    write_plan(world, candidate)
    assert _file(intaker2_client, candidate)[0] == 404
    assert buddy_client.get(f"/kandidaten/{candidate.id}/plan").status_code == 403


# ------------------------------------------------------------------ connections end

def test_a_stage_that_ended_long_ago_opens_nothing(world, intaker_client):
    grace = GRACE_DAYS
    old = register(world, bsn=None)
    stage = make_stage(world, old, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                       start=today() - timedelta(days=500), end=today() - timedelta(days=365))
    assert _file(intaker_client, old)[0] == 404
    # The provider keeps its own record of the stage.
    assert intaker_client.get(f"/trajecten/{stage.id}").status_code == 200
    recent = register(world, first_name="Recent", last_name="Beëindigd", bsn=None)
    make_stage(world, recent, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=today() - timedelta(days=100), end=today() - timedelta(days=grace - 1))
    assert _file(intaker_client, recent)[0] == 200  # within the grace period
    late = register(world, first_name="Laat", last_name="Beëindigd", bsn=None)
    make_stage(world, late, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=today() - timedelta(days=100), end=today() - timedelta(days=grace + 1))
    assert _file(intaker_client, late)[0] == 404


def test_an_unanswered_proposal_opens_only_the_proposal(world, intaker_client):
    candidate = register(world, bsn=None)
    write_plan(world, candidate)
    stage = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.VOORGESTELD,
                       start=today() - timedelta(days=200), note="Graag een rustige werkplek.")
    assert _file(intaker_client, candidate)[0] == 404
    assert intaker_client.get(f"/kandidaten/{candidate.id}/plan").status_code == 404
    # The proposal itself: who, what, and the klantmanager's note, to accept or decline.
    page = intaker_client.get(f"/trajecten/{stage.id}").text
    assert "Zoë de Vries" in page and "Graag een rustige werkplek." in page
    assert BARRIER not in page and "06 12345678" not in page
    answer = intaker_client.get(f"/trajecten/{stage.id}/beantwoorden")
    assert answer.status_code == 200 and "Graag een rustige werkplek." in answer.text
    intaker = world.user("intaker")
    with acting_as(actor_of(intaker)):
        stage_services.answer_stage(stage, accept=True, actor=intaker, version=None,
                                    responsible_user=intaker, reason=None)
        db.session.commit()
    assert _file(intaker_client, candidate)[0] == 200


def test_the_buddys_provider_keeps_the_file_for_the_grace_period_only(world, app,
                                                                       intaker2_client):
    candidate = register(world, bsn=None)
    assign(world, candidate, "buddy", start=today() - timedelta(days=100))
    assign(world, candidate, "a.jansen", start=today() - timedelta(days=10))
    # Kees Dekker's provider (intaker2) keeps the file for the grace period ...
    assert _file(intaker2_client, candidate)[0] == 200
    app.config["CONNECTION_GRACE_DAYS"] = 5
    # ... and no longer.
    assert _file(intaker2_client, candidate)[0] == 404


# ------------------------------------------------------------------ registered at app creation

def test_connections_are_registered_by_create_app_not_by_imports(app_config):
    from trajectory.candidates import need_to_know

    app = create_app(app_config)
    assert set(need_to_know.registered_connections(app)) == {"buddy", "stage",
                                                             "cohort_agreement"}
    import trajectory.cohorts.scope as cohort_scope
    import trajectory.stages.scope as stage_scope

    bare = Flask("bare")
    importlib.reload(cohort_scope)
    importlib.reload(stage_scope)
    assert need_to_know.registered_connections(bare) == {}
    assert set(need_to_know.registered_connections(app)) == {"buddy", "stage",
                                                             "cohort_agreement"}
    from trajectory.candidates import scope

    assert not hasattr(scope, "PROVIDER_CONNECTIONS")


# ------------------------------------------------------------------ the demo

def test_the_demo_gives_every_role_full_files_and_shows_one_without_buddy_consent(app):
    """Most demo candidates consent; Rachid Benali does not share with his buddy (Kees
    Dekker, ``buddy``), who reaches him by phone and reads nothing of his file."""
    import sqlalchemy as sa

    from trajectory.audit.trail import Actor
    from trajectory.auth.models import User
    from trajectory.candidates import need_to_know
    from trajectory.candidates.models import Candidate
    from trajectory.demo.data import load_demo

    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    files: dict[str, dict[str, need_to_know.Visible]] = {}
    for username in ("klantmanager", "intaker", "intaker2", "buddy", "coordinator"):
        user = users[username]
        people = list(db.session.scalars(sa.select(Candidate).where(Candidate.scope_filter(user))))
        visible = need_to_know.visible_for_all(user, people)
        files[username] = {c.full_name: visible[c.id] for c in people}
    for username in ("klantmanager", "intaker", "intaker2", "buddy"):
        full = [name for name, view in files[username].items() if view.plan and view.notes]
        assert len(full) >= 4, (username, files[username])
    assert len(files["coordinator"]) >= 10
    assert all(v.name and not v.notes for v in files["coordinator"].values())
    assert files["buddy"]["Rachid Benali"] == need_to_know.BUDDY_REACH


def test_signals_about_a_candidate_follow_the_consent(world, intaker_client):
    """A completed stage without an outcome signals the provider's intaker, by name, only
    while the candidate's consent covers providers."""
    candidate = register(world, first_name="Signaal", tussenvoegsel=None, last_name="Persoon",
                         bsn=None)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=today() - timedelta(days=60), end=today() - timedelta(days=3))
    assert "Signaal Persoon" in intaker_client.get("/signalen").text
    _withdraw(world, candidate, "providers")
    assert "Signaal Persoon" not in intaker_client.get("/signalen").text
