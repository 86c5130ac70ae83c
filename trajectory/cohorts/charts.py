"""Small bar charts, drawn on the server as SVG geometry for ``cohorts/_chart.html``.

Horizontal bars with the label above each bar, so a chart stays readable on a
360 px phone. No style attributes and no script (the CSP allows neither): the
macro uses presentation attributes only. Every chart is shown with a table of
the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 600
ROW = 52
TOP = 8
LABEL_GAP = 18
BAR = 22
VALUE_ROOM = 130
COLOURS = ("#5115ef", "#00568b", "#1b5e20", "#7a4100", "#a30000", "#3d4650")


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y_label: int
    y_bar: int
    width: int
    value_x: int
    colour: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)


def bar_chart(key: str, title: str, description: str,
              items: list[tuple[str, Decimal | int, str]]) -> Chart:
    """``items``: (label, value, value as text). Bars scale to the largest value."""
    top = max((Decimal(value) for _label, value, _text in items), default=Decimal(0))
    room = WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value, text) in enumerate(items):
        length = int(Decimal(value) / top * room) if top > 0 else 0
        if value and length < 2:
            length = 2
        y = TOP + index * ROW
        bars.append(Bar(label=label, value_text=text, y_label=y + 14, y_bar=y + LABEL_GAP,
                        width=length, value_x=length + 8, colour=COLOURS[index % len(COLOURS)]))
    height = TOP * 2 + ROW * max(len(items), 1)
    return Chart(key, title, description, WIDTH, height, bars)
