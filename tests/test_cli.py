"""The command line: ``flask --app trajectory user create`` and ``... demo``.

These run on an empty, migrated database (the ``app`` fixture without
``world``) unless a test asks for the demo world.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import login
from trajectory.audit.models import AuditEvent
from trajectory.auth.models import User
from trajectory.auth.roles import Role
from trajectory.demo import data as demo
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind

GOOD_PASSWORD = "een-lange-zin-van-mijzelf"
DEMO_USERNAMES = ("beheer", "adviseur", "coordinator", "klantmanager", "klantmanager2",
                  "intaker", "intaker2", "buddy")


def run(app, *args: str, input: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def create_admin(app, username: str = "admin", *extra: str, password: str = GOOD_PASSWORD):
    return run(app, "user", "create", username, "--name", "Anna Beheer",
               "--password", password, *extra)


def assert_one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fout:"), lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def count(model) -> int:
    db.session.rollback()  # look at what was committed, not at what is pending
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ------------------------------------------------------------- user create

def test_user_create_makes_the_first_admin_on_an_empty_database(app, client):
    assert count(Organisation) == 0
    result = create_admin(app)
    assert result.exit_code == 0, result.output
    assert "admin" in result.stdout

    user = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
    assert user.roles == {Role.BEHEERDER}
    assert user.full_name == "Anna Beheer"
    assert user.organisation.name == "Regio Oosterschelde"
    assert user.organisation.kind is OrganisationKind.REGION
    assert user.must_change_password is False

    response = login(client, "admin", GOOD_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # An administrator sets up a second factor before anything else (trajectory/auth/mfa.py).
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302
    assert response.headers["Location"] == "/beveiliging/authenticator"


def test_user_create_asks_for_the_password_twice_when_not_given(app, client):
    result = run(app, "user", "create", "admin", "--name", "Anna Beheer",
                 input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat" in result.output  # asked twice
    assert login(client, "admin", GOOD_PASSWORD).status_code == 302


def test_user_create_refuses_two_different_passwords(app):
    result = run(app, "user", "create", "admin", "--name", "Anna Beheer",
                 input=f"{GOOD_PASSWORD}\nsomething-else-entirely\n")
    assert result.exit_code != 0
    assert count(User) == 0


def test_user_create_refuses_an_existing_username(app):
    assert create_admin(app).exit_code == 0
    result = create_admin(app, "Admin")  # the same name in other capitals
    line = assert_one_error_line(result)
    assert "admin" in line
    assert count(User) == 1


def test_user_create_refuses_a_too_short_password(app):
    result = create_admin(app, password="kort-12")
    assert_one_error_line(result)
    assert count(User) == 0
    assert count(Organisation) == 0


def test_user_create_refuses_a_password_asked_interactively_that_is_too_short(app):
    result = run(app, "user", "create", "admin", "--name", "Anna Beheer",
                 input="kort-12\nkort-12\n")
    assert_one_error_line(result)
    assert count(User) == 0


def test_user_create_refuses_a_role_that_does_not_fit_the_organisation(app):
    # A fresh region cannot have a klantmanager (a municipality's role).
    result = create_admin(app, "k.manager", "--role", "klantmanager")
    line = assert_one_error_line(result)
    assert "klantmanager" in line
    assert count(User) == 0
    assert count(Organisation) == 0


def test_user_create_refuses_a_username_the_admin_pages_would_refuse(app):
    result = create_admin(app, "Anna Beheer")
    assert_one_error_line(result)
    assert count(User) == 0


def test_user_create_in_an_existing_organisation(app, world, client):
    result = create_admin(app, "km.nieuw", "--organisation", "Goes", "--role", "klantmanager")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User).where(User.username == "km.nieuw")).one()
    assert user.organisation.name == "Goes"
    assert user.roles == {Role.KLANTMANAGER}
    assert count(Organisation) == 1 + len(demo.MUNICIPALITIES) + len(demo.PROVIDERS)

    refused = create_admin(app, "intaker.goes", "--organisation", "Goes", "--role", "intaker")
    assert_one_error_line(refused)
    assert login(client, "km.nieuw", GOOD_PASSWORD).status_code == 302


def test_user_create_is_recorded_in_the_audit_trail_as_the_cli(app):
    assert create_admin(app).exit_code == 0
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert {e.object_type for e in events} >= {"User", "Organisation"}
    assert {e.actor_name for e in events} == {"cli"}


# -------------------------------------------------------------------- demo

def test_demo_loads_into_an_empty_database(app):
    result = run(app, "demo")
    assert result.exit_code == 0, result.output

    organisations = db.session.scalars(sa.select(Organisation)).all()
    by_kind = {kind: sorted(o.name for o in organisations if o.kind is kind)
               for kind in OrganisationKind}
    assert by_kind[OrganisationKind.REGION] == ["Regio Oosterschelde"]
    assert len(by_kind[OrganisationKind.MUNICIPALITY]) == 7
    assert set(by_kind[OrganisationKind.MUNICIPALITY]) == {
        "Noord-Beveland", "Kapelle", "Reimerswaal", "Borsele", "Goes",
        "Schouwen-Duiveland", "Tholen"}
    assert len(by_kind[OrganisationKind.PROVIDER]) == 6

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    assert set(DEMO_USERNAMES) <= set(users)
    assert users["klantmanager"].organisation.name == "Goes"
    assert users["klantmanager2"].organisation.name == "Tholen"
    assert users["intaker"].organisation.name == demo.PROVIDERS[0]
    assert users["intaker2"].organisation.name == demo.PROVIDERS[1]
    assert users["beheer"].roles == {Role.BEHEERDER}
    assert users["beheer"].organisation.is_region


def test_every_demo_user_can_log_in_with_the_demo_password(app):
    assert run(app, "demo").exit_code == 0
    for username in DEMO_USERNAMES:
        client = app.test_client()
        response = login(client, username, "demo-trajectory-2026")
        assert response.status_code == 302, username
        assert client.get("/wachtwoord").status_code == 200, username


def test_the_demo_is_recorded_in_the_audit_trail_as_demo(app):
    assert run(app, "demo").exit_code == 0
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert events
    assert {e.object_type for e in events} >= {"User", "Organisation"}
    assert {e.actor_name for e in events} == {"demo"}


def test_demo_refuses_a_database_that_is_not_empty(app):
    assert run(app, "demo").exit_code == 0
    users_before = count(User)
    result = run(app, "demo")
    assert_one_error_line(result)
    assert count(User) == users_before


def test_demo_refuses_a_database_with_only_a_first_admin(app):
    assert create_admin(app).exit_code == 0
    assert_one_error_line(run(app, "demo"))
    assert count(User) == 1


def test_demo_if_empty_does_nothing_and_succeeds_on_a_filled_database(app, world):
    users_before = count(User)
    result = run(app, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert result.stderr == ""
    assert count(User) == users_before


def test_demo_if_empty_loads_into_an_empty_database(app):
    result = run(app, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert count(User) >= len(DEMO_USERNAMES)
