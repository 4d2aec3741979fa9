"""The outcomes charts as server-rendered SVG (no script): a line per school year over the months,
the trust index of each wave with its interval, and the contacts-and-trust scatter.

Each chart is `role="img"` with a text label; the page puts the same figures in a table beside it, so
nothing is carried by the picture alone. Lines differ by dash as well as colour; text is 12 px or more
at the SVG's own size and the SVG scales down to the screen's width.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Drawn at its own size (capped to the screen's width by .chart-wrap): 13 px text stays about 11 px
# on a 375 px phone, instead of shrinking with a page-wide chart.
WIDTH, HEIGHT = 400, 240
SCATTER_WIDTH = 520
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44
CURRENT = "#1f4e79"  # dark blue, solid
PREVIOUS = "#b35900"  # dark orange, dashed: apart under red-green colour blindness, and by dash
POINT = "#1f4e79"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    current: bool


def _nice_step(span: float) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about four intervals over the span."""
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def _scale(values: Sequence[float], *, zero: bool = True) -> tuple[float, float]:
    """Bounds on whole steps, so the axis reads 0, 5, 10 rather than 0, 2.53, 5.06."""
    low = min([*values, 0.0] if zero else values, default=0.0)
    high = max(values, default=1.0)
    if high == low:
        high = low + 1.0
    step = _nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step


def _svg(label: str, body: str, width: int = WIDTH) -> SafeString:
    return format_html(
        '<div class="chart-wrap"><svg class="chart" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" focusable="false" font-size="13">{}</svg></div>',
        width,
        HEIGHT,
        width,
        HEIGHT,
        label,
        mark_safe(body),  # built below from format_html pieces only
    )


def _y_axis(low: float, high: float, y: Callable[[float], float], width: int = WIDTH) -> str:
    step = _nice_step(high - low)
    ticks = [low + step * i for i in range(round((high - low) / step) + 1)]
    return "".join(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d7de"/><text x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            width - RIGHT,
            f"{y(t):.1f}",
            f"{y(t):.1f}",
            LEFT - 6,
            f"{y(t) + 4:.1f}",
            f"{t:g}",
        )
        for t in ticks
    )


def line_chart(label: str, months: Sequence[str], series: Sequence[Series], *, percent: bool = False) -> SafeString:
    """One line per school year over the same months (July to June); a percentage runs 0 to 100."""
    shown = [v for s in series for v in s.values if v is not None]
    low, high = (0.0, 100.0) if percent else _scale(shown)
    steps = max(len(months) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * i / steps

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low))

    parts = [_y_axis(low, high, y)]
    parts += [  # every other month named: twelve would crowd a phone
        format_html('<text x="{}" y="{}" text-anchor="middle">{}</text>', f"{x(i):.1f}", HEIGHT - BOTTOM + 16, m)
        for i, m in enumerate(months)
        if i % 2 == 0
    ]
    for s in series:
        colour, dash = (CURRENT, "") if s.current else (PREVIOUS, ' stroke-dasharray="6 4"')
        runs: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>',
                        " ".join(run),
                        colour,
                        mark_safe(dash),
                    )
                )
        parts += [
            format_html('<circle cx="{}" cy="{}" r="3" fill="{}"/>', f"{x(i):.1f}", f"{y(v):.1f}", colour)
            for i, v in enumerate(s.values)
            if v is not None
        ]
    legend = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2.5"{}/><text x="{}" y="{}">{}</text>',
        (
            (
                LEFT + 150 * n,
                LEFT + 150 * n + 24,
                HEIGHT - 8,
                HEIGHT - 8,
                CURRENT if s.current else PREVIOUS,
                mark_safe("" if s.current else ' stroke-dasharray="6 4"'),
                LEFT + 150 * n + 30,
                HEIGHT - 4,
                s.label,
            )
            for n, s in enumerate(series)
        ),
    )
    return _svg(label, "".join(parts) + legend)


@dataclass(frozen=True)
class Interval:
    label: str
    mean: float | None
    low: float | None
    high: float | None


def interval_chart(label: str, rows: Sequence[Interval], *, low: float = 0.0, high: float = 100.0) -> SafeString:
    """Each row's mean as a dot with its 95% interval as a line, on a fixed scale (the trust index, 0-100)."""
    steps = max(len(rows), 1)

    def x(i: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (i + 0.5) / steps

    def y(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - low) / (high - low))

    parts = [_y_axis(low, high, y)]
    for i, row in enumerate(rows):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>', f"{x(i):.1f}", HEIGHT - BOTTOM + 16, row.label
            )
        )
        if row.mean is None:
            parts.append(format_html('<text x="{}" y="{}" text-anchor="middle">not shown</text>', f"{x(i):.1f}", y(50)))
            continue
        if row.low is not None and row.high is not None:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"/>',
                    f"{x(i):.1f}",
                    f"{x(i):.1f}",
                    f"{y(row.low):.1f}",
                    f"{y(row.high):.1f}",
                    POINT,
                )
            )
        parts.append(
            format_html('<circle cx="{}" cy="{}" r="5" fill="{}"/>', f"{x(i):.1f}", f"{y(row.mean):.1f}", POINT)
        )
    return _svg(label, "".join(parts))


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    y_low: float | None
    y_high: float | None


def scatter(label: str, points: Sequence[Point], *, x_title: str, y_title: str) -> SafeString:
    """Each school a dot with its name, its trust change's interval a vertical line; zero lines drawn."""
    xs = [p.x for p in points] or [0.0]
    ys = [v for p in points for v in (p.y, p.y_low, p.y_high) if v is not None] or [0.0]
    x_low, x_high = _scale([*xs, 0.0], zero=False)
    y_low, y_high = _scale([*ys, 0.0], zero=False)

    def px(v: float) -> float:
        return LEFT + (SCATTER_WIDTH - LEFT - RIGHT - 170) * (v - x_low) / (x_high - x_low)

    def py(v: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (v - y_low) / (y_high - y_low))

    parts = [_y_axis(y_low, y_high, py, SCATTER_WIDTH)]
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#57606a" stroke-dasharray="3 3"/>'
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#57606a" stroke-dasharray="3 3"/>',
            f"{px(0):.1f}",
            f"{px(0):.1f}",
            TOP,
            HEIGHT - BOTTOM,
            LEFT,
            SCATTER_WIDTH - RIGHT,
            f"{py(0):.1f}",
            f"{py(0):.1f}",
        )
    )
    parts.append(
        format_html(
            '<text x="{}" y="{}">{}</text>',
            LEFT,
            HEIGHT - 6,
            x_title,
        )
    )
    parts.append(format_html('<text x="{}" y="{}">{}</text>', LEFT, TOP - 4, y_title))
    x_step = _nice_step(x_high - x_low)
    tick = math.ceil(x_low / x_step) * x_step
    while tick <= x_high:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{px(tick):.1f}",
                HEIGHT - BOTTOM + 16,
                f"{tick:g}",
            )
        )
        tick += x_step
    for p in points:
        if p.y_low is not None and p.y_high is not None:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                    f"{px(p.x):.1f}",
                    f"{px(p.x):.1f}",
                    f"{py(p.y_low):.1f}",
                    f"{py(p.y_high):.1f}",
                    POINT,
                )
            )
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="5" fill="{}"/><text x="{}" y="{}">{}</text>',
                f"{px(p.x):.1f}",
                f"{py(p.y):.1f}",
                POINT,
                f"{px(p.x) + 8:.1f}",
                f"{py(p.y) + 4:.1f}",
                p.label,
            )
        )
    return _svg(label, "".join(parts), SCATTER_WIDTH)
