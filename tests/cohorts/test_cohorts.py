"""Cohorts: the coordinator plans a cohort, puts candidates and providers at the table and
records who does what; klantmanagers propose candidates of their municipality; providers
at the table see the cohort; naar rato; size warnings; bad input keeps the input."""

from __future__ import annotations

import sqlalchemy as sa

from tests.cohorts.support import PROVIDERS, agree, make_cohort, person, seat
from trajectory.cohorts.models import (
    Cohort,
    CohortAgreement,
    CohortCandidate,
    CohortCandidateStatus,
    quarter_label,
    quarter_start,
)
from trajectory.extensions import db
from trajectory.timeutil import today


def cohort_named(name: str) -> Cohort:
    db.session.expire_all()
    return db.session.scalars(sa.select(Cohort).where(Cohort.name == name)).one()


def test_the_coordinator_builds_a_cohort_through_the_pages(coordinator_client, world):
    people = [person(world, f"Persoon{i}", "Goes" if i % 2 else "Tholen",
                     "Goes" if i % 2 else "Tholen") for i in range(5)]
    start = quarter_start(today())
    response = coordinator_client.post("/cohorten/nieuw", data={
        "name": "Maartgolf 2026", "start_quarter": start.isoformat(),
        "municipalities": [str(world.org("Goes").id), str(world.org("Tholen").id)],
        "description": "Gericht op de ouderenzorg."})
    assert response.status_code == 302
    cohort = cohort_named("Maartgolf 2026")
    assert cohort.start_quarter == start
    assert {m.name for m in cohort.municipalities} == {"Goes", "Tholen"}
    base = f"/cohorten/{cohort.id}"
    # Providers at the table.
    response = coordinator_client.post(f"{base}/aanbieders", data={
        "providers": [str(world.org(p).id) for p in PROVIDERS]})
    assert response.status_code == 302
    # Candidates: the coordinator puts them at the table directly.
    for candidate in people:
        response = coordinator_client.post(f"{base}/kandidaten/nieuw", data={
            "candidate_id": str(candidate.id), "motivation": "Wil graag in de zorg werken."})
        assert response.status_code == 302, response.text
    cohort = cohort_named("Maartgolf 2026")
    assert [row.status for row in cohort.candidate_rows] == [CohortCandidateStatus.ACCEPTED] * 5
    # Who does what.
    for index, candidate in enumerate(people):
        response = coordinator_client.post(f"{base}/afspraken/nieuw", data={
            "candidate_id": str(candidate.id),
            "provider_id": str(world.org(PROVIDERS[index]).id),
            "stage_kind": "werkervaringsplaats" if index < 3 else "",
            "support": "" if index < 3 else "Buddy en hulp bij schulden"})
        assert response.status_code == 302, response.text
    page = coordinator_client.get(base).text
    assert "Persoon0" in page and "Buddy en hulp bij schulden" in page
    assert "Werkervaringsplaats" in page
    for provider in PROVIDERS:
        assert provider in page
    assert "5 of 6" not in page  # no size warning with five of each
    assert quarter_label(start) in page


def test_klantmanagers_propose_candidates_of_their_own_municipality(
        klantmanager_client, coordinator_client, world):
    cohort = make_cohort(world, providers=PROVIDERS)
    own = person(world, "Eigen", "Kandidaat", "Goes")
    other = person(world, "Andere", "Gemeente", "Tholen", buddy="e.polderman")
    url = f"/cohorten/{cohort.id}/kandidaten/nieuw"
    page = klantmanager_client.get(url).text
    assert "Eigen Kandidaat" in page and "Andere Gemeente" not in page
    # Another municipality's candidate: 404, nothing recorded.
    assert klantmanager_client.post(url, data={"candidate_id": str(other.id)}).status_code == 404
    response = klantmanager_client.post(url, data={"candidate_id": str(own.id),
                                                   "motivation": "Klaar voor een volgende stap."})
    assert response.status_code == 302
    [row] = cohort_named(cohort.name).candidate_rows
    assert row.status is CohortCandidateStatus.PROPOSED
    assert row.proposed_by.username == "klantmanager"
    # The klantmanager reads the motivation; the coordinator decides without the free text
    # (its field set: name and overview, trajectory.candidates.need_to_know).
    assert "Klaar voor een volgende stap." in klantmanager_client.get(f"/cohorten/{cohort.id}").text
    page = coordinator_client.get(f"/cohorten/{cohort.id}").text
    assert "Eigen Kandidaat" in page and "Klaar voor een volgende stap." not in page
    response = coordinator_client.post(f"/cohorten/{cohort.id}/kandidaten/{row.id}/besluit",
                                       data={"decision": "accept"})
    assert response.status_code == 302
    assert cohort_named(cohort.name).candidate_rows[0].status is CohortCandidateStatus.ACCEPTED


