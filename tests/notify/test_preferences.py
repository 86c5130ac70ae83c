"""The account page's e-mail choices, used as a user would: the form, then what arrives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.admin.helpers import alert_texts, checked_values
from tests.notify.conftest import at
from tests.notify.test_kinds import run
from tests.stages.conftest import P1, goes_candidate, make_stage
from trajectory.audit.models import AuditEvent
from trajectory.extensions import db
from trajectory.notify.models import NotificationPreference
from trajectory.stages.kinds import StageKind
from trajectory.stages.models import StageStatus
from trajectory.timeutil import today

PAGE = "/account/e-mail"
KM_KINDS = {"task_handover", "task_plan", "consent_ending"}


@pytest.fixture
def addresses(world):
    for user in world.users.values():
        user.email = f"{user.username}@example.nl"
    db.session.commit()
    return world


def test_the_page_offers_the_kinds_of_the_users_roles(addresses, klantmanager_client):
    page = klantmanager_client.get(PAGE).text
    assert "klantmanager@example.nl" in page
    assert checked_values(page, "kinds") == KM_KINDS  # everything on by default
    assert checked_values(page, "digest") == {"off"}  # the digest is opt-in
    assert checked_values(page, "language") == {"nl"}
    assert "Een overdracht voor jou" in page
    assert "Een voorstel dat je organisatie moet beantwoorden" not in page  # the intaker's
    assert "Er zijn nog geen e-mails naar je verstuurd." in page
    home = klantmanager_client.get("/").text
    assert "klantmanager@example.nl" in home and f'href="{PAGE}"' in home


def test_the_choices_posted_change_what_arrives(app, addresses, klantmanager_client, mailbox):
    response = klantmanager_client.post(PAGE, data={
        "kinds": ["task_plan", "consent_ending"], "digest": "daily", "language": "en"})
    assert response.status_code == 302
    page = klantmanager_client.get(PAGE).text
    assert "Je e-mailkeuzes zijn opgeslagen." in " ".join(alert_texts(page))
    assert checked_values(page, "kinds") == {"task_plan", "consent_ending"}
    assert checked_values(page, "digest") == {"daily"}
    assert checked_values(page, "language") == {"en"}

    candidate = goes_candidate(addresses)
    make_stage(addresses, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
               start=today() - timedelta(days=20), end=today() - timedelta(days=10),
               outcome={"suitable_for_care": False, "outcome_note": "Techniek"})
    run(app, at(today() + timedelta(days=31)))
    subjects = sorted(m["Subject"] for m in mailbox.to("klantmanager@example.nl"))
    # No hand-over (switched off); the plan and the digest, in English.
    assert subjects == ["A plan waits to be agreed", "Your signals"]
    page = klantmanager_client.get(PAGE).text
    assert "A plan waits to be agreed" in page and "verzonden" in page


def test_the_change_is_in_the_audit_trail(addresses, klantmanager_client):
    klantmanager_client.post(PAGE, data={"kinds": [], "digest": "weekly", "language": "nl"})
    row = db.session.get(NotificationPreference, addresses.user("klantmanager").id)
    assert row.digest == "weekly" and set(row.muted) == KM_KINDS
    assert db.session.query(AuditEvent).filter_by(object_type="NotificationPreference").count()


def test_a_forged_choice_is_refused_with_the_input_kept(addresses, klantmanager_client):
    response = klantmanager_client.post(PAGE, data={"kinds": ["task_plan"], "digest": "hourly",
                                                    "language": "nl"})
    assert response.status_code == 200
    assert checked_values(response.text, "kinds") == {"task_plan"}
    assert "utrecht-form-fieldset--invalid" in response.text
    assert db.session.get(NotificationPreference, addresses.user("klantmanager").id) is None


def test_without_an_address_the_page_and_the_panel_say_so(addresses, klantmanager_client):
    addresses.user("klantmanager").email = None
    db.session.commit()
    page = klantmanager_client.get(PAGE).text
    assert "Je account heeft geen e-mailadres, dus je krijgt geen e-mail." in page
    assert "geen: je krijgt geen e-mail" in klantmanager_client.get("/").text


def test_a_role_without_signals_gets_no_digest_choice(addresses, adviseur_client):
    page = adviseur_client.get(PAGE).text
    assert 'name="digest"' not in page and 'name="kinds"' not in page
    assert adviseur_client.post(PAGE, data={"language": "en"}).status_code == 302
