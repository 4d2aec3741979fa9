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
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.directory import services as directory_services
from liaison.insights import views
from liaison.insights.access import EquityScope
from liaison.insights.crdc import crdc_counts
from liaison.insights.models import SchoolReportedCount
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


# --- what the school reported, beside the officers' records ------------------------------------------


def reported_url(world) -> str:
    return reverse("insights:school_reported_edit", args=[world.elementary.uuid, YEAR])


def test_the_district_enters_what_the_school_reported_and_sees_the_gap(page_as, api_as, counted):
    client = page_as("district_admin")
    crdc_page = client.get(reverse("insights:crdc", args=[counted.district.uuid]), {"school_year": YEAR})
    assert reported_url(counted) in crdc_page.content.decode()
    response = client.post(
        reported_url(counted), {"referral_instances": "1", "arrest_instances": "0", "source": "CRDC submission"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "3 fewer than the officers&#x27; records" in page or "3 fewer than the officers' records" in page
    api = api_as("district_admin").get(f"/insights/crdc/{counted.district.uuid}", school_year=YEAR)
    referred = schools(api)["Millbrook Elementary"]["referred"]
    arrested = schools(api)["Millbrook Elementary"]["arrested"]
    assert (referred["school_reported"], referred["gap"], arrested["school_reported"], arrested["gap"]) == (1, 3, 0, 1)
    assert schools(api)["Millbrook High"]["referred"]["school_reported"] is None
    export = client.get(reverse("insights:crdc", args=[counted.district.uuid]), {"school_year": YEAR, "format": "csv"})
    row = next(r for r in csv.DictReader(io.StringIO(export.content.decode())) if r["school"] == "Millbrook Elementary")
    assert (row["referred_school_reported"], row["referred_gap"], row["arrested_gap"]) == ("1", "3", "1")


def test_entering_again_replaces_and_audits(api_as, counted):
    api = api_as("district_admin")
    path = f"/insights/crdc/schools/{counted.elementary.uuid}/{YEAR}"
    assert api.put(path, {"referral_instances": 1, "arrest_instances": None, "source": ""}).status_code == 200
    response = api.put(path, {"referral_instances": 4, "arrest_instances": 1, "source": "corrected"})
    assert response.json() == {
        "school": str(counted.elementary.uuid),
        "school_year": YEAR,
        "referral_instances": 4,
        "arrest_instances": 1,
        "source": "corrected",
    }
    entries = AuditEntry.objects.filter(object_type="insights.schoolreportedcount", district=counted.district)
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]


def test_bad_counts_are_named_and_nothing_is_written(page_as, api_as, counted):
    response = page_as("district_admin").post(reported_url(counted), {"referral_instances": "-1"})
    assert response.status_code == 200 and response.context["form"].errors["referral_instances"]
    bad = api_as("district_admin").put(
        f"/insights/crdc/schools/{counted.elementary.uuid}/{YEAR}", {"referral_instances": -1}
    )
    assert bad.status_code == 400 and "referral_instances" in bad.json()["error"]["fields"]
    year = api_as("district_admin").put(f"/insights/crdc/schools/{counted.elementary.uuid}/2025-2027", {})
    assert year.status_code == 400 and list(year.json()["error"]["fields"]) == ["school_year"]
    assert not SchoolReportedCount.objects.exists()


@pytest.mark.parametrize(
    ("role", "page_status", "api_status"),
    [
        ("platform_admin", 200, 200),
        ("district_admin", 200, 200),
        ("agency_admin", 403, 403),
        ("supervisor", 403, 403),
        ("officer", 403, 403),
        ("school_admin", 403, 403),
        ("evaluator", 403, 403),
        ("outsider_agency_admin", 404, 404),
        ("outsider_district_admin", 404, 404),
        ("anonymous", 302, 401),
    ],
)
def test_only_the_districts_admins_enter_what_schools_reported(page_as, api_as, world, role, page_status, api_status):
    assert page_as(role).get(reported_url(world)).status_code == page_status
    response = api_as(role).put(f"/insights/crdc/schools/{world.elementary.uuid}/{YEAR}", {"referral_instances": 2})
    assert response.status_code == api_status
    assert SchoolReportedCount.objects.exists() == (api_status == 200)


def test_an_evaluator_sees_a_small_school_reported_count_suppressed(api_as, counted):
    api_as("district_admin").put(f"/insights/crdc/schools/{counted.elementary.uuid}/{YEAR}", {"referral_instances": 3})
    referred = schools(api_as("evaluator").get(f"/insights/crdc/{counted.district.uuid}", school_year=YEAR))
    assert referred["Millbrook Elementary"]["referred"]["school_reported"] is None
    assert referred["Millbrook Elementary"]["referred"]["gap"] is None


def test_the_page_keeps_the_users_navigation(page_as, world):
    page = page_as("district_admin").get(reverse("insights:crdc", args=[world.district.uuid])).content.decode()
    assert reverse("interactions:list") in page and reverse("surveys:home") in page


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_schools(page_as, counted):
    client = page_as("district_admin")
    url = reverse("insights:crdc", args=[counted.district.uuid])
    client.get(url)  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"school_year": YEAR}).status_code == 200
        return len(captured)

    before = queries()
    for n in range(3):
        directory_services.school_create(
            actor=counted.users["platform_admin"],
            district=counted.district,
            name=f"Millbrook School {n}",
            nces_id=f"25000010001{n}",
            level="elementary",
            lowest_grade=0,
            highest_grade=5,
        )
    assert queries() == before


