"""Candidates through a token: pseudonymised for the warehouse, the file only as the pages
show it, and the processing-log lines the pages write."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.api.support import bearer, token_for
from tests.candidates.support import VALID_BSN, goes_file, register
from trajectory.api.resources.candidates import pseudonym
from trajectory.audit.models import ProcessingLogEntry
from trajectory.auth.roles import Role
from trajectory.extensions import db

IDENTIFYING = ("Zoë", "Vries", VALID_BSN, "1988", "06 12345678", "zoe@voorbeeld.nl",
               "Kerkstraat")


def _lines(candidate_id: int) -> list[ProcessingLogEntry]:
    return list(db.session.scalars(sa.select(ProcessingLogEntry).where(
        ProcessingLogEntry.subject_id == str(candidate_id)).order_by(ProcessingLogEntry.id)))


def test_the_warehouse_list_is_pseudonymised_with_a_stable_pseudonym(client, world):
    candidate = goes_file(world)
    candidate.pause_reason = "Zorgen thuis, even rust."
    db.session.commit()
    row, plain = token_for(world, "Regio Oosterschelde", Role.COORDINATOR, {"candidates:read"})
    first = client.get("/api/v1/candidates", headers=bearer(plain))
    assert first.status_code == 200
    items = first.get_json()["items"]
    assert len(items) == 1
    item = items[0]
    assert re.fullmatch(r"P-[0-9a-f]{20}", item["pseudonym"])
    assert item["municipality"]["name"] == "Goes" and item["status"] == "aangemeld"
    assert item["benefit"] is None  # the coordinator's field set has no benefit
    assert "id" not in item
    for value in (*IDENTIFYING, "Zorgen thuis"):
        assert value not in first.text, value
    again = client.get("/api/v1/candidates", headers=bearer(plain)).get_json()["items"]
    assert again[0]["pseudonym"] == item["pseudonym"] == pseudonym(candidate.id)
    lines = [line for line in _lines(candidate.id) if line.object_type == "CandidateList"]
    assert len(lines) == 2 and lines[0].action == "list"
    assert lines[0].actor_name == f"api:{row.id}:Testkoppeling"


def test_pseudonyms_differ_per_person_and_per_key(app, client, world):
    one, other = goes_file(world), register(world, first_name="Piet", last_name="Anders")
    assert pseudonym(one.id) != pseudonym(other.id)
    before = pseudonym(one.id)
    app.config["API_PSEUDONYM_KEY"] = "een andere sleutel"
    assert pseudonym(one.id) != before


def test_the_klantmanager_sees_the_benefit_facts_in_the_list(client, world):
    goes_file(world)
    _row, plain = token_for(world, "Goes", Role.KLANTMANAGER, {"candidates:read"})
    item = client.get("/api/v1/candidates", headers=bearer(plain)).get_json()["items"][0]
    assert item["benefit"] == "participatiewet" and item["doelgroepregister"] is False
    assert "Vries" not in str(item)


def test_the_file_read_shows_what_the_file_page_shows_that_role(client, world):
    candidate = goes_file(world)
    _km, km = token_for(world, "Goes", Role.KLANTMANAGER, {"candidates:read"})
    full = client.get(f"/api/v1/candidates/{candidate.id}", headers=bearer(km)).get_json()
    assert (full["firstName"], full["lastName"], full["bsn"]) == ("Zoë", "Vries", VALID_BSN)
    assert full["dateOfBirth"] == "1988-04-12" and full["phone"] == "06 12345678"
    assert "bsn" in full["shown"] and "naam" in full["shown"]
    line = _lines(candidate.id)[-1]
    assert (line.action, line.object_type) == ("view", "Candidate")
    assert "bsn" in line.data_categories and "naam" in line.data_categories

    _co, co = token_for(world, "Regio Oosterschelde", Role.COORDINATOR, {"candidates:read"})
    table = client.get(f"/api/v1/candidates/{candidate.id}", headers=bearer(co)).get_json()
    assert table["lastName"] == "Vries"  # the overlegtafel's field set has the name ...
    assert table["bsn"] is None and table["phone"] is None and table["dateOfBirth"] is None
    assert table["street"] is None and table["pauseReason"] is None  # ... nothing else
    assert "bsn" not in _lines(candidate.id)[-1].data_categories


def test_out_of_scope_is_a_404_without_a_line(client, world):
    candidate = goes_file(world)
    _row, plain = token_for(world, "Tholen", Role.KLANTMANAGER, {"candidates:read"})
    response = client.get(f"/api/v1/candidates/{candidate.id}", headers=bearer(plain))
    assert response.status_code == 404 and "Vries" not in response.text
    assert client.get("/api/v1/candidates", headers=bearer(plain)).get_json()["items"] == []
    assert [line for line in _lines(candidate.id) if "api:" in line.actor_name] == []


def test_filters(client, world):
    candidate = goes_file(world)
    _row, plain = token_for(world, "Goes", Role.KLANTMANAGER, {"candidates:read"})
    hit = client.get(f"/api/v1/candidates?municipality={candidate.municipality_id}"
                     "&status=aangemeld&sort=-registeredOn", headers=bearer(plain))
    assert len(hit.get_json()["items"]) == 1
    miss = client.get("/api/v1/candidates?status=uitgestroomd", headers=bearer(plain))
    assert miss.get_json()["totalItems"] == 0
    bad = client.get("/api/v1/candidates?sort=lastName", headers=bearer(plain))
    assert bad.status_code == 400
