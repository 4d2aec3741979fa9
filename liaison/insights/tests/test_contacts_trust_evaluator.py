"""Contacts and trust for evaluators: a closed year's, computed only from their stored release.

The district of test_outcomes_disclosure.py (`closed_year`: 2025-2026 closed, the evaluator's agency's
records) with a calendar, a second school's contacts and two student waves at both schools:

- Millbrook Elementary (400 enrolled): positive contacts 30 in October, 4 in November (a small count:
  suppressed), 25 in December;
- Millbrook High (500 enrolled): 15 in October, 12 in December, 40 in February (on school days);
- the fall wave closes on 31 October 2025, the spring wave on 31 March 2026, with 12 respondents at
  each school in each (so each school's trust index is released).

The high school's contacts in both stretches are shown: it gets a dot. The elementary's November is
hidden, so its contacts between the waves are not shown (and not summed: the sum would give the four
back), and it is listed as not shown, with no dot.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liaison.accounts.models import Membership
from liaison.conftest import ROLES
from liaison.directory import services
from liaison.directory.models import School
from liaison.insights.access import equity_scope_for
from liaison.insights.contacts_trust_outputs import CONTACTS_TRUST_COLUMNS
from liaison.insights.figures import scope_key
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcomes_release import OUTCOMES
from liaison.insights.released_contacts_trust import CONTACTS_HIDDEN, TRUST_NOT_RELEASED
from liaison.insights.tests.test_outcomes_disclosure import PREVIOUS, YEAR, _on, closed_year  # noqa: F401
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import Kind
from liaison.programs.models import SchoolCalendar
from liaison.surveys import scoring
from liaison.surveys.models import Wave
from liaison.surveys.tests.surveys import ANSWERS, close, link, respond, student_wave

FALL_CLOSE = datetime.date(2025, 10, 31)
SPRING_CLOSE = datetime.date(2026, 3, 31)
CALENDARS = {
    PREVIOUS: (datetime.date(2024, 8, 26), datetime.date(2025, 6, 13)),
    YEAR: (datetime.date(2025, 8, 25), datetime.date(2026, 6, 12)),
}
LEADERS = {"platform_admin", "agency_admin", "supervisor", "district_admin"}
OUTSIDERS = {"outsider_agency_admin", "outsider_district_admin"}
NAME = "insights:contacts-trust"


def _closed_wave(
    world, title: str, closes_on: datetime.date, safeties: tuple[int, int], *, high_each: int = 6, more=()
) -> Wave:
    schools = (world.elementary, world.high, *more)
    wave = student_wave(world, title=title, schools=list(schools))
    for school in schools:
        for safety in safeties:
            respond(link(wave, school), high_each if school == world.high else 6, {**ANSWERS, "pulse_safety": safety})
    close(world, wave)
    Wave.objects.filter(pk=wave.pk).update(opens_on=closes_on - datetime.timedelta(days=20), closes_on=closes_on)
    return Wave.objects.get(pk=wave.pk)


def _high_contacts_and_calendars(world) -> None:
    for times, month, day in ((15, 10, 15), (12, 12, 15), (40, 2, 18)):  # school days
        for _ in range(times):
            interaction_record(
                actor=world.officer.user,
                officer=world.officer,
                school=world.high,
                kind=Kind.POSITIVE,
                occurred_at=_on(month, day),
            )
    for year, (first, last) in CALENDARS.items():
        SchoolCalendar.objects.create(district=world.district, school_year=year, first_day=first, last_day=last)


@pytest.fixture
def surveyed(closed_year):  # noqa: F811
    world = closed_year
    _high_contacts_and_calendars(world)
    _closed_wave(world, "Fall students", FALL_CLOSE, (8, 6))
    _closed_wave(world, "Spring students", SPRING_CLOSE, (10, 8))
    return world


@pytest.fixture
def few_respondents(closed_year):  # noqa: F811
    """The same, but only 8 students at the high school answered the spring wave."""
    world = closed_year
    _high_contacts_and_calendars(world)
    _closed_wave(world, "Fall students", FALL_CLOSE, (8, 6))
    _closed_wave(world, "Spring students", SPRING_CLOSE, (10, 8), high_each=4)
    return world


@pytest.fixture
def surveyed_wide(closed_year):  # noqa: F811
    """The same, with four more schools of the district in both waves (no contacts of their own)."""
    world = closed_year
    world.more = [
        services.school_create(
            actor=world.users["platform_admin"],
            district=world.district,
            name=f"Millbrook School {i}",
            nces_id=f"25000010010{i}",
            level=School.Level.MIDDLE,
            lowest_grade=6,
            highest_grade=8,
        )
        for i in range(4)
    ]
    _high_contacts_and_calendars(world)
    _closed_wave(world, "Fall students", FALL_CLOSE, (8, 6), more=world.more)
    _closed_wave(world, "Spring students", SPRING_CLOSE, (10, 8), more=world.more)
    return world


def _url(world) -> str:
    return reverse(NAME, args=[world.district.uuid])


def _api_path(world) -> str:
    return f"/api/v1/insights/outcomes/districts/{world.district.uuid}/trust"


def _api(api_as, world, role="evaluator", **params):
    response = api_as(role).get(_api_path(world), **{"school_year": YEAR, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _school(body, school) -> dict:
    return next(row for row in body["schools"] if row["school"] == str(school.uuid))


def _csv(page_as, world, role="evaluator", **params) -> dict[str, dict[str, str]]:
    response = page_as(role).get(_url(world), {"school_year": YEAR, "format": "csv", **params})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CONTACTS_TRUST_COLUMNS
    return {row[0]: dict(zip(CONTACTS_TRUST_COLUMNS, row, strict=True)) for row in rows[1:]}


def _stored(world, school_year: str) -> dict:
    scope = equity_scope_for(world.users["evaluator"], world.district.uuid)
    return FigureSnapshot.objects.get(figure=OUTCOMES, scope=scope_key(scope), period=school_year).payload


def _released_months(world, school) -> dict[str, dict]:
    return {
        month["month"]: month
        for year in (PREVIOUS, YEAR)
        for month in _stored(world, year)["schools"][str(school.uuid)]["year"]["months"]
    }


def _weekdays(first: datetime.date, last: datetime.date) -> int:
    """School days by hand: the calendar's weekdays (no breaks) from first to last."""
    days, day = 0, first
    while day <= last:
        days += day.weekday() < 5
        day += datetime.timedelta(days=1)
    return days


