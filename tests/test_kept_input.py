"""Nothing typed is lost to an idle logout (trajectory/security.py, trajectory/forms.py): a
form page posted by a session that has just expired keeps its fields on the server, for
that user and URL, never in the cookie and never the CSRF token or a secret; after the
login the same form shows them again, once, with a notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.auth.session_support import idle_for, raw_cookie_text
from tests.auth.test_sessions import logged_in, sends_to_login
from tests.candidates.support import register
from tests.conftest import login
from tests.stages.conftest import P1, goes_candidate, make_stage
from trajectory.auth.session_models import KeptInput
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.organisations.models import Organisation, OrganisationKind
from trajectory.stages.models import Stage, StageKind, StageStatus

TYPED = "Wil graag in de groenvoorziening werken, liefst buiten bij Goes."
# The notice above the form, in Dutch or (before the translations are merged) English.
NOTICE = ("Wat je typte staat er nog", "What you typed is still here")


@dataclass
class Case:
    username: str
    url: str
    data: dict[str, Any]
    typed_field: str


def _plan(world) -> Case:
    candidate = register(world)
    lock = db.session.get(Candidate, candidate.id).plan.lock_version
    return Case("klantmanager", f"/kandidaten/{candidate.id}/plan/bewerken",
                {"lock_version": str(lock), "wishes": TYPED, "skills": "", "needs": "",
                 "agreements": ""}, "wishes")


def _stage(world) -> Case:
    stage = make_stage(world, goes_candidate(world), P1, StageKind.WERKERVARINGSPLAATS,
                       StageStatus.GEPLAND)
    return Case("klantmanager", f"/trajecten/{stage.id}/bewerken",
                {"version": str(stage.version), "planned_start": stage.planned_start
                 .strftime("%d-%m-%Y"), "note": TYPED}, "note")


def _cohort(world) -> Case:
    municipalities = [str(i) for i in db.session.scalars(
        sa.select(Organisation.id).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
        .order_by(Organisation.id))][:2]
    return Case("coordinator", "/cohorten/nieuw",
                {"name": "Septembergolf 2026", "description": TYPED,
                 "municipalities": municipalities}, "description")


@pytest.mark.parametrize("build", [_plan, _stage, _cohort], ids=["plan", "stage", "cohort"])
def test_a_form_posted_after_the_idle_logout_is_back_after_the_login(app, world, build):
    case = build(world)
    client = logged_in(app, case.username)
    assert client.get(case.url).status_code == 200
    idle_for(client, 31)
    response = client.post(case.url, data=case.data)
    assert sends_to_login(response)
    back = response.headers["Location"]

    # On the server, for this user, without the CSRF token; nothing of it in the cookie.
    kept = db.session.scalars(sa.select(KeptInput)).one()
    assert kept.user_id == world.user(case.username).id and kept.path == case.url
    assert kept.fields[case.typed_field] == TYPED and "csrf_token" not in kept.fields
    assert TYPED not in raw_cookie_text(client)

    # Back after the login, once, with a notice.
    response = login(client, case.username, path=back)
    assert response.status_code == 302 and response.headers["Location"] == case.url
    page = client.get(case.url).text
    assert TYPED in page
    assert any(text in page for text in NOTICE)
    again = client.get(case.url).text
    assert TYPED not in again and not any(text in again for text in NOTICE)
    assert db.session.scalars(sa.select(KeptInput)).all() == []


def test_checkboxes_keep_every_ticked_value(app, world):
    case = _cohort(world)
    assert len(case.data["municipalities"]) == 2
    client = logged_in(app, "coordinator")
    idle_for(client, 31)
    back = client.post(case.url, data=case.data).headers["Location"]
    login(client, "coordinator", path=back)
    page = client.get(case.url).text
    ticked = set(re.findall(r'<input checked[^>]*name="municipalities"[^>]*value="(\d+)"', page))
    assert ticked == set(case.data["municipalities"])


def test_secrets_and_the_csrf_token_are_never_kept(app, world):
    client = logged_in(app, "klantmanager")
    idle_for(client, 31)
    response = client.post("/wachtwoord", data={"current_password": "geheim-wachtwoord-1",
                                                "new_password": "nieuw-geheim-wachtwoord-2",
                                                "confirm_password": "nieuw-geheim-wachtwoord-2"})
    assert sends_to_login(response)
    for row in db.session.scalars(sa.select(KeptInput)):
        assert not {"current_password", "new_password", "confirm_password",
                    "csrf_token"} & set(row.fields)


def test_a_post_only_action_keeps_nothing(app, world):
    """A button without a form page of its own has nothing typed to give back: every such
    route sends to the login without keeping anything (the session ends before the view)."""
    from trajectory.auth.access import PUBLIC, declared_access

    with app.test_request_context():
        post_only = [rule for rule in app.url_map.iter_rules()
                     if "POST" in rule.methods and "GET" not in rule.methods
                     and declared_access(rule.endpoint) != PUBLIC]
    assert post_only
    for rule in post_only[:10]:
        client = logged_in(app, "klantmanager")
        idle_for(client, 31)
        response = client.post(re.sub(r"<[^>]+>", "1", rule.rule), data={"note": TYPED})
        assert sends_to_login(response), rule.rule
        assert db.session.scalars(sa.select(KeptInput)).all() == [], rule.rule


def test_another_user_of_the_same_browser_does_not_get_it(app, world):
    case = _stage(world)
    client = logged_in(app, "klantmanager")
    idle_for(client, 31)
    client.post(case.url, data=case.data)
    assert login(client, "m.devos").status_code == 302
    assert TYPED not in client.get(case.url).text
    assert db.session.scalars(sa.select(KeptInput)).one().fields["note"] == TYPED


def test_every_form_of_the_application_is_built_from_the_base_form(app):
    """The base form is what gives input back: a form built on Flask-WTF's directly would
    lose it again (and a new feature would not notice)."""
    from flask_wtf import FlaskForm

    from trajectory.forms import TrajectoryForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [form for form in subclasses(FlaskForm) if form.__module__.startswith("trajectory.")]
    assert len(ours) > 50
    assert [f"{f.__module__}.{f.__name__}" for f in ours
            if not issubclass(f, TrajectoryForm) and f is not TrajectoryForm] == []


def test_kept_input_keeps_its_version_so_a_change_meanwhile_is_not_overwritten(app, world):
    """The form comes back with the version it was typed on, not the current one: someone
    else's save in between gets the usual conflict message instead of being overwritten."""
    from tests.candidates.support import actor_of
    from tests.stages.conftest import days
    from trajectory.audit.trail import acting_as
    from trajectory.stages import services

    case = _stage(world)
    client = logged_in(app, "klantmanager")
    idle_for(client, 31)
    back = client.post(case.url, data=case.data).headers["Location"]
    stage = db.session.scalars(sa.select(Stage)).one()
    typed_on = stage.version
    with acting_as(actor_of(world.user("intaker"))):
        services.update_stage(stage, version=stage.version, planned_start=days(40),
                              planned_end=None, note="Door de intaker aangepast")
        db.session.commit()
    login(client, "klantmanager", path=back)
    page = client.get(case.url).text
    assert TYPED in page and f'name="version" type="hidden" value="{typed_on}"' in page
    response = client.post(case.url, data=case.data)
    assert response.status_code == 200
    assert db.session.get(Stage, stage.id).note == "Door de intaker aangepast"
