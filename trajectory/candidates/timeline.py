"""The participatieladder timeline, drawn on the server as SVG geometry.

No script and no inline styles (the CSP forbids both): the template draws
with SVG presentation attributes from these numbers, and a table next to it
carries the same data for screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trajectory.candidates.models import Measurement

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 16, 40
RUNGS = range(1, 7)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    rung: int
    on: date
    kind: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    points: list[Point]
    gridlines: list[tuple[int, float]]  # (rung, y)
    left: int
    right: int

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _y(rung: int) -> float:
    usable = HEIGHT - TOP - BOTTOM
    return TOP + usable * (6 - rung) / 5


def ladder_timeline(measurements: list[Measurement]) -> Timeline | None:
    """Points placed by date (x) and rung (y); None when there is nothing to draw."""
    if not measurements:
        return None
    ordered = sorted(measurements, key=lambda m: (m.measured_on, m.id or 0))
    first, last = ordered[0].measured_on, ordered[-1].measured_on
    span = (last - first).days
    usable = WIDTH - LEFT - RIGHT
    points = []
    for m in ordered:
        x = LEFT + usable / 2 if span == 0 else LEFT + usable * (m.measured_on - first).days / span
        points.append(Point(round(x, 1), round(_y(m.rung), 1), m.rung, m.measured_on,
                            m.kind.value))
    return Timeline(WIDTH, HEIGHT, points, [(r, round(_y(r), 1)) for r in RUNGS], LEFT,
                    WIDTH - RIGHT)
