"""The schools × weeks presence heat map as SVG: rendered once on the server, so the same chart
serves the page and, later, the PDF reports. Colours are backed by text (each cell's <title>, the
legend, and the table alternative on the page), never the only carrier of meaning."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .selectors import HeatCell, HeatMap

CELL, GAP_X, LABEL_WIDTH, HEADER = 16, 2, 230, 34
NO_SCHOOL = "#eceff1"  # break, summer, or no calendar
FUTURE = "#ffffff"
# A palette that survives red-green colour blindness: visits in blues (light to dark with the count), a gap in
# vermillion (Okabe and Ito's colour-blind-safe set) that also carries a cross, so it never rests on hue alone.
GAP = "#d55e00"
GAP_MARK = "#ffffff"
SHADES = ((1, "#c6dbef"), (3, "#6baed6"), (6, "#2171b5"), (10**9, "#08306b"))  # up to n contacts


def cell_colour(cell: HeatCell) -> str:
    if not cell.school_week:
        return NO_SCHOOL
    if not cell.elapsed:
        return FUTURE
    if cell.count == 0:
        return GAP
    return next(colour for top, colour in SHADES if cell.count <= top)


def cell_text(cell: HeatCell) -> str:
    week = f"Week of {cell.week:%b %-d, %Y}"
    if not cell.school_week:
        return f"{week}: no school"
    if not cell.elapsed:
        return f"{week}: not yet"
    if cell.count == 0:
        return f"{week}: no positive contact (gap)"
    return f"{week}: {cell.count} positive contact{'s' if cell.count != 1 else ''}"


def _cells(y: int, cells: list[HeatCell]) -> SafeString:
    parts = []
    for i, cell in enumerate(cells):
        x = LABEL_WIDTH + i * (CELL + GAP_X)
        stroke = ' stroke="#1b1f24" stroke-width="1"' if cell.gap else ' stroke="#b0bec5" stroke-width="0.5"'
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}><title>{}</title></rect>',
                x,
                y,
                CELL,
                CELL,
                cell_colour(cell),
                mark_safe(stroke),
                cell_text(cell),
            )  # fmt: skip
        )
        if cell.gap:
            parts.append(_cross(x, y))
    return mark_safe("".join(parts))


def _cross(x: int, y: int) -> SafeString:
    """The gap's mark, drawn over its cell: two white strokes corner to corner."""
    a, b = 3, CELL - 3
    return format_html(
        '<path d="M{} {}L{} {}M{} {}L{} {}" stroke="{}" stroke-width="2" pointer-events="none"/>',
        x + a, y + a, x + b, y + b, x + b, y + a, x + a, y + b, GAP_MARK,
    )  # fmt: skip


def _month_labels(heatmap: HeatMap) -> SafeString:
    labels, seen = [], set()
    for i, week in enumerate(heatmap.weeks):
        if week.month in seen:
            continue
        seen.add(week.month)
        x = LABEL_WIDTH + i * (CELL + GAP_X)
        labels.append(
            format_html('<text x="{}" y="{}" font-size="11" fill="#37474f">{}</text>', x, HEADER - 8, f"{week:%b}")
        )
    return mark_safe("".join(labels))


def heatmap_svg(heatmap: HeatMap) -> SafeString:
    """The chart; `aria-labelledby` points at its title and summary, and the page carries a table too."""
    width = LABEL_WIDTH + len(heatmap.weeks) * (CELL + GAP_X) + 10
    height = HEADER + len(heatmap.rows) * (CELL + GAP_X) + 10
    rows = []
    for n, row in enumerate(heatmap.rows):
        y = HEADER + n * (CELL + GAP_X)
        name = row.school.name if row.has_calendar else f"{row.school.name} (no calendar)"
        rows.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="#10263d">{}</text>{}',
                y + CELL - 4,
                name[:34],
                _cells(y, row.cells),
            )  # fmt: skip
        )
    gaps = sum(row.gaps for row in heatmap.rows)
    summary = (
        f"{len(heatmap.rows)} schools by {len(heatmap.weeks)} weeks of {heatmap.school_year}; "
        f"{gaps} school week{'s' if gaps != 1 else ''} without a positive contact, shown in orange with a cross."
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="heatmap-title heatmap-desc">'
        '<title id="heatmap-title">Positive contacts per school and week, {year}</title>'
        '<desc id="heatmap-desc">{summary}</desc>{months}{rows}</svg>',
        w=width, h=height, year=heatmap.school_year, summary=summary, months=_month_labels(heatmap),
        rows=format_html_join("", "{}", ((r,) for r in rows)),
    )  # fmt: skip


LEGEND = (
    (GAP, "School week without a positive contact (gap, crossed)"),
    (SHADES[0][1], "1 contact"),
    (SHADES[1][1], "2–3"),
    (SHADES[2][1], "4–6"),
    (SHADES[3][1], "7 or more"),
    (NO_SCHOOL, "No school that week"),
    (FUTURE, "Not yet"),
)


def legend_svg(colour: str) -> SafeString:
    mark = format_html('<path d="M3 3L11 11M11 3L3 11" stroke="{}" stroke-width="2"/>', GAP_MARK)
    return format_html(
        '<svg width="14" height="14" aria-hidden="true">'
        '<rect width="14" height="14" fill="{}" stroke="#90a4ae"/>{}</svg>',
        colour,
        mark if colour == GAP else "",
    )
