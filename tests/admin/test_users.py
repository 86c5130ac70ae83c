"""Managing user accounts: the regional administrator (``beheer``), the
administrator of one municipality (``b.goes``) and everybody else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.admin.helpers import (
    add_users,
    alert_texts,
    audit_count,
    checked_values,
    field_error,
    in_summary,
    input_value,
    login_alert,
    option_values,
    selected_option,
    summary_targets,
    t,
    temporary_password,
    user_count,
    user_named,
    usernames_in_table,
    wtforms_t,
)
from tests.conftest import login
from tests.factories import PASSWORD, make_organisation
from trajectory.auth.models import User
from trajectory.auth.passwords import verify_password
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import KIND_LABELS, OrganisationKind

NEW_PASSWORD = "mijn eigen lange zin 2026"
# A page every logged-in user may open, to see whether a session still works.
ANY_PAGE = "/wachtwoord"
WRONG = "this-is-not-the-password"


def new_user_form(world, **overrides) -> dict:
    data = {
        "full_name": "Jan de Vries",
        "username": "j.devries",
        "email": "j.devries@goes.nl",
        "organisation_id": str(world.org("Goes").id),
        "roles": ["klantmanager"],
    }
    data.update(overrides)
    return data


def edit_form(user: User, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "username": user.username,
        "email": user.email or "",
        "organisation_id": str(user.organisation_id),
        "roles": sorted(r.value for r in user.roles),
    }
    data.update(overrides)
    return data


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


def wrong_password_message(app) -> str:
    """What a wrong password shows: the one message for every failed login."""
    client = app.test_client()
    status, message = login_alert(client, "adviseur", WRONG)
    assert status == 200 and message
    return message


# ------------------------------------------------------------ creating users

def test_the_regional_admin_creates_a_user_and_sees_a_one_time_password(app, world, beheer_client):
    form = beheer_client.get("/beheer/gebruikers/nieuw")
    assert form.status_code == 200
    assert '<html lang="nl"' in form.text

    response = beheer_client.post("/beheer/gebruikers/nieuw", data=new_user_form(world))

    assert response.status_code == 200
    password = temporary_password(response.text)
    assert len(password) >= 12
    user = user_named("j.devries")
    assert user is not None
    assert (user.full_name, user.email, user.organisation.name) == (
        "Jan de Vries", "j.devries@goes.nl", "Goes")
    assert user.roles == {Role.KLANTMANAGER}
    assert user.must_change_password is True
    assert verify_password(user.password_hash, password)
    assert password not in user.password_hash
    assert response.headers["Cache-Control"] == "no-store"  # not kept in the browser's cache

    # Shown once: not on the account page, not in the list.
    detail = beheer_client.get(f"/beheer/gebruikers/{user.id}")
    assert detail.status_code == 200
    assert password not in detail.text
    assert password not in beheer_client.get("/beheer/gebruikers").text


def test_a_new_user_must_choose_a_password_before_anything_else(app, world, beheer_client):
    response = beheer_client.post("/beheer/gebruikers/nieuw", data=new_user_form(world))
    temporary = temporary_password(response.text)

    client = app.test_client()
    assert login(client, "j.devries", temporary).status_code == 302
    for path in ("/", "/beheer/gebruikers", "/?x=1"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked.headers["Location"] == "/wachtwoord", path
    assert client.get("/wachtwoord").status_code == 200

    changed = client.post("/wachtwoord", data={
        "current_password": temporary, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert changed.status_code == 302

    assert client.get("/").status_code == 200
    assert user_named("j.devries").must_change_password is False
    # The temporary password is gone; the own one works.
    assert login_alert(app.test_client(), "j.devries", temporary)[0] == 200
    assert login(app.test_client(), "j.devries", NEW_PASSWORD).status_code == 302


def test_an_empty_form_names_every_missing_field(app, world, beheer_client):
    before = (user_count(), audit_count())
    response = beheer_client.post("/beheer/gebruikers/nieuw", data={})

    assert response.status_code == 200
    page = response.text
    required = wtforms_t(app, "This field is required.")
    for field_id in ("full_name", "username", "organisation_id"):
        assert field_error(page, field_id) == required, field_id
    assert field_error(page, "roles") == t(app, "Choose at least one role.")
    assert field_error(page, "email") is None  # optional
    assert t(app, "There is a problem") in page
    # The summary links to each field, in the order of the form.
    assert summary_targets(page) == ["#full_name", "#username", "#organisation_id", "#roles-0"]
    assert (user_count(), audit_count()) == before


BAD_INPUT = {
    "bad username": ({"username": "Jan de Vries!"}, "username",
                     "Use lower-case letters, digits, dots and hyphens only.", {}),
    "bad email": ({"email": "jan@@goes"}, "email",
                  "Enter an email address such as naam@goes.nl.", {}),
    "taken username": ({"username": "Klantmanager"}, "username",
                       "This user name is already taken.", {}),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_shown_next_to_the_field_and_kept(app, world, beheer_client, case):
    overrides, field_id, msgid, variables = BAD_INPUT[case]
    before = (user_count(), audit_count())
    data = new_user_form(world, **overrides)

    response = beheer_client.post("/beheer/gebruikers/nieuw", data=data)

    assert response.status_code == 200
    page = response.text
    assert '<html lang="nl"' in page
    expected = t(app, msgid, **variables)
    assert field_error(page, field_id) == expected
    assert in_summary(page, f"#{field_id}", expected)
    # What the administrator typed is still there.
    assert input_value(page, "full_name") == data["full_name"]
    assert input_value(page, "username") == data["username"].strip().lower()
    assert input_value(page, "email") == data["email"]
    assert selected_option(page, "organisation_id") == data["organisation_id"]
    assert checked_values(page, "roles") == set(data["roles"])
    assert "temporary-password" not in page
    assert (user_count(), audit_count()) == before


def test_a_role_that_does_not_fit_the_organisation_kind_is_refused(app, world, beheer_client):
    provider = world.org("Zorggroep Scheldezoom")
    before = (user_count(), audit_count())
    data = new_user_form(world, organisation_id=str(provider.id),
                         roles=["klantmanager", "buddy"])

    response = beheer_client.post("/beheer/gebruikers/nieuw", data=data)

    assert response.status_code == 200
    page = response.text
    with app.test_request_context():
        expected = t(app, "%(roles)s cannot be held by someone of a %(kind)s.",
                     roles=Role.KLANTMANAGER.label,
                     kind=str(KIND_LABELS[OrganisationKind.PROVIDER]).lower())
    assert field_error(page, "roles") == expected
    assert in_summary(page, "#roles-0", expected)
    assert selected_option(page, "organisation_id") == str(provider.id)
    assert checked_values(page, "roles") == {"klantmanager", "buddy"}
    assert input_value(page, "username") == "j.devries"
    assert (user_count(), audit_count()) == before


def test_the_same_user_name_in_other_capitals_is_taken(app, world, beheer_client):
    response = beheer_client.post("/beheer/gebruikers/nieuw",
                                  data=new_user_form(world, username="m.devos"))
    assert field_error(response.text, "username") == t(app, "This user name is already taken.")


def test_a_user_name_is_stored_in_lower_case(world, beheer_client):
    response = beheer_client.post("/beheer/gebruikers/nieuw",
                                  data=new_user_form(world, username="  j.devries "))
    assert response.status_code == 200
    assert user_named("j.devries") is not None


def test_a_form_without_csrf_token_saves_nothing(world, beheer_client):
    before = user_count()
    response = beheer_client.post("/beheer/gebruikers/nieuw", data=new_user_form(world),
                                  csrf=False)
    assert response.status_code in (200, 400)
    assert "temporary-password" not in response.text
    assert user_count() == before


# ------------------------------------------------------------- editing users

def test_changing_roles_ends_the_sessions_of_that_user(app, world, beheer_client,
                                                       klantmanager_client):
    user = world.user("klantmanager")
    assert klantmanager_client.get(ANY_PAGE).status_code == 200

    response = beheer_client.post(
        f"/beheer/gebruikers/{user.id}/bewerken",
        data=edit_form(user, roles=["klantmanager", "sroi_adviseur"]))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/beheer/gebruikers/{user.id}"
    assert user_named("klantmanager").roles == {Role.KLANTMANAGER, Role.SROI_ADVISEUR}
    assert is_sent_to_login(klantmanager_client.get(ANY_PAGE))
    # A new login gets the new roles.
    fresh = app.test_client()
    assert login(fresh, "klantmanager").status_code == 302
    assert fresh.get(ANY_PAGE).status_code == 200


def test_moving_a_user_to_another_organisation_ends_their_sessions(world, beheer_client,
                                                                   klantmanager_client):
    user = world.user("klantmanager")
    tholen = world.org("Tholen")
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                                  data=edit_form(user, organisation_id=str(tholen.id)))
    assert response.status_code == 302
    assert user_named("klantmanager").organisation.name == "Tholen"
    assert is_sent_to_login(klantmanager_client.get(ANY_PAGE))


def test_changing_only_the_name_keeps_the_session(world, beheer_client, klantmanager_client):
    user = world.user("klantmanager")
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                                  data=edit_form(user, full_name="Sanne Bosman-de Wit",
                                                 email="s.bosman@goes.nl"))
    assert response.status_code == 302
    saved = user_named("klantmanager")
    assert (saved.full_name, saved.email) == ("Sanne Bosman-de Wit", "s.bosman@goes.nl")
    assert klantmanager_client.get(ANY_PAGE).status_code == 200
    detail = beheer_client.get(response.headers["Location"])
    assert "Sanne Bosman-de Wit" in detail.text


def test_the_edit_form_shows_the_current_values(world, beheer_client):
    user = world.user("l.vandijke")
    page = beheer_client.get(f"/beheer/gebruikers/{user.id}/bewerken").text
    assert input_value(page, "username") == "l.vandijke"
    assert input_value(page, "full_name") == "Lotte van Dijke"
    assert selected_option(page, "organisation_id") == str(user.organisation_id)
    assert checked_values(page, "roles") == {"intaker", "buddy"}


def test_editing_refuses_a_role_that_does_not_fit_the_new_organisation(app, world, beheer_client,
                                                                       klantmanager_client):
    user = world.user("klantmanager")
    provider = world.org("Zorggroep Scheldezoom")
    before = audit_count()
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                                  data=edit_form(user, organisation_id=str(provider.id)))
    assert response.status_code == 200
    assert field_error(response.text, "roles")
    assert "#roles-0" in summary_targets(response.text)
    assert selected_option(response.text, "organisation_id") == str(provider.id)
    assert user_named("klantmanager").organisation.name == "Goes"
    assert audit_count() == before
    assert klantmanager_client.get(ANY_PAGE).status_code == 200


def test_editing_refuses_a_user_name_that_is_taken(app, world, beheer_client):
    user = world.user("m.devos")
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                                  data=edit_form(user, username="klantmanager2"))
    assert response.status_code == 200
    assert field_error(response.text, "username") == t(app, "This user name is already taken.")
    assert user_named("m.devos") is not None


# ------------------------------------------------- deactivating and passwords

def test_a_deactivated_user_cannot_log_in_and_loses_their_session(app, world, beheer_client,
                                                                  klantmanager_client):
    user = world.user("klantmanager")
    generic = wrong_password_message(app)

    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/actief")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/beheer/gebruikers/{user.id}"
    assert user_named("klantmanager").active is False
    flash = beheer_client.get(response.headers["Location"]).text
    assert t(app, "%(name)s can no longer log in.", name=user.full_name) in flash

    assert is_sent_to_login(klantmanager_client.get(ANY_PAGE))
    status, message = login_alert(app.test_client(), "klantmanager", PASSWORD)
    assert status == 200
    assert message == generic  # does not reveal that the account exists but is blocked


def test_a_reactivated_user_can_log_in_again(app, world, beheer_client):
    user = world.user("klantmanager")
    beheer_client.post(f"/beheer/gebruikers/{user.id}/actief")
    assert login_alert(app.test_client(), "klantmanager", PASSWORD)[0] == 200

    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/actief")

    assert response.status_code == 302
    assert user_named("klantmanager").active is True
    assert t(app, "%(name)s can log in again.", name=user.full_name) in beheer_client.get(
        response.headers["Location"]).text
    assert login(app.test_client(), "klantmanager").status_code == 302


def test_an_admin_cannot_deactivate_themselves(app, world, beheer_client):
    me = world.user("beheer")
    detail = beheer_client.get(f"/beheer/gebruikers/{me.id}").text
    assert f"/beheer/gebruikers/{me.id}/actief" not in detail  # no button offered

    response = beheer_client.post(f"/beheer/gebruikers/{me.id}/actief")

    assert response.status_code == 302
    assert user_named("beheer").active is True
    page = beheer_client.get(response.headers["Location"])
    assert page.status_code == 200  # still logged in
    assert t(app, "You cannot deactivate your own account.") in page.text


def test_resetting_a_password_shows_a_temporary_one_and_retires_the_old(app, world, beheer_client,
                                                                        klantmanager_client):
    user = world.user("klantmanager")

    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/wachtwoord")

    assert response.status_code == 200
    temporary = temporary_password(response.text)
    assert temporary != PASSWORD
    assert login_alert(app.test_client(), "klantmanager", PASSWORD)[0] == 200
    assert is_sent_to_login(klantmanager_client.get(ANY_PAGE))
    client = app.test_client()
    assert login(client, "klantmanager", temporary).status_code == 302
    assert client.get("/").headers["Location"] == "/wachtwoord"
    assert user_named("klantmanager").must_change_password is True


def test_a_password_reset_is_a_post(world, beheer_client):
    user = world.user("klantmanager")
    assert beheer_client.get(f"/beheer/gebruikers/{user.id}/wachtwoord").status_code == 405
    assert beheer_client.get(f"/beheer/gebruikers/{user.id}/actief").status_code == 405
    assert verify_password(user_named("klantmanager").password_hash, PASSWORD)


def test_actions_without_csrf_token_change_nothing(world, beheer_client):
    user = world.user("klantmanager")
    for action in ("actief", "wachtwoord"):
        response = beheer_client.post(f"/beheer/gebruikers/{user.id}/{action}", csrf=False)
        assert response.status_code == 400, action
    saved = user_named("klantmanager")
    assert saved.active is True
    assert verify_password(saved.password_hash, PASSWORD)


def test_changes_show_in_the_history_of_the_account(world, beheer_client):
    user = world.user("klantmanager")
    beheer_client.post(f"/beheer/gebruikers/{user.id}/bewerken",
                       data=edit_form(user, full_name="Sanne Bosman-de Wit"))
    page = beheer_client.get(f"/beheer/gebruikers/{user.id}").text
    assert "Sanne Bosman → Sanne Bosman-de Wit" in page
    assert "beheer" in page


# ---------------------------------------------------- a municipality's admin

@pytest.fixture
def goes_admin(client_for):
    return client_for("b.goes")


def test_a_municipal_admin_sees_only_their_own_organisation(world, goes_admin):
    page = goes_admin.get("/beheer/gebruikers").text
    assert sorted(usernames_in_table(page)) == ["b.goes", "klantmanager", "m.devos"]

    # Filtering on another organisation does not open it up.
    tholen = world.org("Tholen").id
    filtered = goes_admin.get(f"/beheer/gebruikers?organisation={tholen}").text
    assert usernames_in_table(filtered) == []
    searched = goes_admin.get("/beheer/gebruikers?q=klantmanager2").text
    assert usernames_in_table(searched) == []
    # Only the own organisation is offered in the filter.
    assert option_values(page, "organisation") == ["", str(world.org("Goes").id)]


@pytest.mark.parametrize("username", ["klantmanager2", "beheer", "intaker"])
def test_a_municipal_admin_gets_404_for_accounts_of_others(world, goes_admin, username):
    other = world.user(username)
    before = audit_count()
    for method, path in (("GET", f"/beheer/gebruikers/{other.id}"),
                         ("GET", f"/beheer/gebruikers/{other.id}/bewerken"),
                         ("POST", f"/beheer/gebruikers/{other.id}/bewerken"),
                         ("POST", f"/beheer/gebruikers/{other.id}/actief"),
                         ("POST", f"/beheer/gebruikers/{other.id}/wachtwoord")):
        if method == "GET":
            response = goes_admin.get(path)
        else:
            response = goes_admin.post(path, data=edit_form(other, full_name="Gekaapt"))
        assert response.status_code == 404, (method, path)
        assert "temporary-password" not in response.text
    saved = user_named(username)
    assert saved.active is True
    assert saved.full_name != "Gekaapt"
    assert verify_password(saved.password_hash, PASSWORD)
    assert audit_count() == before


def test_a_municipal_admin_manages_their_own_colleagues(world, goes_admin):
    colleague = world.user("m.devos")
    assert goes_admin.get(f"/beheer/gebruikers/{colleague.id}").status_code == 200
    response = goes_admin.post(f"/beheer/gebruikers/{colleague.id}/actief")
    assert response.status_code == 302
    assert user_named("m.devos").active is False


def test_a_municipal_admin_creates_users_only_in_their_own_organisation(app, world, goes_admin):
    form = goes_admin.get("/beheer/gebruikers/nieuw").text
    goes = str(world.org("Goes").id)
    assert option_values(form, "organisation_id") == [goes]
    assert selected_option(form, "organisation_id") == goes

    before = (user_count(), audit_count())
    tholen = str(world.org("Tholen").id)
    response = goes_admin.post("/beheer/gebruikers/nieuw",
                               data=new_user_form(world, organisation_id=tholen))
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert field_error(response.text, "organisation_id")
        assert "#organisation_id" in summary_targets(response.text)
    assert "temporary-password" not in response.text
    assert (user_count(), audit_count()) == before

    created = goes_admin.post("/beheer/gebruikers/nieuw", data=new_user_form(world))
    assert created.status_code == 200
    assert user_named("j.devries").organisation.name == "Goes"


def test_a_municipal_admin_cannot_move_a_colleague_to_another_organisation(world, goes_admin):
    colleague = world.user("m.devos")
    before = audit_count()
    response = goes_admin.post(
        f"/beheer/gebruikers/{colleague.id}/bewerken",
        data=edit_form(colleague, organisation_id=str(world.org("Tholen").id)))
    assert response.status_code in (200, 404)
    assert user_named("m.devos").organisation.name == "Goes"
    assert audit_count() == before


def test_a_municipal_admin_cannot_manage_organisations(world, goes_admin):
    goes = world.org("Goes")
    before = audit_count()
    assert goes_admin.get("/beheer/organisaties/nieuw").status_code == 403
    assert goes_admin.post("/beheer/organisaties/nieuw",
                           data={"name": "Eigen Club", "kind": "zorgaanbieder"}).status_code == 403
    assert goes_admin.get(f"/beheer/organisaties/{goes.id}/bewerken").status_code == 403
    assert goes_admin.post(f"/beheer/organisaties/{goes.id}/bewerken",
                           data={"name": "Goes Stad", "kind": "gemeente"}).status_code == 403
    assert goes_admin.post(f"/beheer/organisaties/{goes.id}/actief").status_code == 403
    tholen = world.org("Tholen")
    assert goes_admin.get(f"/beheer/organisaties/{tholen.id}/bewerken").status_code in (403, 404)
    assert goes_admin.post(f"/beheer/organisaties/{tholen.id}/actief").status_code in (403, 404)
    db.session.expire_all()
    assert goes.name == "Goes" and goes.active and tholen.active
    assert audit_count() == before


# -------------------------------------------------------- other roles: 403

def _admin_urls(app, world) -> list[tuple[str, str]]:
    target_user = world.user("m.devos")
    target_org = world.org("Goes")
    # session_id: the session routes (auth/session_views.py); need not exist for a 403.
    args = {"user_id": target_user.id, "organisation_id": target_org.id, "session_id": 1,
            "token_id": 1}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/beheer"):
                continue
            url = url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})
            for method in sorted(rule.methods & {"GET", "POST"}):
                urls.append((method, url))
    return urls


@pytest.mark.parametrize("username", ["adviseur", "coordinator", "klantmanager", "intaker",
                                      "buddy"])
def test_other_roles_get_403_on_every_admin_url(app, world, client_for, username):
    client = client_for(username)
    urls = _admin_urls(app, world)
    assert len(urls) >= 12
    before = audit_count()
    for method, url in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"name": "X", "kind": "gemeente",
                                              **new_user_form(world)})
        assert response.status_code == 403, (username, method, url)
    assert audit_count() == before
    assert user_named("m.devos").active is True
    assert user_named("j.devries") is None


def test_anonymous_visitors_are_sent_to_login_from_admin_urls(app, world, client):
    for method, url in _admin_urls(app, world):
        response = client.get(url) if method == "GET" else client.post(url)
        assert is_sent_to_login(response), (method, url)


# ------------------------------------------------------------------ the list

def test_the_list_searches_names_and_user_names(world, beheer_client):
    by_name = beheer_client.get("/beheer/gebruikers?q=BOSMAN").text
    assert usernames_in_table(by_name) == ["klantmanager"]
    by_username = beheer_client.get("/beheer/gebruikers?q=devos").text
    assert usernames_in_table(by_username) == ["m.devos"]
    assert input_value(by_username, "q") == "devos"
    nothing = beheer_client.get("/beheer/gebruikers?q=xyzzy")
    assert nothing.status_code == 200
    assert usernames_in_table(nothing.text) == []


def test_a_search_with_like_wildcards_matches_them_literally(world, beheer_client):
    assert usernames_in_table(beheer_client.get("/beheer/gebruikers?q=%25").text) == []
    assert usernames_in_table(beheer_client.get("/beheer/gebruikers?q=_").text) == []


def test_the_list_filters_by_organisation_role_and_status(world, beheer_client):
    goes = world.org("Goes").id
    page = beheer_client.get(f"/beheer/gebruikers?organisation={goes}").text
    assert sorted(usernames_in_table(page)) == ["b.goes", "klantmanager", "m.devos"]
    assert selected_option(page, "organisation") == str(goes)

    buddies = beheer_client.get("/beheer/gebruikers?role=buddy").text
    assert sorted(usernames_in_table(buddies)) == ["a.jansen", "buddy", "e.polderman",
                                                   "l.vandijke"]
    assert selected_option(buddies, "role") == "buddy"

    beheer_client.post(f"/beheer/gebruikers/{world.user('buddy').id}/actief")
    inactive = beheer_client.get("/beheer/gebruikers?status=inactief").text
    assert usernames_in_table(inactive) == ["buddy"]
    active = beheer_client.get("/beheer/gebruikers?status=actief&role=buddy").text
    assert sorted(usernames_in_table(active)) == ["a.jansen", "e.polderman", "l.vandijke"]
    everyone = beheer_client.get("/beheer/gebruikers").text
    assert len(usernames_in_table(everyone)) == len(world.users)


def test_unknown_filter_values_are_ignored(world, beheer_client):
    for query in ("role=koning", "status=misschien", "organisation=abc", "sort=password_hash",
                  "page=abc"):
        response = beheer_client.get(f"/beheer/gebruikers?{query}")
        assert response.status_code == 200, query
        assert len(usernames_in_table(response.text)) == len(world.users), query


@pytest.fixture
def sort_world(world):
    """Four accounts in two organisations whose every column sorts differently."""
    alfa = make_organisation("Sorteer Alfa", OrganisationKind.MUNICIPALITY)
    beta = make_organisation("Sorteer Beta", OrganisationKind.MUNICIPALITY)
    rows = (  # username, full name, organisation, last login
        ("sorteer-a", "Sorteer Dirk", beta, datetime(2026, 1, 3, 9, 0, tzinfo=UTC)),
        ("sorteer-b", "Sorteer Bram", alfa, None),
        ("sorteer-c", "Sorteer Anna", beta, datetime(2026, 1, 1, 9, 0, tzinfo=UTC)),
        ("sorteer-d", "Sorteer Cees", alfa, datetime(2026, 1, 2, 9, 0, tzinfo=UTC)),
    )
    for username, full_name, organisation, last_login in rows:
        (user,) = add_users(organisation, [username])
        user.full_name = full_name
        user.last_login_at = last_login
    db.session.commit()
    return world


SORTED = {
    "name": ["sorteer-c", "sorteer-b", "sorteer-d", "sorteer-a"],
    "username": ["sorteer-a", "sorteer-b", "sorteer-c", "sorteer-d"],
    # "never logged in" counts as the longest ago
    "last_login": ["sorteer-b", "sorteer-c", "sorteer-d", "sorteer-a"],
}


@pytest.mark.parametrize("column", list(SORTED))
def test_the_list_sorts_by_each_column_both_ways(sort_world, beheer_client, column):
    ascending = beheer_client.get(f"/beheer/gebruikers?q=sorteer&sort={column}")
    assert usernames_in_table(ascending.text) == SORTED[column]
    assert 'aria-sort="ascending"' in ascending.text
    descending = beheer_client.get(f"/beheer/gebruikers?q=sorteer&sort=-{column}")
    assert usernames_in_table(descending.text) == SORTED[column][::-1]
    assert 'aria-sort="descending"' in descending.text


def test_the_list_sorts_by_organisation(sort_world, beheer_client):
    ascending = usernames_in_table(
        beheer_client.get("/beheer/gebruikers?q=sorteer&sort=organisation").text)
    assert set(ascending[:2]) == {"sorteer-b", "sorteer-d"}  # Sorteer Alfa
    assert set(ascending[2:]) == {"sorteer-a", "sorteer-c"}  # Sorteer Beta
    descending = usernames_in_table(
        beheer_client.get("/beheer/gebruikers?q=sorteer&sort=-organisation").text)
    assert set(descending[:2]) == {"sorteer-a", "sorteer-c"}


def test_the_default_order_is_by_name(sort_world, beheer_client):
    page = beheer_client.get("/beheer/gebruikers?q=sorteer").text
    assert usernames_in_table(page) == SORTED["name"]


def test_sort_headers_are_links_that_keep_the_filters(sort_world, beheer_client):
    page = beheer_client.get("/beheer/gebruikers?q=sorteer&sort=username").text
    links = dict.fromkeys(
        link.replace("&amp;", "&") for link in
        re.findall(r'<a class="utrecht-link sort-link" href="([^"]+)"', page))
    assert "/beheer/gebruikers?q=sorteer&sort=-username" in links  # the active one flips
    assert "/beheer/gebruikers?q=sorteer&sort=name" in links
    assert "/beheer/gebruikers?q=sorteer&sort=organisation" in links
    assert "/beheer/gebruikers?q=sorteer&sort=last_login" in links


@pytest.fixture
def sixty(world):
    organisation = make_organisation("Paginagemeente", OrganisationKind.MUNICIPALITY)
    add_users(organisation, [f"pagina-{n:02d}" for n in range(60)])
    return organisation


def test_the_list_is_paginated(sixty, beheer_client):
    base = f"/beheer/gebruikers?organisation={sixty.id}&sort=username"
    seen: list[str] = []
    pages = []
    for number in (1, 2, 3):
        page = beheer_client.get(f"{base}&page={number}").text
        pages.append(page)
        seen += usernames_in_table(page)
    assert [len(usernames_in_table(p)) for p in pages] == [25, 25, 10]
    assert seen == [f"pagina-{n:02d}" for n in range(60)]
    assert 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="next"' not in pages[2] and 'rel="prev"' in pages[2]
    # The page links keep the filter and the sort.
    next_link = re.search(r'rel="next" href="([^"]+)"', pages[0]).group(1)
    assert f"organisation={sixty.id}" in next_link and "sort=username" in next_link
    assert "page=2" in next_link
    # A page past the end (an old link, a typed number) shows the last page.
    beyond = beheer_client.get(f"{base}&page=9")
    assert beyond.status_code == 200
    assert usernames_in_table(beyond.text) == usernames_in_table(pages[2])


def test_paging_through_a_sort_with_ties_shows_everybody_once(world, sixty, beheer_client):
    """Sixty people share one organisation: the pages must still not overlap."""
    seen: list[str] = []
    for number in range(1, 5):
        seen += usernames_in_table(
            beheer_client.get(f"/beheer/gebruikers?sort=organisation&page={number}").text)
    assert len(seen) == len(set(seen)) == 60 + len(world.users)


def test_the_list_needs_the_same_number_of_queries_for_10_and_60_users(app, world,
                                                                        beheer_client,
                                                                        count_queries):
    app.config["PER_PAGE"] = 100
    organisation = make_organisation("Telgemeente", OrganisationKind.MUNICIPALITY)
    add_users(organisation, [f"tel-{n:02d}" for n in range(10)])
    url = f"/beheer/gebruikers?organisation={organisation.id}"
    beheer_client.get(url)  # warm up

    with count_queries() as ten:
        page = beheer_client.get(url).text
    assert len(usernames_in_table(page)) == 10

    add_users(organisation, [f"tel-{n:02d}" for n in range(10, 60)], role=Role.SROI_ADVISEUR)
    with count_queries() as sixty_users:
        page = beheer_client.get(url).text
    assert len(usernames_in_table(page)) == 60
    assert "Telgemeente" in page

    assert sixty_users.count == ten.count, sixty_users.statements
    assert ten.count <= 10, ten.statements


def test_the_empty_list_offers_to_clear_the_filters(app, world, beheer_client):
    page = beheer_client.get("/beheer/gebruikers?q=xyzzy").text
    assert t(app, "No users match these filters.") in page
    assert 'href="/beheer/gebruikers"' in page


def test_alerts_helper_reads_flash_messages(app, world, beheer_client):
    """Guard for the helpers above: a flash message is found as an alert."""
    user = world.user("m.devos")
    response = beheer_client.post(f"/beheer/gebruikers/{user.id}/actief")
    texts = alert_texts(beheer_client.get(response.headers["Location"]).text)
    assert any("Mirjam de Vos" in text for text in texts)
    assert db.session.scalar(sa.select(User.active).where(User.id == user.id)) is False


def test_an_admin_cannot_remove_their_own_admin_role(app, world, beheer_client):
    me = world.user("beheer")
    response = beheer_client.post(f"/beheer/gebruikers/{me.id}/bewerken", data={
        "full_name": me.full_name, "username": me.username, "email": "",
        "organisation_id": me.organisation_id, "roles": ["coordinator"],
    })
    assert response.status_code == 200
    assert "utrecht-form-field-error-message" in response.text
    db.session.expire_all()
    from trajectory.auth.models import User

    assert Role.BEHEERDER in db.session.get(User, me.id).roles
