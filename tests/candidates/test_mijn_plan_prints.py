""""Mijn plan" prints whole: read back with pdftotext (tests/pdf_support.py), every
heading and every item of the demo's plans is on the paper and no word runs off it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from tests.conftest import login
from tests.pdf_support import assert_prints_whole, words_outside
from trajectory.audit.trail import Actor, acting_as
from trajectory.candidates import mijn_plan
from trajectory.candidates.models import Candidate, Plan
from trajectory.demo.data import load_demo
from trajectory.extensions import db


def test_every_demo_plan_prints_whole(app):
    with acting_as(Actor(None, "demo", None)):
        load_demo()
    db.session.commit()
    klantmanager = app.test_client()
    assert login(klantmanager, "klantmanager").status_code == 302
    candidates = list(db.session.scalars(
        sa.select(Candidate).join(Plan).where(Candidate.municipality.has(name="Goes"))))
    assert candidates
    for candidate in candidates:
        response = klantmanager.get(f"/kandidaten/{candidate.id}/mijn-plan.pdf")
        assert response.status_code == 200
        with app.test_request_context(), force_locale("nl"):  # as the view renders it
            html = render_template("candidates/mijn_plan_document.html",
                                   **mijn_plan.context(candidate))
        text = assert_prints_whole(html, response.data)
        for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S):
            heading = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", heading)).strip()
            assert heading.split()[0] in text, heading
        assert not words_outside(response.data)
