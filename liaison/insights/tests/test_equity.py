"""The equity analysis, checked against values computed by hand on a small district.

Millbrook Public Schools, 2025-2026: 904 students (White 500, Black 100, Hispanic 300, Asian 4).
Actions: White 3 referrals, 1 arrest, 1 criminal citation (5 referrals in all); Black 2 referrals,
3 arrests, 1 court referral, and a warning (6 referrals); Hispanic 2 referrals and a non-criminal
citation (3); Asian 1 referral; unknown race 1 referral. Left out: a voided White referral and one
from the year before.

Referrals per 1,000 enrolled: White 10, Black 60 (RRI 6.0; SE = sqrt(1/6 − 1/100 + 1/5 − 1/500) =
0.59554, interval exp(ln 6 ± 1.95996 × 0.59554) = 1.8674–19.279, flagged), Hispanic 10 (RRI 1.0,
SE 0.72664, 0.24070–4.1545), Asian 250 (0.44% of enrollment: not analysed).
Arrests per 100 referrals: White 20, Black 50 (RRI 2.5, SE sqrt(1/3 − 1/6 + 1 − 1/5) = 0.98319,
0.36394–17.173, not flagged), Hispanic 0 (RRI 0, no interval).
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from liaison.directory import services as directory_services
from liaison.insights import rows
from liaison.insights.equity import rri_interval
from liaison.interactions.services import interaction_record, interaction_void

YEAR = "2025-2026"
ON = datetime.datetime(2025, 10, 15, 15, 0, tzinfo=datetime.UTC)
ZERO_GROUPS = {"american_indian_alaska_native": 0, "native_hawaiian_pacific_islander": 0, "two_or_more_races": 0}


def _enrollment(world, school, total, *, white, black, hispanic, asian):
    directory_services.enrollment_set(
        actor=world.users["platform_admin"],
        school=school,
        school_year=YEAR,
        total=total,
        white=white,
        black=black,
        hispanic_latino=hispanic,
        asian=asian,
        **ZERO_GROUPS,
    )


def _action(world, action_type, race, *, school=None, on=ON):
    return interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=school or world.elementary,
        kind="enforcement",
        occurred_at=on,
        enforcement={
            "action_type": action_type,
            "reason_category": "assault_with_injury",
            "requested_by": "administrator",
            "admin_consulted": True,
            "admin_consulted_role": "administrator",
            "demographics_source": "school_record",
            "race_ethnicity": race,
        },
        justification="Test fixture.",
    ).interaction


@pytest.fixture
def district_year(world):
    _enrollment(world, world.elementary, 400, white=250, black=48, hispanic=100, asian=2)
    _enrollment(world, world.high, 504, white=250, black=52, hispanic=200, asian=2)
    actions = {
        "white": ["referral_to_law_enforcement"] * 3 + ["arrest", "criminal_citation"],
        "black": ["referral_to_law_enforcement"] * 2 + ["arrest"] * 3 + ["court_referral", "warning"],
        "hispanic_latino": ["referral_to_law_enforcement"] * 2 + ["noncriminal_citation"],
        "asian": ["referral_to_law_enforcement"],
        "unknown": ["referral_to_law_enforcement"],
    }
    for race, types in actions.items():
        for i, action_type in enumerate(types):
            _action(world, action_type, race, school=world.high if i % 2 else world.elementary)
    voided = _action(world, "referral_to_law_enforcement", "white")
    interaction_void(actor=world.users["platform_admin"], interaction=voided, reason="Entered twice.")
    _action(world, "referral_to_law_enforcement", "white", on=ON.replace(year=2025, month=3))
    return world


def url(world, **params):
    base = reverse("insights:equity", args=[world.district.uuid])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def api_groups(response, point):
    (found,) = [p for p in response.json()["points"] if p["key"] == point]
    return {g["group"]: g for g in found["groups"]}, found


def test_the_interval_matches_the_hand_computed_one():
    low, high = rri_interval(6, 100, 5, 500)
    assert (low, high) == (pytest.approx(1.8674, abs=1e-4), pytest.approx(19.279, abs=1e-3))
    assert rri_interval(0, 3, 1, 5) is None


def test_the_district_admin_gets_the_hand_computed_rates(api_as, district_year):
    response = api_as("district_admin").get(f"/insights/equity/{district_year.district.uuid}", school_year=YEAR)
    assert response.status_code == 200
    body = response.json()
    assert (body["enrollment_total"], body["enrollment_complete"], body["suppressed"]) == (904, True, False)
    assert body["every_agency"] is True
    groups, point = api_groups(response, "referral")
    assert point["total"] == 16 and point["per"] == 1000
    assert {k: groups[k]["events"] for k in ("white", "black", "hispanic_latino", "asian", "unknown")} == {
        "white": 5,
        "black": 6,
        "hispanic_latino": 3,
        "asian": 1,
        "unknown": 1,
    }
    black, hispanic, asian, white = groups["black"], groups["hispanic_latino"], groups["asian"], groups["white"]
    assert (white["rate"], white["rri"], white["reference"]) == (pytest.approx(10.0), pytest.approx(1.0), True)
    assert (black["base"], black["rate"], black["rri"]) == (100, pytest.approx(60.0), pytest.approx(6.0))
    assert black["finding"] == rows.HIGHER and hispanic["finding"] == rows.NO_CLEAR_DIFFERENCE
    assert (black["ci_low"], black["ci_high"], black["flagged"]) == (
        pytest.approx(1.8674, abs=1e-4),
        pytest.approx(19.279, abs=1e-3),
        True,
    )
    assert (hispanic["rri"], hispanic["ci_low"], hispanic["ci_high"], hispanic["flagged"]) == (
        pytest.approx(1.0),
        pytest.approx(0.24070, abs=1e-4),
        pytest.approx(4.1545, abs=1e-3),
        False,
    )
    assert (asian["rate"], asian["analysed"], asian["rri"]) == (pytest.approx(250.0), False, None)

    arrests, point = api_groups(response, "arrest")
    assert (point["total"], point["per"]) == (4, 100)
    assert (arrests["black"]["base"], arrests["black"]["events"], arrests["black"]["rate"]) == (
        6,
        3,
        pytest.approx(50.0),
    )
    assert (arrests["black"]["rri"], arrests["black"]["flagged"]) == (pytest.approx(2.5), False)
    assert (arrests["black"]["ci_low"], arrests["black"]["ci_high"]) == (
        pytest.approx(0.36394, abs=1e-4),
        pytest.approx(17.173, abs=1e-2),
    )
    assert (arrests["hispanic_latino"]["rri"], arrests["hispanic_latino"]["ci_low"]) == (0.0, None)
    citations, point = api_groups(response, "citation")
    assert (point["total"], citations["white"]["events"], citations["hispanic_latino"]["events"]) == (2, 1, 1)
    court, point = api_groups(response, "court_referral")
    assert (point["total"], court["black"]["events"]) == (1, 1)


def test_the_page_shows_the_same_figures_and_the_flag(page_as, district_year):
    response = page_as("district_admin").get(url(district_year, school_year=YEAR))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Higher than White students</strong>" in page
    assert "6.00" in page and "1.87–19.28" in page
    assert rows.NOT_ANALYSED in page  # Asian students: 0.44% of enrollment
    assert rows.TOO_FEW in page  # Hispanic arrests: none, so no interval
    assert rows.NO_CLEAR_DIFFERENCE in page  # Hispanic referrals


def test_the_csv_has_one_row_per_group_and_point(page_as, district_year):
    response = page_as("district_admin").get(url(district_year, school_year=YEAR, format="csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(lines) == 4 * 8  # 7 groups and unknown, at each of 4 decision points
    black = next(r for r in lines if r["decision_point"] == "referral" and r["group"] == "black")
    assert (black["events"], black["rate"], black["rri"], black["flagged"]) == ("6", "60.00", "6.000", "yes")
    assert black["finding"] == rows.HIGHER


def test_an_agency_leader_counts_only_their_agency(api_as, district_year):
    body = api_as("supervisor").get(f"/insights/equity/{district_year.district.uuid}", school_year=YEAR).json()
    assert body["every_agency"] is False and body["suppressed"] is False
    assert body["points"][0]["total"] == 16  # every action here is Millbrook PD's


def test_a_principal_sees_their_school_only(api_as, district_year):
    body = api_as("school_admin").get(f"/insights/equity/{district_year.district.uuid}", school_year=YEAR).json()
    assert body["schools"] == [str(district_year.elementary.uuid)]
    assert body["enrollment_total"] == 400
    # The elementary school got each race's 1st, 3rd, 5th… action: White 3, Black 3 (the warning
    # is not a referral), Hispanic 2, Asian 1, unknown 1.
    assert body["points"][0]["total"] == 10


def test_an_evaluator_sees_small_counts_suppressed_everywhere(api_as, page_as, district_year):
    response = api_as("evaluator").get(f"/insights/equity/{district_year.district.uuid}", school_year=YEAR)
    body = response.json()
    assert body["suppressed"] is True
    groups, point = api_groups(response, "referral")
    # 16 in all would give the high school's 6 away beside the CRDC page's 10 at the elementary
    # school: the same evaluator sees both, so the engine hides one of them
    crdc = api_as("evaluator").get(f"/insights/crdc/{district_year.district.uuid}", school_year=YEAR).json()
    shown = [s["referred"]["instances"] for s in crdc["schools"]]
    assert point["total"] is None or None not in shown
    for name in ("white", "black", "hispanic_latino", "asian", "unknown"):
        assert groups[name]["suppressed"] is True
        assert groups[name]["events"] is None and groups[name]["rri"] is None and groups[name]["rate"] is None
    assert groups["two_or_more_races"]["events"] == 0
    arrests, point = api_groups(response, "arrest")
    assert point["total"] is None  # 4 arrests in all: too few to show
    assert arrests["black"]["base"] is None  # the base is a hidden referral count
    csv_rows = list(
        csv.DictReader(
            io.StringIO(page_as("evaluator").get(url(district_year, format="csv", school_year=YEAR)).content.decode())
        )
    )
    black = {r["decision_point"]: r["events"] for r in csv_rows if r["group"] == "black"}
    assert black["referral"] == black["arrest"] == "suppressed"
    assert black["citation"] == "0"  # zero stays zero: there is nobody to identify
    page = page_as("evaluator").get(url(district_year, school_year=YEAR)).content.decode()
    assert "Suppressed" in page and "6.00" not in page


def test_missing_enrollment_is_said_not_shown_as_zero(api_as, world):
    response = api_as("district_admin").get(f"/insights/equity/{world.district.uuid}", school_year=YEAR)
    body = response.json()
    assert (body["enrollment_total"], body["enrollment_complete"]) == (None, False)
    groups, _ = api_groups(response, "referral")
    assert groups["white"]["base"] is None and groups["white"]["rate"] is None


def test_a_bad_school_year_is_named(api_as, world):
    response = api_as("district_admin").get(f"/insights/equity/{world.district.uuid}", school_year="2025-2027")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["school_year"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("platform_admin", 200),
        ("agency_admin", 200),
        ("supervisor", 200),
        ("officer", 403),
        ("district_admin", 200),
        ("school_admin", 200),
        ("evaluator", 200),
        ("outsider_agency_admin", 404),
        ("outsider_district_admin", 404),
        ("anonymous", None),
    ],
)
def test_who_gets_the_analysis(api_as, page_as, world, role, status):
    api = api_as(role).get(f"/insights/equity/{world.district.uuid}", school_year=YEAR)
    page = page_as(role).get(url(world))
    csv_export = page_as(role).get(url(world, format="csv"))
    if status is None:
        assert api.status_code == 401
        assert page.status_code == 302 and csv_export.status_code == 302
    else:
        assert api.status_code == page.status_code == csv_export.status_code == status


def test_the_district_and_agency_pages_link_to_the_analysis(page_as, world):
    link = reverse("insights:equity", args=[world.district.uuid])
    district_page = reverse("directory:district_detail", args=[world.district.uuid])
    agency_page = reverse("directory:agency_detail", args=[world.agency.uuid])
    assert link in page_as("district_admin").get(district_page).content.decode()
    assert link in page_as("evaluator").get(district_page).content.decode()
    assert link not in page_as("officer").get(district_page).content.decode()
    assert link in page_as("supervisor").get(agency_page).content.decode()
    assert link not in page_as("officer").get(agency_page).content.decode()


def test_without_white_students_actions_there_is_no_index(api_as, page_as, world):
    _enrollment(world, world.elementary, 400, white=250, black=48, hispanic=100, asian=2)
    _enrollment(world, world.high, 504, white=250, black=52, hispanic=200, asian=2)
    _action(world, "referral_to_law_enforcement", "black")
    response = api_as("district_admin").get(f"/insights/equity/{world.district.uuid}", school_year=YEAR)
    groups, _ = api_groups(response, "referral")
    assert (groups["black"]["rate"], groups["black"]["rri"]) == (pytest.approx(10.0), None)
    assert rows.NO_INDEX in page_as("district_admin").get(url(world, school_year=YEAR)).content.decode()


def test_the_page_keeps_the_users_navigation(page_as, world):
    page = page_as("district_admin").get(url(world)).content.decode()
    assert reverse("interactions:list") in page and reverse("surveys:home") in page
