"""The outcomes view for evaluators, attacked as an evaluator would with a calculator.

The district's 2025-2026, over the evaluator's agency's records: 900 enrolled. October: 30 positive
contacts and 12 referrals. November: 4 positive contacts (small) and 2 referrals and an arrest
(small). December: 25 positive contacts and 11 warnings. Every attack below takes what the page, the
CSV and the API show and asks what can be computed from it; the LP audit asks the same of all of it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from liaison.insights.access import equity_scope_for
from liaison.insights.disclosure import release
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes import outcomes_year
from liaison.insights.outcomes_release import FIELDS, OUTCOMES, cell, linked_table, outcomes_scope_of, shown_again
from liaison.insights.tests.test_equity import _action, _enrollment
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import Kind, Role
from liaison.lib.disclosure_audit import audit
from liaison.tests.test_figure_registry import _crdc_shown

YEAR = "2025-2026"
PREVIOUS = "2024-2025"
THRESHOLD = 10
COUNT_FIELDS = ("contacts", "positive", "liaison", "enforcement", "referrals", "arrests", "mentees_met")
RATES_PER_STUDENT = {"positive_per_100": ("positive", 100), "referrals_per_1000": ("referrals", 1000)}


def _on(month: int, day: int = 15) -> datetime.datetime:
    year = 2025 if month >= 7 else 2026
    return datetime.datetime(year, month, day, 15, tzinfo=datetime.UTC)


def _positive(world, times: int, on: datetime.datetime) -> None:
    for _ in range(times):
        interaction_record(
            actor=world.officer.user, officer=world.officer, school=world.elementary, kind=Kind.POSITIVE, occurred_at=on
        )


@pytest.fixture
def closed_year(world):
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    _positive(world, 30, _on(10))
    _positive(world, 4, _on(11))
    _positive(world, 25, _on(12))
    for i in range(12):
        _action(world, "referral_to_law_enforcement", "white" if i % 2 else "black", on=_on(10))
    _action(world, "referral_to_law_enforcement", "white", on=_on(11))
    _action(world, "referral_to_law_enforcement", "black", on=_on(11))
    _action(world, "arrest", "black", on=_on(11))
    for _ in range(11):
        _action(world, "warning", "hispanic_latino", on=_on(12))
    return world


def _api(api_as, world, **params):
    response = api_as("evaluator").get(f"/api/v1/insights/outcomes/districts/{world.district.uuid}", **params)
    assert response.status_code == 200, response.content
    return response.json()


def _months(year):
    return [*year["months"], year["total"]]


def _label(year, month):
    return "year" if month is year["total"] else month["month"]


def _truth(world):
    scope = equity_scope_for(world.users["evaluator"], world.district.uuid)
    year = outcomes_year(outcomes_scope_of(scope), YEAR, as_of=datetime.date(2026, 7, 1))
    return linked_table(year, scope)


def _shown_cells(body, table):
    """Every count the attacker has: the shown counts, and the counts a shown rate gives back."""
    shown = {}
    year = body["current"]
    for month in _months(year):
        label = _label(year, month)
        for field, cells in FIELDS.items():
            if month[field] is None:
                continue
            for name in cells:  # a shown rate or share gives its counts back (enrollment is public)
                key = cell(YEAR, label, name)
                shown[key] = table.cells[key]
    return shown


# --- what is hidden, and that it is the same on every door -----------------------------------------------------


def test_the_evaluator_gets_the_district_of_a_closed_year_with_small_counts_suppressed(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    assert body["restricted"] is True and body["every_agency"] is False
    november = next(m for m in body["current"]["months"] if m["month"] == "2025-11")
    assert november["positive"] is None and "positive" in november["hidden"]
    assert november["arrests"] is None and november["referrals"] is None
    october = next(m for m in body["current"]["months"] if m["month"] == "2025-10")
    # October's 12 referrals are hidden too: with the year's 15 shown (on the equity page as well),
    # November's 3 would otherwise be the difference
    assert october["referrals"] is None and body["current"]["total"]["referrals"] == 15
    # October's and December's positive contacts are shown; the year's would give November's back
    assert october["positive"] == 30 and body["current"]["total"]["positive"] is None
    assert october["classes"] == 0 and october["school_weeks"] >= 0  # not about students: shown


def test_every_shown_count_is_the_true_one(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    table = _truth(closed_year)
    year = body["current"]
    for month in _months(year):
        for field in COUNT_FIELDS:
            if month[field] is not None:
                assert month[field] == table.cells[cell(YEAR, _label(year, month), field)], (month["month"], field)


def test_the_page_the_csv_and_the_api_hide_the_same_cells(closed_year, api_as, page_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    url = reverse("insights:outcomes-district", args=[closed_year.district.uuid])
    text = page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_COLUMNS
    by_month = {(r[0], r[1]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    for year in (body["current"], body["previous"]):
        for month in _months(year):
            row = by_month[(year["school_year"], _label(year, month))]
            for column in CSV_COLUMNS[2:]:
                if column in month["hidden"]:
                    assert row[column] == "suppressed", (month["month"], column)
                else:
                    assert row[column] == ("" if month[column] is None else str(month[column])), (month, column)
    page = page_as("evaluator").get(url, {"school_year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Suppressed" in html and "Counts from 1 to 9 are suppressed" in html
    # contacts and trust from the same release (test_contacts_trust_evaluator.py)
    assert f"{reverse('insights:contacts-trust', args=[closed_year.district.uuid])}?school_year={YEAR}" in html


def test_a_hidden_month_is_a_gap_in_its_chart_not_a_zero(closed_year, page_as):
    url = reverse("insights:outcomes-district", args=[closed_year.district.uuid])
    html = page_as("evaluator").get(url, {"school_year": YEAR}).content.decode()
    section = html.split('id="m-positive_per_100"', 1)[1].split("</section>", 1)[0]
    svg, table = section.split("</svg>", 1)
    current = svg.count('fill="#1f4e79"')  # this year's points
    shown = len(re.findall(r"<td>(?!<span|—)[^<]+</td><td>", table.split("<tfoot>")[0]))
    assert current == shown  # the hidden November has no point (and no line through it at zero)
    assert "Suppressed" in table


# --- the attacks --------------------------------------------------------------------------------------------------


def test_no_count_comes_back_from_the_months_and_the_years_total(closed_year, api_as):
    """Released months minus the year's total: never exactly one hidden month under a shown total."""
    body = _api(api_as, closed_year, school_year=YEAR)
    for year in (body["current"], body["previous"]):
        for field in ("contacts", "positive", "liaison", "enforcement", "referrals", "arrests"):
            if year["total"][field] is None:
                continue
            hidden = [m for m in year["months"] if m[field] is None]
            assert len(hidden) != 1, (year["school_year"], field)
            if hidden:  # what the hidden months share cannot be told from 1 or 10 each
                rest = year["total"][field] - sum(m[field] for m in year["months"] if m[field] is not None)
                assert rest >= THRESHOLD or rest == 0, (field, rest)


