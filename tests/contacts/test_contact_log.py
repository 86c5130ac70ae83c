"""The buddy's progress log: the phone form, the log on the file, signals handled by the
klantmanager, who may read and write, and the note that survives an idle logout."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.auth.session_support import idle_for, raw_cookie_text
from tests.candidates.support import assign, register
from tests.conftest import login
from tests.contacts.support import day_text, form_data, log_contact
from trajectory.audit.models import ProcessingLogEntry
from trajectory.auth.session_models import KeptInput
from trajectory.contacts.models import ContactKind, ContactLog, SignalCategory
from trajectory.extensions import db
from trajectory.timeutil import today


def entries(candidate) -> list[ContactLog]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ContactLog).where(
        ContactLog.candidate_id == candidate.id).order_by(ContactLog.id)))


def test_the_buddy_logs_a_contact_from_the_short_form(buddy_client, goes):
    url = f"/kandidaten/{goes.id}/contact"
    page = buddy_client.get(url)
    assert page.status_code == 200
    # Today by default, the kinds as radio buttons, no script anywhere.
    assert f'value="{day_text(today())}"' in page.text
    assert len(_radios(page.text, "kind")) == 5
    assert "<script" not in page.text
    response = buddy_client.post(url, data=form_data(
        kind="huisbezoek", signal_category="schulden",
        signal_text="Er liggen weer aanmaningen van de energieleverancier."))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kandidaten/{goes.id}/contacten")
    [entry] = entries(goes)
    assert (entry.kind, entry.wellbeing, entry.signal_category) == (
        ContactKind.HUISBEZOEK, 4, SignalCategory.SCHULDEN)
    assert entry.buddy.username == "buddy" and entry.contact_on == today()
    log_page = buddy_client.get(response.headers["Location"]).text
    assert "We hebben koffie gedronken" in log_page
    assert "aanmaningen van de energieleverancier" in log_page
    # The file shows the latest entries too.
    file_page = buddy_client.get(f"/kandidaten/{goes.id}").text
    assert "We hebben koffie gedronken" in file_page
    assert f"/kandidaten/{goes.id}/contact\"" in file_page


def test_a_contact_without_note_or_score_is_fine(buddy_client, goes):
    response = buddy_client.post(f"/kandidaten/{goes.id}/contact", data=form_data(
        kind="geen_contact_gelukt", note="", wellbeing=""))
    assert response.status_code == 302
    [entry] = entries(goes)
    assert entry.kind is ContactKind.GEEN_CONTACT and entry.wellbeing is None and entry.note == ""


def test_bad_input_re_renders_with_the_input_kept(buddy_client, goes):
    url = f"/kandidaten/{goes.id}/contact"
    note = "Bijzonder gesprek over werk en gezondheid."
    cases = [
        form_data(kind="", note=note),                                   # no kind
        form_data(contact_on="gisteren", note=note),                     # no date
        form_data(contact_on=day_text(today() + timedelta(days=1)), note=note),  # future
        form_data(contact_on=day_text(today() - timedelta(days=45)), note=note),  # before buddy
        form_data(signal_category="gezondheid", signal_text="", note=note),  # signal without text
        form_data(note=note + "x" * 500),                                # too long
        form_data(wellbeing="9", note=note),                             # not a choice
    ]
    for data in cases:
        response = buddy_client.post(url, data=data)
        assert response.status_code == 200, data
        assert "utrecht-form-field-error-message" in response.text, data
        assert "error-summary" in response.text, data
        assert note in response.text, data
    assert entries(goes) == []


def test_who_may_read_and_write_the_log(app, world, goes, client_for):
    log_contact(world, goes, days_ago=2, note="Telefonisch gesproken over de proefdag.")
    url_log, url_form = f"/kandidaten/{goes.id}/contacten", f"/kandidaten/{goes.id}/contact"
    # The klantmanager and the connected provider's intaker read; the overlegtafel does not.
    assert "proefdag" in client_for("klantmanager").get(url_log).text
    assert "proefdag" in client_for("intaker2").get(url_log).text
    assert client_for("coordinator").get(url_log).status_code == 403
    assert client_for("klantmanager2").get(url_log).status_code == 404
    assert client_for("intaker").get(url_log).status_code == 404
    # On the file: the klantmanager sees the section, the coordinator not.
    assert "proefdag" in client_for("klantmanager").get(f"/kandidaten/{goes.id}").text
    assert "proefdag" not in client_for("coordinator").get(f"/kandidaten/{goes.id}").text
    # Only a buddy writes; another buddy gets 404 (not their candidate).
    assert client_for("klantmanager").get(url_form).status_code == 403
    assert client_for("a.jansen").get(url_form).status_code == 404
    assert client_for("a.jansen").post(url_form, data=form_data()).status_code == 404
    assert client_for("a.jansen").get(url_log).status_code == 404


def test_the_buddy_sees_only_their_own_candidates(buddy_client, world):
    mine = register(world)
    other = register(world, first_name="Iemand", last_name="Anders")
    assign(world, mine, "buddy")
    assign(world, other, "a.jansen")
    assert buddy_client.get(f"/kandidaten/{mine.id}/contact").status_code == 200
    assert buddy_client.get(f"/kandidaten/{other.id}/contact").status_code == 404
    assert buddy_client.get(f"/kandidaten/{other.id}/contacten").status_code == 404
    # After reassignment the former buddy loses the candidate and its log.
    assign(world, mine, "a.jansen", start=today())
    assert buddy_client.get(f"/kandidaten/{mine.id}/contacten").status_code == 404


def test_only_the_log_page_is_a_file_view(klantmanager_client, world, goes):
    log_contact(world, goes)

    def views() -> int:
        return db.session.scalar(sa.select(sa.func.count(ProcessingLogEntry.id)).where(
            ProcessingLogEntry.object_type == "ContactLog",
            ProcessingLogEntry.subject_id == str(goes.id)))

    klantmanager_client.get(f"/kandidaten/{goes.id}")  # the file: its own view, not the log's
    assert views() == 0
    klantmanager_client.get(f"/kandidaten/{goes.id}/contacten")
    assert views() == 1


def test_the_klantmanager_handles_a_signal(klantmanager_client, world, goes):
    entry = log_contact(world, goes, signal=SignalCategory.WERKPLEK,
                        signal_text="Conflict met de werkbegeleider.")
    url = f"/contacten/{entry.id}/afhandelen?next=/"
    page = klantmanager_client.get(url)
    assert page.status_code == 200 and "Conflict met de werkbegeleider." in page.text
    response = klantmanager_client.post(url, data={"note": "  "})
    assert response.status_code == 200 and "utrecht-form-field-error-message" in response.text
    response = klantmanager_client.post(url, data={"note": "Gebeld met de leidinggevende."})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [handled] = entries(goes)
    assert not handled.signal_open
    assert handled.signal_handled_note == "Gebeld met de leidinggevende."
    assert handled.handled_by.username == "klantmanager"
    # Handling twice: nothing changes.
    assert klantmanager_client.post(url, data={"note": "nog eens"}).status_code == 302
    assert entries(goes)[0].signal_handled_note == "Gebeld met de leidinggevende."


def test_signals_are_handled_only_by_the_municipality(client_for, world, goes):
    entry = log_contact(world, goes, signal=SignalCategory.SCHULDEN)
    url = f"/contacten/{entry.id}/afhandelen"
    assert client_for("klantmanager2").get(url).status_code == 404
    assert client_for("buddy").get(url).status_code == 403
    assert client_for("intaker2").post(url, data={"note": "x"}).status_code == 403
    assert entries(goes)[0].signal_open


def test_a_note_typed_while_the_session_expired_survives_the_login(app, world, goes):
    client = app.test_client()
    login(client, "buddy")
    url = f"/kandidaten/{goes.id}/contact"
    assert client.get(url).status_code == 200
    idle_for(client, 31)
    typed = form_data(kind="telefoon", note="Lang gesprek over haar nieuwe rooster.",
                      wellbeing="2", signal_category="motivatie",
                      signal_text="Ze twijfelt of ze doorgaat.")
    response = client.post(url, data=typed)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    assert entries(goes) == []  # nothing saved by an expired session
    kept = db.session.scalars(sa.select(KeptInput)).one()  # on the server, not in the cookie
    assert "csrf_token" not in kept.fields
    assert kept.fields["note"] == "Lang gesprek over haar nieuwe rooster."
    assert "Lang gesprek" not in raw_cookie_text(client)
    # Logging in again sends the buddy back to the form, filled in.
    response = login(client, "buddy", path=response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == url
    page = client.get(url).text
    assert "Lang gesprek over haar nieuwe rooster." in page
    assert "Ze twijfelt of ze doorgaat." in page
    assert _checked(page, "kind", "telefoon") and _checked(page, "wellbeing", "2")
    assert _checked(page, "signal_category", "motivatie")
    # Used once: a fresh visit shows an empty form again.
    assert "Lang gesprek over haar nieuwe rooster." not in client.get(url).text
    # Saving it works as usual.
    assert client.post(url, data=typed).status_code == 302
    assert entries(goes)[0].note == "Lang gesprek over haar nieuwe rooster."


def test_the_kept_note_is_not_given_to_another_user(app, world, goes):
    client = app.test_client()
    login(client, "buddy")
    idle_for(client, 31)
    url = f"/kandidaten/{goes.id}/contact"
    client.post(url, data=form_data(note="Vertrouwelijke notitie van Kees."))
    login(client, "klantmanager")
    assert "Vertrouwelijke notitie van Kees." not in raw_cookie_text(client)
    kept = db.session.scalars(sa.select(KeptInput)).one()
    assert kept.user_id == world.user("buddy").id  # kept for the buddy only, still untaken


def _radios(page: str, name: str) -> list[str]:
    return [tag for tag in re.findall(r"<input[^>]*>", page)
            if 'type="radio"' in tag and f'name="{name}"' in tag]


def _checked(page: str, name: str, value: str) -> bool:
    return any(f'value="{value}"' in tag and "checked" in tag for tag in _radios(page, name))
