"""Managing organisations: only the regional administrator."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests.admin.helpers import (
    alert_texts,
    audit_count,
    error_summary,
    field_error,
    in_summary,
    input_value,
    login_alert,
    option_values,
    t,
    wtforms_t,
)
from tests.conftest import login
from tests.factories import PASSWORD, make_organisation, make_user
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.organisations.models import KIND_LABELS, Organisation, OrganisationKind

ANY_PAGE = "/wachtwoord"  # every logged-in user may open it
WRONG = "this-is-not-the-password"


def organisation_named(name: str) -> Organisation | None:
    db.session.expire_all()
    return db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).first()


def organisation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def checked_kind(page: str) -> str | None:
    for tag in re.findall(r'<input[^>]*\bname="kind"[^>]*>', page):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


# ------------------------------------------------------------------ creating

def test_the_regional_admin_creates_an_organisation(app, world, beheer_client):
    form = beheer_client.get("/beheer/organisaties/nieuw")
    assert form.status_code == 200
    assert '<html lang="nl"' in form.text

    response = beheer_client.post("/beheer/organisaties/nieuw",
                                  data={"name": "  Zorgboerderij De Schelde ",
                                        "kind": "zorgaanbieder"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/organisaties"
    organisation = organisation_named("Zorgboerderij De Schelde")
    assert organisation is not None
    assert organisation.kind is OrganisationKind.PROVIDER
    assert organisation.active
    assert organisation.region is not None and organisation.region.name == "Regio Oosterschelde"

    listing = beheer_client.get("/beheer/organisaties").text
    assert "Zorgboerderij De Schelde" in listing
    assert t(app, "%(name)s has been added.", name="Zorgboerderij De Schelde") in listing
    # And people can now be added to it.
    user_form = beheer_client.get("/beheer/gebruikers/nieuw").text
    assert str(organisation.id) in option_values(user_form, "organisation_id")


def test_a_duplicate_name_is_refused_next_to_the_name(app, world, beheer_client):
    before = (organisation_count(), audit_count())
    response = beheer_client.post("/beheer/organisaties/nieuw",
                                  data={"name": "goes", "kind": "gemeente"})

    assert response.status_code == 200
    expected = t(app, "An organisation with this name already exists.")
    assert field_error(response.text, "name") == expected
    assert in_summary(response.text, "#name", expected)
    assert input_value(response.text, "name") == "goes"
    assert checked_kind(response.text) == "gemeente"
    assert (organisation_count(), audit_count()) == before


def test_an_empty_organisation_form_names_both_fields(app, world, beheer_client):
    before = organisation_count()
    response = beheer_client.post("/beheer/organisaties/nieuw", data={})
    assert response.status_code == 200
    assert field_error(response.text, "name") == wtforms_t(app, "This field is required.")
    assert field_error(response.text, "kind") == t(app, "Choose the kind of organisation.")
    assert [href for href, _ in error_summary(response.text)] == ["#name", "#kind-0"]
    assert organisation_count() == before


def test_an_unknown_kind_is_refused(world, beheer_client):
    before = organisation_count()
    response = beheer_client.post("/beheer/organisaties/nieuw",
                                  data={"name": "Koninkrijk", "kind": "koninkrijk"})
    assert response.status_code == 200
    assert field_error(response.text, "kind")
    assert organisation_count() == before


# ------------------------------------------------------------------- editing

def test_the_kind_cannot_change_when_a_role_would_no_longer_fit(app, world, beheer_client):
    goes = world.org("Goes")  # has klantmanagers, who must work for a municipality
    before = audit_count()

    response = beheer_client.post(f"/beheer/organisaties/{goes.id}/bewerken",
                                  data={"name": "Goes", "kind": "zorgaanbieder"})

    assert response.status_code == 200
    with app.test_request_context():
        expected = t(app, "%(roles)s cannot be held by someone of a %(kind)s.",
                     roles=Role.KLANTMANAGER.label,
                     kind=str(KIND_LABELS[OrganisationKind.PROVIDER]).lower())
    assert field_error(response.text, "kind") == expected
    assert in_summary(response.text, "#kind-0", expected)
    assert checked_kind(response.text) == "zorgaanbieder"  # the choice is kept
    assert organisation_named("Goes").kind is OrganisationKind.MUNICIPALITY
    assert audit_count() == before


def test_the_kind_can_change_when_every_role_still_fits(world, beheer_client):
    organisation = make_organisation("Nieuwe Partner", OrganisationKind.PROVIDER)
    make_user("np.beheer", organisation, Role.BEHEERDER)  # fits every kind
    response = beheer_client.post(f"/beheer/organisaties/{organisation.id}/bewerken",
                                  data={"name": "Nieuwe Partner", "kind": "gemeente"})
    assert response.status_code == 302
    assert organisation_named("Nieuwe Partner").kind is OrganisationKind.MUNICIPALITY


def test_renaming_an_organisation(app, world, beheer_client):
    tholen = world.org("Tholen")
    page = beheer_client.get(f"/beheer/organisaties/{tholen.id}/bewerken").text
    assert input_value(page, "name") == "Tholen"
    assert checked_kind(page) == "gemeente"

    response = beheer_client.post(f"/beheer/organisaties/{tholen.id}/bewerken",
                                  data={"name": "Gemeente Tholen", "kind": "gemeente"})
    assert response.status_code == 302
    assert organisation_named("Gemeente Tholen") is not None

    taken = beheer_client.post(f"/beheer/organisaties/{tholen.id}/bewerken",
                               data={"name": "Kapelle", "kind": "gemeente"})
    assert field_error(taken.text, "name") == t(
        app, "An organisation with this name already exists.")
    assert organisation_named("Gemeente Tholen") is not None


# -------------------------------------------------------------- deactivating

def test_the_people_of_a_deactivated_organisation_cannot_log_in(app, world, beheer_client,
                                                               klantmanager2_client):
    tholen = world.org("Tholen")
    generic = login_alert(app.test_client(), "adviseur", WRONG)[1]
    assert klantmanager2_client.get(ANY_PAGE).status_code == 200

    response = beheer_client.post(f"/beheer/organisaties/{tholen.id}/actief")

    assert response.status_code == 302
    assert organisation_named("Tholen").active is False
    listing = beheer_client.get(response.headers["Location"]).text
    assert any("Tholen" in text for text in alert_texts(listing))

    status, message = login_alert(app.test_client(), "klantmanager2", PASSWORD)
    assert status == 200
    assert message == generic  # the same answer as a wrong password
    # A session that was already open stops working too.
    assert is_sent_to_login(klantmanager2_client.get(ANY_PAGE))
    # Nobody else is affected.
    assert login(app.test_client(), "klantmanager").status_code == 302


def test_a_deactivated_organisation_is_no_longer_offered_for_new_accounts(world, beheer_client):
    tholen = world.org("Tholen")
    beheer_client.post(f"/beheer/organisaties/{tholen.id}/actief")
    form = beheer_client.get("/beheer/gebruikers/nieuw").text
    assert str(tholen.id) not in option_values(form, "organisation_id")


def test_a_reactivated_organisation_can_log_in_again(app, world, beheer_client):
    tholen = world.org("Tholen")
    beheer_client.post(f"/beheer/organisaties/{tholen.id}/actief")
    response = beheer_client.post(f"/beheer/organisaties/{tholen.id}/actief")
    assert response.status_code == 302
    assert organisation_named("Tholen").active is True
    assert login(app.test_client(), "klantmanager2").status_code == 302


def test_an_admin_cannot_deactivate_their_own_organisation(app, world, beheer_client):
    region = world.org("Regio Oosterschelde")
    page = beheer_client.get(f"/beheer/organisaties/{region.id}/bewerken").text
    assert f"/beheer/organisaties/{region.id}/actief" not in page  # no button offered

    response = beheer_client.post(f"/beheer/organisaties/{region.id}/actief")

    assert response.status_code == 302
    assert organisation_named("Regio Oosterschelde").active is True
    listing = beheer_client.get(response.headers["Location"])
    assert listing.status_code == 200  # still logged in
    assert t(app, "You cannot deactivate your own organisation.") in listing.text
    assert login(app.test_client(), "adviseur").status_code == 302


def test_deactivating_is_a_post_with_a_csrf_token(world, beheer_client):
    tholen = world.org("Tholen")
    assert beheer_client.get(f"/beheer/organisaties/{tholen.id}/actief").status_code == 405
    assert beheer_client.post(f"/beheer/organisaties/{tholen.id}/actief",
                              csrf=False).status_code == 400
    assert organisation_named("Tholen").active is True


# ---------------------------------------------------------------- the list

def test_the_list_shows_every_organisation_with_its_number_of_users(world, beheer_client):
    page = beheer_client.get("/beheer/organisaties").text
    for name in world.organisations:
        assert name in page
    goes_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*>Goes</a>(?:(?!</tr>).)*</tr>", page, re.S)
    assert goes_row, "no row for Goes"
    assert re.search(r"numeric-data\">\s*3\s*<", goes_row.group(0))  # klantmanager, m.devos, b.goes


def _names_in_list(page: str) -> list[str]:
    return [html.unescape(name) for name in
            re.findall(r'/beheer/organisaties/\d+/bewerken">([^<]+)</a>', page)]


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_the_list_sorts_by_name(world, beheer_client, sort):
    names = _names_in_list(beheer_client.get(f"/beheer/organisaties?sort={sort}").text)
    assert sorted(names) == sorted(world.organisations)
    positions = [names.index(n) for n in ("Borsele", "Kapelle", "Regio Oosterschelde", "Tholen")]
    assert positions == sorted(positions, reverse=sort.startswith("-"))


@pytest.mark.parametrize("sort", ["kind", "-kind"])
def test_the_list_sorts_by_kind(world, beheer_client, sort):
    names = _names_in_list(beheer_client.get(f"/beheer/organisaties?sort={sort}").text)
    kinds = [world.org(name).kind for name in names]
    groups = [kind for i, kind in enumerate(kinds) if i == 0 or kinds[i - 1] is not kind]
    expected = [OrganisationKind.MUNICIPALITY, OrganisationKind.REGION,
                OrganisationKind.PROVIDER]
    assert groups == (expected if sort == "kind" else expected[::-1])
    # Within a kind, by name.
    municipalities = [n for n in names if world.org(n).is_municipality]
    assert municipalities.index("Borsele") < municipalities.index("Tholen")


def test_a_municipal_admin_sees_only_their_own_organisation(world, client_for):
    goes_admin = client_for("b.goes")
    page = goes_admin.get("/beheer/organisaties")
    assert page.status_code == 200
    assert "Goes" in page.text
    assert "Tholen" not in page.text and "Regio Oosterschelde</" not in page.text
    assert "/beheer/organisaties/nieuw" not in page.text


def test_there_is_only_one_region(app, world, beheer_client):
    response = beheer_client.post("/beheer/organisaties/nieuw",
                                  data={"name": "Regio Walcheren", "kind": "regio"})
    assert response.status_code == 200
    assert t(app, "There is already a region; choose municipality or care provider.") \
        in html.unescape(response.text)
    assert organisation_named("Regio Walcheren") is None
    goes = world.org("Goes")
    response = beheer_client.post(f"/beheer/organisaties/{goes.id}/bewerken",
                                  data={"name": "Goes", "kind": "regio"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Organisation, goes.id).kind is OrganisationKind.MUNICIPALITY
