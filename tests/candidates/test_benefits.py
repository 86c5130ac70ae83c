"""The benefit history: the rules of trajectory.candidates.benefits, the mirror on the
candidate, registration, the pages and who may use them, and the migration's data step."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.candidates.support import actor_of, add_benefit, assign, register
from tests.candidates.test_file import edit_data
from tests.candidates.test_register import form_data
from tests.conftest import base_config
from trajectory import create_app
from trajectory.audit.models import AuditEvent
from trajectory.audit.trail import acting_as
from trajectory.candidates import benefits
from trajectory.candidates.models import Benefit, BenefitPeriod, Candidate
from trajectory.extensions import db
from trajectory.services import ServiceError
from trajectory.timeutil import today

T = today()


def periods(candidate) -> list[tuple[Benefit, date, date | None]]:
    candidate = db.session.get(Candidate, candidate.id)
    return [(p.benefit, p.start, p.end) for p in candidate.benefit_periods]


def mirror(candidate) -> tuple[Benefit, date]:
    candidate = db.session.get(Candidate, candidate.id)
    return candidate.benefit, candidate.benefit_since


def refused(call, field: str) -> str:
    """The ServiceError's message, after checking it names ``field``; rolls back."""
    with pytest.raises(ServiceError) as caught:
        call()
    db.session.rollback()
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def checked(page: str) -> str | None:
    """The value of the checked radio button."""
    found = re.search(r'<input checked[^>]*value="([a-z_]+)"', page)
    return found.group(1) if found else None


def count_events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


@pytest.fixture
def ww(world):
    """Goes, on WW since a year ago (one open period)."""
    return register(world, benefit=Benefit.WW, benefit_since=T - timedelta(days=365))


# ------------------------------------------------------------------ the rules


def test_overlapping_periods_are_refused(app, world, ww):
    user = world.user("klantmanager")
    with app.test_request_context(), acting_as(actor_of(user)):
        add = benefits.add_benefit_period
        # before the running WW, reaching into it
        message = refused(lambda: add(ww, user, Benefit.PARTICIPATIEWET, T - timedelta(days=500),
                                      T - timedelta(days=300)), "end")
        assert "WW" in message and "overlapt" in message
        # an open period before the running one covers it too
        refused(lambda: add(ww, user, Benefit.WAJONG, T - timedelta(days=400)), "end")
        # the same start as the running one
        refused(lambda: add(ww, user, Benefit.WAJONG, T - timedelta(days=365)), "start")
    # a closed period inside an earlier closed one
    add_benefit(world, ww, Benefit.PARTICIPATIEWET, T - timedelta(days=900),
                T - timedelta(days=600))
    with app.test_request_context(), acting_as(actor_of(user)):
        refused(lambda: benefits.add_benefit_period(
            ww, user, Benefit.WAJONG, T - timedelta(days=700), T - timedelta(days=650)), "start")
        # moving a period onto another one
        earlier = benefits.periods_of(ww)[0]
        refused(lambda: benefits.update_benefit_period(
            earlier, Benefit.PARTICIPATIEWET, T - timedelta(days=900), T - timedelta(days=300)),
            "end")
    assert periods(ww) == [(Benefit.PARTICIPATIEWET, T - timedelta(days=900),
                            T - timedelta(days=600)),
                           (Benefit.WW, T - timedelta(days=365), None)]


def test_dates_are_checked(app, world, ww):
    user = world.user("klantmanager")
    with app.test_request_context(), acting_as(actor_of(user)):
        add = benefits.add_benefit_period
        assert "toekomst" in refused(lambda: add(ww, user, Benefit.PARTICIPATIEWET,
                                                 T + timedelta(days=1)), "start")
        assert "geboortedatum" in refused(lambda: add(ww, user, Benefit.PARTICIPATIEWET,
                                                      date(1980, 1, 1), date(1981, 1, 1)),
                                          "start")
        refused(lambda: add(ww, user, Benefit.PARTICIPATIEWET, T - timedelta(days=900),
                            T - timedelta(days=901)), "end")
        running = benefits.running_period(ww)
        refused(lambda: benefits.end_benefit_period(running, T + timedelta(days=30)), "end")
        refused(lambda: benefits.end_benefit_period(running, T - timedelta(days=366)), "end")
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), None)]


