"""Consistency, persistence and the officer's triad split, checked against figures worked out by
hand on a five-week term with a one-week break.

The term: Monday 8 September to Friday 10 October 2025, with a break the week of 22 September.
School days: weeks of Sep 8, Sep 15, Sep 29 and Oct 6 (20 days); four school weeks.
Positive contacts by the assigned officer: two on Tue Sep 9, one on Wed Sep 24 (the break), one on
Thu Oct 2. Not counted: a contact by an officer no longer assigned there (Oct 6), a voided one
(Oct 7), and every contact at another school.

By hand: weeks with a contact 2 of 4 (Sep 8, Sep 29); the longest run of school days without one
is Sep 10–Oct 1: 3 + 5 (+ the break, skipped) + 3 = 11 days; contacts in the school year 4;
enrollment 200; months with school days 2 → 4 × 100 / 200 / 2 = 1.0 per 100 students per month.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from liaison.conftest import World
from liaison.directory import services as directory
from liaison.interactions.services import interaction_record, interaction_void
from liaison.programs import selectors, services
from liaison.programs.charts import GAP, heatmap_svg

d = datetime.date
YEAR = "2025-2026"
AS_OF = d(2025, 10, 10)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=NEW_YORK)


def contact(world: World, officer, day: datetime.date, kind: str = "positive", school=None, **extra):
    return interaction_record(
        actor=world.users["platform_admin"],
        officer=officer,
        school=school or world.elementary,
        kind=kind,
        occurred_at=at(day),
        **extra,
    ).interaction


@pytest.fixture
def term(world: World) -> World:
    root = world.users["platform_admin"]
    services.school_calendar_set(
        actor=root,
        district=world.district,
        school_year=YEAR,
        first_day=d(2025, 9, 8),
        last_day=AS_OF,
        breaks=[("Fall break", d(2025, 9, 22), d(2025, 9, 26))],
    )
    directory.enrollment_set(actor=root, school=world.elementary, school_year=YEAR, total=200)
    colleague = directory.officer_create(
        actor=root, agency=world.agency, username="colleague", first_name="Cole", last_name="League", badge_number="102"
    )
    world.agency.partnerships.update(start_date=d(2018, 7, 1))  # the colleague's first assignment lies within it
    ancient = directory.assignment_create(actor=root, officer=colleague, school=world.high, start_date=d(2019, 1, 7))
    directory.assignment_end(actor=root, assignment=ancient, end_date=d(2022, 6, 1))
    earlier = directory.assignment_create(
        actor=root, officer=colleague, school=world.elementary, start_date=d(2023, 1, 9)
    )
    directory.assignment_end(actor=root, assignment=earlier, end_date=d(2024, 6, 14))
    officer = world.officer
    contact(world, officer, d(2025, 9, 9), duration_minutes=10)
    contact(world, officer, d(2025, 9, 9), duration_minutes=10)
    contact(world, officer, d(2025, 9, 24), kind="instruction", duration_minutes=45)
    contact(world, officer, d(2025, 10, 2), kind="family")
    contact(world, officer, d(2025, 9, 16), kind="staff")  # liaison work: not a visit, the week stays a gap
    contact(world, colleague, d(2025, 10, 6))
    voided = contact(world, officer, d(2025, 10, 7))
    interaction_void(actor=root, interaction=voided, reason="Entered twice")
    contact(world, officer, d(2025, 10, 8), school=world.high)
    world.colleague = colleague  # type: ignore[attr-defined]
    return world


def test_school_days_and_weeks_skip_weekends_and_the_break(term: World) -> None:
    calendar = selectors.calendars_for([term.elementary], YEAR)[term.elementary.pk]
    days = selectors.school_days(calendar)
    assert len(days) == 20
    assert d(2025, 9, 24) not in days and d(2025, 9, 13) not in days
    assert len({selectors.monday(day) for day in days}) == 4


def test_consistency_matches_the_hand_computed_figures(term: World) -> None:
    (figures,) = selectors.schools_consistency([term.elementary], school_year=YEAR, as_of=AS_OF)
    assert figures.has_calendar
    assert (figures.school_days, figures.school_weeks, figures.weeks_with_contact) == (20, 4, 2)
    assert figures.week_share == 0.5
    assert figures.longest_gap == selectors.Gap(11, d(2025, 9, 10), d(2025, 10, 1))
    assert figures.contacts == 4
    assert figures.months == 2
    assert figures.per_100_per_month == pytest.approx(1.0)
    assert figures.weekly == {d(2025, 9, 8): 2, d(2025, 9, 15): 0, d(2025, 9, 29): 1, d(2025, 10, 6): 0}


def test_figures_part_way_through_count_only_the_days_so_far(term: World) -> None:
    (figures,) = selectors.schools_consistency([term.elementary], school_year=YEAR, as_of=d(2025, 9, 16))
    assert (figures.school_days, figures.school_weeks, figures.weeks_with_contact) == (7, 2, 1)
    assert figures.longest_gap.days == 5  # Sep 10, 11, 12, 15, 16


def test_a_school_without_a_calendar_shows_missing_not_zero(term: World) -> None:
    (figures,) = selectors.schools_consistency([term.other_school], school_year=YEAR, as_of=AS_OF)
    assert not figures.has_calendar and figures.week_share is None and figures.per_100_per_month is None


def test_a_school_calendar_overrides_the_districts(term: World) -> None:
    services.school_calendar_set(
        actor=term.users["platform_admin"],
        district=term.district,
        school=term.elementary,
        school_year=YEAR,
        first_day=d(2025, 9, 29),
        last_day=AS_OF,
    )
    (figures,) = selectors.schools_consistency([term.elementary], school_year=YEAR, as_of=AS_OF)
    assert (figures.school_days, figures.school_weeks, figures.weeks_with_contact) == (10, 2, 1)


def test_persistence_matches_the_hand_computed_figures(term: World) -> None:
    (elementary, high) = selectors.schools_persistence([term.elementary, term.high], as_of=AS_OF)
    assert elementary.tenure_days == (AS_OF - d(2024, 8, 20)).days == 416
    assert elementary.officers_in_window == 2
    assert [(t.officer, t.ended_on) for t in elementary.turnover] == [(term.colleague, d(2024, 6, 14))]
    assert high.tenure_days is None and high.officers_in_window == 0 and high.turnover == []


def test_the_heat_map_marks_school_weeks_without_a_contact(term: World) -> None:
    heatmap = selectors.presence_heatmap([term.elementary], school_year=YEAR, as_of=AS_OF)
    (row,) = heatmap.rows
    assert heatmap.weeks == [d(2025, 9, 8), d(2025, 9, 15), d(2025, 9, 22), d(2025, 9, 29), d(2025, 10, 6)]
    assert [(c.count, c.school_week, c.gap) for c in row.cells] == [
        (2, True, False),
        (0, True, True),
        (1, False, False),
        (1, True, False),
        (0, True, True),
    ]
    svg = str(heatmap_svg(heatmap))
    assert svg.count(f'fill="{GAP}"') == 2
    assert "Week of Sep 15, 2025: no positive contact (gap)" in svg
    assert "2 school weeks without a positive contact" in svg


def test_the_triad_split_uses_minutes_and_says_when_some_are_missing(term: World) -> None:
    (split,) = selectors.officers_role_split([term.officer], first=d(2025, 9, 1), last=AS_OF)
    roles = {role.role: role for role in split.roles}
    assert (roles["mentor"].count, roles["mentor"].minutes) == (4, 20)  # the void one never counts
    assert (roles["educator"].count, roles["educator"].minutes) == (1, 45)
    assert (roles["law_enforcement"].count, roles["law_enforcement"].timed) == (1, 0)
    assert split.basis == "mixed"
    assert split.share_of(roles["educator"]) == pytest.approx(45 / 65)
    assert split.count_share_of(roles["mentor"]) == pytest.approx(4 / 6)


def test_the_triad_split_falls_back_to_counts_without_durations(world: World) -> None:
    contact(world, world.officer, d(2025, 9, 9))
    contact(world, world.officer, d(2025, 9, 10), kind="safety")
    (split,) = selectors.officers_role_split([world.officer], first=d(2025, 9, 1), last=AS_OF)
    roles = {role.role: role for role in split.roles}
    assert split.basis == "counts"
    assert split.share_of(roles["mentor"]) == 0.5


# --- the same figures through the API, the page and its CSV -------------------------------------------


def test_the_api_gives_the_hand_computed_figures(term: World, api_as) -> None:
    response = api_as("supervisor").get("/programs/presence/schools", school_year=YEAR, as_of=AS_OF.isoformat())
    assert response.status_code == 200
    row = next(r for r in response.json()["items"] if r["school"] == str(term.elementary.uuid))
    assert (row["school_days"], row["school_weeks"], row["weeks_with_positive_contact"]) == (20, 4, 2)
    assert row["share_of_weeks"] == 0.5
    assert (row["longest_gap_school_days"], row["longest_gap_first_day"], row["longest_gap_last_day"]) == (
        11,
        "2025-09-10",
        "2025-10-01",
    )
    assert (row["positive_contacts"], row["enrollment"]) == (4, 200)
    assert row["contacts_per_100_students_per_month"] == pytest.approx(1.0)
    assert row["weekly_positive_contacts"] == {"2025-09-08": 2, "2025-09-15": 0, "2025-09-29": 1, "2025-10-06": 0}
    assert (row["current_tenure_days"], row["officers_last_3_years"], row["turnover_events_last_3_years"]) == (
        416,
        2,
        1,
    )


def test_the_page_and_its_csv_give_the_hand_computed_figures(term: World, page_as) -> None:
    client = page_as("supervisor")
    evening = datetime.datetime.combine(AS_OF, datetime.time(18), tzinfo=NEW_YORK)
    with time_machine.travel(evening, tick=False):
        page = client.get(reverse("programs:presence"), {"school_year": YEAR})
        exported = client.get(reverse("programs:presence"), {"school_year": YEAR, "format": "csv"})
    assert page.status_code == 200
    row = _table_row(page.content.decode(), term.elementary.name)
    assert "2 of 4 (50%)" in row
    assert "11" in row and "Sep 10–Oct 1" in row
    assert "1.0" in row
    rows = {r["school"]: r for r in csv.DictReader(io.StringIO(exported.content.decode()))}
    figures = rows[term.elementary.name]
    assert (figures["school_days"], figures["school_weeks"], figures["weeks_with_positive_contact"]) == (
        "20",
        "4",
        "2",
    )
    assert (figures["share_of_weeks"], figures["longest_gap_school_days"], figures["positive_contacts"]) == (
        "0.500",
        "11",
        "4",
    )
    assert figures["contacts_per_100_students_per_month"] == "1.000"
    assert (figures["current_tenure_days"], figures["officers_last_3_years"]) == ("416", "2")


def _table_row(html: str, school_name: str) -> str:
    """The school's row in the figures table (the heat map has a table of its own)."""
    start = html.index(f'<th scope="row">{school_name}</th>', html.index("Weeks with a contact</th>"))
    return html[start : html.index("</tr>", start)]