def test_a_klantmanager_of_a_municipality_outside_the_cohort_gets_404(client_for, world):
    cohort = make_cohort(world, municipalities=("Goes",))
    candidate = person(world, "Tholense", "Kandidaat", "Tholen", buddy="e.polderman")
    tholen = client_for("klantmanager2")
    assert tholen.get(f"/cohorten/{cohort.id}").status_code == 404
    assert tholen.post(f"/cohorten/{cohort.id}/kandidaten/nieuw",
                       data={"candidate_id": str(candidate.id)}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(CohortCandidate.id))) == 0


def test_providers_at_the_table_see_the_cohort(client_for, world):
    cohort = make_cohort(world, providers=PROVIDERS[:2])
    candidate = person(world, "Tafel", "Kandidaat")
    seat(world, cohort, candidate)
    agree(world, cohort, candidate, PROVIDERS[0])
    intaker = client_for("intaker")  # Zorggroep Scheldezoom: at the table
    page = intaker.get(f"/cohorten/{cohort.id}")
    assert page.status_code == 200
    # Read only: no edit buttons, and the edit pages refuse.
    assert f"/cohorten/{cohort.id}/bewerken" not in page.text
    assert intaker.get(f"/cohorten/{cohort.id}/bewerken").status_code == 403
    assert intaker.get("/cohorten").status_code == 200
    # The agreement connects the candidate to the provider: the intaker may open the file.
    assert intaker.get(f"/kandidaten/{candidate.id}").status_code == 200
    # A provider not at the table does not see the cohort.
    assert client_for("t.wisse").get(f"/cohorten/{cohort.id}").status_code == 404
    assert client_for("buddy").get(f"/cohorten/{cohort.id}").status_code == 403


def test_size_warnings_do_not_block(coordinator_client, world):
    cohort = make_cohort(world, providers=PROVIDERS[:2])
    seat(world, cohort, person(world, "Enige", "Kandidaat"))
    page = coordinator_client.get(f"/cohorten/{cohort.id}").text
    assert "1 kandidaten" in page or "1 candidates" in page
    assert page.count("utrecht-alert--warning") == 2
    many = [person(world, f"Extra{i}", "Persoon") for i in range(6)]
    for candidate in many:
        seat(world, cohort, candidate)
    page = coordinator_client.get(f"/cohorten/{cohort.id}").text
    assert "7 kandidaten" in page or "7 candidates" in page


def test_naar_rato_shows_who_carries_more_or_less(coordinator_client, world):
    from tests.valuation.web.sample import make_contract

    cohort = make_cohort(world, providers=PROVIDERS[:2])
    # Zorggroep Scheldezoom has all the revenue, Welzijn De Bevelanden none.
    make_contract(world, revenue="375000.00")
    people = [person(world, f"Rato{i}", "Persoon") for i in range(4)]
    for candidate in people:
        seat(world, cohort, candidate)
        agree(world, cohort, candidate, PROVIDERS[1], stage_kind=None, support="Buddy")
    agree(world, cohort, people[0], PROVIDERS[0])
    page = coordinator_client.get(f"/cohorten/{cohort.id}").text
    # 100% of the revenue, 20% of the agreements: less; 0% of the revenue, 80%: more.
    assert "100%" in page and "20%" in page and "80%" in page
    assert "draagt minder dan naar rato" in page or "carries less than its share" in page
    assert "draagt meer dan naar rato" in page or "carries more than its share" in page