def test_nug_is_not_a_period(app, world, ww):
    user = world.user("klantmanager")
    with app.test_request_context(), acting_as(actor_of(user)):
        message = refused(lambda: benefits.add_benefit_period(ww, user, Benefit.NUG, T), "benefit")
        assert "geen uitkering = geen periode" in message.lower()
        running = benefits.running_period(ww)
        refused(lambda: benefits.update_benefit_period(running, Benefit.NUG, running.start, None),
                "benefit")


def test_a_new_period_ends_the_running_one_the_day_before(world, ww):
    start = T - timedelta(days=20)
    add_benefit(world, ww, Benefit.PARTICIPATIEWET, start)
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), start - timedelta(days=1)),
                           (Benefit.PARTICIPATIEWET, start, None)]


def test_the_mirror_follows_the_latest_period(app, world, ww):
    assert mirror(ww) == (Benefit.WW, T - timedelta(days=365))
    # an earlier period does not move the mirror
    add_benefit(world, ww, Benefit.WAJONG, T - timedelta(days=2000), T - timedelta(days=1500))
    assert mirror(ww) == (Benefit.WW, T - timedelta(days=365))
    later = add_benefit(world, ww, Benefit.PARTICIPATIEWET, T - timedelta(days=10))
    assert mirror(ww) == (Benefit.PARTICIPATIEWET, T - timedelta(days=10))
    user = world.user("klantmanager")
    with app.test_request_context(), acting_as(actor_of(user)):
        # ending the latest keeps it the latest (the history shows the end)
        benefits.end_benefit_period(db.session.get(BenefitPeriod, later.id), T)
        db.session.commit()
        assert mirror(ww) == (Benefit.PARTICIPATIEWET, T - timedelta(days=10))
        benefits.remove_benefit_period(db.session.get(BenefitPeriod, later.id))
        db.session.commit()
        assert mirror(ww) == (Benefit.WW, T - timedelta(days=365))
        for period in benefits.periods_of(db.session.get(Candidate, ww.id)):
            benefits.remove_benefit_period(period)
        db.session.commit()
    candidate = db.session.get(Candidate, ww.id)
    assert candidate.benefit_periods == []
    assert mirror(ww) == (Benefit.NUG, candidate.registered_at.date())


def test_a_later_date_of_birth_cannot_pass_a_period(klantmanager_client, ww):
    response = klantmanager_client.post(f"/kandidaten/{ww.id}/bewerken", data=edit_data(
        ww, date_of_birth=(T - timedelta(days=300)).isoformat()))
    assert response.status_code == 200
    assert "Er is een uitkeringsperiode die vóór deze geboortedatum begint" in response.text
    assert db.session.get(Candidate, ww.id).date_of_birth == date(1988, 4, 12)


# ------------------------------------------------------------------ registration and editing


def test_registration_creates_the_first_period(klantmanager_client, world):
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(world))
    assert response.status_code == 302
    candidate = db.session.scalars(sa.select(Candidate)).one()
    assert periods(candidate) == [(Benefit.PARTICIPATIEWET, date(2023, 9, 1), None)]
    assert mirror(candidate) == (Benefit.PARTICIPATIEWET, date(2023, 9, 1))


def test_registration_with_nug_creates_no_period(world):
    candidate = register(world, benefit=Benefit.NUG, benefit_since=T - timedelta(days=40))
    assert periods(candidate) == []
    assert mirror(candidate) == (Benefit.NUG, T - timedelta(days=40))


def test_a_bad_benefit_start_at_registration_is_on_its_field(klantmanager_client, world):
    response = klantmanager_client.post("/kandidaten/nieuw", data=form_data(
        world, benefit_since=(T + timedelta(days=3)).strftime("%d-%m-%Y")))
    assert response.status_code == 200
    assert 'id="benefit_since-error"' in response.text
    assert "De uitkering kan niet in de toekomst beginnen." in response.text
    assert db.session.scalar(sa.select(sa.func.count(BenefitPeriod.id))) == 0


def test_editing_the_details_leaves_the_benefit_alone(klantmanager_client, ww):
    page = klantmanager_client.get(f"/kandidaten/{ww.id}/bewerken").text
    assert 'name="benefit"' not in page and 'name="benefit_since"' not in page
    assert f"/kandidaten/{ww.id}#uitkeringen" in page
    # sent anyway (an old form): ignored
    response = klantmanager_client.post(f"/kandidaten/{ww.id}/bewerken", data=edit_data(
        ww, phone="06 11111111", benefit="wajong", benefit_since="2020-01-01"))
    assert response.status_code == 302
    assert mirror(ww) == (Benefit.WW, T - timedelta(days=365))
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), None)]