# --- who may open it ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_contacts_and_trust(surveyed, page_as, api_as, role):
    """Leaders: live, as today. The evaluator: the closed year's release. Officers and principals:
    refused. Outsiders: 404. Signed out: to sign in (401 from the API)."""
    world = surveyed
    page = page_as(role).get(_url(world), {"school_year": YEAR})
    csv_export = page_as(role).get(_url(world), {"school_year": YEAR, "format": "csv"})
    api = api_as(role).get(_api_path(world), school_year=YEAR)
    if role == "anonymous":
        assert (page.status_code, csv_export.status_code) == (302, 302)
        assert api.status_code in (401, 403)
    elif role in LEADERS:
        assert (page.status_code, csv_export.status_code, api.status_code) == (200, 200, 200)
        assert api.json()["restricted"] is False and api.json()["school_year"] is None
        assert page.context["found"].school_year is None
    elif role == "evaluator":
        assert (page.status_code, csv_export.status_code, api.status_code) == (200, 200, 200)
        assert api.json()["restricted"] is True and api.json()["school_year"] == YEAR
        assert page.context["found"].school_year == YEAR
    elif role in OUTSIDERS:
        assert (page.status_code, csv_export.status_code, api.status_code) == (404, 404, 404)
    else:  # the officer, the principal
        assert page.status_code in (403, 404) and api.status_code == page.status_code
        assert csv_export.status_code == page.status_code
        assert b"positive" not in page.content.lower() and b"positive" not in csv_export.content.lower()


