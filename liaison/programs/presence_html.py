"""The presence page's three large tables, built here rather than by template loops.

A large agency's page has 390 schools and 300 officers: with school calendars, the heat map's table
alone is some 17,000 cells (390 schools by 45 weeks), and the template engine spent most of the
page's time on these loops. Each function writes what the template wrote, byte for byte
(`liaison/programs/tests/test_presence_html.py` compares them with the template's own loops). Names
are escaped; every other cell is a number, a date or constant markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.template.defaultfilters import floatformat
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import Consistency, HeatMap, HeatRow, Persistence, RoleSplit

TENTH = Decimal("0.1")


def heatmap_rows_html(heatmap: HeatMap) -> SafeString:
    """The heat map's table rows: one per school, a cell per week."""
    return mark_safe("".join(_heat_row(row) for row in heatmap.rows))  # names escaped, cells numbers


def _heat_row(row: HeatRow) -> str:
    cells = []
    for cell in row.cells:
        gap = cell.gap
        if not cell.school_week:
            text = "–"
        elif not cell.elapsed:
            text = ""
        else:
            text = f"{cell.count} gap" if gap else str(cell.count)
        cells.append(f'<td class="gap-cell">{text}</td>' if gap else f"<td>{text}</td>")
    return f'<tr><th scope="row">{escape(row.school.name)}</th>{"".join(cells)}</tr>'


def presence_rows_html(rows: Iterable[tuple[Consistency, Persistence]], school_year: str) -> SafeString:
    """The consistency and persistence table's rows, one per school."""
    separator = get_format("DECIMAL_SEPARATOR")  # the reader's language's, as floatformat writes it
    return mark_safe("".join(_presence_row(c, p, school_year, separator) for c, p in rows))  # names escaped


def _presence_row(c: Consistency, p: Persistence, school_year: str, separator: str) -> str:
    out = [f'\n<tr><th scope="row">{escape(c.school.name)}</th>\n']
    if c.has_calendar:
        share = ""
        if c.week_share is not None:
            share = f" ({round(c.weeks_with_contact / c.school_weeks * 100)}%)"
        gap = c.longest_gap
        gap_class = ' class="gap-cell"' if gap.days >= 10 else ""
        gap_days = ""
        if gap.first:
            last = date_format(gap.last, "M j") if gap.last else ""
            gap_days = f'<br><span class="muted">{date_format(gap.first, "M j")}–{last}</span>'
        rate = c.per_100_per_month
        per_100 = floatformat(rate, 1) if rate is not None else '<span class="not-collected">no enrollment</span>'
        out.append(
            f"\n<td>{c.weeks_with_contact} of {c.school_weeks}{share}</td>\n"
            f"<td{gap_class}>{gap.days}{gap_days}</td>\n"
            f"<td>{per_100}</td>\n"
        )
    else:
        missing = f"no school calendar for {escape(school_year)}"
        out.append(f'<td colspan="3"><span class="not-collected">{missing}</span></td>')
    if p.current:
        tenure = "".join(
            f"{escape(t.officer.display_name)}: {_tenths(t.years, separator)} years<br>" for t in p.current
        )
    else:
        tenure = '<span class="badge badge-bad">no officer assigned</span>'
    left = "".join(
        f'<br><span class="muted">{escape(t.officer.display_name)} left {date_format(t.ended_on, "M Y")}</span>'
        for t in p.turnover
    )
    out.append(f"\n<td>{tenure}</td>\n<td>{p.officers_in_window}</td>\n<td>{len(p.turnover)}{left}</td></tr>\n")
    return "".join(out)


def _tenths(value: float, separator: str) -> str:
    """`value|floatformat:1` for a tenure's years (not negative, under a thousand: no sign, no grouping),
    half up from the float's shortest repr, without the filter's overhead: 400 tenures spent 5 ms in it."""
    rounded = Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", separator)


def _whole(value: float) -> str:
    """`value|floatformat:0` (half up, from the float's shortest repr), without the filter's overhead:
    900 cells spent 50 ms in it."""
    return str(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def role_rows_html(splits: Iterable[RoleSplit]) -> SafeString:
    """Each officer's time across the triad: a row per officer, a cell per role."""
    return mark_safe("".join(_role_row(split) for split in splits))  # names escaped, cells numbers


def _role_row(split: RoleSplit) -> str:
    cells = []
    for role in split.roles:
        share = split.share_of(role)
        shown = "—" if share is None else f"{_whole(share * 100)}%"
        minutes = f", {role.minutes} min" if role.minutes else ""
        cells.append(f'<td>{shown}<br><span class="muted">{role.count} contacts{minutes}</span>\n</td>')
    return (
        f'<tr><th scope="row">{escape(split.officer.display_name)}</th>\n'
        f"{''.join(cells)}\n<td>{split.count} ({split.timed})</td></tr>"
    )
