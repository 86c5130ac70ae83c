"""Who may give which role to whom: a matrix of actor × target × role, through the
service and through the web form, plus the other ways to take over an account
(password and second-factor reset) and the command line."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.admin.helpers import alert_texts, field_error, t
from tests.factories import make_user
from trajectory.admin import services
from trajectory.audit.models import SecurityEvent
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.extensions import db
from trajectory.services import ServiceError

OK, REFUSED, ABSENT = "ok", "refused", "404"

# actor, target account, role added to the target's roles, expected outcome.
# beheer: the region's administrator; b.goes: the administrator of Goes.
MATRIX = [
    # The region's administrator gives any role that fits the organisation ...
    ("beheer", "klantmanager", Role.COORDINATOR, OK),
    ("beheer", "klantmanager", Role.SROI_ADVISEUR, OK),
    ("beheer", "klantmanager", Role.BEHEERDER, OK),
    ("beheer", "klantmanager2", Role.COORDINATOR, OK),
    ("beheer", "coordinator", Role.BEHEERDER, OK),
    ("beheer", "intaker", Role.BUDDY, OK),
    # ... but never administrator and SROI adviser to one person ...
    ("beheer", "b.goes", Role.SROI_ADVISEUR, REFUSED),
    ("beheer", "adviseur", Role.BEHEERDER, REFUSED),
    # ... and not to itself.
    ("beheer", "beheer", Role.COORDINATOR, REFUSED),
    ("beheer", "beheer", Role.SROI_ADVISEUR, REFUSED),
    # Goes's administrator: only roles that stay inside Goes, only for Goes's people.
    ("b.goes", "klantmanager", Role.COORDINATOR, REFUSED),
    ("b.goes", "klantmanager", Role.SROI_ADVISEUR, REFUSED),
    ("b.goes", "klantmanager", Role.BEHEERDER, OK),
    ("b.goes", "m.devos", Role.BEHEERDER, OK),
    ("b.goes", "b.goes", Role.COORDINATOR, REFUSED),
    ("b.goes", "b.goes", Role.SROI_ADVISEUR, REFUSED),
    ("b.goes", "b.goes", Role.KLANTMANAGER, REFUSED),
    ("b.goes", "klantmanager2", Role.BEHEERDER, ABSENT),
    ("b.goes", "coordinator", Role.BEHEERDER, ABSENT),
    ("b.goes", "beheer", Role.COORDINATOR, ABSENT),
]


def _ids(case) -> str:
    actor, target, role, expected = case
    return f"{actor}-{target}-{role.value}-{expected}"


def _grant_refusals() -> int:
    return db.session.scalar(sa.select(sa.func.count(SecurityEvent.id)).where(
        SecurityEvent.event == "role_grant", SecurityEvent.result == "refused"))


def test_the_matrix_through_the_service(app, world):
    for actor_name, target_name, role, expected in MATRIX:
        actor, target = world.user(actor_name), world.user(target_name)
        with app.test_request_context():
            try:
                services.update_user(
                    target, username=target.username, full_name=target.full_name,
                    email=target.email, organisation=target.organisation,
                    roles=set(target.roles) | {role}, actor=actor)
            except ServiceError as error:
                outcome = REFUSED
                assert error.field in ("roles", "organisation_id")
                assert error.message
            else:
                outcome = OK
            db.session.rollback()
        # Out of scope is refused by the service as well (the web answers 404 first).
        assert outcome == (REFUSED if expected == ABSENT else expected), \
            (actor_name, target_name, role)


@pytest.mark.parametrize("actor_name", ["beheer", "b.goes"])
def test_the_matrix_through_the_web_form(app, world, client_for, actor_name):
    client = client_for(actor_name)
    for actor, target_name, role, expected in MATRIX:
        if actor != actor_name:
            continue
        target = world.user(target_name)
        before = set(target.roles)
        refusals = _grant_refusals()
        response = client.post(f"/beheer/gebruikers/{target.id}/bewerken", data={
            "full_name": target.full_name, "username": target.username,
            "email": target.email or "", "organisation_id": str(target.organisation_id),
            "roles": sorted(r.value for r in before | {role})})
        case = (actor, target_name, role.value)
        db.session.expire_all()
        after = set(db.session.get(User, target.id).roles)
        if expected == OK:
            assert response.status_code == 302, case
            assert after == before | {role}, case
            # Put it back for the next case.
            target.set_roles(before)
            db.session.commit()
        elif expected == ABSENT:
            assert response.status_code == 404, case
            assert after == before, case
        else:
            assert response.status_code == 200, case
            assert field_error(response.text, "roles"), case
            assert after == before, case
            assert _grant_refusals() == refusals + 1, case  # a security event


def test_a_municipal_admin_is_told_why_a_region_wide_role_is_refused(app, world, client_for):
    client = client_for("b.goes")
    target = world.user("klantmanager")
    response = client.post(f"/beheer/gebruikers/{target.id}/bewerken", data={
        "full_name": target.full_name, "username": target.username, "email": "",
        "organisation_id": str(target.organisation_id),
        "roles": ["klantmanager", "coordinator"]})
    expected = t(app, "%(roles)s reaches beyond your organisation; only the region's "
                      "administrator can give or take it.", roles=Role.COORDINATOR.label)
    assert field_error(response.text, "roles") == expected


def test_nobody_changes_their_own_roles(app, world, beheer_client):
    me = world.user("beheer")
    response = beheer_client.post(f"/beheer/gebruikers/{me.id}/bewerken", data={
        "full_name": me.full_name, "username": me.username, "email": "",
        "organisation_id": str(me.organisation_id), "roles": ["beheerder", "coordinator"]})
    assert field_error(response.text, "roles") == t(
        app, "You cannot change your own roles; ask another administrator.")
    db.session.expire_all()
    assert db.session.get(User, me.id).roles == {Role.BEHEERDER}
    # Changing one's own name is still fine.
    response = beheer_client.post(f"/beheer/gebruikers/{me.id}/bewerken", data={
        "full_name": "Anja Verhage-de Wit", "username": me.username, "email": "",
        "organisation_id": str(me.organisation_id), "roles": ["beheerder"]})
    assert response.status_code == 302


@pytest.mark.parametrize(("roles", "expected"), [
    (["klantmanager"], OK),
    (["beheerder"], OK),
    (["coordinator"], REFUSED),
    (["sroi_adviseur"], REFUSED),
    (["klantmanager", "sroi_adviseur"], REFUSED),
])
def test_a_municipal_admin_creates_accounts_only_with_roles_inside_its_organisation(
        app, world, client_for, roles, expected):
    response = client_for("b.goes").post("/beheer/gebruikers/nieuw", data={
        "full_name": "Nieuwe Collega", "username": "n.collega", "email": "",
        "organisation_id": str(world.org("Goes").id), "roles": roles})
    created = db.session.scalars(sa.select(User).where(User.username == "n.collega")).first()
    if expected == OK:
        assert response.status_code == 200 and "temporary-password" in response.text
        assert created is not None and created.roles == {Role(r) for r in roles}
    else:
        assert field_error(response.text, "roles")
        assert created is None
        assert _grant_refusals() == 1


def test_the_service_refuses_a_new_account_in_another_organisation(app, world):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        services.create_user(username="x.tholen", full_name="X", email=None,
                             organisation=world.org("Tholen"), roles={Role.KLANTMANAGER},
                             actor=world.user("b.goes"))
    assert refused.value.field == "organisation_id"


def test_the_regional_admin_cannot_combine_administrator_and_adviser_in_a_new_account(
        app, world, beheer_client):
    response = beheer_client.post("/beheer/gebruikers/nieuw", data={
        "full_name": "Twee Petten", "username": "twee.petten", "email": "",
        "organisation_id": str(world.org("Regio Oosterschelde").id),
        "roles": ["beheerder", "sroi_adviseur"]})
    assert field_error(response.text, "roles") == t(
        app, "%(first)s and %(second)s cannot be held by one person: administering accounts "
             "and judging claims are kept apart.",
        first=Role.BEHEERDER.label, second=Role.SROI_ADVISEUR.label)
    assert db.session.scalars(sa.select(User).where(User.username == "twee.petten")).first() is None


@pytest.fixture
def goes_adviser(world):
    """An SROI adviser who works for Goes: a region-wide role inside Goes's organisation."""
    return make_user("goes.adviseur", world.org("Goes"), Role.SROI_ADVISEUR)


