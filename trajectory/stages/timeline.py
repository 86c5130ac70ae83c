"""The learning line as a timeline: an SVG drawn on the server.

Stages are bars over the months; stages that run at the same time are put in
separate lanes (greedy interval partitioning: each bar goes into the first lane
that is free at its start). The SVG has a title and a description
(``aria-labelledby``) and carries no script and no style attributes (the
Content-Security-Policy forbids both); colours are presentation attributes.
The same facts are in the table next to it, for screen readers and print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from trajectory.stages.models import Stage, StageStatus

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 30, 10
LANE_HEIGHT = 42
BAR_OFFSET, BAR_HEIGHT = 16, 18
MIN_MONTHS = 6
CHAR_WIDTH = 6.6  # average width of a 12px character, to shorten labels that do not fit

# Fill and outline per kind: ``colour`` in the kind's entry (trajectory/stages/kinds.py).


@dataclass(frozen=True)
class Bar:
    stage_id: int
    lane: int
    x: float
    y: float
    width: float
    label: str
    text: str
    fill: str
    stroke: str
    fill_opacity: str
    dash: str | None
    open_ended: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    first: date
    last: date
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    lanes: int
    today_x: float | None


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def assign_lanes(periods: Sequence[tuple[date, date]]) -> list[int]:
    """Lane per period (in the given order, which must be by start): the first lane whose last
    period ended before this one starts; parallel periods get different lanes."""
    lane_ends: list[date] = []
    lanes = []
    for start, end in periods:
        for index, lane_end in enumerate(lane_ends):
            if lane_end < start:
                lane_ends[index] = end
                lanes.append(index)
                break
        else:
            lane_ends.append(end)
            lanes.append(len(lane_ends) - 1)
    return lanes


def drawn(stages: Sequence[Stage]) -> list[Stage]:
    """The stages the timeline draws: not the declined ones, not those stopped before they began."""
    return sorted((s for s in stages if not s.never_started), key=lambda s: (s.start, s.id))


def layout(stages: Sequence[Stage], day: date, horizon_days: int = 90) -> Timeline | None:
    shown = drawn(stages)
    if not shown:
        return None
    horizon = day + timedelta(days=horizon_days)
    ends = {s.id: (s.end or max(horizon, s.start + timedelta(days=horizon_days))) for s in shown}
    first = _month_start(min(s.start for s in shown))
    last_day = max(max(ends.values()), day)
    last = _next_month(last_day) - timedelta(days=1)
    while _months(first, last) < MIN_MONTHS:
        last = _next_month(last + timedelta(days=1)) - timedelta(days=1)
    span = (last - first).days + 1
    inner = WIDTH - LEFT - RIGHT

    def x(when: date) -> float:
        return round(LEFT + inner * (when - first).days / span, 1)

    lanes = assign_lanes([(s.start, ends[s.id]) for s in shown])
    starts = [(lane, x(s.start)) for s, lane in zip(shown, lanes, strict=True)]
    bars = []
    for stage, lane in zip(shown, lanes, strict=True):
        fill, stroke = stage.kind.spec.colour
        x0, x1 = x(stage.start), x(ends[stage.id] + timedelta(days=1))
        width = max(x1 - x0, 3.0)
        label = f"{stage.kind.label} · {stage.provider.name}"
        # The label sits above the bar and may run on until the next bar in its lane.
        following = [sx for other_lane, sx in starts if other_lane == lane and sx > x0]
        room = int(((min(following) if following else WIDTH - RIGHT) - x0 - 8) / CHAR_WIDTH)
        text = label if len(label) <= room else (label[: room - 1] + "…" if room >= 6 else "")
        proposed = stage.status is StageStatus.VOORGESTELD
        planned = stage.status in (StageStatus.VOORGESTELD, StageStatus.GEPLAND)
        bars.append(Bar(
            stage_id=stage.id, lane=lane, x=x0, y=TOP + lane * LANE_HEIGHT + BAR_OFFSET,
            width=round(width, 1), label=label, text=text,
            fill="#ffffff" if proposed else fill, stroke=stroke,
            fill_opacity="0.45" if planned and not proposed else "1",
            dash="4 3" if planned else None, open_ended=stage.end is None))
    months = _months(first, last)
    step = 1 if months <= 12 else (3 if months <= 36 else 12)
    ticks = []
    cursor = first
    index = 0
    while cursor <= last:
        if index % step == 0:
            pattern = "MMM" if step == 1 and cursor.month != 1 and index else "MMM yyyy"
            ticks.append(Tick(x(cursor), format_date(cursor, pattern), cursor.month == 1))
        cursor = _next_month(cursor)
        index += 1
    count = max(lanes) + 1
    today_x = x(day) if first <= day <= last else None
    return Timeline(WIDTH, TOP + count * LANE_HEIGHT + BOTTOM, first, last, tuple(bars),
                    tuple(ticks), count, today_x)


def render_svg(timeline: Timeline, svg_id: str, title: str) -> Markup:
    """The SVG markup; every text is escaped."""
    e = escape
    h = timeline.height
    description = _("%(count)d stages from %(start)s to %(end)s in %(lanes)d rows; stages "
                    "in the same period are in separate rows. The table gives the same facts.",
                    count=len(timeline.bars), start=format_date(timeline.first, "MMMM yyyy"),
                    end=format_date(timeline.last, "MMMM yyyy"), lanes=timeline.lanes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="{e(svg_id)}" '
        f'viewBox="0 0 {timeline.width} {h}" width="{timeline.width}" height="{h}" '
        f'role="img" focusable="false" '
        f'aria-labelledby="{e(svg_id)}-title {e(svg_id)}-desc" '
        f'font-family="inherit" font-size="12">',
        f'<title id="{e(svg_id)}-title">{e(title)}</title>',
        f'<desc id="{e(svg_id)}-desc">{e(description)}</desc>',
        '<g class="ticks">',
    ]
    for tick in timeline.ticks:
        parts.append(f'<line x1="{tick.x}" y1="{TOP - 8}" x2="{tick.x}" y2="{h - BOTTOM}" '
                     f'stroke="{"#8a949e" if tick.major else "#d3d8dd"}" stroke-width="1"/>')
        parts.append(f'<text x="{tick.x + 3}" y="{TOP - 14}" fill="#3d4650">{e(tick.label)}</text>')
    parts.append("</g>")
    for lane in range(timeline.lanes):
        parts.append(f'<g class="lane" data-lane="{lane}">')
        for bar in (b for b in timeline.bars if b.lane == lane):
            dash = f' stroke-dasharray="{bar.dash}"' if bar.dash else ""
            parts.append(
                f'<g class="bar" data-stage-id="{bar.stage_id}">'
                f'<title>{e(bar.label)}</title>'
                f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{BAR_HEIGHT}" rx="3" '
                f'fill="{bar.fill}" fill-opacity="{bar.fill_opacity}" stroke="{bar.stroke}" '
                f'stroke-width="1.5"{dash}/>')
            if bar.open_ended:
                tip = bar.x + bar.width
                mid = bar.y + BAR_HEIGHT / 2
                parts.append(f'<path d="M{tip - 1} {bar.y} L{tip + 6} {mid} L{tip - 1} '
                             f'{bar.y + BAR_HEIGHT} Z" fill="{bar.stroke}"/>')
            if bar.text:
                parts.append(f'<text x="{bar.x + 2}" y="{bar.y - 4}" fill="#1a1f24">'
                             f'{e(bar.text)}</text>')
            parts.append("</g>")
        parts.append("</g>")
    if timeline.today_x is not None:
        today_label = _("today")
        parts.append(f'<g class="today"><line x1="{timeline.today_x}" y1="{TOP - 6}" '
                     f'x2="{timeline.today_x}" y2="{h - 2}" stroke="#a30000" stroke-width="2"/>'
                     f'<text x="{timeline.today_x + 3}" y="{h - 2}" fill="#a30000">'
                     f'{e(today_label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value in it is escaped above
