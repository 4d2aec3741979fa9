"""The MOU dashboard for an agency and for a district, its numbers checked by hand on a small program,
on the page and through the API (the same figures from `dashboard.dashboard_figures`).

Under Millbrook's MOU (default rules, in force from 1 August 2025 at both schools):

| # | school     | day        | action   | category       | consulted | outcome                |
|---|------------|------------|----------|----------------|-----------|------------------------|
| 1 | elementary | 2025-07-15 | arrest   | assault (inj.) | yes       | no MOU (before it)     |
| 2 | elementary | 2025-09-10 | arrest   | dress code     | yes       | outside (school only)  |
| 3 | elementary | 2025-09-15 | arrest   | assault (inj.) | no        | outside (no consult)   |
| 4 | elementary | 2025-10-02 | citation | drug distrib.  | no        | within                 |
| 5 | high       | 2025-10-20 | arrest   | weapon         | no        | within (must act)      |
| 6 | high       | 2025-10-21 | warning  | dress code     | yes       | outside; review closed |
| 7 | high       | 2025-10-22 | arrest   | dress code     | yes       | outside, then voided   |
| 8 | Harlow     | 2025-10-03 | arrest   | dress code     | no        | another agency's       |
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from liaison.agreements import services
from liaison.agreements.dashboard import months_back
from liaison.agreements.models import Review
from liaison.agreements.tests.mous import mou_in_force
from liaison.agreements.tests.pages import page_text, record_action, url
from liaison.agreements.vocabulary import Finding, VersionStatus
from liaison.interactions import services as interactions
from liaison.interactions.vocabulary import ActionType as A
from liaison.interactions.vocabulary import ReasonCategory as C

NOW = datetime.datetime(2025, 11, 5, 15, 0, tzinfo=datetime.UTC)
PERIOD = {"start": "2025-07-01", "end": "2025-10-31"}


def _at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T14:00:00+00:00")


def _record(world, school, day, action, category, consulted, officer=None):
    with time_machine.travel(_at(day), tick=False):  # the review opens the day of the action
        return record_action(
            world, school=school, when=_at(day), action_type=action, category=category, consulted=consulted,
            officer=officer,
        )  # fmt: skip


@pytest.fixture
def program(world):
    mou_in_force(world, consult_before_arrest=True)
    e, h = world.elementary, world.high
    _record(world, e, "2025-07-15", A.ARREST, C.ASSAULT_WITH_INJURY, True)
    _record(world, e, "2025-09-10", A.ARREST, C.DRESS_CODE, True)
    _record(world, e, "2025-09-15", A.ARREST, C.ASSAULT_WITH_INJURY, False)
    _record(world, e, "2025-10-02", A.CRIMINAL_CITATION, C.DRUG_DISTRIBUTION, False)
    _record(world, h, "2025-10-20", A.ARREST, C.WEAPON, False)
    closed = _record(world, h, "2025-10-21", A.WARNING, C.DRESS_CODE, True)
    voided = _record(world, h, "2025-10-22", A.ARREST, C.DRESS_CODE, True)
    _record(world, world.other_school, "2025-10-03", A.ARREST, C.DRESS_CODE, False, officer=world.other_officer)
    admin = world.users["platform_admin"]
    services.review_close(actor=admin, review=Review.objects.get(interaction=closed), finding=Finding.DATA_ERROR)
    interactions.interaction_void(actor=admin, interaction=voided, reason="Entered twice")
    return world


def _dashboard(page_as, role, owner, uuid):
    with time_machine.travel(NOW, tick=False):
        return page_as(role).get(url("dashboard", owner, uuid), PERIOD)


def _grid(response):
    return {
        (school.school, row.month.strftime("%Y-%m")): row.cells
        for school in response.context["by_school"]
        for row in school.months
    }


# cells: within, outside, no MOU (Outcome's order)
EXPECTED_GRID = {
    ("Millbrook Elementary", "2025-07"): [0, 0, 1],
    ("Millbrook Elementary", "2025-09"): [0, 2, 0],
    ("Millbrook Elementary", "2025-10"): [1, 0, 0],
    ("Millbrook High", "2025-10"): [1, 1, 0],
}


def test_the_agency_dashboard_counts_actions_by_outcome_per_school_and_month(program, page_as):
    response = _dashboard(page_as, "agency_admin", "agency", program.agency.uuid)
    assert _grid(response) == EXPECTED_GRID
    totals = {s.school: (s.totals, s.total) for s in response.context["by_school"]}
    assert totals == {"Millbrook Elementary": ([1, 2, 1], 4), "Millbrook High": ([1, 1, 0], 2)}


def test_the_dashboard_names_the_categories_most_often_outside_the_mou(program, page_as):
    categories = _dashboard(page_as, "supervisor", "agency", program.agency.uuid).context["categories"]
    assert [(c.category, c.count) for c in categories] == [("dress_code", 2), ("assault_with_injury", 1)]


def test_the_dashboard_shows_the_share_of_arrests_with_an_administrator_consulted(program, page_as):
    response = _dashboard(page_as, "agency_admin", "agency", program.agency.uuid)
    arrests = response.context["arrests"]
    assert (arrests.part, arrests.whole, arrests.percent) == (2, 4, 50)
    assert "2 of 4 arrests" in page_text(response)


def test_the_dashboard_counts_open_reviews_and_the_age_of_the_oldest(program, page_as):
    response = _dashboard(page_as, "agency_admin", "agency", program.agency.uuid)
    open_reviews = response.context["open_reviews"]
    # #1, #2, #3 and the voided #7 are open (#6 is closed); the oldest opened 15 July: 113 days before 5 November.
    assert (open_reviews.count, open_reviews.oldest_days) == (4, 113)


def test_the_dashboard_lists_the_mous_with_status_and_completeness(program, page_as):
    rows = _dashboard(page_as, "agency_admin", "agency", program.agency.uuid).context["rows"]
    assert [(r["agreement"].title, r["status"], r["completeness"].present) for r in rows] == [
        ("Millbrook SRO MOU", VersionStatus.IN_FORCE, 0)
    ]


def test_the_district_dashboard_counts_every_agencys_actions_at_its_schools(program, page_as):
    response = _dashboard(page_as, "district_admin", "district", program.district.uuid)
    assert _grid(response) == EXPECTED_GRID
    assert response.context["arrests"].whole == 4


def test_the_other_districts_dashboard_sees_only_its_own_action(program, page_as):
    response = _dashboard(page_as, "outsider_district_admin", "district", program.other_district.uuid)
    assert _grid(response) == {("Harlow Union High", "2025-10"): [0, 0, 1]}
    assert response.context["rows"] == []


def test_with_no_arrests_the_share_is_shown_as_missing_not_zero(world, page_as):
    response = _dashboard(page_as, "agency_admin", "agency", world.agency.uuid)
    assert response.context["arrests"].percent is None
    assert "No arrests recorded in the period" in page_text(response)


def test_the_period_defaults_to_the_last_twelve_months():
    assert months_back(datetime.date(2026, 3, 20), 11) == datetime.date(2025, 4, 1)
    assert months_back(datetime.date(2026, 1, 5), 0) == datetime.date(2026, 1, 1)


def test_a_reversed_period_is_refused_on_its_field(world, page_as):
    with time_machine.travel(NOW, tick=False):
        response = page_as("agency_admin").get(
            url("dashboard", "agency", world.agency.uuid), {"start": "2025-10-01", "end": "2025-09-01"}
        )
    assert response.context["period_form"].errors["end"]


def test_the_dashboard_reads_the_same_few_queries_however_many_actions(program, page_as, django_assert_max_num_queries):
    client = page_as("agency_admin")
    address = url("dashboard", "agency", program.agency.uuid)
    client.get(address, PERIOD)  # the session and the scope, once
    # session and scope (4), agency, MOUs (3), reminders (4-6), the four numbers (5)
    with django_assert_max_num_queries(19):
        client.get(address, PERIOD)
    for day in ("2025-10-06", "2025-10-07", "2025-10-08"):
        _record(program, program.high, day, A.ARREST, C.TRUANCY, False)
    with django_assert_max_num_queries(19):
        response = client.get(address, PERIOD)
    assert response.context["arrests"].whole == 7


# --- the same figures through the API ---------------------------------------------------------------


def _api_dashboard(api_as, role, owner, uuid, period=PERIOD):
    with time_machine.travel(NOW, tick=False):
        return api_as(role).get(f"/agreements/dashboard/{owner}/{uuid}", **period)


def test_the_api_gives_the_agency_dashboard_with_the_same_numbers(program, api_as):
    response = _api_dashboard(api_as, "supervisor", "agency", program.agency.uuid)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["owner"] == {"kind": "agency", "uuid": str(program.agency.uuid), "name": program.agency.name}
    assert body["period"] == {"start": "2025-07-01", "end": "2025-10-31"}
    grid = {
        (school["school"], month["month"][:7]): [month["within_mou"], month["outside_mou"], month["no_mou_in_force"]]
        for school in body["outcomes_by_school"]
        for month in school["months"]
    }
    assert grid == EXPECTED_GRID
    assert {school["school"]: school["total"] for school in body["outcomes_by_school"]} == {
        "Millbrook Elementary": 4,
        "Millbrook High": 2,
    }
    assert [(c["category"], c["count"]) for c in body["categories_outside"]] == [
        ("dress_code", 2),
        ("assault_with_injury", 1),
    ]
    assert body["arrests"] == {"arrests": 4, "administrator_consulted": 2, "percent": 50}
    assert body["open_reviews"] == {"count": 4, "oldest_days": 113}
    [mou] = body["agreements"]
    assert (mou["title"], mou["status"], mou["completeness"]["present"]) == ("Millbrook SRO MOU", "in_force", 0)


def test_the_api_gives_the_district_dashboard_every_agencys_actions_at_its_schools(program, api_as):
    body = _api_dashboard(api_as, "district_admin", "district", program.district.uuid).json()
    assert sum(school["total"] for school in body["outcomes_by_school"]) == 6
    assert body["arrests"]["arrests"] == 4


def test_with_no_arrests_the_api_gives_no_percentage_not_zero(world, api_as):
    body = _api_dashboard(api_as, "agency_admin", "agency", world.agency.uuid, {}).json()
    assert body["arrests"] == {"arrests": 0, "administrator_consulted": 0, "percent": None}
    assert body["period"] == {"start": "2024-12-01", "end": "2025-11-05"}, "the last twelve months by default"


def test_the_api_refuses_a_reversed_period_naming_the_field(world, api_as):
    response = _api_dashboard(
        api_as, "agency_admin", "agency", world.agency.uuid, {"start": "2025-10-01", "end": "2025-09-01"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["end"]