def test_no_count_comes_back_from_the_kinds_adding_up_to_all_contacts(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    for month in _months(body["current"]):
        parts = [month[f] for f in ("contacts", "positive", "liaison", "enforcement")]
        assert parts.count(None) != 1, month["month"]


def test_no_count_comes_back_from_a_rate_times_enrollment(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    for month in _months(body["current"]):
        enrollment = month["enrollment"]
        assert enrollment == 900
        for rate, (count, per) in RATES_PER_STUDENT.items():
            if month[count] is None:
                assert month[rate] is None, (month["month"], rate)
            elif month[rate] is not None:  # the rate and its count agree: it gives nothing more
                assert round(month[rate] * enrollment / per) == month[count]


def test_no_count_comes_back_from_a_share_times_all_contacts(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    for month in _months(body["current"]):
        if month["positive_share"] is not None:
            assert month["positive"] is not None and month["contacts"] is not None
            assert round(month["positive_share"] * month["contacts"] / 100) == month["positive"]
        for role in Role.values:
            if month[f"role_{role}"] is not None:
                assert month["contacts"] is not None, (month["month"], role)


def test_the_years_referrals_agree_with_the_equity_analysis_of_the_same_records(closed_year, api_as):
    """The year's referrals and arrests are the equity decision points' totals: hidden in one, hidden
    in the other."""
    body = _api(api_as, closed_year, school_year=YEAR)
    equity = api_as("evaluator").get(f"/api/v1/insights/equity/{closed_year.district.uuid}", school_year=YEAR).json()
    totals = {point["key"]: point["total"] for point in equity["points"]}
    assert body["current"]["total"]["referrals"] == totals["referral"]
    assert body["current"]["total"]["arrests"] == totals["arrest"]


def test_the_lp_audit_finds_no_hidden_count_derivable_from_everything_shown(closed_year, api_as):
    body = _api(api_as, closed_year, school_year=YEAR)
    table = _truth(closed_year)
    shown = _shown_cells(body, table)
    equity = api_as("evaluator").get(f"/api/v1/insights/equity/{closed_year.district.uuid}", school_year=YEAR).json()
    for point in equity["points"]:
        if point["total"] is not None:
            shown[(point["key"], "total")] = point["total"]
        for group in point["groups"]:
            if group["events"] is not None:
                shown[(point["key"], group["group"])] = group["events"]
    crdc = api_as("evaluator").get(f"/api/v1/insights/crdc/{closed_year.district.uuid}", school_year=YEAR).json()
    _crdc_shown(crdc, shown, {str(s.uuid): s.pk for s in (closed_year.elementary, closed_year.high)})
    for key, value in shown.items():
        assert table.cells[key] == value, key
    # Hidden: the outcome counts behind a figure named in its month's `hidden`, unless another shown
    # figure gives them; a null that is not named hidden (a share of nothing) tells its counts are 0.
    # A zero behind a hidden share is given to the attacker as known (more than they have).
    year = body["current"]
    hidden = {
        cell(YEAR, _label(year, month), name)
        for month in _months(year)
        for field in month["hidden"]
        for name in FIELDS[field]
    } - shown.keys()
    hidden = {key for key in hidden if table.cells[key] > 0}
    # Actions outside the MOU: never on this page (the engine counts them as shown, for the public page)
    hidden |= {
        key for key in table.cells if key[0] == "outcomes" and key[3] == "judged-not-within" and table.cells[key]
    }
    assert hidden, "the fixture has small months"
    hidden |= {key for key in table.cells if key[0] != "outcomes" and key not in shown and key not in table.unpublished}
    report = audit(table, hidden, threshold=THRESHOLD)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}


# --- differencing: a closed year, stored once -------------------------------------------------------------------


def test_a_record_entered_late_does_not_change_what_the_evaluator_sees(closed_year, api_as):
    before = _api(api_as, closed_year, school_year=YEAR)
    _positive(closed_year, 1, _on(11, 20))  # November's 4 becomes 5: a difference would give it away
    assert _api(api_as, closed_year, school_year=YEAR) == before
    assert FigureSnapshot.objects.filter(figure=OUTCOMES, period=YEAR).count() == 1


def test_the_year_before_is_its_own_stored_release(closed_year, api_as):
    """A month is released the same way whether shown as this year or beside the next."""
    body = _api(api_as, closed_year, school_year=YEAR)
    previous = _api(api_as, closed_year, school_year=PREVIOUS)
    assert body["previous"] == previous["current"]


def test_an_open_school_year_is_refused_naming_the_field(closed_year, api_as):
    response = api_as("evaluator").get(
        f"/api/v1/insights/outcomes/districts/{closed_year.district.uuid}", school_year="2026-2027"
    )
    assert response.status_code == 400
    assert "school_year" in response.content.decode()


def test_the_page_offers_the_evaluator_closed_years_only(closed_year, page_as):
    url = reverse("insights:outcomes-district", args=[closed_year.district.uuid])
    response = page_as("evaluator").get(url, {"school_year": "2026-2027"})
    assert response.status_code == 200
    assert response.context["body"]["school_year"] == YEAR


def test_complements_are_shown_again_only_where_the_audit_still_passes(closed_year):
    """`shown_again` takes back what the engine hid needlessly, never a small count, and what is left
    passes the engine's own audit."""
    scope = equity_scope_for(closed_year.users["evaluator"], closed_year.district.uuid)
    year = outcomes_year(outcomes_scope_of(scope), YEAR, as_of=datetime.date(2026, 7, 1))
    table = linked_table(year, scope)
    engine = release(table)
    refined = shown_again(engine, THRESHOLD, {})
    assert refined.hidden <= engine.hidden
    assert {key for key in refined.primary if key not in table.unpublished} <= refined.hidden
    assert audit(refined.table, refined.hidden, threshold=THRESHOLD, primary=refined.primary).passed
