"""The beheerder's retention page: the same four eyes as the command line."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import login
from tests.retention.test_retention import dirk  # noqa: F401 - the fixture
from trajectory.candidates.models import Candidate
from trajectory.extensions import db
from trajectory.retention.models import DestructionRecord, DestructionRequest

PAGE = "/beheer/bewaartermijnen/"


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_two_beheerders_destroy_a_file_on_the_page(app, dirk):  # noqa: F811
    beheer, goes = _client(app, "beheer"), _client(app, "b.goes")
    page = beheer.get(PAGE)
    assert page.status_code == 200
    assert f'name="candidate_id" value="{dirk.id}"' in page.text
    assert "Jonge" not in page.text and "Dirk" not in page.text

    assert beheer.post(PAGE, data={"candidate_id": str(dirk.id)}).status_code == 302
    request = db.session.scalars(sa.select(DestructionRequest)).one()
    # The requester cannot approve, not even by posting the id.
    assert beheer.post(PAGE, data={"request_id": str(request.id)}).status_code == 302
    assert db.session.get(Candidate, dirk.id).last_name == "Jonge"
    assert 'name="request_id"' not in beheer.get(PAGE).text

    assert f'value="{request.id}"' in goes.get(PAGE).text
    assert goes.post(PAGE, data={"request_id": str(request.id)}).status_code == 302
    assert db.session.get(Candidate, dirk.id).last_name == "Geanonimiseerd"
    record = db.session.scalars(sa.select(DestructionRecord)).one()
    assert (record.requested_by_name, record.approved_by_name) == ("beheer", "b.goes")
    after = goes.get(PAGE)
    assert after.status_code == 200 and "b.goes" in after.text


def test_bad_input_and_other_roles(app, dirk):  # noqa: F811
    beheer = _client(app, "beheer")
    for data in ({"candidate_id": "x"}, {"candidate_id": "9" * 30}, {"request_id": "-1"}, {},
                 {"candidate_id": "999999"}, {"request_id": "999999"}):
        assert beheer.post(PAGE, data=data).status_code == 302, data
    assert db.session.scalar(sa.select(sa.func.count(DestructionRequest.id))) == 0
    klantmanager = _client(app, "klantmanager")
    assert klantmanager.get(PAGE).status_code == 403
    assert klantmanager.post(PAGE, data={"candidate_id": str(dirk.id)}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(DestructionRequest.id))) == 0
