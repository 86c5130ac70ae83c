"""Free capacity subtracts the planned and running stages that use a place; vacancies
filled through the approach."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.providers.conftest import add_offer, add_vacancy
from tests.stages.conftest import P1, days, goes_candidate, make_stage
from trajectory.extensions import db
from trajectory.providers.models import OfferType, VacancyStatus
from trajectory.stages.models import Stage, StageKind, StageStatus


def _free(page: str) -> list[str]:
    return re.findall(r'data-free="(-?\d+)"', page)


def test_regional_overview_subtracts_running_stages(world, coordinator_client,
                                                    intaker_client, count_queries):
    provider = world.org(P1)
    item = add_offer(provider, OfferType.WERKERVARINGSPLAATS, "Gastvrouw", capacity=3)
    candidate = goes_candidate(world)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
               offer_item=item)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.GEPLAND,
               start=days(20), offer_item=item)
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.VOORGESTELD,
               offer_item=item)  # a proposal does not take a place yet
    make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
               start=days(-200), offer_item=item)  # nor does a finished stage
    with count_queries() as counter:
        page = coordinator_client.get("/aanbieders/aanbod").text
    assert _free(page) == ["1"]
    page = intaker_client.get(f"/aanbieders/{provider.id}").text
    assert "Gastvrouw" in page
    # The place cannot be removed now stages used it.
    response = intaker_client.post(f"/aanbieders/aanbod/{item.id}/verwijderen", data={"confirmed": "1"})
    assert response.status_code == 302
    assert "/bewerken" in response.headers["Location"]
    assert db.session.get(type(item), item.id) is not None
    # More stages do not add queries to the overview.
    for _ in range(5):
        make_stage(world, candidate, P1, StageKind.WERKERVARINGSPLAATS, StageStatus.LOPEND,
                   offer_item=item)
    with count_queries() as again:
        page = coordinator_client.get("/aanbieders/aanbod").text
    assert again.count == counter.count
    assert _free(page) == ["-4"] and "vol" in page


def test_stage_filling_a_vacancy(world, intaker_client, coordinator_client):
    vacancy = add_vacancy(world.org(P1), "Helpende zorg en welzijn")
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.BBL, StageStatus.GEPLAND,
                       start=days(0), end=days(300), vacancy=vacancy)
    assert vacancy.status is VacancyStatus.OPEN
    response = intaker_client.post(f"/trajecten/{stage.id}/starten", data={
        "actual_start": days(0).strftime("%d-%m-%Y"), "version": stage.version})
    assert response.status_code == 302
    db.session.refresh(vacancy)
    assert vacancy.status is VacancyStatus.FILLED
    page = coordinator_client.get("/aanbieders/vacatures").text
    assert "1 trajectstap" in page
    assert db.session.scalar(sa.select(Stage.vacancy_id).where(Stage.id == stage.id)) == vacancy.id
