"""The regional overview: who offers what, with free capacity; search, filters, query count."""

from __future__ import annotations

import re

from tests.providers.conftest import add_offer
from trajectory.demo.data import PROVIDERS
from trajectory.providers.models import OfferType


def _free_cells(page: str) -> list[str]:
    return re.findall(r'data-free="(-?\d+)"', page)


def test_overview_shows_free_capacity(klantmanager_client, p1, p2):
    add_offer(p1, OfferType.BBL, "Helpende zorg en welzijn", capacity=4, level=2)
    add_offer(p2, OfferType.BUDDY, "Buddy", capacity=0)
    page = klantmanager_client.get("/aanbieders/aanbod").text
    assert "Helpende zorg en welzijn" in page and PROVIDERS[0] in page
    assert sorted(_free_cells(page)) == ["0", "4"]
    assert "vol" in page  # a full offer says so


def test_search_and_filters(coordinator_client, p1, p2):
    add_offer(p1, OfferType.BBL, "Verzorgende IG", capacity=2, level=3)
    add_offer(p2, OfferType.ADDITIONAL_PROJECT, "Taalcafé NT2", capacity=10)
    add_offer(p2, OfferType.WERKERVARINGSPLAATS, "Medewerker dagbesteding", capacity=0)
    page = coordinator_client.get("/aanbieders/aanbod?q=taal").text
    assert "Taalcafé NT2" in page and "Verzorgende IG" not in page
    page = coordinator_client.get("/aanbieders/aanbod?offer_type=bbl").text
    assert "Verzorgende IG" in page and "Taalcafé" not in page
    page = coordinator_client.get(f"/aanbieders/aanbod?provider={p2.id}").text
    assert "Taalcafé" in page and "Verzorgende IG" not in page
    page = coordinator_client.get("/aanbieders/aanbod?free_only=y").text
    assert "Medewerker dagbesteding" not in page and "Taalcafé" in page
    page = coordinator_client.get(f"/aanbieders/aanbod?q={PROVIDERS[0].split()[1]}").text
    assert "Verzorgende IG" in page and "Taalcafé" not in page
    page = coordinator_client.get("/aanbieders/aanbod?q=bestaatniet").text
    assert "empty-state" in page


def test_overview_sorts_by_every_column(klantmanager_client, p1):
    add_offer(p1)
    for key in ("type", "title", "provider", "free", "from", "-free", "nonsense"):
        assert klantmanager_client.get(f"/aanbieders/aanbod?sort={key}").status_code == 200
    for key in ("name", "share", "free", "-share"):
        assert klantmanager_client.get(f"/aanbieders?sort={key}").status_code == 200


def test_overview_and_provider_list_keep_a_constant_query_count(
        klantmanager_client, count_queries, world):
    providers = [world.org(name) for name in PROVIDERS]
    add_offer(providers[0])

    def counted(path: str) -> int:
        with count_queries() as counter:
            assert klantmanager_client.get(path).status_code == 200
        return counter.count

    small = {path: counted(path) for path in ("/aanbieders/aanbod", "/aanbieders/aanbod?q=a&offer_type=werkervaringsplaats&free_only=y", "/aanbieders", "/aanbieders/vacatures")}
    for index in range(20):
        add_offer(providers[index % 6], title=f"Gastvrouw {index}")
    large = {path: counted(path) for path in small}
    assert small == large
