"""Simple bar charts drawn as inline SVG on the server (no chart library, no script)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

WIDTH, HEIGHT = 320, 150
TOP, BOTTOM, LEFT = 16, 30, 6
TARGET_LABEL = 30  # room at the right for the target's label, so no bar's value runs into it


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    ok: bool
    text_x: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    target_y: float | None = None
    target_text: str = ""


def bars(
    title: str,
    labels: list[str],
    values: list[float | Fraction | None],
    maximum: float,
    fmt,
    target: float | None = None,
    target_text: str = "",
    good_at_least: float | None = None,
) -> Chart:
    """One bar per label; `None` values draw no bar and print "—". `fmt` formats a value."""
    plot = HEIGHT - TOP - BOTTOM
    right = LEFT + (TARGET_LABEL if target is not None else 0)
    slot = (WIDTH - LEFT - right) / max(len(labels), 1)
    width = max(4.0, slot * 0.7)
    result = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + (slot - width) / 2
        share = 0.0 if value is None or maximum <= 0 else min(float(value) / maximum, 1.0)
        h = plot * share
        ok = value is not None and (good_at_least is None or float(value) > good_at_least)
        result.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + plot - h, 1),
                width=round(width, 1),
                height=round(h, 1),
                label=label,
                value_text="—" if value is None else fmt(value),
                ok=ok,
                text_x=round(x + width / 2, 1),
            )
        )
    target_y = None
    if target is not None and maximum > 0:
        target_y = round(TOP + plot - plot * min(target / maximum, 1.0), 1)
    return Chart(title=title, bars=result, target_y=target_y, target_text=target_text)