def test_bad_input_on_every_cohort_form_keeps_the_input(coordinator_client, klantmanager_client,
                                                         world):
    cohort = make_cohort(world, providers=PROVIDERS[:2])
    candidate = person(world, "Vorm", "Fout")
    seat(world, cohort, candidate)
    base = f"/cohorten/{cohort.id}"
    cases = [
        (coordinator_client, "/cohorten/nieuw",
         {"name": "", "start_quarter": "2026-01-01", "description": "Tekst die blijft staan"},
         "Tekst die blijft staan"),
        (coordinator_client, "/cohorten/nieuw",
         {"name": "Maartgolf 2026", "start_quarter": "2026-01-01",
          "description": "Zonder gemeente blijft dit staan"},
         "Zonder gemeente blijft dit staan"),  # no municipality; the name is taken too
        (coordinator_client, f"{base}/bewerken",
         {"name": "Nieuwe naam die blijft", "start_quarter": "1999-01-01",
          "municipalities": [str(world.org("Goes").id)]}, "Nieuwe naam die blijft"),
        (coordinator_client, f"{base}/afspraken/nieuw",
         {"candidate_id": str(candidate.id), "provider_id": str(world.org(PROVIDERS[0]).id),
          "stage_kind": "", "support": ""}, f"<option selected value=\"{candidate.id}\""),
        (coordinator_client, f"{base}/afspraken/nieuw",
         {"candidate_id": "", "provider_id": "", "stage_kind": "", "support": "Hulp bij geld"},
         "Hulp bij geld"),
        (klantmanager_client, f"{base}/kandidaten/nieuw",
         {"candidate_id": "", "motivation": "Een motivatie die blijft"},
         "Een motivatie die blijft"),
    ]
    for client, url, data, kept in cases:
        response = client.post(url, data=data)
        assert response.status_code == 200, (url, data, response.status_code)
        assert "error-summary" in response.text, (url, data)
        assert kept in response.text, (url, data)
    # Removing a provider with agreements is refused with a message.
    agree(world, cohort, candidate, PROVIDERS[0])
    response = coordinator_client.post(f"{base}/aanbieders",
                                       data={"providers": [str(world.org(PROVIDERS[1]).id)]})
    assert response.status_code == 200 and "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(CohortAgreement.id))) == 1


def test_removing_a_candidate_removes_their_agreements(coordinator_client, world):
    cohort = make_cohort(world, providers=PROVIDERS[:1])
    candidate = person(world, "Weg", "Uit")
    row = seat(world, cohort, candidate)
    agree(world, cohort, candidate, PROVIDERS[0])
    response = coordinator_client.post(f"/cohorten/{cohort.id}/kandidaten/{row.id}/verwijderen",
                                       data={"confirmed": "1"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CohortAgreement.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(CohortCandidate.id))) == 0


def test_a_proposal_needs_consent_for_the_overlegtafel(klantmanager_client, coordinator_client,
                                                       world):
    cohort = make_cohort(world)
    candidate = person(world, "Zonder", "Toestemming", consent_overlegtafel=False)
    response = klantmanager_client.post(f"/cohorten/{cohort.id}/kandidaten/nieuw",
                                        data={"candidate_id": str(candidate.id)})
    assert response.status_code == 302
    row = cohort_named(cohort.name).candidate_rows[0]
    response = coordinator_client.post(f"/cohorten/{cohort.id}/kandidaten/{row.id}/besluit",
                                       data={"decision": "accept"})
    assert response.status_code == 302
    assert cohort_named(cohort.name).candidate_rows[0].status is CohortCandidateStatus.PROPOSED


def test_a_candidate_sits_at_one_table_at_a_time(world):
    import pytest

    from tests.candidates.support import actor_of
    from trajectory.audit.trail import acting_as
    from trajectory.cohorts import services
    from trajectory.services import ServiceError

    spring = make_cohort(world, name="Voorjaar 2026")
    autumn = make_cohort(world, name="Najaar 2026")
    candidate = person(world, "Een", "Tafel")
    coordinator, klantmanager = world.user("coordinator"), world.user("klantmanager")
    seat(world, spring, candidate)
    for actor in (coordinator, klantmanager):  # placing or proposing: both refused
        with acting_as(actor_of(actor)), pytest.raises(ServiceError) as refused:
            services.propose_candidate(actor, autumn, candidate, "Ook hier graag.")
        db.session.rollback()
        assert refused.value.field == "candidate_id"
        assert "Een Tafel zit al aan tafel bij cohort 'Voorjaar 2026'" in refused.value.message
    assert cohort_named("Najaar 2026").candidate_rows == []
    # A proposal waiting in one cohort holds the seat too.
    waiting = person(world, "Wacht", "Nog")
    with acting_as(actor_of(klantmanager)):
        services.propose_candidate(klantmanager, spring, waiting)
        db.session.commit()
    with acting_as(actor_of(coordinator)), pytest.raises(ServiceError) as refused:
        services.propose_candidate(coordinator, autumn, waiting)
    db.session.rollback()
    assert "zit al aan tafel bij cohort 'Voorjaar 2026' (voorgesteld" in refused.value.message


