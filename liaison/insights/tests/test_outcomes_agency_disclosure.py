"""An agency's outcomes for its evaluators: its months across the districts it served, released in one
table with each district's stored release of the same records. Attacked with the agency's months minus
one district's, and with the LP audit over everything the evaluator reads together (the agency's
months, each district's and its schools', each district's equity and CRDC figures).

Millbrook Police serves Millbrook Public Schools (test_outcomes_disclosure's closed year: October 30
positive contacts and 12 referrals, November 4 positive contacts, 2 referrals and an arrest, December
25 positive contacts and 11 warnings), and here February 12 arrests; and Eastbrook Regional, where
its officer records October 3 positive contacts (small), December 20, and February 3 arrests (small,
hidden in Eastbrook's release). Millbrook's release shows October's 30 positive contacts and the
year's 13 arrests: the agency's October (33) or year of arrests (16) shown beside them would give
Eastbrook's 3 back.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from liaison.accounts.roles import Role
from liaison.conftest import _member, _user
from liaison.directory import services
from liaison.directory.models import School
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes_access import RESTRICTED_AGENCY_GRANT
from liaison.insights.outcomes_release import (
    ADDITIVE,
    FIELDS,
    OUTCOMES,
    agency_scope_key,
    agency_table,
    cell,
    in_district,
)
from liaison.insights.tests.test_equity import _action, _enrollment
from liaison.insights.tests.test_outcomes_disclosure import (
    PREVIOUS,
    THRESHOLD,
    YEAR,
    _months,
    _on,
    closed_year,  # noqa: F401
)
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import Kind
from liaison.lib.disclosure_audit import audit
from liaison.operations.scheduler import registered_job
from liaison.tests.test_figure_registry import _crdc_shown, _equity_shown

COUNTS = ("contacts", "positive", "liaison", "enforcement", "referrals", "arrests", "mentees_met")
CLOSED = datetime.date(2026, 7, 1)


def _positive(world, school, times, on):
    for _ in range(times):
        interaction_record(
            actor=world.officer.user, officer=world.officer, school=school, kind=Kind.POSITIVE, occurred_at=on
        )


def _second_district(world, name="Eastbrook Regional", nces="2500002"):
    root = world.users["platform_admin"]
    district = services.district_create(actor=root, name=name, state="MA", nces_id=nces)
    school = services.school_create(
        actor=root,
        district=district,
        name=f"{name} Middle",
        nces_id=f"{nces}00001",
        level=School.Level.MIDDLE,
        lowest_grade=6,
        highest_grade=8,
    )
    start = datetime.date(2020, 7, 1)
    services.partnership_create(actor=root, agency=world.agency, district=district, start_date=start)
    _enrollment(world, school, 300, white=150, black=50, hispanic=100, asian=0)
    world.officer.__dict__.pop("_served_district_ids", None)  # (read once per officer instance)
    return district, school


@pytest.fixture
def two_districts(closed_year):  # noqa: F811
    world = closed_year
    for i in range(12):
        _action(world, "arrest", "white" if i % 2 else "black", on=_on(2))
    world.east, world.east_school = _second_district(world)
    _positive(world, world.east_school, 3, _on(10))
    _positive(world, world.east_school, 20, _on(12))
    for race in ("white", "black", "hispanic_latino"):
        _action(world, "arrest", race, school=world.east_school, on=_on(2))
    world.users["district_evaluator"] = _member(_user("district_evaluator"), Role.EVALUATOR, district=world.district)
    return world


def _get(api_as, path, role="evaluator", **params):
    response = api_as(role).get(f"/api/v1/insights/outcomes/{path}", school_year=YEAR, **params)
    assert response.status_code == 200, response.content
    return response.json()


def _label(year, month):
    return "year" if month is year["total"] else month["month"]


def _month(body, label):
    return next(m for m in _months(body["current"]) if _label(body["current"], m) == label)


def _districts(world):
    return (world.district, world.east)


# --- through every door ------------------------------------------------------------------------------------


def test_the_agency_evaluator_gets_the_agency_of_a_closed_year_on_the_page_csv_and_api(two_districts, api_as, page_as):
    world = two_districts
    body = _get(api_as, f"agencies/{world.agency.uuid}")
    assert body["restricted"] is True and body["level"] == "agency" and body["every_agency"] is False
    assert {world.elementary.pk, world.high.pk, world.east_school.pk} == {
        School.objects.get(uuid=uuid).pk for uuid in body["schools"]
    }
    assert _month(body, "2025-10")["positive"] is None  # 33 beside Millbrook's 30 (see below)
    assert _month(body, "2026-01")["positive"] == 0  # zero is shown as zero
    url = reverse("insights:outcomes-agency", args=[world.agency.uuid])
    page = page_as("evaluator").get(url, {"school_year": YEAR})
    html = page.content.decode()
    assert page.status_code == 200 and "Suppressed" in html
    for district in _districts(world):  # the way on to each district, released with the agency
        assert f"{reverse('insights:outcomes-district', args=[district.uuid])}?school_year={YEAR}" in html
    text = page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).content.decode()
    rows = {(r[0], r[1]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in list(csv.reader(io.StringIO(text)))[1:]}
    for month in _months(body["current"]):
        row = rows[(YEAR, _label(body["current"], month))]
        for column in CSV_COLUMNS[2:]:
            if column in month["hidden"]:
                assert row[column] == "suppressed", (month["month"], column)
            elif month[column] is not None:
                assert row[column] == str(month[column]), (month["month"], column)


def test_the_agency_page_links_its_outcomes_for_its_evaluator_only(two_districts, page_as):
    world = two_districts
    link = reverse("insights:outcomes-agency", args=[world.agency.uuid]).encode()
    detail = reverse("directory:agency_detail", args=[world.agency.uuid])
    assert link in page_as("evaluator").get(detail).content
    response = page_as("district_evaluator").get(detail)
    assert response.status_code == 404 or link not in response.content


# --- the attacks ---------------------------------------------------------------------------------------------


def test_no_district_count_comes_back_from_the_agency_minus_the_other_district(two_districts, api_as):
    world = two_districts
    agency = _get(api_as, f"agencies/{world.agency.uuid}")
    districts = [_get(api_as, f"districts/{d.uuid}") for d in _districts(world)]
    # the fixture's point: Eastbrook's 3 positive contacts in October and 3 arrests in the year are
    # hidden, Millbrook's 30 and 13 are shown: the agency's 33 and 16 would give them back
    millbrook, eastbrook = districts
    assert _month(eastbrook, "2025-10")["positive"] is None and _month(millbrook, "2025-10")["positive"] == 30
    assert _month(agency, "2025-10")["positive"] is None
    assert eastbrook["current"]["total"]["arrests"] is None and millbrook["current"]["total"]["arrests"] == 13
    assert agency["current"]["total"]["arrests"] is None
    assert _month(agency, "2026-02")["arrests"] is None
    checked = 0
    for year in ("current", "previous"):
        for i, month in enumerate(_months(agency[year])):
            parts = [_months(body[year])[i] for body in districts]
            for field in COUNTS:
                values = [month[field], *(p[field] for p in parts)]
                if month[field] is None or None not in values[1:]:
                    continue
                checked += 1
                hidden = [v for v in values[1:] if v is None]
                rest = month[field] - sum(v for v in values[1:] if v is not None)
                assert len(hidden) > 1 or rest >= THRESHOLD or rest == 0, (month["month"], field, rest)
    assert checked


def test_no_agency_count_comes_back_from_its_months_and_its_year(two_districts, api_as):
    body = _get(api_as, f"agencies/{two_districts.agency.uuid}")
    for field in COUNTS[:-1]:  # (a year's mentees met count each relationship once)
        if body["current"]["total"][field] is None:
            continue
        assert len([m for m in body["current"]["months"] if m[field] is None]) != 1, field


def _read_together(world, api_as):
    """Everything the agency's evaluator reads of the year, as cells of the agency's table."""
    table, _, _, _ = agency_table(world.agency, YEAR, CLOSED)
    shown = {}

    def month_cells(body, key):
        year = body["current"]
        for month in _months(year):
            label = _label(year, month)
            for field, cells in FIELDS.items():
                if month[field] is not None:  # a shown rate or share gives its counts back
                    for name in cells:
                        shown[key(cell(YEAR, label, name))] = month[field] if field == name else None

    month_cells(_get(api_as, f"agencies/{world.agency.uuid}"), lambda k: k)
    for district in _districts(world):
        month_cells(_get(api_as, f"districts/{district.uuid}"), lambda k, d=district.pk: in_district(d, k))
        for school in School.objects.filter(district=district):
            body = _get(api_as, f"schools/{school.uuid}")
            month_cells(body, lambda k, d=district.pk, s=school.pk: in_district(d, (*k, s)))
        theirs: dict = {}
        equity = api_as("evaluator").get(f"/api/v1/insights/equity/{district.uuid}", school_year=YEAR).json()
        _equity_shown(equity, theirs)
        crdc = api_as("evaluator").get(f"/api/v1/insights/crdc/{district.uuid}", school_year=YEAR).json()
        _crdc_shown(crdc, theirs, {str(s.uuid): s.pk for s in School.objects.filter(district=district)})
        shown |= {in_district(district.pk, key): value for key, value in theirs.items()}
    return table, shown


def test_every_count_the_evaluator_reads_is_the_true_one(two_districts, api_as):
    table, shown = _read_together(two_districts, api_as)
    for key, value in shown.items():
        assert value is None or table.cells[key] == value, key


def test_the_lp_audit_finds_nothing_derivable_from_the_agency_and_its_districts_together(two_districts, api_as):
    table, shown = _read_together(two_districts, api_as)
    hidden = {key for key in table.cells if key not in shown and key not in table.unpublished and table.cells[key]}
    small = {key for key in hidden if table.cells[key] < THRESHOLD}
    east = in_district(two_districts.east.pk, cell(YEAR, "2026-02", "arrests"))
    assert east in small and table.cells[east] == 3
    report = audit(table, hidden, threshold=THRESHOLD)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}


def test_every_agency_count_is_the_sum_of_its_districts(two_districts):
    """(The tie the attacks rely on holds in the data.)"""
    table, _, _, _ = agency_table(two_districts.agency, YEAR, CLOSED)
    for name in ADDITIVE:
        parts = [in_district(d.pk, cell(YEAR, "year", name)) for d in _districts(two_districts)]
        assert table.cells[cell(YEAR, "year", name)] == sum(table.cells[p] for p in parts), name


# --- one district: the same cells as the district's ------------------------------------------------------------


def test_an_agency_serving_one_district_shows_the_same_cells_as_the_district(closed_year, api_as):  # noqa: F811
    world = closed_year
    agency = _get(api_as, f"agencies/{world.agency.uuid}")
    district = _get(api_as, f"districts/{world.district.uuid}")
    for year in ("current", "previous"):
        for ours, theirs in zip(_months(agency[year]), _months(district[year]), strict=True):
            assert ours["hidden"] == theirs["hidden"], ours["month"]
            for field in FIELDS:
                assert ours[field] == theirs[field], (ours["month"], field)


# --- who, and which year -----------------------------------------------------------------------------------------

ROLES = {
    # role: what the page, the CSV and the API answer
    "platform_admin": 200,
    "agency_admin": 200,
    "supervisor": 200,
    "officer": 403,
    "school_admin": 403,  # a principal
    "district_admin": 403,
    "evaluator": 200,  # a grant for the agency
    "district_evaluator": 403,  # a grant for one district it serves
    "outsider_agency_admin": 404,
}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_who_gets_the_agencys_outcomes_through_each_door(two_districts, api_as, page_as, role):
    world = two_districts
    url = reverse("insights:outcomes-agency", args=[world.agency.uuid])
    api = f"/api/v1/insights/outcomes/agencies/{world.agency.uuid}"
    if role == "anonymous":
        assert page_as("anonymous").get(url).status_code == 302  # to sign in
        assert page_as("anonymous").get(url, {"format": "csv"}).status_code == 302
        assert api_as("anonymous").get(api).status_code in (401, 403)
        return
    expected = ROLES[role]
    page = page_as(role).get(url, {"school_year": PREVIOUS})
    assert page.status_code in ((expected,) if expected == 200 else (403, 404)), page.status_code
    if role == "district_admin":
        assert page.status_code == 403
    csv_response = page_as(role).get(url, {"school_year": PREVIOUS, "format": "csv"})
    assert csv_response.status_code == page.status_code
    response = api_as(role).get(api, school_year=PREVIOUS)
    assert response.status_code == page.status_code, response.content
    if expected == 200:
        assert response.json()["level"] == "agency"
        assert response.json()["restricted"] is (role == "evaluator")
    else:
        assert b"positive" not in page.content.lower() and b"positive" not in csv_response.content.lower()
    if role == "district_evaluator":
        assert RESTRICTED_AGENCY_GRANT in response.content.decode()


def test_an_open_year_is_refused_and_the_page_falls_back_to_the_last_closed_one(two_districts, api_as, page_as):
    world = two_districts
    api = f"/api/v1/insights/outcomes/agencies/{world.agency.uuid}"
    for year in ("2026-2027",):  # open on the day the tests run (as for the districts)
        refused = api_as("evaluator").get(api, school_year=year)
        assert refused.status_code == 400 and "school_year" in refused.content.decode()
        url = reverse("insights:outcomes-agency", args=[world.agency.uuid])
        page = page_as("evaluator").get(url, {"school_year": year})
        assert page.status_code == 200 and f"School year {YEAR} (the whole year" in page.content.decode()
    assert not FigureSnapshot.objects.filter(scope=agency_scope_key(world.agency), period="2026-2027").exists()


# --- stored once, built ahead ------------------------------------------------------------------------------------


def test_a_late_record_changes_no_agency_figures_and_the_job_builds_them(two_districts, api_as):
    world = two_districts
    job = registered_job("figure_snapshots_build")
    assert job is not None
    job.func()
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope=agency_scope_key(world.agency))
    assert sorted(stored.values_list("period", flat=True)) == [PREVIOUS, YEAR]
    before = _get(api_as, f"agencies/{world.agency.uuid}")
    count = FigureSnapshot.objects.count()
    _positive(world, world.east_school, 1, _on(12, 20))
    assert _get(api_as, f"agencies/{world.agency.uuid}") == before
    assert FigureSnapshot.objects.count() == count


def test_the_agency_release_is_the_same_whether_its_districts_were_asked_for_first(two_districts, api_as):
    world = two_districts
    agency_first = _get(api_as, f"agencies/{world.agency.uuid}")
    FigureSnapshot.objects.all().delete()
    for district in _districts(world):
        _get(api_as, f"districts/{district.uuid}")
    assert _get(api_as, f"agencies/{world.agency.uuid}") == agency_first
