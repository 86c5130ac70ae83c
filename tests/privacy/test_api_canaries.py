"""The canary test for the API: every GET operation, through a token acting as each demo
account's role (a buddy's token as that buddy's), on the planted demo of test_canaries.

Per response, as for the pages: (a) a canary of person P shown means the request wrote a
processing-log line about P (by ``X-Request-ID``); (b) what the token shows of P stays
inside the hand-written table ``canaries.allowed`` for that account. The pseudonymised
list must show no canary at all.
"""

from __future__ import annotations

import os
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import BACKEND, base_config
from tests.privacy import canaries as cn
from tests.privacy.test_canaries import Seen, sample  # noqa: F401  (the planted demo)
from trajectory import create_app
from trajectory.api import views  # noqa: F401  (registers the operations)
from trajectory.api.models import TOKEN_ROLES
from trajectory.api.operations import OPERATIONS
from trajectory.api.services import issue_token
from trajectory.audit.models import ProcessingLogEntry
from trajectory.auth.models import User
from trajectory.extensions import db
from trajectory.stages.models import Stage
from trajectory.valuation.models import Claim

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="the canary sweep runs on SQLite (one demo copy per account)")

ACCOUNTS = ("adviseur", "coordinator", "klantmanager", "klantmanager2", "intaker", "intaker2",
            "buddy")
LISTS = {"/candidates", "/stages", "/claims", "/contracts"}


def _urls(op, canaries: list[int]) -> list[str]:
    if not op.path_params:
        return ["/api/v1" + op.path + ("?pageSize=100" if op.path in LISTS else "")]
    root = op.path.split("/")[1]
    if root == "candidates":
        ids = canaries
    elif root == "stages":
        ids = list(db.session.scalars(sa.select(Stage.id).where(Stage.candidate_id.in_(canaries))))
    elif root == "claims":
        ids = list(db.session.scalars(sa.select(Claim.id).order_by(Claim.id).limit(5)))
    else:
        ids = list(db.session.scalars(sa.select(Claim.contract_id).distinct().limit(3)))
    return ["/api/v1" + op.path.replace("{id}", str(i)) for i in ids]


def _sweep(sample_, username: str, tmp_dir) -> list[Seen]:  # noqa: F811
    copy = tmp_dir / f"api-sweep-{username}-{os.getpid()}.sqlite"
    shutil.copyfile(sample_.path, copy)
    app = create_app({**base_config(f"sqlite:///{copy}"), "API_RATE_LIMIT": "100000/minute"})
    seen: list[Seen] = []
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        role = next(r for r in TOKEN_ROLES if user.has_role(r))
        _row, plain = issue_token(organisation=user.organisation, client_name="Kanarie",
                                  acts_as=role, scopes={"ledger:read", "candidates:read",
                                                        "stages:read", "claims:write"},
                                  days=1, issued_by=None,
                                  user=user if role.value == "buddy" else None)
        db.session.commit()
        client = app.test_client()
        number = 0
        for op in OPERATIONS:
            if op.method != "GET" or op.public or role not in op.roles:
                continue
            for url in _urls(op, sorted(sample_.canaries)):
                number += 1
                request_id = f"api-canary-{username}-{number:04d}"
                response = client.get(url, headers={"Authorization": f"Bearer {plain}",
                                                    "X-Request-ID": request_id})
                assert response.status_code < 500, (url, response.status_code)
                if response.status_code != 200:
                    continue
                shown = cn.scan(response.get_data(as_text=True), sample_.canaries)
                logged = {int(s) for s in db.session.scalars(
                    sa.select(ProcessingLogEntry.subject_id).where(
                        ProcessingLogEntry.request_id == request_id,
                        ProcessingLogEntry.subject_type == "Candidate"))}
                seen.append(Seen(op.endpoint, url, shown, logged))
        db.session.remove()
        db.engine.dispose()
    copy.unlink(missing_ok=True)
    return seen


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_api_read_logs_what_it_shows_and_shows_only_what_the_role_may(
        sample, tmp_path_factory, subtests, username):  # noqa: F811
    pages = _sweep(sample, username, tmp_path_factory.mktemp("api-sweep"))
    assert pages, f"{username} read nothing"
    with subtests.test("(a) every canary shown has a processing-log line"):
        unlogged = [(s.url, sorted(set(s.shown) - s.logged)) for s in pages
                    if set(s.shown) - s.logged]
        assert unlogged == [], f"{username}: data shown without a log line: {unlogged}"
    with subtests.test("(b) only what the role may see"):
        beyond = sorted({(s.url, cid, tuple(sorted(extra)))
                         for s in pages for cid, categories in s.shown.items()
                         if (extra := categories - cn.allowed(username, sample.canaries[cid]))})
        assert beyond == [], f"{username} sees more than its role may: {beyond}"
    with subtests.test("(c) the pseudonymised list shows no canary"):
        named = [s.url for s in pages if s.endpoint == "api.candidates" and s.shown]
        assert named == [], named
    if username in ("klantmanager", "coordinator"):
        assert any(s.shown for s in pages if s.endpoint == "api.candidate"), \
            f"{username}: the file read showed no canary (the test would be vacuous)"
