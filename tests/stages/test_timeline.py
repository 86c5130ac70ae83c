"""The learning-line timeline: server-side SVG, parallel stages in separate lanes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tests.stages.conftest import P1, P2, P3, days, goes_candidate, make_stage
from trajectory.stages.models import StageKind, StageStatus
from trajectory.stages.timeline import assign_lanes, layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _lanes(svg: ET.Element) -> dict[int, int]:
    """stage id -> lane, read from the drawing itself (the bar's group and its y)."""
    lanes = {}
    for lane in svg.iter(f"{SVG}g"):
        if lane.get("class") != "lane":
            continue
        for bar in lane.findall(f"{SVG}g"):
            rect = bar.find(f"{SVG}rect")
            lanes[int(bar.get("data-stage-id"))] = (int(lane.get("data-lane")),
                                                   float(rect.get("y")))
    return lanes


def test_lanes_are_greedy_and_parallel_periods_never_share_one():
    d = date
    periods = [(d(2026, 1, 1), d(2026, 1, 10)), (d(2026, 1, 5), d(2026, 3, 1)),
               (d(2026, 1, 11), d(2026, 2, 1)), (d(2026, 2, 2), d(2026, 4, 1)),
               (d(2026, 2, 15), d(2026, 2, 20))]
    lanes = assign_lanes(periods)
    assert lanes == [0, 1, 0, 0, 2]
    for i, (a_start, a_end) in enumerate(periods):
        for j, (b_start, b_end) in enumerate(periods):
            if i < j and a_start <= b_end and b_start <= a_end:
                assert lanes[i] != lanes[j]


def test_candidate_file_shows_parallel_stages_in_separate_lanes(world, klantmanager_client):
    candidate = goes_candidate(world)
    intake = make_stage(world, candidate, P1, StageKind.INTAKE, StageStatus.AFGEROND,
                        start=days(-200), end=days(-190))
    coaching = make_stage(world, candidate, P2, StageKind.COACHING, StageStatus.LOPEND,
                          start=days(-180), end=days(30))
    wep = make_stage(world, candidate, P2, StageKind.WERKERVARINGSPLAATS, StageStatus.AFGEROND,
                     start=days(-170), end=days(-80))
    bbl = make_stage(world, candidate, P3, StageKind.BBL, StageStatus.LOPEND,
                     start=days(-75), end=days(300))
    declined = make_stage(world, candidate, P3, StageKind.INTAKE, StageStatus.AFGEWEZEN)
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    start = page.index("<svg", page.index("Leerlijn") if "Leerlijn" in page else 0)
    markup = page[start:page.index("</svg>", start) + len("</svg>")]
    svg = ET.fromstring(markup)  # noqa: S314 - our own markup
    # Accessible: a title and a description named by aria-labelledby; no script, no style.
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    assert candidate.full_name in svg.find(f"{SVG}title").text
    assert "<script" not in markup and "style=" not in markup
    assert not any(el.get("style") for el in svg.iter())
    # Month ticks.
    ticks = [t for t in svg.iter(f"{SVG}text") if t.text and t.text[:3].isalpha()]
    assert len(ticks) >= 6
    # Parallel stages in separate lanes; one that follows may reuse a lane.
    lanes = _lanes(svg)
    assert set(lanes) == {intake.id, coaching.id, wep.id, bbl.id}  # not the declined one
    assert lanes[coaching.id][0] != lanes[wep.id][0]
    assert lanes[coaching.id][1] != lanes[wep.id][1]
    assert lanes[coaching.id][0] != lanes[bbl.id][0]
    assert lanes[intake.id][0] == 0
    # The same facts in a table beside it, the declined proposal included.
    table = page[page.index("<table", start):]
    for stage in (intake, coaching, wep, bbl, declined):
        assert f'/trajecten/{stage.id}"' in table


def test_open_ended_job_gets_an_arrow_and_today_line(app, world):
    candidate = goes_candidate(world)
    job = make_stage(world, candidate, P3, StageKind.PAID_JOB, StageStatus.LOPEND,
                     start=days(-20), permanent=True)
    with app.test_request_context():
        timeline = layout([job], days(0))
        svg = ET.fromstring(str(render_svg(timeline, "t", "Leerlijn")))  # noqa: S314
    assert svg.find(f".//{SVG}path") is not None
    assert any(g.get("class") == "today" for g in svg.iter(f"{SVG}g"))
    assert timeline.lanes == 1 and timeline.bars[0].open_ended


@pytest.mark.parametrize("status", [StageStatus.VOORGESTELD, StageStatus.GEPLAND])
def test_planned_and_proposed_bars_are_dashed(app, world, status):
    candidate = goes_candidate(world)
    stage = make_stage(world, candidate, P1, StageKind.INTAKE, status, start=days(5))
    with app.test_request_context():
        svg = ET.fromstring(str(render_svg(layout([stage], days(0)), "t", "x")))  # noqa: S314
    assert svg.find(f".//{SVG}rect").get("stroke-dasharray")


def test_no_stages_no_svg(world, klantmanager_client):
    candidate = goes_candidate(world)
    page = klantmanager_client.get(f"/kandidaten/{candidate.id}").text
    assert 'class="timeline"' not in page
    assert f"/trajecten/kandidaat/{candidate.id}/nieuw" in page