def test_the_api_counts_up_to_the_agencys_today_not_the_servers(term: World, api_as) -> None:
    """At 01:30 UTC on 2 October it is still 1 October in New York: without `as_of`/`until`, the API
    stops where the page would, on the agency's date."""
    late = datetime.datetime(2025, 10, 2, 1, 30, tzinfo=datetime.UTC)
    client = api_as("supervisor")
    with time_machine.travel(late, tick=False):
        schools = client.get("/programs/presence/schools", school_year=YEAR).json()["items"]
        officers = client.get("/programs/presence/officers").json()
    assert {row["as_of"] for row in schools} == {"2025-10-01"}
    assert {row["until"] for row in officers} == {"2025-10-01"}


# --- pages of schools: an agency of hundreds shows one school or a page of them ----------------------------


def _rows(html: str, heading: str) -> list[str]:
    """The rows of the table under `heading`'s columns (the heat map's, or the figures')."""
    start = html.index(heading)
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def _pages(client, params) -> list[str]:
    url = reverse("programs:presence")
    first = client.get(url, params).content.decode()
    numbers = sorted({int(n) for n in re.findall(r"[?&](?:amp;)?page=(\d+)", first)} | {1})
    return [first] + [client.get(url, {**params, "page": n}).content.decode() for n in numbers[1:]]


