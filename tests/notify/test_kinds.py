"""Each kind of e-mail, through ``flask notify send-due`` and a real SMTP server: it
arrives once, at the right person, in their language, with the link to the page where
the work is done, and nothing about the candidate but that link."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.candidates.support import actor_of, assign
from tests.cohorts.support import make_cohort
from tests.notify.conftest import BASE_URL, at, body
from tests.stages.conftest import P1, P2, goes_candidate, make_stage
from tests.valuation.web.sample import make_claim, make_contract
from trajectory.audit.trail import acting_as
from trajectory.cohorts import services as cohort_services
from trajectory.extensions import db
from trajectory.notify.models import NotificationPreference, OutboxMessage, OutboxStatus
from trajectory.stages.kinds import StageKind
from trajectory.stages.models import StageStatus
from trajectory.timeutil import today


def run(app, now=None) -> str:
    args = ["notify", "send-due"]
    if now is not None:
        args += ["--now", now.strftime("%Y-%m-%dT%H:%M")]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


@pytest.fixture
def addresses(world):
    """Every account with an address of its own (the world's are shared test values)."""
    for user in world.users.values():
        user.email = f"{user.username}@example.nl"
    db.session.commit()
    return world


def english(user) -> None:
    db.session.add(NotificationPreference(user_id=user.id, language="en", digest="off",
                                          muted=[]))
    db.session.commit()


def only(mailbox, address: str):
    messages = mailbox.to(address)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def kinds_sent(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def assert_nothing_about(message, candidate) -> None:
    text = message["Subject"] + body(message)
    for value in (candidate.first_name, candidate.last_name, candidate.bsn, candidate.phone):
        if value:
            assert value not in text


def test_a_proposal_reaches_the_providers_intaker_once_in_dutch(app, addresses, mailbox):
    candidate = goes_candidate(addresses, buddy=None)
    stage = make_stage(addresses, candidate, P1, StageKind.INTAKE)
    assert "1 queued, 1 sent" in run(app)
    message = only(mailbox, "intaker@example.nl")
    assert message["Subject"] == "Er wacht een voorstel op je antwoord"
    assert message["From"] == "Trajectory <trajectory@example.nl>"
    text = body(message)
    assert text.startswith("Hallo Fatima,")
    assert "Wat je doet: Accepteer of wijs het voorstel af." in text
    assert f"{BASE_URL}/trajecten/{stage.id}/beantwoorden#decision-0" in text
    assert f"{BASE_URL}/account/e-mail" in text
    assert_nothing_about(message, candidate)
    assert mailbox.to("intaker2@example.nl") == []
    # The next run finds the message sent: nothing again.
    assert "0 queued, 0 sent" in run(app)
    assert len(mailbox.messages) == 1
    row = kinds_sent("task_answer")[0]
    assert (row.status, row.email, row.attempts) == (OutboxStatus.SENT, "intaker@example.nl", 1)
    assert row.sent_at is not None


def test_an_english_user_gets_the_english_text(app, addresses, mailbox):
    english(addresses.user("intaker2"))
    stage = make_stage(addresses, goes_candidate(addresses), P2, StageKind.INTAKE)
    run(app)
    message = only(mailbox, "intaker2@example.nl")
    assert message["Subject"] == "A proposal waits for your answer"
    assert body(message).startswith("Hello Joris,")
    assert "What to do: Accept or decline the proposal." in body(message)
    assert f"{BASE_URL}/trajecten/{stage.id}/beantwoorden#decision-0" in body(message)


def test_a_recorded_intake_outcome_reaches_the_candidates_klantmanager(app, addresses,
                                                                       mailbox):
    candidate = goes_candidate(addresses)
    intake = make_stage(addresses, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                        start=today() - timedelta(days=20), end=today() - timedelta(days=10),
                        outcome={"suitable_for_care": False, "outcome_note": "Techniek"})
    run(app)
    message = only(mailbox, "klantmanager@example.nl")
    assert message["Subject"] == "Er wacht een overdracht op je"
    assert body(message).startswith("Hallo Sanne,")
    assert (f"{BASE_URL}/trajecten/kandidaat/{candidate.id}/nieuw?na={intake.id}#soort-0"
            in body(message))
    assert_nothing_about(message, candidate)
    # The other klantmanager of Goes sees it in the task list, but it is not theirs.
    assert mailbox.to("m.devos@example.nl") == []


def test_a_plan_not_agreed_at_the_signals_threshold(app, addresses, mailbox):
    candidate = goes_candidate(addresses, buddy=None)
    run(app, at(today() + timedelta(days=29)))
    assert mailbox.to("klantmanager@example.nl") == []
    run(app, at(today() + timedelta(days=30)))
    message = only(mailbox, "klantmanager@example.nl")
    assert message["Subject"] == "Er wacht een plan op vaststelling"
    assert "30 dagen na de aanmelding" in body(message)
    assert f"{BASE_URL}/kandidaten/{candidate.id}/plan" in body(message)
    run(app, at(today() + timedelta(days=31)))
    assert len(mailbox.to("klantmanager@example.nl")) == 1


def test_the_buddy_is_nudged_after_the_signals_days_without_contact(app, addresses, mailbox):
    candidate = goes_candidate(addresses, buddy=None)
    assign(addresses, candidate, "buddy", start=today())  # Kees Dekker, buddy since today
    run(app, at(today() + timedelta(days=13)))
    assert mailbox.to("buddy@example.nl") == []
    run(app, at(today() + timedelta(days=14)))
    message = only(mailbox, "buddy@example.nl")
    assert message["Subject"] == "Tijd om contact op te nemen"
    assert body(message).startswith("Hallo Kees,")
    assert "14 dagen of langer" in body(message)
    assert f"{BASE_URL}/kandidaten/{candidate.id}/contact" in body(message)
    assert_nothing_about(message, candidate)
    run(app, at(today() + timedelta(days=20)))
    assert len(mailbox.to("buddy@example.nl")) == 1


def test_consent_ending_within_the_signals_days_reaches_the_klantmanager(app, addresses,
                                                                         mailbox):
    soon = goes_candidate(addresses, buddy=None, consent_expires_on=today() + timedelta(days=30))
    goes_candidate(addresses, buddy=None, last_name="Later",
                   consent_expires_on=today() + timedelta(days=31))
    run(app)
    message = only(mailbox, "klantmanager@example.nl")
    assert message["Subject"] == "Er loopt een toestemming af"
    assert "binnen 30 dagen" in body(message)
    assert f"{BASE_URL}/kandidaten/{soon.id}/bewerken#consent_expires_on" in body(message)
    assert_nothing_about(message, soon)


def test_the_digest_is_opt_in_daily_from_seven_with_the_counts(app, addresses, mailbox):
    goes_candidate(addresses)
    later = today() + timedelta(days=31)  # plan not agreed, no contact
    run(app, at(later))
    assert [m for m in mailbox.to("klantmanager@example.nl") if "signalen" in m["Subject"]] == []
    db.session.add(NotificationPreference(user_id=addresses.user("klantmanager").id,
                                          language="nl", digest="daily", muted=[]))
    db.session.commit()
    run(app, at(later, hour=6))
    assert kinds_sent("digest") == []
    run(app, at(later, hour=8))
    run(app, at(later, hour=9))
    digests = [m for m in mailbox.to("klantmanager@example.nl") if m["Subject"] == "Je signalen"]
    assert len(digests) == 1
    text = body(digests[0])
    assert "- Plan niet vastgesteld: 1" in text
    assert "- Geen contact: 1" in text
    assert f"{BASE_URL}/signalen" in text
    run(app, at(later + timedelta(days=1)))
    assert len([m for m in mailbox.to("klantmanager@example.nl")
                if m["Subject"] == "Je signalen"]) == 2


def test_the_weekly_digest_comes_once_a_week(app, addresses, mailbox):
    goes_candidate(addresses)
    db.session.add(NotificationPreference(user_id=addresses.user("klantmanager").id,
                                          language="en", digest="weekly", muted=[]))
    db.session.commit()
    monday = today() + timedelta(days=31)
    monday -= timedelta(days=monday.weekday())
    monday += timedelta(days=7)
    for offset in (0, 1, 4, 7):
        run(app, at(monday + timedelta(days=offset)))
    digests = [m for m in mailbox.to("klantmanager@example.nl") if m["Subject"] == "Your signals"]
    assert len(digests) == 2
    assert "- Plan not agreed: 1" in body(digests[0])


def test_the_yearly_cycle_before_and_on_the_due_date(app, addresses, mailbox):
    year = today().year + 1
    contract = make_contract(addresses, reference="MAIL-1", start=date(year, 1, 1),
                             end=date(year, 12, 31), revenue=None)
    moments = [date(year - 1, 12, 17), date(year - 1, 12, 18), date(year, 1, 1),
               date(year, 5, 18), date(year, 5, 20), date(year, 6, 1), date(year, 6, 2)]
    for moment in moments:
        run(app, at(moment))
    subjects = [m["Subject"] for m in mailbox.to("intaker@example.nl")]
    assert subjects == [
        f"Uiterlijk 01-01-{year}: Het plan van aanpak",
        f"Uiterlijk 01-01-{year}: Het plan van aanpak",
        f"Uiterlijk 01-06-{year}: De omzetprognose voor {year}",
        f"Uiterlijk 01-06-{year}: De omzetprognose voor {year}",
    ]
    texts = [body(m) for m in mailbox.to("intaker@example.nl")]
    assert f"{BASE_URL}/sroi/contracten/{contract.id}/plan" in texts[0]
    assert f"{BASE_URL}/sroi/contracten/{contract.id}/omzet/{year}" in texts[2]
    assert "voor het contract Wmo-begeleiding testcontract" in texts[2]
    assert mailbox.to("intaker2@example.nl") == []


def test_a_judged_claim_reaches_the_provider(app, addresses, mailbox):
    contract = make_contract(addresses, reference="MAIL-2")
    claim = make_claim(contract, user=addresses.user("intaker"),
                       approve_by=addresses.user("adviseur"))
    run(app)
    message = only(mailbox, "intaker@example.nl")
    assert message["Subject"] == "Er is een claim beoordeeld"
    assert "is beoordeeld: goedgekeurd." in body(message)
    assert f"{BASE_URL}/sroi/claims/{claim.id}" in body(message)


def test_an_evaluation_with_its_four_answers_reaches_the_coordinator(app, addresses, mailbox):
    cohort = make_cohort(addresses)
    coordinator = addresses.user("coordinator")
    with acting_as(actor_of(coordinator)):
        evaluation = cohort_services.open_evaluation(coordinator, cohort, today())
        db.session.commit()
    run(app)
    assert mailbox.to("coordinator@example.nl") == []
    with acting_as(actor_of(coordinator)):
        cohort_services.save_answers(coordinator, evaluation, {
            "works": "Vaste buddy", "obstacles": "Vervoer", "energy": "Samen koken",
            "yields": "Twee banen"}, evaluation.lock_version)
        db.session.commit()
    run(app)
    message = only(mailbox, "coordinator@example.nl")
    assert message["Subject"] == "Er is een evaluatie klaar voor de overlegtafel"
    assert "van Maartgolf 2026 heeft alle vier antwoorden" in body(message)
    assert (f"{BASE_URL}/cohorten/{cohort.id}/evaluaties/{evaluation.id}/afsluiten"
            in body(message))


def test_a_user_without_an_address_is_skipped(app, addresses, mailbox):
    intaker = addresses.user("intaker")
    intaker.email = "  "
    db.session.commit()
    make_stage(addresses, goes_candidate(addresses, buddy=None), P1, StageKind.INTAKE)
    assert "0 queued" in run(app)
    assert mailbox.messages == [] and kinds_sent("task_answer") == []


def test_a_kind_switched_off_is_not_sent(app, addresses, mailbox):
    db.session.add(NotificationPreference(user_id=addresses.user("intaker").id, language="nl",
                                          digest="off", muted=["task_answer"]))
    db.session.commit()
    make_stage(addresses, goes_candidate(addresses), P1, StageKind.INTAKE)
    run(app)
    assert mailbox.to("intaker@example.nl") == []


def test_an_old_backlog_is_not_mailed_but_counts_in_the_digest(app, addresses, mailbox):
    """Switching e-mail on must not flood anyone: a signal that tripped more than a week
    ago (the buddy's last contact 30 days back: 16 days past the threshold) is not mailed;
    it stays on the home page and in the digest."""
    goes_candidate(addresses)  # Kees Dekker, buddy since 30 days, no contact since
    db.session.add(NotificationPreference(user_id=addresses.user("buddy").id, language="nl",
                                          digest="daily", muted=[]))
    db.session.commit()
    run(app, at(today()))
    assert [m["Subject"] for m in mailbox.to("buddy@example.nl")] == ["Je signalen"]
    assert "- Geen contact: 1" in body(mailbox.to("buddy@example.nl")[0])
