"""The candidate list's stage filters (current stage, its provider) with a constant query count,
and the connection a stage makes between a candidate and a provider."""

from __future__ import annotations

import re
from datetime import date

from tests.stages.conftest import P1, P2, P3, days, goes_candidate, make_stage
from trajectory.stages.models import StageKind, StageStatus


def _names(page: str) -> set[str]:
    return set(re.findall(r'href="/kandidaten/\d+">([^<]+)</a>', page))


def test_filters_on_the_current_stage_and_its_provider(world, klantmanager_client):
    fatma = goes_candidate(world, first_name="Fatma", last_name="Yildiz", tussenvoegsel=None)
    jeroen = goes_candidate(world, first_name="Jeroen", last_name="Berg", tussenvoegsel=None,
                            date_of_birth=date(1997, 6, 3))
    lisa = goes_candidate(world, first_name="Lisa", last_name="Verburg", tussenvoegsel=None,
                          date_of_birth=date(2002, 8, 21))
    make_stage(world, fatma, P3, StageKind.PAID_JOB, StageStatus.LOPEND, start=days(-5))
    make_stage(world, fatma, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=days(-200))
    make_stage(world, jeroen, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
    make_stage(world, lisa, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.GEPLAND,
               start=days(10))

    def names(query: str) -> set[str]:
        response = klantmanager_client.get(f"/kandidaten?{query}")
        assert response.status_code == 200
        return _names(response.text)

    assert names("stage=werkervaringsplaats") == {"Berg, Jeroen"}
    assert names("stage=paid_job") == {"Yildiz, Fatma"}
    assert names(f"provider={world.org(P2).id}") == set()  # nothing running there
    assert names(f"provider={world.org(P3).id}") == {"Yildiz, Fatma"}
    assert names(f"stage=werkervaringsplaats&provider={world.org(P1).id}") == {"Berg, Jeroen"}
    assert names("stage=geen") == {"Verburg, Lisa"}  # planned, not running
    assert names("stage=onzin") == names("")
    page = klantmanager_client.get("/kandidaten").text
    assert 'name="stage"' in page and 'name="provider"' in page


def test_filtered_list_keeps_a_constant_query_count(world, klantmanager_client, count_queries):
    def counted() -> int:
        with count_queries() as counter:
            response = klantmanager_client.get(
                f"/kandidaten?stage=werkervaringsplaats&provider={world.org(P1).id}")
            assert response.status_code == 200
        return counter.count

    first = goes_candidate(world, first_name="Eerste", last_name="Kandidaat")
    make_stage(world, first, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
    small = counted()
    for n in range(8):
        other = goes_candidate(world, first_name=f"Persoon{n}", last_name=f"Test{n}",
                               date_of_birth=date(1980 + n, 1, 1))
        make_stage(world, other, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND)
        make_stage(world, other, P2, StageKind.COACHING, StageStatus.LOPEND)
    assert counted() == small
    with count_queries() as counter:
        assert klantmanager_client.get("/trajecten/werkvoorraad").status_code == 200
    assert counter.count < 20


def test_a_stage_connects_the_candidate_to_the_provider(world, intaker_client, intaker2_client):
    candidate = goes_candidate(world, buddy=None)
    assert intaker_client.get(f"/kandidaten/{candidate.id}").status_code == 404
    # A proposal not yet answered opens only the proposal (issue 11), an accepted one the file.
    proposal = make_stage(world, candidate, P1, StageKind.INTAKE)
    assert intaker_client.get(f"/kandidaten/{candidate.id}").status_code == 404
    assert intaker_client.get(f"/trajecten/{proposal.id}").status_code == 200
    stage = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.GEPLAND)
    assert intaker_client.get(f"/kandidaten/{candidate.id}").status_code == 200
    assert intaker2_client.get(f"/kandidaten/{candidate.id}").status_code == 404
    # The intaker sees the stages at their own provider on the file, not the others'.
    other = make_stage(world, candidate, P2, StageKind.COACHING)
    page = intaker_client.get(f"/kandidaten/{candidate.id}").text
    assert f"/trajecten/{stage.id}\"" in page and f"/trajecten/{other.id}\"" not in page
    # A declined proposal does not connect.
    declined = make_stage(world, goes_candidate(world, buddy=None, first_name="Ander",
                                                last_name="Persoon"),
                          P1, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    assert intaker_client.get(f"/kandidaten/{declined.candidate_id}").status_code == 404


def test_buddy_and_coordinator_read_only_within_their_scope(world, client_for):
    assigned = goes_candidate(world)  # buddy Kees Dekker, consent for the overlegtafel
    stage = make_stage(world, assigned, P1, StageKind.INTAKE)
    other = goes_candidate(world, buddy=None, first_name="Zonder", last_name="Toestemming",
                           consent_overlegtafel=False)
    hidden = make_stage(world, other, P1, StageKind.INTAKE)
    buddy, coordinator = client_for("buddy"), client_for("coordinator")
    assert buddy.get(f"/trajecten/{stage.id}").status_code == 200
    assert buddy.get(f"/trajecten/{hidden.id}").status_code == 404
    assert coordinator.get(f"/trajecten/{stage.id}").status_code == 200
    assert coordinator.get(f"/trajecten/{hidden.id}").status_code == 404
    for client in (buddy, coordinator):
        assert client.post(f"/trajecten/{stage.id}/bewerken").status_code == 403
        assert client.get("/trajecten/werkvoorraad").status_code == 403
    # A buddy sees no action buttons on the stage page.
    page = buddy.get(f"/trajecten/{stage.id}").text
    assert "/beantwoorden" not in page and "/bewerken" not in page