# ------------------------------------------------------------------ the pages


def test_the_history_shows_on_the_file(klantmanager_client, intaker2_client, buddy_client,
                                       world, ww):
    assign(world, ww, "buddy")  # Kees Dekker: intaker2's provider
    start = T - timedelta(days=30)
    add_benefit(world, ww, Benefit.PARTICIPATIEWET, start)
    page = klantmanager_client.get(f"/kandidaten/{ww.id}").text
    assert 'id="uitkeringen"' in page and "Uitkeringsgeschiedenis" in page
    assert (T - timedelta(days=365)).strftime("%d-%m-%Y") in page
    assert (start - timedelta(days=1)).strftime("%d-%m-%Y") in page
    assert "loopt nog" in page
    assert f"/kandidaten/{ww.id}/uitkeringen/nieuw" in page
    # the intaker sees the history but cannot change it; the buddy does not see the benefit
    page = intaker2_client.get(f"/kandidaten/{ww.id}").text
    assert 'id="uitkeringen"' in page and "loopt nog" in page
    assert "/uitkeringen/" not in page
    page = buddy_client.get(f"/kandidaten/{ww.id}").text
    assert 'id="uitkeringen"' not in page and "WW" not in page


def test_the_klantmanager_adds_a_period_and_the_running_one_ends(klantmanager_client, ww):
    start = T - timedelta(days=14)
    response = klantmanager_client.post(f"/kandidaten/{ww.id}/uitkeringen/nieuw", data={
        "benefit": "participatiewet", "start": start.strftime("%d-%m-%Y"), "end": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kandidaten/{ww.id}#uitkeringen")
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), start - timedelta(days=1)),
                           (Benefit.PARTICIPATIEWET, start, None)]
    page = klantmanager_client.get(f"/kandidaten/{ww.id}").text
    assert (start - timedelta(days=1)).strftime("%d-%m-%Y") in page  # said in the message too


def test_errors_keep_the_input_and_write_nothing(klantmanager_client, ww):
    url = f"/kandidaten/{ww.id}/uitkeringen/nieuw"
    before = count_events()
    future = (T + timedelta(days=3)).strftime("%d-%m-%Y")
    response = klantmanager_client.post(url, data={
        "benefit": "participatiewet", "start": future, "end": ""})
    assert response.status_code == 200
    assert f'value="{future}"' in response.text and 'id="start-error"' in response.text
    assert "De uitkering kan niet in de toekomst beginnen." in response.text
    response = klantmanager_client.post(url, data={"benefit": "nug", "start": "01-02-2026"})
    assert response.status_code == 200 and 'id="benefit-error"' in response.text
    assert "Geen uitkering = geen periode" in response.text
    assert 'value="01-02-2026"' in response.text
    overlap = (T - timedelta(days=400)).strftime("%d-%m-%Y")
    response = klantmanager_client.post(url, data={"benefit": "wajong", "start": overlap,
                                                   "end": T.strftime("%d-%m-%Y")})
    assert response.status_code == 200 and 'id="end-error"' in response.text
    assert f'value="{overlap}"' in response.text and checked(response.text) == "wajong"
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), None)]
    assert count_events() == before


def test_the_klantmanager_corrects_ends_and_removes_a_period(klantmanager_client, world, ww):
    period = db.session.get(Candidate, ww.id).benefit_periods[0]
    base = f"/kandidaten/{ww.id}/uitkeringen/{period.id}"
    page = klantmanager_client.get(base).text
    assert checked(page) == "ww" and "/verwijderen" in page
    start = T - timedelta(days=200)
    assert klantmanager_client.post(base, data={
        "benefit": "participatiewet", "start": start.isoformat(), "end": ""}).status_code == 302
    assert mirror(ww) == (Benefit.PARTICIPATIEWET, start)
    end = T - timedelta(days=5)
    page = klantmanager_client.get(f"{base}/beeindigen").text
    assert T.strftime("%d-%m-%Y") in page  # today as the default
    assert klantmanager_client.post(f"{base}/beeindigen",
                                    data={"end": end.strftime("%d-%m-%Y")}).status_code == 302
    assert periods(ww) == [(Benefit.PARTICIPATIEWET, start, end)]
    assert klantmanager_client.post(f"{base}/verwijderen", data={"confirmed": "1"}).status_code == 302
    assert periods(ww) == [] and mirror(ww)[0] is Benefit.NUG
    # the audit trail keeps what the period was, and the file's history says it
    removed = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "BenefitPeriod", AuditEvent.action == "delete")).one()
    assert removed.subject_id == str(ww.id)
    assert removed.changes["benefit"][0] == "participatiewet"
    page = klantmanager_client.get(f"/kandidaten/{ww.id}/geschiedenis").text
    assert "Uitkeringsperiode verwijderd" in page
    assert klantmanager_client.get(base).status_code == 404