@pytest.mark.parametrize("role", ["supervisor", "agency_admin", "district_admin"])
def test_the_pages_of_schools_add_up_to_the_whole_page(term: World, page_as, monkeypatch, role) -> None:
    from liaison.programs import views

    client = page_as(role)
    params = {"school_year": YEAR}
    with time_machine.travel(at(AS_OF, 18), tick=False):
        whole = client.get(reverse("programs:presence"), params).content.decode()
        heat, figures = _rows(whole, "Each week's count"), _rows(whole, "Weeks with a contact</th>")
        assert len(figures) == 2 and "Pages of schools" not in whole
        monkeypatch.setattr(views, "PRESENCE_PAGE_SIZE", 1)
        pages = _pages(client, params)
        one = client.get(reverse("programs:presence"), {**params, "school": str(term.elementary.uuid)})
    assert len(pages) == 2 and "Schools 2–2 of 2" in pages[1]
    assert [row for page in pages for row in _rows(page, "Each week's count")] == heat
    assert [row for page in pages for row in _rows(page, "Weeks with a contact</th>")] == figures
    assert all("Each officer's time across the triad" in page for page in pages)  # the agency's, on each
    assert _rows(one.content.decode(), "Weeks with a contact</th>") == [r for r in figures if term.elementary.name in r]
    assert 'id="presence-school"' in pages[0]