# --- the page shows a page of schools, or one (a district may have hundreds) -------------------------


def _sections(page: str) -> list[str]:
    """Each school's section of the page, as rendered."""
    return re.findall(r'<section aria-labelledby="school-.*?</section>', page, flags=re.S)


def _pages(client, url, params) -> list[str]:
    """Every page of schools, following the page links from the first."""
    first = client.get(url, params).content.decode()
    numbers = sorted({int(n) for n in re.findall(r"[?&](?:amp;)?page=(\d+)", first)} | {1})
    return [first] + [client.get(url, {**params, "page": n}).content.decode() for n in numbers[1:]]


@pytest.fixture
def more_schools(counted):
    for n in range(3):
        directory_services.school_create(
            actor=counted.users["platform_admin"],
            district=counted.district,
            name=f"Millbrook School {n}",
            nces_id=f"25000010001{n}",
            level="elementary",
            lowest_grade=0,
            highest_grade=5,
        )
    return counted


@pytest.mark.parametrize("role", ["district_admin", "supervisor", "evaluator"])
def test_every_school_is_on_one_page_and_the_pages_add_up_to_the_whole(page_as, more_schools, monkeypatch, role):
    client, url = page_as(role), reverse("insights:crdc", args=[more_schools.district.uuid])
    params = {"school_year": YEAR}
    whole = _sections(client.get(url, params).content.decode())
    assert len(whole) == 5  # the district's five schools, fewer than a page
    monkeypatch.setattr(views, "CRDC_PAGE_SIZE", 2)
    pages = _pages(client, url, params)
    assert len(pages) == 3 and "Schools 5–5 of 5" in pages[2]
    paged = [section for page in pages for section in _sections(page)]
    assert paged == whole  # each school once, in order, its counts (and suppression) unchanged
    if role == "evaluator":
        assert '<span class="suppressed">Suppressed</span>' in "".join(paged)


@pytest.mark.parametrize("role", ["district_admin", "school_admin", "evaluator"])
def test_one_school_asked_for_shows_that_school_as_the_whole_page_does(page_as, api_as, more_schools, role):
    client, url = page_as(role), reverse("insights:crdc", args=[more_schools.district.uuid])
    params = {"school_year": YEAR}
    whole = _sections(client.get(url, params).content.decode())
    for section in whole:
        school = re.search(r'aria-labelledby="school-([0-9a-f-]+)"', section).group(1)
        one = _sections(client.get(url, {**params, "school": school}).content.decode())
        assert one == [section]
        api = api_as(role).get(f"/insights/crdc/{more_schools.district.uuid}", school_year=YEAR, school=school)
        whole_api = api_as(role).get(f"/insights/crdc/{more_schools.district.uuid}", school_year=YEAR).json()
        assert api.json()["schools"] == [s for s in whole_api["schools"] if s["school"] == school]
    assert len(whole) == (1 if role == "school_admin" else 5)


@pytest.mark.parametrize("role", ["district_admin", "school_admin", "supervisor", "evaluator"])
def test_a_school_outside_the_counts_is_not_found(page_as, api_as, more_schools, role):
    url = reverse("insights:crdc", args=[more_schools.district.uuid])
    outside = [more_schools.other_school.uuid]  # another district's school
    if role == "school_admin":  # a principal counts their own school only
        outside.append(more_schools.high.uuid)
    for school in [*outside, "not-a-uuid"]:
        assert page_as(role).get(url, {"school_year": YEAR, "school": school}).status_code == 404
    for school in outside:
        api = api_as(role).get(f"/insights/crdc/{more_schools.district.uuid}", school_year=YEAR, school=str(school))
        assert api.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 403), ("outsider_agency_admin", 404), ("outsider_district_admin", 404), ("anonymous", None)],
)
def test_a_page_or_a_school_gives_no_one_else_the_counts(api_as, page_as, more_schools, role, status):
    url = reverse("insights:crdc", args=[more_schools.district.uuid])
    school = str(more_schools.elementary.uuid)
    page = page_as(role).get(url, {"page": 2})
    one = page_as(role).get(url, {"school": school})
    api = api_as(role).get(f"/insights/crdc/{more_schools.district.uuid}", school=school)
    if status is None:
        assert api.status_code == 401 and page.status_code == one.status_code == 302
    else:
        assert api.status_code == page.status_code == one.status_code == status


def test_a_page_reads_the_actions_of_its_schools_only(more_schools):
    scope = EquityScope(more_schools.district, None, None, suppressed=False)
    whole = {c.school.pk: c for c in crdc_counts(scope, YEAR)}
    only = [more_schools.elementary.pk, more_schools.high.pk]
    part = crdc_counts(scope, YEAR, only=only)
    assert [c.school.pk for c in part] == sorted(only, key=lambda pk: whole[pk].school.name)
    assert all(c == whole[c.school.pk] for c in part)
    with pytest.raises(ValueError):
        crdc_counts(EquityScope(more_schools.district, None, None, suppressed=True), YEAR, only=only)


def test_the_csv_stays_whole_whatever_the_page(page_as, more_schools, monkeypatch):
    monkeypatch.setattr(views, "CRDC_PAGE_SIZE", 1)
    url = reverse("insights:crdc", args=[more_schools.district.uuid])
    for role in ("district_admin", "evaluator"):
        export = page_as(role).get(url, {"school_year": YEAR, "page": 2, "format": "csv"})
        assert len(list(csv.DictReader(io.StringIO(export.content.decode())))) == 5