def test_a_klantmanager_of_another_municipality_gets_404(klantmanager2_client, ww):
    period = db.session.get(Candidate, ww.id).benefit_periods[0]
    base = f"/kandidaten/{ww.id}/uitkeringen"
    for url in (f"{base}/nieuw", f"{base}/{period.id}", f"{base}/{period.id}/beeindigen"):
        assert klantmanager2_client.get(url).status_code == 404, url
        assert klantmanager2_client.post(url, data={"benefit": "ww", "start": "01-01-2025",
                                                    "end": "01-02-2025"}).status_code == 404
    assert klantmanager2_client.post(f"{base}/{period.id}/verwijderen").status_code == 404
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), None)]


def test_a_period_of_another_candidate_is_404(klantmanager_client, world, ww):
    other = register(world, first_name="Ander", last_name="Mens", date_of_birth=date(1970, 1, 1))
    period = db.session.get(Candidate, other.id).benefit_periods[0]
    assert klantmanager_client.get(f"/kandidaten/{ww.id}/uitkeringen/{period.id}").status_code \
        == 404
    assert klantmanager_client.post(
        f"/kandidaten/{ww.id}/uitkeringen/{period.id}/verwijderen").status_code == 404
    assert len(periods(other)) == 1


def test_intaker_and_buddy_get_403_on_the_edit_routes(intaker2_client, buddy_client, world, ww):
    assign(world, ww, "buddy")  # in scope for both
    period = db.session.get(Candidate, ww.id).benefit_periods[0]
    base = f"/kandidaten/{ww.id}/uitkeringen"
    for client in (intaker2_client, buddy_client):
        assert client.get(f"/kandidaten/{ww.id}").status_code == 200
        for url in (f"{base}/nieuw", f"{base}/{period.id}", f"{base}/{period.id}/beeindigen"):
            assert client.get(url).status_code == 403, url
            assert client.post(url, data={"benefit": "wajong", "start": "01-01-2026"}) \
                .status_code == 403, url
        assert client.post(f"{base}/{period.id}/verwijderen").status_code == 403
    assert periods(ww) == [(Benefit.WW, T - timedelta(days=365), None)]


# ------------------------------------------------------------------ the migration


def test_the_migration_turns_the_single_benefit_into_a_first_period(tmp_path):
    """0006: a candidate on benefit X since D gets one open period (X, D); NUG gets none."""
    app = create_app(base_config(f"sqlite:///{tmp_path / 'm.sqlite'}"))
    with app.app_context():
        upgrade(revision="0005_cohorts")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organisation (id, name, kind, active, created_at) "
                "VALUES (1, 'Goes', 'municipality', 1, '2025-01-01 00:00:00')"))
            conn.execute(sa.text(
                "INSERT INTO user_account (id, username, full_name, organisation_id, "
                "password_hash, session_token, must_change_password, active, created_at) "
                "VALUES (1, 'km', 'K M', 1, 'x', 't', 0, 1, '2025-01-01 00:00:00')"))
            for cid, benefit, since in ((1, "ww", "2024-03-01"), (2, "nug", "2025-02-01")):
                conn.execute(sa.text(
                    "INSERT INTO candidate (id, municipality_id, klantmanager_id, first_name, "
                    "last_name, search_name, date_of_birth, benefit, benefit_since, "
                    "doelgroepregister, statushouder, nt2, driving_licence, own_transport, "
                    "consent_providers, consent_buddy, consent_overlegtafel, status, "
                    "registered_at) VALUES (:id, 1, 1, 'A', 'B', 'a b', '1980-01-01', :benefit, "
                    ":since, 0, 0, 0, 0, 0, 0, 0, 0, 'actief', '2025-03-01 10:00:00')"),
                    {"id": cid, "benefit": benefit, "since": since})
        upgrade(revision="0006_labour_accounting")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT candidate_id, benefit, start, "end" FROM candidate_benefit_period')).all()
        db.engine.dispose()
    assert [tuple(map(str, row)) for row in rows] == [("1", "ww", "2024-03-01", "None")]
