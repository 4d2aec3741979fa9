"""Survey charts as server-rendered SVG: a school's trust index over waves, and one bar chart per item.

Each chart carries its numbers as text (titles and labels), and the page shows a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from liaison.lib.suppression import SUPPRESSED

from .scoring import Estimate

# Drawn 420 wide with 14-unit text, so on a 375 px phone (about 350 px of chart) the text is 11 px or more.
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 420, 260, 40, 16, 62
FONT = 14
INK, MUTED, BAR, WHISKER = "#1a237e", "#546e7a", "#3949ab", "#283593"


@dataclass(frozen=True)
class TrendPoint:
    label: str
    estimate: Estimate | None
    suppressed: bool


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def _axis() -> SafeString:
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#cfd8dc"/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>',
        ((LEFT, WIDTH - 8, _y(v), _y(v), LEFT - 4, _y(v) + 4, FONT, MUTED, v) for v in (0, 25, 50, 75, 100)),
    )
    return ticks


def _two_lines(x: float, label: str) -> SafeString:
    """A wave's name on two lines (split at the space nearest its middle), so names stay apart on a phone."""
    spaces = [i for i, c in enumerate(label) if c == " "]
    if not spaces:
        return format_html("{}", label)
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return format_html(
        '<tspan x="{}">{}</tspan><tspan x="{}" dy="1.15em">{}</tspan>', x, label[:cut], x, label[cut + 1 :]
    )


def _trend_point(x: float, point: TrendPoint) -> SafeString:
    label = format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
        x,
        HEIGHT - BOTTOM + 18,
        FONT,
        INK,
        _two_lines(x, point.label),
    )
    if point.suppressed or point.estimate is None:
        note = SUPPRESSED if point.suppressed else "No responses"
        return label + format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
            x,
            _y(50),
            FONT,
            MUTED,
            note,
        )
    est = point.estimate
    whisker = mark_safe("")
    if est.low is not None and est.high is not None:
        whisker = format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"/>',
            x,
            x,
            _y(max(0.0, est.low)),
            _y(min(100.0, est.high)),
            WHISKER,
        )
    text = f"{point.label}: {est.mean:.1f} (n = {est.n})"
    return (
        label
        + whisker
        + format_html(
            '<circle cx="{}" cy="{}" r="5" fill="{}"><title>{}</title></circle>'
            '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>',
            x,
            _y(est.mean),
            BAR,
            text,
            x + 8,
            _y(est.mean) - 6,
            FONT,
            INK,
            f"{est.mean:.0f}",
        )
    )


def trend_chart(points: Sequence[TrendPoint], title: str) -> SafeString:
    """Trust index (0–100) per wave with its 95% interval; suppressed waves are labelled, not plotted."""
    step = (WIDTH - LEFT - 40) / max(1, len(points))
    body = format_html_join("", "{}", ((_trend_point(LEFT + 20 + step * (i + 0.5), p),) for i, p in enumerate(points)))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-label="{}" class="chart">'
        "<title>{}</title>{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        _axis(),
        body,
    )


def distribution_chart(title: str, bars: Sequence[tuple[str, int]]) -> SafeString:
    """Horizontal bars: how many chose each answer, with the count and percent as text."""
    total = sum(count for _, count in bars) or 1
    row, label_width, width = 22, 210, 520
    height = row * len(bars) + 8
    parts = []
    for i, (label, count) in enumerate(bars):
        y = 4 + i * row
        length = (width - label_width - 80) * count / total
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{} ({}%)</text>',
                label_width - 6,
                y + 14,
                INK,
                label[:34],
                label_width,
                y + 2,
                f"{length:.1f}",
                row - 6,
                BAR,
                label,
                count,
                f"{label_width + length + 4:.1f}",
                y + 14,
                INK,
                count,
                f"{100 * count / total:.0f}",
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-label="{}" class="chart">'
        "<title>{}</title>{}</svg>",
        width,
        height,
        title,
        title,
        mark_safe("".join(parts)),
    )