def test_a_district_evaluator_gets_the_release_too(surveyed, api_as):
    world = surveyed
    evaluator = world.users["evaluator"]
    Membership.objects.filter(user=evaluator).update(agency=None, district=world.district)
    world.users["evaluator"] = type(evaluator).objects.get(pk=evaluator.pk)
    body = _api(api_as, world)
    assert body["restricted"] is True and body["school_year"] == YEAR
    assert _school(body, world.high)["contacts_change"] is not None


def test_a_leader_still_gets_the_live_figures(surveyed, api_as):
    body = _api(api_as, surveyed, role="district_admin")
    high = _school(body, surveyed.high)
    # live: day by day from the start of the school year to the wave's close (not whole months)
    assert high["before"]["positive"] == 15 and high["before"]["first"] == "2025-08-25"
    assert high["not_shown"] == ""


# --- the figures: the release's, by hand -------------------------------------------------------------------


def test_the_evaluators_figures_are_the_release_by_hand(surveyed, api_as, page_as):
    world = surveyed
    body = _api(api_as, world)
    months = _released_months(world, world.high)
    before_months = ["2025-07", "2025-08", "2025-09", "2025-10"]
    between_months = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    positive_before = sum(months[m]["positive"] for m in before_months)
    positive_between = sum(months[m]["positive"] for m in between_months)
    assert (positive_before, positive_between) == (15, 52)  # every month shown
    enrollment = months["2026-03"]["enrollment"]
    assert enrollment == 500
    days_before = _weekdays(datetime.date(2025, 8, 25), datetime.date(2025, 10, 31))
    days_between = _weekdays(datetime.date(2025, 11, 1), datetime.date(2026, 3, 31))
    per_before = round(positive_before * 100 / enrollment * 20 / days_before, 2)
    per_between = round(positive_between * 100 / enrollment * 20 / days_between, 2)

    waves = {w["title"]: w for w in _stored(world, YEAR)["schools"][str(world.high.uuid)]["trust"]}
    fall, spring = waves["Fall students"], waves["Spring students"]

    def estimate(wave):  # the released index and interval, its sd back through the t quantile
        n = wave["respondents"]
        sd = (wave["ci_high"] - wave["ci_low"]) / 2 * math.sqrt(n) / scoring.t_quantile(0.975, n - 1)
        return scoring.Estimate(n, wave["trust_index"], sd, wave["ci_low"], wave["ci_high"])

    change = scoring.compare(estimate(fall), estimate(spring))
    high = _school(body, world.high)
    assert high["not_shown"] == ""
    assert (high["before"]["positive"], high["between"]["positive"]) == (15, 52)
    assert (high["before"]["school_days"], high["between"]["school_days"]) == (days_before, days_between)
    assert (high["before"]["per_100"], high["between"]["per_100"]) == (per_before, per_between)
    assert high["contacts_change"] == round(per_between - per_before, 2)
    assert (high["trust_earlier"], high["trust_later"]) == (fall["trust_index"], spring["trust_index"])
    assert high["trust_change"] == pytest.approx(change.difference)
    assert (high["trust_change_low"], high["trust_change_high"]) == (
        pytest.approx(change.low),
        pytest.approx(change.high),
    )
    assert high["trust_change"] > 0 and high["contacts_change"] > 0

    row = _csv(page_as, world)[world.high.name]  # the CSV: the same figures
    assert row["contacts_change"] == f"{high['contacts_change']:.2f}"
    assert row["trust_change"] == f"{high['trust_change']:.2f}"
    assert row["contacts_per_100_between"] == f"{per_between:.2f}" and row["not_shown"] == ""
    html = page_as("evaluator").get(_url(world), {"school_year": YEAR}).content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert world.high.name in svg  # its dot, named
    assert f"{per_before:.1f} → {per_between:.1f}" in html


def test_the_evaluators_figures_never_read_live_counts(surveyed, api_as):
    """A record made after the year's release changes nothing the evaluator gets."""
    world = surveyed
    before = _api(api_as, world)
    for _ in range(7):
        interaction_record(
            actor=world.officer.user,
            officer=world.officer,
            school=world.high,
            kind=Kind.POSITIVE,
            occurred_at=_on(2, 20),
        )
    assert _api(api_as, world) == before
    assert _school(_api(api_as, world, role="district_admin"), world.high)["between"]["positive"] == 59