def test_a_municipal_admin_cannot_take_over_a_region_wide_account(app, world, client_for,
                                                                   goes_adviser):
    """A password or second-factor reset would hand Goes's administrator the adviser's
    region-wide account: only the region's administrator manages it."""
    client = client_for("b.goes")
    assert client.get(f"/beheer/gebruikers/{goes_adviser.id}").status_code == 200  # may see it
    old_hash = goes_adviser.password_hash

    response = client.post(f"/beheer/gebruikers/{goes_adviser.id}/wachtwoord")
    assert response.status_code == 302
    assert "temporary-password" not in response.text
    page = client.get(response.headers["Location"]).text
    expected = html.unescape(t(app, "This account holds %(roles)s, whose scope reaches beyond "
                                    "your organisation; only the region's administrator can "
                                    "manage it.", roles=Role.SROI_ADVISEUR.label))
    assert any(expected in text for text in alert_texts(page)), alert_texts(page)
    db.session.expire_all()
    assert db.session.get(User, goes_adviser.id).password_hash == old_hash

    response = client.post(f"/beheer/gebruikers/{goes_adviser.id}/bewerken", data={
        "full_name": "Andere Naam", "username": goes_adviser.username, "email": "",
        "organisation_id": str(goes_adviser.organisation_id), "roles": ["sroi_adviseur"]})
    assert response.status_code == 200 and field_error(response.text, "roles")
    assert client.post(f"/beheer/gebruikers/{goes_adviser.id}/actief").status_code == 302
    db.session.expire_all()
    reloaded = db.session.get(User, goes_adviser.id)
    assert reloaded.full_name != "Andere Naam" and reloaded.active
    assert _grant_refusals() == 3

    # The region's administrator can.
    response = client_for("beheer").post(f"/beheer/gebruikers/{goes_adviser.id}/wachtwoord")
    assert response.status_code == 200 and "temporary-password" in response.text


