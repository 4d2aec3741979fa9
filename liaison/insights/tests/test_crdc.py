"""The police side of the CRDC count, checked by hand on a small district (2025-2026).

Millbrook Elementary: student A (1001) referred on 1 Oct (race recorded as unknown) and arrested on
1 Nov (White, male, no disability, not an English learner); student B (1002: Black, female, IDEA,
English learner) referred; student C (1003: Hispanic, male, Section 504 only) referred to court.
B's second referral was voided. Referral instances 4 (A twice, B, C), arrests 1; unique students
referred 3 (White 1 — A's latest action counts — Black 1, Hispanic 1; male 2, female 1; IDEA 1,
504 only 1, none 1; English learner 1, not 2), arrested 1 (A). Millbrook High: one referral
recorded without a student id, so its unique counts are not collected.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from liaison.interactions.services import interaction_record, interaction_void, student_keys_enable

YEAR = "2025-2026"


def _action(world, action_type, *, day, school=None, student_id="", **demographics):
    enforcement = {
        "action_type": action_type,
        "reason_category": "assault_with_injury",
        "requested_by": "administrator",
        "admin_consulted": True,
        "admin_consulted_role": "administrator",
        "demographics_source": "school_record",
        **demographics,
    }
    if student_id:
        enforcement["student_id"] = student_id
    return interaction_record(
        actor=world.officer.user,
        officer=world.officer,
        school=school or world.elementary,
        kind="enforcement",
        occurred_at=datetime.datetime(2025, *day, 15, 0, tzinfo=datetime.UTC),
        enforcement=enforcement,
        justification="Test fixture.",
    ).interaction


@pytest.fixture
def counted(world):
    student_keys_enable(actor=world.users["platform_admin"], district=world.district)
    a = {"sex": "male", "disability": "none", "english_learner": "no"}
    _action(world, "referral_to_law_enforcement", day=(10, 1), student_id="1001", race_ethnicity="unknown", **a)
    _action(world, "arrest", day=(11, 1), student_id="1001", race_ethnicity="white", **a)
    b = {"race_ethnicity": "black", "sex": "female", "disability": "idea", "english_learner": "yes"}
    _action(world, "referral_to_law_enforcement", day=(10, 2), student_id="1002", **b)
    voided = _action(world, "referral_to_law_enforcement", day=(10, 3), student_id="1002", **b)
    interaction_void(actor=world.users["platform_admin"], interaction=voided, reason="Entered twice.")
    c = {"race_ethnicity": "hispanic_latino", "sex": "male", "disability": "504_only", "english_learner": "no"}
    _action(world, "court_referral", day=(12, 5), student_id="1003", **c)
    _action(world, "referral_to_law_enforcement", day=(10, 9), school=world.high, race_ethnicity="white")
    _action(world, "warning", day=(10, 10), student_id="1004", race_ethnicity="white")
    return world


def schools(response):
    return {s["name"]: s for s in response.json()["schools"]}


def test_instances_and_unique_students_match_the_hand_count(api_as, counted):
    response = api_as("district_admin").get(f"/insights/crdc/{counted.district.uuid}", school_year=YEAR)
    assert response.status_code == 200
    elementary = schools(response)["Millbrook Elementary"]
    referred, arrested = elementary["referred"], elementary["arrested"]
    assert (referred["instances"], referred["without_student_key"], referred["students"]) == (4, 0, 3)
    assert {k: v for k, v in referred["splits"]["race"].items() if v} == {
        "white": 1,
        "black": 1,
        "hispanic_latino": 1,
    }
    assert referred["splits"]["sex"] == {"male": 2, "female": 1, "nonbinary": 0, "unknown": 0}
    assert referred["splits"]["disability"] == {"idea": 1, "504_only": 1, "none": 1, "unknown": 0}
    assert referred["splits"]["english_learner"] == {"yes": 1, "no": 2, "unknown": 0}
    assert (arrested["instances"], arrested["students"]) == (1, 1)
    assert arrested["splits"]["race"]["white"] == 1
    high = schools(response)["Millbrook High"]["referred"]
    assert (high["instances"], high["without_student_key"], high["students_collected"], high["students"]) == (
        1,
        1,
        False,
        None,
    )
    assert set(high["splits"]["race"].values()) == {None}


def test_the_page_and_csv_say_not_collected_rather_than_zero(page_as, counted):
    url = reverse("insights:crdc", args=[counted.district.uuid])
    page = page_as("district_admin").get(url, {"school_year": YEAR}).content.decode()
    assert "1 without a student key" in page and "not collected" in page
    export = page_as("district_admin").get(url, {"school_year": YEAR, "format": "csv"})
    rows = {r["school"]: r for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert rows["Millbrook Elementary"]["referred_students"] == "3"
    assert rows["Millbrook Elementary"]["referred_race_black"] == "1"
    assert rows["Millbrook Elementary"]["arrested_race_black"] == "0"
    assert rows["Millbrook High"]["referred_instances"] == "1"
    assert rows["Millbrook High"]["referred_students"] == "" and rows["Millbrook High"]["referred_race_white"] == ""


def test_an_evaluator_sees_small_counts_suppressed(api_as, page_as, counted):
    response = api_as("evaluator").get(f"/insights/crdc/{counted.district.uuid}", school_year=YEAR)
    referred = schools(response)["Millbrook Elementary"]["referred"]
    assert response.json()["suppressed"] is True
    assert (referred["instances"], referred["students"]) == (None, None)
    assert referred["splits"]["race"]["black"] is None and referred["splits"]["race"]["asian"] == 0
    export = page_as("evaluator").get(
        reverse("insights:crdc", args=[counted.district.uuid]), {"school_year": YEAR, "format": "csv"}
    )
    row = next(csv.DictReader(io.StringIO(export.content.decode())))
    assert row["referred_instances"] == "suppressed" and row["referred_race_black"] == "suppressed"


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
def test_who_gets_the_counts(api_as, page_as, world, role, status):
    url = reverse("insights:crdc", args=[world.district.uuid])
    api = api_as(role).get(f"/insights/crdc/{world.district.uuid}")
    page = page_as(role).get(url)
    export = page_as(role).get(url, {"format": "csv"})
    if status is None:
        assert api.status_code == 401 and page.status_code == export.status_code == 302
    else:
        assert api.status_code == page.status_code == export.status_code == status


def test_the_district_page_links_to_the_counts(page_as, world):
    link = reverse("insights:crdc", args=[world.district.uuid])
    page = reverse("directory:district_detail", args=[world.district.uuid])
    assert link in page_as("district_admin").get(page).content.decode()
    assert link not in page_as("officer").get(page).content.decode()