def test_once_released_the_evaluators_figures_read_no_record_or_answer(surveyed, api_as, page_as):
    """After the release is stored, serving the evaluator touches no contact, rollup, session or
    survey answer: only the stored snapshots, the schools, the waves' names and the calendars."""
    world = surveyed
    _api(api_as, world)  # stores the release
    live = ("interactions_", "surveys_response", "programs_session", "programs_mentoring")
    for get in (
        lambda: api_as("evaluator").get(_api_path(world), school_year=YEAR),
        lambda: page_as("evaluator").get(_url(world), {"school_year": YEAR}),
        lambda: page_as("evaluator").get(_url(world), {"school_year": YEAR, "format": "csv"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert get().status_code == 200
        read = [q["sql"] for q in queries.captured_queries if any(table in q["sql"] for table in live)]
        assert read == []


# Serving a stored release reads each school's survey links and the two years' calendars once for the
# whole district: a few queries in all, not five per school (a 390-school district would otherwise
# take some 2,000). The figure is what this test measured with six schools, four of them added to show
# that more schools cost nothing more.
SERVED_QUERIES = 15


def _from(sql: str) -> str:
    """The table a query reads first (the navigation's joins to the schools are not the page's)."""
    found = re.search(r'FROM "(\w+)"', sql)
    return found.group(1) if found else ""


def test_serving_the_release_costs_a_few_queries_whatever_the_number_of_schools(surveyed_wide, api_as, page_as):
    world = surveyed_wide
    body = _api(api_as, world)  # stores the release
    assert len(body["schools"]) == 6 and all(_school(body, school)["not_shown"] == "" for school in world.more)
    client = page_as("evaluator")
    client.get(_url(world), {"school_year": YEAR})  # signs in, reads the user's scope once
    counted = ("insights_", "surveys_", "programs_", "directory_school", "directory_district")
    for get in (
        lambda: client.get(_url(world), {"school_year": YEAR}),
        lambda: client.get(_url(world), {"school_year": YEAR, "format": "csv"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert get().status_code == 200
        read = [q["sql"] for q in queries.captured_queries if _from(q["sql"]).startswith(counted)]
        assert len(read) <= SERVED_QUERIES, "\n".join(read)


# --- the attack: a suppressed month ------------------------------------------------------------------------


def test_a_school_with_a_suppressed_month_is_not_shown_and_gives_no_count_back(surveyed, api_as, page_as):
    """The elementary's November (4 positive contacts) is hidden in the release. Nothing the three
    doors give of the school, times its enrollment and school days, gives the four back."""
    world = surveyed
    body = _api(api_as, world)  # (stores the release first)
    months = _released_months(world, world.elementary)
    assert months["2025-11"]["positive"] is None and "positive" in months["2025-11"]["hidden"]
    elementary = _school(body, world.elementary)
    assert CONTACTS_HIDDEN in elementary["not_shown"]
    assert elementary["between"]["positive"] is None and elementary["between"]["per_100"] is None
    assert elementary["contacts_change"] is None
    # what is shown is computed from shown months only: the before stretch's sum is theirs
    shown = [months[m]["positive"] for m in ("2025-07", "2025-08", "2025-09", "2025-10")]
    if elementary["before"]["positive"] is not None:
        assert None not in shown and elementary["before"]["positive"] == sum(shown)
    # every figure a calculator gets: no stretch's count, rate or change gives November's 4 back
    shown_between = sum(months[m]["positive"] or 0 for m in ("2025-12", "2026-01", "2026-02", "2026-03"))
    recovered = set()
    for stretch in (elementary["before"], elementary["between"]):
        if stretch["per_100"] is not None:
            recovered.add(round(stretch["per_100"] * stretch["enrollment"] * stretch["school_days"] / 2000))
        if stretch["positive"] is not None:
            recovered.add(stretch["positive"])
    for value in list(recovered):
        recovered.add(value - shown_between)
    assert 4 not in recovered
    row = _csv(page_as, world)[world.elementary.name]
    assert row["contacts_per_100_between"] == "" and row["contacts_change"] == ""
    assert row["not_shown"] == elementary["not_shown"]
    html = page_as("evaluator").get(_url(world), {"school_year": YEAR}).content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert world.elementary.name not in svg  # no dot
    assert "Not shown" in html and escape(CONTACTS_HIDDEN) in html
    assert body["schools"] and all(
        s["contacts_change"] is None for s in body["schools"] if s["not_shown"]
    )  # no school listed as not shown has a change


def test_a_school_whose_wave_had_too_few_respondents_is_not_shown(few_respondents, api_as, page_as):
    world = few_respondents
    body = _api(api_as, world)
    spring = next(
        w for w in _stored(world, YEAR)["schools"][str(world.high.uuid)]["trust"] if w["title"] == "Spring students"
    )
    assert spring["trust_index"] is None  # not released: 8 respondents
    high = _school(body, world.high)
    assert TRUST_NOT_RELEASED in high["not_shown"]
    assert (high["trust_later"], high["trust_change"], high["trust_change_low"]) == (None, None, None)
    html = page_as("evaluator").get(_url(world), {"school_year": YEAR}).content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert world.high.name not in svg and escape(TRUST_NOT_RELEASED) in html


def test_every_shown_stretch_is_a_sum_of_shown_months(surveyed, api_as):
    """The rule behind the attack, for every school: a stretch's count is shown only when each of its
    months is, and is then their sum (nothing new)."""
    world = surveyed
    body = _api(api_as, world)
    for school in (world.elementary, world.high):
        months = _released_months(world, school)
        row = _school(body, school)
        for stretch in (row["before"], row["between"]):
            if stretch["positive"] is None:
                continue
            first = datetime.date.fromisoformat(stretch["first"]).replace(day=1)
            last = datetime.date.fromisoformat(stretch["last"])
            inside = [m for key, m in months.items() if first <= datetime.date.fromisoformat(f"{key}-01") <= last]
            assert all(m["positive"] is not None for m in inside)
            assert stretch["positive"] == sum(m["positive"] for m in inside)


# --- closed years only, and a way in -------------------------------------------------------------------------


def test_an_open_year_is_refused_by_the_api_and_not_offered_on_the_page(surveyed, api_as, page_as):
    world = surveyed
    open_year = "2026-2027"
    response = api_as("evaluator").get(_api_path(world), school_year=open_year)
    assert response.status_code == 400 and "school_year" in response.content.decode()
    page = page_as("evaluator").get(_url(world), {"school_year": open_year})
    assert page.status_code == 200 and page.context["found"].school_year == YEAR
    assert open_year not in [value for value, _ in page.context["form"].fields["school_year"].choices]
    default = api_as("evaluator").get(_api_path(world))
    assert default.json()["school_year"] == YEAR  # the last closed year by default
    assert timezone.localdate() > datetime.date(2026, 6, 30)


def test_the_evaluators_outcomes_page_links_to_contacts_and_trust(surveyed, page_as):
    world = surveyed
    html = (
        page_as("evaluator")
        .get(reverse("insights:outcomes-district", args=[world.district.uuid]), {"school_year": YEAR})
        .content.decode()
    )
    assert f"{_url(world)}?school_year={YEAR}" in html


def test_a_release_not_stored_yet_is_prepared_by_the_worker(surveyed, api_as, page_as, monkeypatch):
    """As on the evaluator's outcomes: the worker is asked once, the page and the API say so (202)."""
    from liaison.insights import tasks

    asked: list = []
    monkeypatch.setattr(tasks, "outcomes_release_prepare", type("Queue", (), {"enqueue": lambda *a: asked.append(a)}))
    api = api_as("evaluator").get(_api_path(surveyed), school_year=YEAR)
    assert api.status_code == 202 and api["Retry-After"] == "60"
    page = page_as("evaluator").get(_url(surveyed), {"school_year": YEAR})
    assert page.status_code == 202 and "are being prepared" in page.content.decode()
    assert len(asked) == 1 and not FigureSnapshot.objects.filter(figure=OUTCOMES).exists()