def test_the_command_line_keeps_administrator_and_adviser_apart(app):
    runner = CliRunner()
    result = runner.invoke(app.cli, ["user", "create", "twee", "--name", "Twee Petten",
                                     "--role", "beheerder", "--role", "sroi_adviseur",
                                     "--password", "een lange zin van mij zelf"])
    assert result.exit_code == 2
    assert "rollen" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def _offered_roles(page: str) -> set[str]:
    """The role checkboxes the form shows (checked or not)."""
    return {re.search(r'value="([^"]*)"', tag).group(1)
            for tag in re.findall(r'<input[^>]*\bname="roles"[^>]*>', page)}


REGION_WIDE = {Role.COORDINATOR.value, Role.SROI_ADVISEUR.value}


def test_a_municipal_admin_is_offered_only_the_roles_it_may_give(app, world, client_for):
    """The form offers Goes's administrator no region-wide role, on a new account and on
    a colleague's; a forged POST with one is still refused by the service (with its reason
    and a security event), and a value that is no role at all by the form."""
    client = client_for("b.goes")
    colleague = world.user("klantmanager")
    for path in ("/beheer/gebruikers/nieuw", f"/beheer/gebruikers/{colleague.id}/bewerken"):
        offered = _offered_roles(client.get(path).text)
        assert offered, path
        assert not offered & REGION_WIDE, (path, offered)
        assert {Role.KLANTMANAGER.value, Role.BEHEERDER.value} <= offered, path
    assert {r.value for r in services.grantable_roles(world.user("b.goes"))} == \
        {r.value for r in Role} - REGION_WIDE

    refusals = _grant_refusals()
    response = client.post(f"/beheer/gebruikers/{colleague.id}/bewerken", data={
        "full_name": colleague.full_name, "username": colleague.username, "email": "",
        "organisation_id": str(colleague.organisation_id),
        "roles": ["klantmanager", "sroi_adviseur"]})
    assert response.status_code == 200
    assert field_error(response.text, "roles") == t(
        app, "%(roles)s reaches beyond your organisation; only the region's administrator "
             "can give or take it.", roles=Role.SROI_ADVISEUR.label)
    assert _grant_refusals() == refusals + 1
    assert not _offered_roles(response.text) & REGION_WIDE  # not offered after it either
    db.session.expire_all()
    assert db.session.get(User, colleague.id).roles == {Role.KLANTMANAGER}

    response = client.post(f"/beheer/gebruikers/{colleague.id}/bewerken", data={
        "full_name": colleague.full_name, "username": colleague.username, "email": "",
        "organisation_id": str(colleague.organisation_id), "roles": ["superuser"]})
    assert response.status_code == 200 and field_error(response.text, "roles")
    assert _grant_refusals() == refusals + 1


def test_the_regional_admin_is_offered_every_role(app, world, beheer_client):
    colleague = world.user("klantmanager")
    for path in ("/beheer/gebruikers/nieuw", f"/beheer/gebruikers/{colleague.id}/bewerken"):
        assert _offered_roles(beheer_client.get(path).text) == {r.value for r in Role}, path
