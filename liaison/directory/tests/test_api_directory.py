"""Behaviour of the directory API: validation, conflicts, scoping, pagination and filters."""

from __future__ import annotations

import pytest

from liaison.accounts.models import AuditEntry
from liaison.directory import services, validators
from liaison.directory.models import ORI_STATE_MISMATCH, SUBGROUP_ABOVE_TOTAL, Agency, Assignment, School
from liaison.directory.services import NO_PARTNERSHIP, OVERLAPPING_ASSIGNMENT, SHARE_OVER_100


def _counts() -> tuple[int, int, int, int]:
    return Agency.objects.count(), School.objects.count(), Assignment.objects.count(), AuditEntry.objects.count()


def test_openapi_document_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/schools/{uuid}" in response.json()["paths"]


def test_unauthenticated_requests_get_401_in_the_error_shape(api_as):
    response = api_as("anonymous").get("/schools")
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    assert response.json()["error"]["fields"] == {}


def test_an_invalid_ori_names_the_field_and_writes_nothing(api_as):
    before = _counts()
    response = api_as("platform_admin").post(
        "/agencies", {"name": "Eastfield Police", "kind": "municipal_police", "state": "MA", "ori": "MA12"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ori"] == [validators.ORI_INVALID]
    assert _counts() == before


def test_an_ori_from_another_state_is_refused(api_as):
    response = api_as("platform_admin").post(
        "/agencies", {"name": "Eastfield Police", "kind": "municipal_police", "state": "MA", "ori": "NY1234567"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ori"] == [ORI_STATE_MISMATCH.format(state="MA")]


def test_a_missing_required_field_is_named(api_as):
    response = api_as("platform_admin").post("/agencies", {"name": "Eastfield Police", "state": "MA"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"kind", "ori"}


def test_a_duplicate_ori_is_a_conflict(api_as, world):
    response = api_as("platform_admin").post(
        "/agencies", {"name": "Copy", "kind": "municipal_police", "state": "MA", "ori": world.agency.ori}
    )
    assert response.status_code == 409
    assert "ori" in response.json()["error"]["fields"]


def test_a_school_id_outside_its_district_is_refused(api_as, world):
    response = api_as("district_admin").post(
        "/schools",
        {
            "district": str(world.district.uuid),
            "name": "Stray",
            "nces_id": "250000900001",
            "level": "middle",
            "lowest_grade": 6,
            "highest_grade": 8,
        },
    )
    assert response.status_code == 400
    assert "nces_id" in response.json()["error"]["fields"]


def test_grades_out_of_order_are_refused(api_as, world):
    response = api_as("district_admin").patch(f"/schools/{world.elementary.uuid}", {"lowest_grade": 6})
    assert response.status_code == 400
    assert "highest_grade" in response.json()["error"]["fields"]
    world.elementary.refresh_from_db()
    assert world.elementary.lowest_grade == 0


def test_enrollment_subgroup_larger_than_total_is_refused(api_as, world):
    response = api_as("district_admin").put(
        f"/schools/{world.elementary.uuid}/enrollment/2025-2026", {"total": 100, "white": 120}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["white"] == [SUBGROUP_ABOVE_TOTAL]


def test_enrollment_keeps_uncollected_counts_missing_not_zero(api_as, world):
    api = api_as("district_admin")
    api.put(f"/schools/{world.elementary.uuid}/enrollment/2025-2026", {"total": 400, "white": 300})
    rows = api.get(f"/schools/{world.elementary.uuid}/enrollment").json()
    assert rows[0]["total"] == 400
    assert rows[0]["white"] == 300
    assert rows[0]["english_learner"] is None


def test_a_bad_school_year_is_refused(api_as, world):
    response = api_as("district_admin").put(f"/schools/{world.elementary.uuid}/enrollment/2025-2027", {"total": 1})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["school_year"] == [validators.SCHOOL_YEAR_INVALID]


def test_an_overlapping_assignment_to_the_same_school_is_a_conflict(api_as, world):
    before = _counts()
    response = api_as("supervisor").post(
        "/assignments",
        {"officer": str(world.officer.uuid), "school": str(world.elementary.uuid), "start_date": "2025-01-06"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"]["start_date"] == [OVERLAPPING_ASSIGNMENT]
    assert _counts() == before


def test_an_officers_time_cannot_exceed_100_percent(api_as, world):
    response = api_as("supervisor").post(
        "/assignments",
        {
            "officer": str(world.officer.uuid),
            "school": str(world.high.uuid),
            "start_date": "2025-01-06",
            "share_of_time": 40,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["share_of_time"] == [SHARE_OVER_100.format(total=140)]


def test_splitting_an_officer_across_two_schools(api_as, world):
    api = api_as("supervisor")
    end = api.patch(f"/assignments/{world.assignment.uuid}", {"end_date": "2025-06-30"})
    assert end.status_code == 200
    for school, share in ((world.elementary, 60), (world.high, 40)):
        response = api.post(
            "/assignments",
            {
                "officer": str(world.officer.uuid),
                "school": str(school.uuid),
                "start_date": "2025-08-25",
                "share_of_time": share,
            },
        )
        assert response.status_code == 201, response.content
    active = api.get("/assignments", officer=str(world.officer.uuid), active_on="2025-09-01").json()
    assert sorted(a["share_of_time"] for a in active["results"]) == [40, 60]
    history = api.get("/assignments", officer=str(world.officer.uuid)).json()
    assert len(history["results"]) == 3 and history["next"] is None


def test_an_officer_cannot_be_assigned_outside_partnered_districts(api_as, world):
    response = api_as("platform_admin").post(
        "/assignments",
        {"officer": str(world.officer.uuid), "school": str(world.other_school.uuid), "start_date": "2025-08-25"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["school"] == [NO_PARTNERSHIP]


def test_an_assignment_cannot_end_before_it_starts(api_as, world):
    response = api_as("supervisor").patch(f"/assignments/{world.assignment.uuid}", {"end_date": "2020-01-01"})
    assert response.status_code == 400
    assert "end_date" in response.json()["error"]["fields"]


def test_creating_an_officer_creates_their_login_and_membership(api_as, world):
    response = api_as("agency_admin").post(
        "/officers",
        {
            "agency": str(world.agency.uuid),
            "username": "nortiz",
            "first_name": "Nia",
            "last_name": "Ortiz",
            "badge_number": "202",
            "languages": ["es", "en"],
        },
    )
    assert response.status_code == 201
    officer = response.json()
    assert officer["username"] == "nortiz"
    assert officer["languages"] == ["es", "en"]
    again = api_as("agency_admin").post(
        "/officers",
        {
            "agency": str(world.agency.uuid),
            "username": "nortiz",
            "first_name": "N",
            "last_name": "O",
            "badge_number": "203",
        },
    )
    assert again.status_code == 409
    assert "username" in again.json()["error"]["fields"]


def test_a_duplicate_badge_in_the_agency_is_a_conflict(api_as, world):
    response = api_as("agency_admin").post(
        "/officers",
        {
            "agency": str(world.agency.uuid),
            "username": "dup",
            "first_name": "D",
            "last_name": "Up",
            "badge_number": world.officer.badge_number,
        },
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", ["Millbrook Elementary"]),
        ("school_admin", ["Millbrook Elementary"]),
        ("supervisor", ["Millbrook Elementary", "Millbrook High"]),
        ("outsider_agency_admin", ["Harlow Union High"]),
        ("platform_admin", ["Harlow Union High", "Millbrook Elementary", "Millbrook High"]),
    ],
)
def test_school_lists_are_scoped(api_as, world, role, expected):
    names = [s["name"] for s in api_as(role).get("/schools").json()["items"]]
    assert names == expected


def test_evaluators_see_no_individual_officers(api_as, world):
    assert api_as("evaluator").get("/officers").json() == {"items": [], "count": 0}


def test_lists_paginate_and_filter(api_as, world):
    api = api_as("platform_admin")
    page = api.get("/schools", limit=1, offset=1).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1
    filtered = api.get("/schools", district=str(world.district.uuid), level="high").json()
    assert [s["name"] for s in filtered["items"]] == ["Millbrook High"]


def test_a_bad_filter_value_names_the_parameter(api_as):
    response = api_as("platform_admin").get("/schools", level="university")
    assert response.status_code == 400
    assert "level" in response.json()["error"]["fields"]


def test_school_list_query_count_does_not_grow_with_rows(api_as, world, django_assert_max_num_queries):
    api = api_as("platform_admin")
    root = world.users["platform_admin"]
    for n in range(10):
        services.school_create(
            actor=root,
            district=world.district,
            name=f"Extra {n}",
            nces_id=f"2500001{90 + n:05d}",
            level="elementary",
            lowest_grade=0,
            highest_grade=5,
        )
    with django_assert_max_num_queries(6):
        assert api.get("/schools", limit=50).status_code == 200


def test_every_change_through_the_api_is_audited(api_as, world):
    api_as("agency_admin").patch(f"/agencies/{world.agency.uuid}", {"name": "Millbrook PD"})
    entry = AuditEntry.objects.filter(object_uuid=world.agency.uuid, action="update").get()
    assert entry.actor_username == "agency_admin"
    assert entry.before == {"name": "Millbrook Police Department"}
    assert entry.after == {"name": "Millbrook PD"}
    assert entry.agency_id == world.agency.pk


def test_an_officer_added_through_the_api_with_an_address_is_invited(
    api_as, world, mailoutbox, django_capture_on_commit_callbacks
):
    body = {
        "agency": str(world.agency.uuid),
        "username": "nortiz",
        "first_name": "Nia",
        "last_name": "Ortiz",
        "badge_number": "202",
        "email": "nia.ortiz@example.org",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as("agency_admin").post("/officers", body).status_code == 201
        assert (
            api_as("agency_admin")
            .post("/officers", {**body, "username": "nobody", "badge_number": "203", "email": ""})
            .status_code
            == 201
        )
    assert [m.to for m in mailoutbox] == [["nia.ortiz@example.org"]]
    assert "Officer at Millbrook Police Department" in mailoutbox[0].body
