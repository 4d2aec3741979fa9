"""The outcomes view: its figures by hand, "positive" defined once, who may open it (page, CSV, API)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.models import Membership
from liaison.directory.services import enrollment_set
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes import SCHOOL, OutcomesScope, outcomes_timeline
from liaison.insights.outcomes_access import RESTRICTED_AGENCY_GRANT
from liaison.interactions.selectors import officer_week_summary
from liaison.interactions.services import interaction_record
from liaison.interactions.vocabulary import POSITIVE_KINDS, Kind, is_positive
from liaison.lib.school_years import school_year_of

NOW = datetime.datetime(2025, 11, 14, 15, tzinfo=datetime.UTC)  # a Friday in November
YEAR = "2025-2026"


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(world, kind, day=NOW - datetime.timedelta(days=1), **enforcement):
    extra = {}
    if enforcement:
        extra = {
            "enforcement": {
                "reason_category": "assault_with_injury",
                "requested_by": "administrator",
                "admin_consulted": True,
                "admin_consulted_role": "administrator",
                "demographics_source": "perceived",
                **enforcement,
            },
            "justification": "Fixture.",
        }
    return interaction_record(
        actor=world.officer.user, officer=world.officer, school=world.elementary, kind=kind, occurred_at=day, **extra
    )


@pytest.fixture
def recorded(world):
    enrollment_set(actor=world.users["platform_admin"], school=world.elementary, school_year=YEAR, total=400)
    for kind in (Kind.POSITIVE, Kind.POSITIVE, Kind.INSTRUCTION, Kind.MENTORING, Kind.FAMILY, Kind.REFERRAL):
        _record(world, kind)
    _record(world, Kind.STAFF)
    _record(world, Kind.SAFETY)
    _record(world, Kind.ENFORCEMENT, action_type="arrest")
    _record(world, Kind.ENFORCEMENT, action_type="warning")
    _record(world, Kind.POSITIVE, day=NOW - datetime.timedelta(days=40))  # October
    return world


def _school_scope(world) -> OutcomesScope:
    school = world.elementary
    return OutcomesScope(SCHOOL, school.name, str(school.uuid), (school,), None, frozenset({school.district_id}))


# --- "positive", once ---------------------------------------------------------------------------------


def test_positive_means_the_five_kinds_domain_names_and_not_liaison_work():
    assert POSITIVE_KINDS == {Kind.POSITIVE, Kind.INSTRUCTION, Kind.MENTORING, Kind.FAMILY, Kind.REFERRAL}
    assert not is_positive(Kind.STAFF)
    assert not is_positive(Kind.SAFETY)
    assert not is_positive(Kind.ENFORCEMENT)


def test_the_officers_positive_to_enforcement_leaves_out_staff_consultations_and_safety(recorded):
    week = officer_week_summary(officer=recorded.officer, week_of=(NOW - datetime.timedelta(days=1)).date())
    assert week.positive == 6
    assert week.enforcement == 2
    assert week.positive_per_enforcement == 3.0
    assert week.total == 10


# --- the figures by hand --------------------------------------------------------------------------------


def test_november_by_hand(recorded):
    timeline = outcomes_timeline(_school_scope(recorded), YEAR, as_of=NOW.date())
    november = next(m for m in timeline.current.months if m.month == datetime.date(2025, 11, 1))
    assert (november.contacts, november.positive, november.liaison, november.enforcement) == (10, 6, 2, 2)
    assert november.positive_share == 60.0
    assert november.positive_per_100 == 1.5  # 6 of 400 students
    assert november.referrals == 1 and november.arrests == 1  # an arrest is also a referral (CRDC)
    assert november.referrals_per_1000 == 2.5
    assert november.evaluated_total == 2
    assert sum(november.by_role.values()) == 10
    october = next(m for m in timeline.current.months if m.month == datetime.date(2025, 10, 1))
    assert (october.contacts, october.positive) == (1, 1)
    assert timeline.current.total.positive == 7
    assert [m.month.month for m in timeline.current.months] == [7, 8, 9, 10, 11]
    assert len(timeline.previous.months) == 12
    assert timeline.previous.total.contacts == 0
    assert timeline.previous.total.positive_share is None  # nothing to divide: not 0%


def test_rates_per_student_are_blank_without_enrollment(world):
    _record(world, Kind.POSITIVE)
    timeline = outcomes_timeline(_school_scope(world), YEAR, as_of=NOW.date())
    assert timeline.current.enrollment_complete is False
    assert all(m.positive_per_100 is None for m in timeline.current.months)
    assert timeline.current.total.positive == 1


def test_the_page_the_csv_and_the_api_show_the_same_figures(recorded, page_as, api_as):
    url = reverse("insights:outcomes-school", args=[recorded.elementary.uuid])
    page = page_as("school_admin").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "Positive contacts per 100 enrolled students" in html
    rows = list(csv.reader(io.StringIO(page_as("school_admin").get(url, {"format": "csv"}).content.decode())))
    assert rows[0] == CSV_COLUMNS
    november = next(r for r in rows if r[1] == "2025-11")
    figures = dict(zip(CSV_COLUMNS, november, strict=True))
    assert figures["positive"] == "6" and figures["positive_share"] == "60.0" and figures["positive_per_100"] == "1.5"
    body = api_as("school_admin").get(f"/api/v1/insights/outcomes/schools/{recorded.elementary.uuid}").json()
    month = next(m for m in body["current"]["months"] if m["month"] == "2025-11")
    assert month["positive"] == 6 and month["positive_share"] == 60.0 and month["positive_per_100"] == 1.5
    assert body["every_agency"] is True


def test_an_agency_leader_counts_only_their_agencys_records(recorded, api_as):
    body = api_as("agency_admin").get(f"/api/v1/insights/outcomes/districts/{recorded.district.uuid}").json()
    assert body["every_agency"] is False
    assert body["current"]["total"]["positive"] == 7


# --- who may open it ------------------------------------------------------------------------------------

ROLES = (
    "platform_admin",
    "agency_admin",
    "supervisor",
    "officer",
    "district_admin",
    "school_admin",
    "evaluator",
    "outsider_agency_admin",
    "outsider_district_admin",
)
ALLOWED = {
    "school": {"platform_admin", "agency_admin", "supervisor", "district_admin", "school_admin", "evaluator"},
    "agency": {"platform_admin", "agency_admin", "supervisor", "evaluator"},  # (the evaluator's grant)
    "district": {"platform_admin", "agency_admin", "supervisor", "district_admin", "evaluator"},
    "trust": {"platform_admin", "agency_admin", "supervisor", "district_admin", "evaluator"},  # (the release)
}
OUTSIDERS = {"outsider_agency_admin", "outsider_district_admin"}


def _targets(world):
    return {
        "school": ("insights:outcomes-school", f"schools/{world.elementary.uuid}", world.elementary.uuid),
        "agency": ("insights:outcomes-agency", f"agencies/{world.agency.uuid}", world.agency.uuid),
        "district": ("insights:outcomes-district", f"districts/{world.district.uuid}", world.district.uuid),
        "trust": ("insights:contacts-trust", f"districts/{world.district.uuid}/trust", world.district.uuid),
    }


@pytest.mark.parametrize("target", ["school", "agency", "district", "trust"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_outcomes(world, page_as, api_as, role, target):
    name, api_path, uuid = _targets(world)[target]
    page = page_as(role).get(reverse(name, args=[uuid]))
    csv_export = page_as(role).get(reverse(name, args=[uuid]), {"format": "csv"})
    api = api_as(role).get(f"/api/v1/insights/outcomes/{api_path}")
    if role in ALLOWED[target]:
        assert (page.status_code, csv_export.status_code, api.status_code) == (200, 200, 200)
    elif role in OUTSIDERS:
        assert (page.status_code, csv_export.status_code, api.status_code) == (404, 404, 404)
    else:
        assert page.status_code in (403, 404) and api.status_code == page.status_code
        assert csv_export.status_code == page.status_code


@pytest.mark.parametrize("target", ["school", "agency", "district", "trust"])
def test_anyone_signed_out_is_sent_to_sign_in(world, page_as, api_as, target):
    name, api_path, uuid = _targets(world)[target]
    assert page_as("anonymous").get(reverse(name, args=[uuid])).status_code == 302
    assert api_as("anonymous").get(f"/api/v1/insights/outcomes/{api_path}").status_code in (401, 403)


def test_officers_and_evaluators_are_refused_with_a_reason(world, page_as):
    response = page_as("officer").get(reverse("insights:outcomes-school", args=[world.elementary.uuid]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "page", "link"),
    [
        ("district_admin", "directory:district_detail", "insights:outcomes-district"),
        ("agency_admin", "directory:agency_detail", "insights:outcomes-agency"),
        ("evaluator", "directory:agency_detail", "insights:outcomes-agency"),  # the agency's release
        ("school_admin", "directory:school_detail", "insights:outcomes-school"),
    ],
)
def test_the_directory_pages_link_to_the_outcomes_of_those_who_get_them(world, page_as, role, page, link):
    uuid = {"directory:district_detail": world.district, "directory:agency_detail": world.agency}.get(
        page, world.elementary
    ).uuid
    html = page_as(role).get(reverse(page, args=[uuid])).content.decode()
    assert reverse(link, args=[uuid]) in html
    officer_html = page_as("officer").get(reverse("directory:school_detail", args=[world.elementary.uuid]))
    assert reverse("insights:outcomes-school", args=[world.elementary.uuid]) not in officer_html.content.decode()


def test_the_school_year_can_be_chosen(recorded, page_as):
    url = reverse("insights:outcomes-school", args=[recorded.elementary.uuid])
    html = page_as("school_admin").get(url, {"school_year": "2024-2025"}).content.decode()
    assert "School year 2024-2025" in html and "beside 2023-2024" in html
    assert school_year_of(timezone.localdate()) == YEAR


# --- speed ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "budget"), [("insights:outcomes-district", 25), ("insights:contacts-trust", 12)])
def test_the_district_pages_stay_within_their_query_budget(
    recorded, page_as, name, budget, django_assert_max_num_queries
):
    """The budget does not grow with records: rollups and actions are grouped in the database."""
    client = page_as("district_admin")
    url = reverse(name, args=[recorded.district.uuid])
    client.get(url)
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(url).status_code == 200
    for _ in range(5):
        _record(recorded, Kind.POSITIVE, day=NOW - datetime.timedelta(days=3))
    with django_assert_max_num_queries(len(captured)):
        assert client.get(url).status_code == 200


# --- restricted audiences --------------------------------------------------------------------------------


def test_a_district_evaluator_gets_no_agencys_outcomes(recorded, page_as, api_as):
    """An agency's outcomes are its evaluators' (test_outcomes_agency_disclosure.py), not a district's
    evaluator's; a school's are released with its district's (test_outcomes_schools_disclosure.py), and
    so is contacts and trust (test_contacts_trust_evaluator.py)."""
    world = recorded
    evaluator = world.users["evaluator"]
    Membership.objects.filter(user=evaluator).update(agency=None, district=world.district)
    world.users["evaluator"] = type(evaluator).objects.get(pk=evaluator.pk)  # a district's evaluator now
    refused = api_as("evaluator").get(f"/api/v1/insights/outcomes/agencies/{world.agency.uuid}")
    assert refused.status_code == 403 and RESTRICTED_AGENCY_GRANT in refused.content.decode()
    for page, uuid in (
        ("directory:agency_detail", world.agency.uuid),
        ("directory:school_detail", world.elementary.uuid),
    ):
        response = page_as("evaluator").get(reverse(page, args=[uuid]))
        assert b"/insights/outcomes/" not in response.content


def test_an_evaluators_contacts_and_trust_is_never_of_the_open_year(recorded, page_as, api_as):
    """The open year's contacts (recorded above) are never the evaluator's: contacts and trust is a
    closed year's release (test_contacts_trust_evaluator.py)."""
    world = recorded
    url = reverse("insights:contacts-trust", args=[world.district.uuid])
    for params in ({}, {"school_year": YEAR}):
        response = page_as("evaluator").get(url, params)
        assert response.status_code == 200 and response.context["found"].school_year == "2024-2025", params
        csv_export = page_as("evaluator").get(url, {**params, "format": "csv"})
        assert csv_export.status_code == 200 and "-2024-2025.csv" in csv_export["Content-Disposition"]
    api = api_as("evaluator").get(f"/api/v1/insights/outcomes/districts/{world.district.uuid}/trust", school_year=YEAR)
    assert api.status_code == 400 and "school_year" in api.content.decode()


def test_an_evaluator_gets_the_districts_closed_years_only_and_a_link_to_them(recorded, page_as, api_as):
    """The open year's months (recorded above) are never the evaluator's: the default is the last
    closed year, and asking for the open one through the API is refused naming the field."""
    world = recorded
    body = api_as("evaluator").get(f"/api/v1/insights/outcomes/districts/{world.district.uuid}").json()
    assert body["restricted"] is True and body["school_year"] == "2024-2025"
    open_year = api_as("evaluator").get(f"/api/v1/insights/outcomes/districts/{world.district.uuid}", school_year=YEAR)
    assert open_year.status_code == 400 and "school_year" in open_year.content.decode()
    html = page_as("evaluator").get(reverse("insights:equity", args=[world.district.uuid])).content.decode()
    assert f"{reverse('insights:outcomes-district', args=[world.district.uuid])}?school_year=2024-2025" in html
    district_page = page_as("evaluator").get(reverse("directory:district_detail", args=[world.district.uuid]))
    assert b"/insights/outcomes/" not in district_page.content  # its link sits beside contacts and trust
