"""Registering a candidate: the form, its errors, and the duplicate check."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.candidates.support import VALID_BSN, register
from trajectory.audit.models import AuditEvent
from trajectory.candidates.models import Candidate, CandidateStatus
from trajectory.extensions import db
from trajectory.timeutil import today


def form_data(world, **overrides):
    data = {
        "first_name": "Noor", "tussenvoegsel": "", "last_name": "Jansen",
        "date_of_birth": "14-02-1990", "phone": "06 11122233", "email": "noor@voorbeeld.nl",
        "street": "Singelstraat 4", "postcode": "4461 ab", "place": "Goes",
        "benefit": "participatiewet", "benefit_since": "2023-09-01", "bsn": "",
        "situation": ["nt2", "own_transport"], "klantmanager_id": str(world.user("klantmanager").id),
        "consent_given_on": (today() - timedelta(days=3)).strftime("%d-%m-%Y"),
        "consent_shares": ["consent_buddy"], "consent_expires_on": "",
    }
    data.update(overrides)
    return data


def count_candidates() -> int:
    return db.session.scalar(sa.select(sa.func.count(Candidate.id)))


def test_a_klantmanager_registers_a_candidate(klantmanager_client, world):
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, bsn="1112 22 333"))
    assert response.status_code == 302
    candidate = db.session.scalars(sa.select(Candidate)).one()
    assert response.headers["Location"].endswith(f"/kandidaten/{candidate.id}")
    assert candidate.full_name == "Noor Jansen"
    assert candidate.municipality_id == world.org("Goes").id
    assert candidate.date_of_birth == date(1990, 2, 14)
    assert candidate.benefit_since == date(2023, 9, 1)  # ISO accepted too
    assert candidate.postcode == "4461 AB"
    assert candidate.bsn == VALID_BSN
    assert (candidate.nt2, candidate.own_transport, candidate.driving_licence) == (True, True, False)
    assert (candidate.consent_buddy, candidate.consent_providers) == (True, False)
    assert candidate.status is CandidateStatus.AANGEMELD
    assert candidate.plan is not None and candidate.plan.is_empty
    assert candidate.search_name == "noor jansen"


def test_the_register_form_shows_the_colleagues_of_the_municipality(klantmanager_client, world):
    page = klantmanager_client.get("/kandidaten/nieuw").text
    assert "Mirjam de Vos" in page and "Sanne Bosman" in page
    assert "Pieter Koster" not in page  # Tholen


def _assert_rerendered(response, *kept):
    assert response.status_code == 200
    assert 'class="utrecht-alert utrecht-alert--error error-summary"' in response.text
    assert 'class="utrecht-form-field-error-message"' in response.text
    for value in kept:
        assert value in response.text, value
    assert count_candidates() == 0


def test_every_bad_field_re_renders_with_the_input_kept(klantmanager_client, world):
    cases = [
        ({"first_name": ""}, "Jansen"),
        ({"date_of_birth": "31-02-1990"}, "31-02-1990"),
        ({"date_of_birth": "gisteren"}, "gisteren"),
        ({"date_of_birth": (today() + timedelta(days=1)).isoformat()}, "Singelstraat 4"),
        ({"benefit_since": "1985-01-01"}, "1985-01-01"),  # before birth
        ({"phone": "bel mij"}, "bel mij"),
        ({"email": "noor@"}, "noor@"),
        ({"postcode": "446 AB"}, "446 AB"),
        ({"benefit": "bijstand"}, "Singelstraat 4"),
        ({"bsn": "123456789"}, "123456789"),
        ({"consent_given_on": ""}, "Singelstraat 4"),  # shares without a date
        ({"consent_expires_on": "01-01-2000"}, "01-01-2000"),
        ({"klantmanager_id": str(world.user("klantmanager2").id)}, "Singelstraat 4"),
    ]
    for override, kept in cases:
        response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, **override))
        _assert_rerendered(response, kept, "Singelstraat 4")


def test_error_messages_are_dutch(klantmanager_client, world):
    response = klantmanager_client.post("/kandidaten/nieuw",
                                        data=form_data(world, date_of_birth="gisteren"))
    assert "Er is een probleem" in response.text
    assert "Vul een datum in zoals 31-03-2026." in response.text
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, bsn="123456789"))
    assert "Dit is geen geldig BSN" in response.text
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, benefit=""))
    assert "Kies de uitkering." in response.text


def test_same_bsn_in_the_region_blocks_registration(klantmanager_client, world):
    register(world, klantmanager="klantmanager2", first_name="Anna", last_name="Bakker",
             date_of_birth=date(1970, 1, 1), bsn=VALID_BSN)
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, bsn=VALID_BSN))
    assert response.status_code == 200
    page = response.text
    assert "Tholen" in page and "Pieter Koster" in page  # whom to contact
    assert "Anna" not in page and "Bakker" not in page  # not the other municipality's file
    assert 'name="not_duplicate"' not in page  # a BSN match cannot be overridden
    assert count_candidates() == 1
    # ... not even by sending the box anyway
    response = klantmanager_client.post("/kandidaten/nieuw",
                                        data=form_data(world, bsn=VALID_BSN, not_duplicate="y"))
    assert count_candidates() == 1


def test_same_birth_date_and_similar_name_asks_for_confirmation(klantmanager_client, world):
    existing = register(world, first_name="Noor", tussenvoegsel="van", last_name="Jansen",
                        date_of_birth=date(1990, 2, 14))
    data = form_data(world, first_name="Nóor", last_name="Janssen")
    response = klantmanager_client.post("/kandidaten/nieuw", data=data)
    assert response.status_code == 200
    assert f"/kandidaten/{existing.id}" in response.text  # own municipality: link to the file
    assert 'name="not_duplicate"' in response.text
    assert 'value="Janssen"' in response.text  # input kept
    assert count_candidates() == 1
    response = klantmanager_client.post("/kandidaten/nieuw", data={**data, "not_duplicate": "y"})
    assert response.status_code == 302
    assert count_candidates() == 2


def test_a_different_name_on_the_same_birth_date_is_no_duplicate(klantmanager_client, world):
    register(world, first_name="Pieter", last_name="Wolfert", date_of_birth=date(1990, 2, 14))
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world))
    assert response.status_code == 302


def test_duplicate_rules():
    from trajectory.candidates.names import core_last_name, similar

    assert core_last_name("van der Berg") == "berg"
    assert similar("Jan", "van der Berg", "Johan", "Berg")  # same last name
    assert similar("Mohammed", "El Amrani", "Mohamed", "Elamrani")  # close enough
    assert not similar("Jan", "Vos", "Piet", "Bakker")


def test_only_klantmanagers_register(intaker_client, buddy_client, coordinator_client, world):
    for client in (intaker_client, buddy_client, coordinator_client):
        assert client.get("/kandidaten/nieuw").status_code == 403
        assert client.post("/kandidaten/nieuw", data=form_data(world)).status_code == 403
    assert count_candidates() == 0


def test_registration_is_audited_without_the_bsn(klantmanager_client, world):
    klantmanager_client.post("/kandidaten/nieuw", data=form_data(world, bsn=VALID_BSN))
    candidate = db.session.scalars(sa.select(Candidate)).one()
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Candidate", AuditEvent.object_id == str(candidate.id))).one()
    assert event.action == "create" and event.actor_name == "klantmanager"
    assert event.changes["bsn"] == ["***", "***"]
    assert event.changes["last_name"] == [None, "Jansen"]
    assert (event.subject_type, event.subject_id) == ("Candidate", str(candidate.id))
    assert VALID_BSN not in str(event.changes)
