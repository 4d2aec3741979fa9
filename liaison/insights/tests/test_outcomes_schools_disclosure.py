"""Each school's outcomes for evaluators, released in one table with the district's: attacked with the
district's months minus the schools', the CRDC rows, and the LP audit over everything the evaluator sees.

The district of test_outcomes_disclosure (everything at the elementary school), and at the high school:
October 15 positive contacts and 2 referrals, December 3 positive contacts.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from liaison.insights.access import equity_scope_for
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes import outcomes_year
from liaison.insights.outcomes_release import (
    ADDITIVE,
    FIELDS,
    OUTCOMES,
    cell,
    crdc_tied,
    linked_table,
    outcomes_scope_of,
    schools_table,
)
from liaison.insights.tests.test_equity import _action
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
from liaison.tests.test_figure_registry import _crdc_shown

COUNTS = ("contacts", "positive", "liaison", "enforcement", "referrals", "arrests")


@pytest.fixture
def two_schools(closed_year):  # noqa: F811
    world = closed_year
    for times, month in ((15, 10), (3, 12)):
        for _ in range(times):
            interaction_record(
                actor=world.officer.user,
                officer=world.officer,
                school=world.high,
                kind=Kind.POSITIVE,
                occurred_at=_on(month),
            )
    for _ in range(2):
        _action(world, "referral_to_law_enforcement", "white", school=world.high, on=_on(10))
    return world


def _get(api_as, path, **params):
    response = api_as("evaluator").get(f"/api/v1/insights/outcomes/{path}", school_year=YEAR, **params)
    assert response.status_code == 200, response.content
    return response.json()


def _bodies(api_as, world):
    district = _get(api_as, f"districts/{world.district.uuid}")
    schools = {s.pk: _get(api_as, f"schools/{s.uuid}") for s in (world.elementary, world.high)}
    return district, schools


def _label(year, month):
    return "year" if month is year["total"] else month["month"]


def _truth(world):
    scope = equity_scope_for(world.users["evaluator"], world.district.uuid)
    year = outcomes_year(outcomes_scope_of(scope), YEAR, as_of=datetime.date(2026, 7, 1))
    table, _ = schools_table(linked_table(year, scope), scope, year, datetime.date(2026, 7, 1))
    crdc_tied(table, scope, YEAR)
    return table


# --- through every door ------------------------------------------------------------------------------------


def test_the_evaluator_gets_each_school_of_a_closed_year_on_the_page_csv_and_api(two_schools, api_as, page_as):
    world = two_schools
    body = _get(api_as, f"schools/{world.high.uuid}")
    assert body["restricted"] is True and body["level"] == "school" and body["school_year"] == YEAR
    october = next(m for m in body["current"]["months"] if m["month"] == "2025-10")
    december = next(m for m in body["current"]["months"] if m["month"] == "2025-12")
    assert december["positive"] is None and "positive" in december["hidden"]  # 3: small
    assert october["referrals"] is None  # 2: small
    url = reverse("insights:outcomes-school", args=[world.high.uuid])
    page = page_as("evaluator").get(url, {"school_year": YEAR})
    assert page.status_code == 200 and "Suppressed" in page.content.decode()
    text = page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).content.decode()
    rows = {(r[0], r[1]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in list(csv.reader(io.StringIO(text)))[1:]}
    for month in _months(body["current"]):
        row = rows[(YEAR, _label(body["current"], month))]
        for column in CSV_COLUMNS[2:]:
            if column in month["hidden"]:
                assert row[column] == "suppressed", (month["month"], column)


def test_an_evaluator_gets_no_school_outside_their_grant(two_schools, api_as, page_as):
    world = two_schools
    response = api_as("evaluator").get(f"/api/v1/insights/outcomes/schools/{world.other_school.uuid}")
    assert response.status_code == 404
    assert (
        api_as("evaluator")
        .get(f"/api/v1/insights/outcomes/schools/{world.high.uuid}", school_year="2026-2027")
        .status_code
        == 400
    )
    assert page_as("officer").get(reverse("insights:outcomes-school", args=[world.high.uuid])).status_code in (403, 404)


# --- the attacks ---------------------------------------------------------------------------------------------


def test_no_school_count_comes_back_from_the_district_minus_the_other_schools(two_schools, api_as):
    world = two_schools
    district, schools = _bodies(api_as, world)
    for year in ("current", "previous"):
        for i, month in enumerate(_months(district[year])):
            parts = [_months(body[year])[i] for body in schools.values()]
            for field in COUNTS:
                values = [month[field], *(p[field] for p in parts)]
                assert values.count(None) != 1, (year, month["month"], field, values)
                if month[field] is not None and None in values:
                    rest = month[field] - sum(v for v in values[1:] if v is not None)
                    assert rest >= THRESHOLD or rest == 0, (month["month"], field, rest)


def test_no_school_count_comes_back_from_its_months_and_its_year(two_schools, api_as):
    _, schools = _bodies(api_as, two_schools)
    for body in schools.values():
        for field in COUNTS:
            if body["current"]["total"][field] is None:
                continue
            hidden = [m for m in body["current"]["months"] if m[field] is None]
            assert len(hidden) != 1, field


def test_a_schools_year_of_referrals_is_shown_or_hidden_with_its_crdc_row(two_schools, api_as):
    """Where a school's year of referrals (or arrests) is its CRDC row's count, one cannot be shown
    while the other is hidden."""
    world = two_schools
    _, schools = _bodies(api_as, world)
    table = _truth(world)
    crdc = api_as("evaluator").get(f"/api/v1/insights/crdc/{world.district.uuid}", school_year=YEAR).json()
    pks = {str(s.uuid): s.pk for s in (world.elementary, world.high)}
    tied = 0
    for row in crdc["schools"]:
        pk = pks[row["school"]]
        for kind, field in (("referred", "referrals"), ("arrested", "arrests")):
            if table.cells[(pk, kind, "instances")] != table.cells[cell(YEAR, "year", field, pk)]:
                continue
            tied += 1
            ours, theirs = schools[pk]["current"]["total"][field], row[kind]["instances"]
            assert (ours is None) == (theirs is None), (pk, field, ours, theirs)
    assert tied


def test_the_lp_audit_finds_nothing_derivable_from_every_level_together(two_schools, api_as):
    world = two_schools
    district, schools = _bodies(api_as, world)
    table = _truth(world)
    shown, hidden = {}, set()
    for body, school in ((district, None), *((schools[s], s) for s in schools)):
        year = body["current"]
        for month in _months(year):
            label = _label(year, month)
            for field, cells in FIELDS.items():
                keys = {cell(YEAR, label, name, school) for name in cells}
                if month[field] is None and field in month["hidden"]:
                    hidden |= keys
                elif month[field] is not None:
                    for key in keys:  # a shown rate or share gives its counts back
                        shown[key] = table.cells[key]
    equity = api_as("evaluator").get(f"/api/v1/insights/equity/{world.district.uuid}", school_year=YEAR).json()
    for point in equity["points"]:
        if point["total"] is not None:
            shown[(point["key"], "total")] = point["total"]
        for group in point["groups"]:
            if group["events"] is not None:
                shown[(point["key"], group["group"])] = group["events"]
    crdc = api_as("evaluator").get(f"/api/v1/insights/crdc/{world.district.uuid}", school_year=YEAR).json()
    _crdc_shown(crdc, shown, {str(s.uuid): s.pk for s in (world.elementary, world.high)})
    for key, value in shown.items():
        assert table.cells[key] == value, key
    hidden = {key for key in hidden - shown.keys() if table.cells[key] > 0}
    hidden |= {
        key for key in table.cells if key[0] == "outcomes" and key[3] == "judged-not-within" and table.cells[key]
    }
    assert any(len(key) == 5 for key in hidden), "the fixture has small school months"
    hidden |= {key for key in table.cells if key[0] != "outcomes" and key not in shown and key not in table.unpublished}
    report = audit(table, hidden, threshold=THRESHOLD)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}


def test_the_district_release_is_the_same_whether_the_schools_were_asked_for_first(two_schools, api_as):
    world = two_schools
    school_first = _get(api_as, f"schools/{world.high.uuid}")
    district = _get(api_as, f"districts/{world.district.uuid}")
    FigureSnapshot.objects.all().delete()
    assert _get(api_as, f"districts/{world.district.uuid}") == district
    assert _get(api_as, f"schools/{world.high.uuid}") == school_first


# --- stored once, built ahead ----------------------------------------------------------------------------------


def test_a_late_record_changes_no_schools_figures_and_the_job_builds_them(two_schools, api_as):
    world = two_schools
    job = registered_job("figure_snapshots_build")
    assert job is not None
    job.func()
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope__startswith="district:")  # (not the agency's)
    assert sorted(stored.values_list("period", flat=True)) == [PREVIOUS, YEAR]
    assert all(str(world.high.uuid) in snapshot.payload["schools"] for snapshot in stored)
    before = _get(api_as, f"schools/{world.high.uuid}")
    count = FigureSnapshot.objects.count()
    interaction_record(
        actor=world.officer.user, officer=world.officer, school=world.high, kind=Kind.POSITIVE, occurred_at=_on(12, 20)
    )
    assert _get(api_as, f"schools/{world.high.uuid}") == before
    assert FigureSnapshot.objects.count() == count


def test_every_school_count_adds_up_to_the_districts(two_schools):
    """(The tie the attacks rely on holds in the data.)"""
    table = _truth(two_schools)
    for name in ADDITIVE:
        whole = cell(YEAR, "year", name)
        parts = [cell(YEAR, "year", name, s.pk) for s in (two_schools.elementary, two_schools.high)]
        assert table.cells[whole] == sum(table.cells[p] for p in parts), name


def test_the_evaluators_district_page_links_each_school(two_schools, page_as):
    world = two_schools
    html = page_as("evaluator").get(reverse("insights:outcomes-district", args=[world.district.uuid])).content.decode()
    for school in (world.elementary, world.high):
        assert reverse("insights:outcomes-school", args=[school.uuid]) in html
