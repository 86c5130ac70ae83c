"""The proposal lists only the places that can be picked (issue 12): the provider is chosen
in step one, with the kind; step two offers that provider's places that fit the kind, each
once, under the provider's name, decided by the same rule that refuses a forged pick
(``services.offer_item_problem``). And the intaker's "other responsible person" on an
answer is saved, not dropped."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from tests.providers.conftest import add_offer
from tests.stages.conftest import P1, P2, days, goes_candidate, make_stage
from trajectory.extensions import db
from trajectory.providers.models import OfferType
from trajectory.stages.models import Stage, StageKind, StageStatus

OPTION = re.compile(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>')


def _offer_select(page: str) -> str:
    match = re.search(r'<select[^>]*name="offer_item_id".*?</select>', page, re.S)
    assert match, "no offer select"
    return match.group(0)


def _url(candidate) -> str:
    return f"/trajecten/kandidaat/{candidate.id}/nieuw"


def test_step_one_asks_the_kind_and_the_provider(world, klantmanager_client):
    candidate = goes_candidate(world)
    page = klantmanager_client.get(_url(candidate)).text
    assert '<form method="get"' in page and 'name="aanbieder"' in page
    assert world.org(P1).name in page
    # A kind without a provider stays in step one, with the message at the provider.
    page = klantmanager_client.get(f"{_url(candidate)}?soort=werkervaringsplaats&aanbieder="
                                   "&verder=1").text
    assert 'id="aanbieder-error"' in page and 'href="#aanbieder"' in page
    assert 'name="offer_item_id"' not in page
    assert 'value="werkervaringsplaats" checked' in page or re.search(
        r'<input checked[^>]*value="werkervaringsplaats"', page)


def test_step_two_offers_only_the_places_that_can_be_picked(world, klantmanager_client):
    candidate = goes_candidate(world)
    own = add_offer(world.org(P1), title="Gastvrouw woonzorgcentrum")
    own_too = add_offer(world.org(P1), title="Medewerker facilitair")
    elsewhere = add_offer(world.org(P2), title="Medewerker facilitair")  # same title
    unfit = add_offer(world.org(P1), offer_type=OfferType.BUDDY, title="Buddy")
    page = klantmanager_client.get(f"{_url(candidate)}?soort=werkervaringsplaats"
                                   f"&aanbieder={world.org(P1).id}").text
    select = _offer_select(page)
    options = OPTION.findall(select)
    values = [value for value, _text in options]
    assert {str(own.id), str(own_too.id)} <= set(values)
    assert str(elsewhere.id) not in values  # another provider's place would be refused
    assert str(unfit.id) not in values  # a buddy place does not fit a werkervaringsplaats
    assert not [v for v, n in Counter(values).items() if n > 1]
    assert not [t for t, n in Counter(text for _v, text in options).items() if n > 1]
    # Under the provider's name; the provider itself is fixed and named on the page.
    assert f'<optgroup label="{world.org(P1).name}">' in select
    assert world.org(P2).name not in select
    assert f'name="provider_id" value="{world.org(P1).id}"' in page


def test_a_forged_pick_of_another_providers_place_is_still_refused(world, klantmanager_client):
    candidate = goes_candidate(world)
    elsewhere = add_offer(world.org(P2))
    response = klantmanager_client.post(_url(candidate), data={
        "kind": "werkervaringsplaats", "provider_id": world.org(P1).id,
        "planned_start": days(5).strftime("%d-%m-%Y"), "offer_item_id": elsewhere.id,
        "note": "Graag na de zomer"})
    assert response.status_code == 200
    page = response.text
    assert 'id="offer_item_id-error"' in page and "Graag na de zomer" in page
    assert ("Deze plek hoort bij een andere aanbieder." in page
            or "This place belongs to another provider." in page)
    assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 0


def test_a_proposal_with_a_place_of_the_provider_is_saved(world, klantmanager_client):
    candidate = goes_candidate(world)
    own = add_offer(world.org(P1))
    response = klantmanager_client.post(_url(candidate), data={
        "kind": "werkervaringsplaats", "provider_id": world.org(P1).id,
        "planned_start": days(5).strftime("%d-%m-%Y"), "offer_item_id": own.id})
    assert response.status_code == 302
    stage = db.session.scalar(sa.select(Stage))
    assert stage.offer_item_id == own.id and stage.provider_id == world.org(P1).id


# ------------------------------------------------------------------ the answer

def test_accepting_keeps_and_saves_the_other_responsible_person(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    url = f"/trajecten/{stage.id}/beantwoorden"
    form = intaker_client.get(url).text
    # The list starts at the intaker themself, as before; the typed name wins over it.
    chosen = re.search(r'<option selected value="(\d+)"', form) or re.search(
        r'<option[^>]*value="(\d+)"[^>]*selected', form)
    assert chosen and chosen.group(1) == str(world.user("intaker").id)
    response = intaker_client.post(url, data={
        "version": stage.version, "decision": "accept", "responsible_user_id": chosen.group(1),
        "responsible_name": "Marieke de Wit (teamleider)"})
    assert response.status_code == 302
    stage = db.session.get(Stage, stage.id)
    assert stage.status is StageStatus.GEPLAND
    assert stage.responsible_name == "Marieke de Wit (teamleider)"
    assert stage.responsible_user_id is None
    assert stage.responsible == "Marieke de Wit (teamleider)"
    assert "Marieke de Wit (teamleider)" in intaker_client.get(f"/trajecten/{stage.id}").text


def test_accepting_with_only_a_colleague_from_the_list(world, intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    intaker = world.user("intaker")
    response = intaker_client.post(f"/trajecten/{stage.id}/beantwoorden", data={
        "version": stage.version, "decision": "accept", "responsible_user_id": intaker.id,
        "responsible_name": ""})
    assert response.status_code == 302
    stage = db.session.get(Stage, stage.id)
    assert stage.responsible_user_id == intaker.id and stage.responsible_name is None


def test_an_edit_that_picks_someone_from_the_list_replaces_the_typed_name(world,
                                                                           intaker_client):
    stage = make_stage(world, goes_candidate(world), P1, StageKind.INTAKE)
    intaker_client.post(f"/trajecten/{stage.id}/beantwoorden", data={
        "version": stage.version, "decision": "accept", "responsible_name": "Team Noord"})
    stage = db.session.get(Stage, stage.id)
    assert stage.responsible_name == "Team Noord"
    # The edit form shows the name again (prefilled); picking a colleague now wins.
    intaker = world.user("intaker")
    response = intaker_client.post(f"/trajecten/{stage.id}/bewerken", data={
        "version": stage.version, "planned_start": stage.planned_start.strftime("%d-%m-%Y"),
        "planned_end": stage.planned_end.strftime("%d-%m-%Y") if stage.planned_end else "",
        "hours": "6", "responsible_user_id": intaker.id, "responsible_name": "Team Noord"})
    assert response.status_code == 302, response.text[:500]
    stage = db.session.get(Stage, stage.id)
    assert stage.responsible_user_id == intaker.id and stage.responsible_name is None