def test_a_school_the_user_does_not_see_is_not_found(term: World, page_as) -> None:
    client = page_as("supervisor")
    for school in (term.other_school.uuid, "not-a-uuid"):
        response = client.get(reverse("programs:presence"), {"school_year": YEAR, "school": str(school)})
        assert response.status_code == 404


def test_the_csv_stays_whole_whatever_the_page(term: World, page_as, monkeypatch) -> None:
    from liaison.programs import views

    monkeypatch.setattr(views, "PRESENCE_PAGE_SIZE", 1)
    params = {"school_year": YEAR, "page": 2, "format": "csv"}
    exported = page_as("supervisor").get(reverse("programs:presence"), params)
    assert len(list(csv.DictReader(io.StringIO(exported.content.decode())))) == 2


def test_the_api_gives_one_school_as_the_whole_list_does(term: World, api_as) -> None:
    client = api_as("supervisor")
    whole = client.get("/programs/presence/schools", school_year=YEAR, as_of=AS_OF.isoformat()).json()
    assert whole["count"] == len(whole["items"]) >= 2
    for row in whole["items"]:
        one = client.get("/programs/presence/schools", school_year=YEAR, as_of=AS_OF.isoformat(), school=row["school"])
        assert one.json() == {"items": [row], "count": 1}
    for outside in (term.other_school.uuid,):
        response = client.get("/programs/presence/schools", school_year=YEAR, school=str(outside))
        assert response.status_code == 404


def test_the_api_gives_the_schools_a_page_at_a_time_each_page_as_in_the_whole_list(term: World, api_as) -> None:
    """An agency of hundreds of schools: each school's figures walk its year of school days, so the
    list is read a page at a time (`limit`, `offset`), by name, and the pages put together are the
    whole list."""
    client = api_as("supervisor")
    params = {"school_year": YEAR, "as_of": AS_OF.isoformat()}
    whole = client.get("/programs/presence/schools", **params).json()
    path = "/programs/presence/schools"
    pages = [client.get(path, limit=1, offset=n, **params).json() for n in range(whole["count"])]
    assert [page["count"] for page in pages] == [whole["count"]] * whole["count"]
    assert [row for page in pages for row in page["items"]] == whole["items"]
    assert [row["school_name"] for row in whole["items"]] == sorted(row["school_name"] for row in whole["items"])
    past = client.get("/programs/presence/schools", limit=1, offset=whole["count"], **params).json()
    assert past == {"items": [], "count": whole["count"]}
    too_many = client.get("/programs/presence/schools", limit=101, **params)
    assert too_many.status_code in (400, 422) and "limit" in too_many.content.decode()
