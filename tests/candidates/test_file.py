"""The file page, editing details, status changes, history and the processing log."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.candidates.support import VALID_BSN, actor_of, register
from trajectory.audit.models import AuditEvent, ProcessingLogEntry
from trajectory.audit.trail import acting_as
from trajectory.candidates import services
from trajectory.candidates.models import Candidate, CandidateStatus, OutflowReason
from trajectory.candidates.views import duration_text
from trajectory.extensions import db
from trajectory.timeutil import today


def views_of(candidate) -> list[ProcessingLogEntry]:
    return list(db.session.scalars(sa.select(ProcessingLogEntry).where(
        ProcessingLogEntry.subject_type == "Candidate",
        ProcessingLogEntry.subject_id == str(candidate.id)).order_by(ProcessingLogEntry.id)))


def edit_data(candidate, **overrides):
    data = {
        "first_name": candidate.first_name, "tussenvoegsel": candidate.tussenvoegsel or "",
        "last_name": candidate.last_name, "date_of_birth": candidate.date_of_birth.isoformat(),
        "phone": candidate.phone or "", "email": candidate.email or "",
        "street": candidate.street or "", "postcode": candidate.postcode or "",
        "place": candidate.place or "", "bsn": candidate.bsn or "",
        "klantmanager_id": str(candidate.klantmanager_id),
        "consent_given_on": candidate.consent_given_on.isoformat(),
        "consent_shares": ["consent_providers", "consent_buddy", "consent_overlegtafel"],
        "consent_expires_on": candidate.consent_expires_on.isoformat(),
    }
    data.update(overrides)
    return data


def test_the_klantmanager_sees_the_whole_file(klantmanager_client, goes):
    page = klantmanager_client.get(f"/kandidaten/{goes.id}").text
    for text in ("Zoë de Vries", "Goes", "Kees Dekker", "Sanne Bosman", VALID_BSN,
                 "Kerkstraat 12", "06 12345678", "12-04-1988", "Werkervaring opdoen",
                 f'href="/kandidaten/{goes.id}/geschiedenis"', f"/kandidaten/{goes.id}/bewerken"):
        assert text in page, text


def test_the_header_says_how_long_the_benefit_has_run(app, klantmanager_client, world):
    candidate = register(world, benefit_since=date(today().year - 3, today().month, 1)
                         - timedelta(days=62))
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    with app.test_request_context():
        assert duration_text(candidate.benefit_since) in page


def test_duration_text(app):
    start = date(2023, 9, 15)
    with app.test_request_context():
        assert duration_text(start, date(2026, 11, 23)) == "3 jaar en 2 maanden"
        assert duration_text(start, date(2023, 10, 14)) == "minder dan een maand"
        assert duration_text(start, date(2024, 9, 15)) == "1 jaar"
        assert duration_text(start, date(2023, 11, 15)) == "2 maanden"


def test_the_buddy_sees_contact_but_no_bsn_benefit_or_history(buddy_client, goes):
    page = buddy_client.get(f"/kandidaten/{goes.id}").text
    assert "Zoë de Vries" in page and "06 12345678" in page
    assert "Kerkstraat 12" in page  # consent shares with the buddy
    assert VALID_BSN not in page
    assert "Participatiewet" not in page
    assert 'id="geschiedenis"' not in page and "/geschiedenis" not in page
    assert "/bewerken" not in page


def test_no_address_for_the_buddy_without_consent(buddy_client, world, goes):
    user = world.user("klantmanager")
    with acting_as(actor_of(user)):
        goes.consent_buddy = False
        db.session.commit()
    page = buddy_client.get(f"/kandidaten/{goes.id}").text
    assert "Kerkstraat 12" not in page and "06 12345678" in page


def test_the_coordinator_sees_only_what_the_table_needs(coordinator_client, goes):
    page = coordinator_client.get(f"/kandidaten/{goes.id}").text
    assert "Zoë de Vries" in page and "Kees Dekker" in page and "Sanne Bosman" in page
    for hidden in (VALID_BSN, "Kerkstraat", "06 12345678", "zoe@voorbeeld.nl", "Schulden",
                   "Participatiewet", "12-04-1988", "Werkervaring", 'id="ladder"'):
        assert hidden not in page, hidden


def test_the_connected_intaker_sees_no_bsn_or_address(intaker2_client, goes):
    page = intaker2_client.get(f"/kandidaten/{goes.id}").text
    assert "Zoë de Vries" in page and "Participatiewet" in page and "06 12345678" in page
    assert VALID_BSN not in page and "Kerkstraat" not in page and "12-04-1988" not in page


def test_each_file_view_writes_a_processing_log_line(klantmanager_client, buddy_client, goes,
                                                     world):
    klantmanager_client.get(f"/kandidaten/{goes.id}")
    buddy_client.get(f"/kandidaten/{goes.id}")
    lines = views_of(goes)
    assert [(line.action, line.actor_name, line.object_type) for line in lines] == [
        ("view", "klantmanager", "Candidate"), ("view", "buddy", "Candidate")]
    assert lines[0].actor_organisation_id == world.org("Goes").id
    assert "bsn" in lines[0].data_categories and "bsn" not in lines[1].data_categories
    assert lines[0].request_id and lines[0].result == "success"
    # the klantmanager sees who looked, on the history page
    page = klantmanager_client.get(f"/kandidaten/{goes.id}/geschiedenis").text
    assert "Stichting Welzijn De Bevelanden" in page  # the buddy's organisation


def test_a_refused_look_writes_no_processing_line(klantmanager2_client, goes):
    assert klantmanager2_client.get(f"/kandidaten/{goes.id}").status_code == 404
    assert views_of(goes) == []


def test_edit_records_old_and_new_values_and_never_the_bsn(klantmanager_client, goes):
    response = klantmanager_client.post(f"/kandidaten/{goes.id}/bewerken", data=edit_data(
        goes, phone="06 99988877", bsn="1234 56 782"))
    assert response.status_code == 302
    goes = db.session.get(Candidate, goes.id)
    assert goes.phone == "06 99988877" and goes.bsn == "123456782"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "Candidate", AuditEvent.object_id == str(goes.id),
        AuditEvent.action == "update")).one()
    assert event.changes["phone"] == ["06 12345678", "06 99988877"]
    assert event.changes["bsn"] == ["***", "***"]
    everything = " ".join(str(e.changes) for e in db.session.scalars(sa.select(AuditEvent)))
    assert VALID_BSN not in everything and "123456782" not in everything
    history = klantmanager_client.get(f"/kandidaten/{goes.id}/geschiedenis").text
    assert "06 12345678 → 06 99988877" in history


def test_edit_errors_keep_the_input(klantmanager_client, goes):
    response = klantmanager_client.post(f"/kandidaten/{goes.id}/bewerken", data=edit_data(
        goes, last_name="Visser-Vries", date_of_birth="99-99-1999"))
    assert response.status_code == 200
    assert 'value="Visser-Vries"' in response.text and 'value="99-99-1999"' in response.text
    assert db.session.get(Candidate, goes.id).last_name == "Vries"


def test_the_bsn_must_be_unique(klantmanager_client, world, goes):
    other = register(world, first_name="Ander", last_name="Mens", date_of_birth=date(1970, 1, 1),
                     bsn=None)
    response = klantmanager_client.post(f"/kandidaten/{other.id}/bewerken",
                                        data=edit_data(other, bsn=VALID_BSN))
    assert response.status_code == 200
    assert db.session.get(Candidate, other.id).bsn is None


def test_status_change_pause_and_close(klantmanager_client, goes):
    url = f"/kandidaten/{goes.id}/status"
    response = klantmanager_client.post(url, data={"status": "gepauzeerd", "pause_reason": ""})
    assert response.status_code == 200 and "utrecht-form-field-error-message" in response.text
    response = klantmanager_client.post(url, data={"status": "gepauzeerd",
                                                   "pause_reason": "Ziekenhuisopname"})
    assert response.status_code == 302
    assert db.session.get(Candidate, goes.id).pause_reason == "Ziekenhuisopname"
    # closing needs a reason, "other" needs a note; the input stays
    response = klantmanager_client.post(url, data={"status": "uitgestroomd",
                                                   "outflow_reason": "overig",
                                                   "effective_on": "01-10-2026"})
    assert response.status_code == 200 and 'value="01-10-2026"' in response.text
    response = klantmanager_client.post(url, data={
        "status": "uitgestroomd", "outflow_reason": "betaald_werk",
        "effective_on": today().strftime("%d-%m-%Y")})
    assert response.status_code == 302
    goes = db.session.get(Candidate, goes.id)
    assert goes.status is CandidateStatus.UITGESTROOMD
    assert goes.outflow_reason is OutflowReason.BETAALD_WERK
    assert goes.closed_on == today() and goes.pause_reason is None
    # reopening clears the closure
    assert klantmanager_client.post(url, data={"status": "actief"}).status_code == 302
    goes = db.session.get(Candidate, goes.id)
    assert goes.closed_on is None and goes.outflow_reason is None


def test_status_rules(app, world, goes):
    with app.test_request_context():
        _check_status_rules(world.user("klantmanager"), goes)


def _check_status_rules(user, goes):
    for status, kwargs, field in (
            (CandidateStatus.AANGEMELD, {}, "status"),
            (CandidateStatus.UITGESTROOMD, {}, "outflow_reason"),
            (CandidateStatus.UITGESTROOMD, {"outflow_reason": OutflowReason.GESTOPT,
                                            "effective_on": today() + timedelta(days=1)},
             "effective_on")):
        services.change_status(user, goes, CandidateStatus.ACTIEF)
        try:
            services.change_status(user, goes, status, **kwargs)
        except services.ServiceError as error:
            assert error.field == field
        else:
            raise AssertionError(f"{status} {kwargs} should be refused")
        db.session.rollback()


def test_only_the_klantmanager_changes_the_status(intaker2_client, buddy_client, goes):
    for client in (intaker2_client, buddy_client):
        assert client.get(f"/kandidaten/{goes.id}/status").status_code == 403
        assert client.post(f"/kandidaten/{goes.id}/status",
                           data={"status": "uitgestroomd"}).status_code == 403
    assert db.session.get(Candidate, goes.id).status is CandidateStatus.AANGEMELD


def test_a_service_error_leaves_nothing_half_written(klantmanager_client, goes):
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    klantmanager_client.post(f"/kandidaten/{goes.id}/bewerken",
                             data=edit_data(goes, phone="06 55555555",
                                            consent_expires_on="2000-01-01"))
    assert db.session.get(Candidate, goes.id).phone == "06 12345678"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before