def test_accepting_rechecks_the_other_tables_and_a_declined_candidate_is_free(world):
    import pytest

    from tests.candidates.support import actor_of
    from trajectory.audit.trail import acting_as
    from trajectory.cohorts import services
    from trajectory.services import ServiceError
    from trajectory.timeutil import today

    spring = make_cohort(world, name="Voorjaar 2026")
    autumn = make_cohort(world, name="Najaar 2026")
    candidate = person(world, "Twee", "Voorstellen")
    coordinator, klantmanager = world.user("coordinator"), world.user("klantmanager")
    with acting_as(actor_of(klantmanager)):
        first = services.propose_candidate(klantmanager, spring, candidate)
        db.session.commit()
    # A second proposal from before the rule (or written past the service) is not seated.
    second = CohortCandidate(candidate_id=candidate.id, status=CohortCandidateStatus.PROPOSED,
                             proposed_by_id=klantmanager.id, proposed_on=today())
    autumn.candidate_rows.append(second)
    db.session.commit()
    with acting_as(actor_of(coordinator)), pytest.raises(ServiceError) as refused:
        services.decide_candidate(coordinator, second, accept=True)
    db.session.rollback()
    assert "cohort 'Voorjaar 2026'" in refused.value.message
    # Declined at the spring table, the candidate may sit at the autumn one.
    with acting_as(actor_of(coordinator)):
        services.decide_candidate(coordinator, db.session.get(CohortCandidate, first.id),
                                  accept=False)
        services.decide_candidate(coordinator, db.session.get(CohortCandidate, second.id),
                                  accept=True)
        db.session.commit()
    assert db.session.get(CohortCandidate, second.id).accepted
    # And a candidate declined in one cohort can be put forward in another.
    third = make_cohort(world, name="Winter 2026")
    other = person(world, "Niet", "Opgenomen")
    with acting_as(actor_of(klantmanager)):
        row = services.propose_candidate(klantmanager, spring, other)
        db.session.commit()
    with acting_as(actor_of(coordinator)):
        services.decide_candidate(coordinator, row, accept=False)
        assert services.propose_candidate(coordinator, third, other).accepted
        db.session.commit()


def test_the_propose_page_shows_who_sits_elsewhere_and_refuses_them(coordinator_client,
                                                                    world):
    import html

    spring = make_cohort(world, name="Voorjaar 2026")
    autumn = make_cohort(world, name="Najaar 2026")
    seated, free = person(world, "Al", "Aan Tafel"), person(world, "Nog", "Vrij")
    seat(world, spring, seated)
    url = f"/cohorten/{autumn.id}/kandidaten/nieuw"
    page = html.unescape(coordinator_client.get(url).text)
    assert f'<option disabled value="{seated.id}">Al Aan Tafel (Goes) – aan tafel bij cohort ' \
           "'Voorjaar 2026'</option>" in page
    assert f'<option value="{free.id}">Nog Vrij (Goes)</option>' in page
    # Sent anyway (an old tab, a crafted form): refused on the field, the input kept.
    response = coordinator_client.post(url, data={"candidate_id": str(seated.id),
                                                  "motivation": "Een motivatie die blijft"})
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "error-summary" in page and "Een motivatie die blijft" in page
    assert "Al Aan Tafel zit al aan tafel bij cohort 'Voorjaar 2026'" in page
    assert f'selected value="{seated.id}"' in page
    assert 'aria-invalid="true"' in page and 'id="candidate_id"' in page
    assert cohort_named("Najaar 2026").candidate_rows == []
