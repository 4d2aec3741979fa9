"""The presence page's large tables, built in Python (presence_html.py), are what the template's own
loops wrote, byte for byte: on the hand-worked term of test_presence_figures (a calendar with a break,
a gap, an enrollment, a school without enrollment, a past officer) and on a school without a calendar."""

from __future__ import annotations

import datetime
import random
import re

from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import get_format

from liaison.conftest import World
from liaison.directory import services as directory
from liaison.programs import presence_html, selectors

from .test_presence_figures import AS_OF, YEAR, term  # noqa: F401 (the fixture)

# The template's loops as they were (programs/presence.html before the tables moved to Python).
HEAT = Template(
    '{% for row in heatmap.rows %}<tr><th scope="row">{{ row.school.name }}</th>{% for cell in row.cells %}'
    '<td{% if cell.gap %} class="gap-cell"{% endif %}>{% if not cell.school_week %}–{% elif not cell.elapsed %}'
    "{% else %}{{ cell.count }}{% if cell.gap %} gap{% endif %}{% endif %}</td>{% endfor %}</tr>{% endfor %}"
)
ROWS = Template(
    """{% for c, p in rows %}
<tr><th scope="row">{{ c.school.name }}</th>
{% if c.has_calendar %}
<td>{{ c.weeks_with_contact }} of {{ c.school_weeks }}{% if c.week_share is not None %} ({% widthratio c.weeks_with_contact c.school_weeks 100 %}%){% endif %}</td>
<td{% if c.longest_gap.days >= 10 %} class="gap-cell"{% endif %}>{{ c.longest_gap.days }}{% if c.longest_gap.first %}<br><span class="muted">{{ c.longest_gap.first|date:"M j" }}–{{ c.longest_gap.last|date:"M j" }}</span>{% endif %}</td>
<td>{% if c.per_100_per_month is not None %}{{ c.per_100_per_month|floatformat:1 }}{% else %}<span class="not-collected">no enrollment</span>{% endif %}</td>
{% else %}<td colspan="3"><span class="not-collected">no school calendar for {{ school_year }}</span></td>{% endif %}
<td>{% if p.current %}{% for t in p.current %}{{ t.officer.display_name }}: {{ t.years|floatformat:1 }} years<br>{% endfor %}{% else %}<span class="badge badge-bad">no officer assigned</span>{% endif %}</td>
<td>{{ p.officers_in_window }}</td>
<td>{{ p.turnover|length }}{% for t in p.turnover %}<br><span class="muted">{{ t.officer.display_name }} left {{ t.ended_on|date:"M Y" }}</span>{% endfor %}</td></tr>
{% endfor %}"""  # noqa: E501
)
SPLITS = Template(
    """{% for split in splits %}<tr><th scope="row">{{ split.officer.display_name }}</th>
{% for role in split.roles %}<td>{% if role.share is None %}—{% else %}{{ role.share|floatformat:0 }}%{% endif %}<br><span class="muted">{{ role.count }} contacts{% if role.minutes %}, {{ role.minutes }} min{% endif %}</span>
</td>{% endfor %}
<td>{{ split.count }} ({{ split.timed }})</td></tr>{% endfor %}"""  # noqa: E501
)


def _figures(world: World, as_of: datetime.date):
    schools = [world.elementary, world.high, world.other_school]  # the last: another district, no calendar
    contacts = selectors.presence_contacts(schools, school_year=YEAR, as_of=as_of)
    consistency = selectors.schools_consistency(schools, school_year=YEAR, as_of=as_of, contacts=contacts)
    rows = list(zip(consistency, selectors.schools_persistence(schools, as_of=as_of), strict=True))
    heatmap = selectors.presence_heatmap(schools, school_year=YEAR, as_of=as_of, contacts=contacts)
    officers = [world.officer, world.other_officer]
    splits = selectors.officers_role_split(officers, first=datetime.date(2025, 7, 1), last=as_of)
    return rows, heatmap, splits


def test_the_tables_are_what_the_template_wrote(term: World) -> None:  # noqa: F811
    directory.enrollment_set(actor=term.users["platform_admin"], school=term.high, school_year=YEAR, total=0)
    for as_of in (AS_OF, datetime.date(2025, 9, 17)):  # the whole term, and part way (weeks not yet begun)
        rows, heatmap, splits = _figures(term, as_of)
        assert any(c.has_calendar for c, _ in rows) and any(not c.has_calendar for c, _ in rows)
        assert any(cell.gap for row in heatmap.rows for cell in row.cells)
        assert presence_html.heatmap_rows_html(heatmap) == HEAT.render(Context({"heatmap": heatmap}))
        assert presence_html.presence_rows_html(rows, YEAR) == ROWS.render(Context({"rows": rows, "school_year": YEAR}))
        shares = [
            {"officer": s.officer, "count": s.count, "timed": s.timed, "roles": [_role(s, r) for r in s.roles]}
            for s in splits
        ]
        assert presence_html.role_rows_html(splits) == SPLITS.render(Context({"splits": shares}))


def _role(split, role):
    share = split.share_of(role)
    return {"share": None if share is None else share * 100, "count": role.count, "minutes": role.minutes}


def test_the_tables_are_what_the_template_wrote_in_spanish_too(term: World) -> None:  # noqa: F811
    with translation.override("es"):  # a decimal comma in the tenures' years and the rates
        rows, _, _ = _figures(term, AS_OF)
        html = presence_html.presence_rows_html(rows, YEAR)
        assert html == ROWS.render(Context({"rows": rows, "school_year": YEAR}))
    assert re.search(r": \d+,\d years<br>", html), html


def test_tenths_are_what_floatformat_writes() -> None:
    rng = random.Random(19)
    days = [0, 1, 18, 36, 37, 182, 365, 366, 1826, 3652, 10957] + [rng.randrange(0, 15000) for _ in range(2000)]
    values = [d / 365.25 for d in days] + [0.05, 0.15, 0.25, 2.05, 2.45, 9.95, 99.95, 0.04999]
    for language in ("en", "es"):
        with translation.override(language):
            separator = get_format("DECIMAL_SEPARATOR")
            assert [presence_html._tenths(v, separator) for v in values] == [floatformat(v, 1) for v in values]
