"""Participatieladder measurements (with the SVG timeline) and ZRM scores."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.candidates.support import measure
from trajectory.candidates.models import Measurement, MeasurementKind, ZrmDomain, ZrmScore
from trajectory.extensions import db
from trajectory.timeutil import today


def test_record_a_measurement_with_the_user_as_assessor(klantmanager_client, world, goes):
    url = f"/kandidaten/{goes.id}/metingen/nieuw"
    page = klantmanager_client.get(url).text
    assert re.search(r'<input checked[^>]*value="review"', page)  # an intake exists already
    response = klantmanager_client.post(url, data={
        "measured_on": today().strftime("%d-%m-%Y"), "rung": "4", "kind": "review",
        "note": "Werkt twee ochtenden als vrijwilliger"})
    assert response.status_code == 302
    latest = db.session.scalars(sa.select(Measurement).order_by(Measurement.id.desc())).first()
    assert (latest.rung, latest.kind, latest.assessor.username) == (
        4, MeasurementKind.REVIEW, "klantmanager")


def test_measurement_errors_keep_the_input(klantmanager_client, goes):
    url = f"/kandidaten/{goes.id}/metingen/nieuw"
    before = db.session.scalar(sa.select(sa.func.count(Measurement.id)))
    for data, kept in (
            ({"measured_on": "32-01-2026", "rung": "3", "kind": "review", "note": "Notitie A"},
             "Notitie A"),
            ({"measured_on": (today() + timedelta(days=2)).isoformat(), "rung": "3",
              "kind": "review", "note": "Notitie B"}, "Notitie B"),
            ({"measured_on": today().isoformat(), "rung": "7", "kind": "review",
              "note": "Notitie C"}, "Notitie C"),
            ({"measured_on": today().isoformat(), "rung": "3", "kind": "",
              "note": "Notitie D"}, "Notitie D")):
        response = klantmanager_client.post(url, data=data)
        assert response.status_code == 200, data
        assert kept in response.text and "utrecht-form-field-error-message" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Measurement.id))) == before


def test_the_file_draws_the_timeline_without_script_or_inline_style(klantmanager_client, world,
                                                                    goes):
    measure(world, goes, 3, 40)
    measure(world, goes, 4, 5)
    page = klantmanager_client.get(f"/kandidaten/{goes.id}").text
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert "style=" not in page and "<script" not in page
    # the same data in a table
    assert "Deelname aan georganiseerde activiteiten" in page or "Taking part" in page


def test_timeline_geometry():
    from trajectory.candidates.timeline import ladder_timeline

    class M:
        def __init__(self, id, rung, days):
            self.id, self.rung, self.measured_on = id, rung, today() - timedelta(days=days)
            self.kind = MeasurementKind.REVIEW

    line = ladder_timeline([M(2, 4, 0), M(1, 1, 100)])
    first, last = line.points
    assert first.rung == 1 and last.rung == 4  # ordered by date
    assert first.x < last.x and first.y > last.y  # later is right, higher rung is up
    assert ladder_timeline([]) is None
    assert len(ladder_timeline([M(1, 3, 0)]).points) == 1


def test_zrm_scores(klantmanager_client, goes):
    url = f"/kandidaten/{goes.id}/zrm/nieuw"
    assert klantmanager_client.get(url).status_code == 200
    response = klantmanager_client.post(url, data={"scored_on": today().isoformat()})
    assert response.status_code == 200  # nothing scored
    response = klantmanager_client.post(url, data={
        "scored_on": today().isoformat(), "zrm_financien": "2", "zrm_sociaal_netwerk": "4"})
    assert response.status_code == 302
    scores = {s.domain: s.score for s in db.session.scalars(sa.select(ZrmScore))}
    assert scores == {ZrmDomain.FINANCIEN: 2, ZrmDomain.SOCIAAL_NETWERK: 4}
    response = klantmanager_client.post(url, data={
        "scored_on": today().isoformat(), "zrm_financien": "6"})
    assert response.status_code == 200


def test_only_the_klantmanager_measures(buddy_client, intaker2_client, goes):
    for client in (buddy_client, intaker2_client):
        assert client.post(f"/kandidaten/{goes.id}/metingen/nieuw", data={
            "measured_on": today().isoformat(), "rung": "5", "kind": "review"}).status_code == 403
