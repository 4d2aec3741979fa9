"""People and roles through the API: what it returns, and how it refuses bad input."""

from __future__ import annotations

from typing import get_args

from liaison.accounts.models import Membership, User
from liaison.accounts.roles import Role
from liaison.directory.tests.pages import row_counts
from liaison.people import people
from liaison.people.api import ONE_PLACE, RoleName


def new_person(**changes):
    return {
        "first_name": "Rosa",
        "last_name": "Quinn",
        "username": "rquinn",
        "email": "rosa@example.org",
        "role": "supervisor",
    } | changes


def fields(response) -> dict[str, list[str]]:
    return response.json()["error"]["fields"]


def test_the_role_names_are_the_roles():
    assert set(get_args(RoleName)) == {role.value for role in Role}


def test_the_agency_list_names_each_role_and_whether_the_invitation_is_used(api_as, world):
    response = api_as("agency_admin").get("/accounts/people", agency=str(world.agency.uuid))
    assert response.status_code == 200
    assert [(p["username"], p["role"]) for p in response.json()] == [
        ("agency_admin", "agency_admin"),
        ("supervisor", "supervisor"),
        ("officer", "officer"),
        ("evaluator", "evaluator"),
    ]
    assert not any(p["invitation_pending"] for p in response.json())


def test_adding_a_person_returns_their_role_and_sends_the_invitation(
    api_as, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("agency_admin").post("/accounts/people", new_person(agency=str(world.agency.uuid)))
    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["role"], body["invitation_pending"]) == ("rquinn", "supervisor", True)
    assert Membership.objects.get(uuid=body["role_uuid"]).agency == world.agency
    assert [m.to for m in mailoutbox] == [["rosa@example.org"]]
    assert "http://testserver/accounts/password/set/" in mailoutbox[0].body


def test_a_school_admin_is_added_for_a_school_of_the_district(api_as, world, django_capture_on_commit_callbacks):
    data = new_person(district=str(world.district.uuid), role="school_admin", school=str(world.high.uuid))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("district_admin").post("/accounts/people", data)
    assert response.status_code == 201 and response.json()["school"] == str(world.high.uuid)


def test_bad_input_names_the_field_and_writes_nothing(api_as, world, mailoutbox):
    api = api_as("platform_admin")
    agency, district = str(world.agency.uuid), str(world.district.uuid)
    cases = [
        (new_person(), 400, {"agency": [ONE_PLACE], "district": [ONE_PLACE]}),
        (new_person(agency=agency, district=district), 400, {"agency": [ONE_PLACE], "district": [ONE_PLACE]}),
        (new_person(agency=agency, role="district_admin"), 400, None),
        (new_person(agency=agency, role="chief"), 400, None),
        (new_person(district=district, role="school_admin"), 400, {"school": [people.SCHOOL_NEEDED]}),
        (
            new_person(district=district, role="school_admin", school=str(world.other_school.uuid)),
            400,
            {"school": [people.SCHOOL_NOT_HERE]},
        ),
        (new_person(agency=agency, email="not-an-address"), 400, {"email": ["Enter a valid email address."]}),
        (new_person(agency=agency, username="supervisor"), 409, {"username": ["This username is already taken."]}),
    ]
    before = row_counts()
    for data, status, expected in cases:
        response = api.post("/accounts/people", data)
        assert response.status_code == status, (data, response.json())
        if expected is None:
            assert "role" in fields(response)
        else:
            assert fields(response) == expected
    assert row_counts() == before
    assert mailoutbox == []


def test_another_role_for_someone_here_and_not_for_someone_elsewhere(api_as, world):
    api = api_as("agency_admin")
    data = {"agency": str(world.agency.uuid), "user": str(world.users["supervisor"].uuid), "role": "agency_admin"}
    assert api.post("/accounts/roles", data).status_code == 201
    again = api.post("/accounts/roles", data)
    assert again.status_code == 409 and fields(again) == {"role": ["The user already has this role here."]}
    stranger = api.post("/accounts/roles", data | {"user": str(world.users["district_admin"].uuid)})
    assert stranger.status_code == 400 and fields(stranger) == {"user": [people.NOT_A_PERSON_HERE]}


def test_the_last_admin_and_officers_stay(api_as, world):
    api = api_as("platform_admin")
    admin = Membership.objects.get(user__username="agency_admin", role=Role.AGENCY_ADMIN)
    last = api.request("DELETE", f"/accounts/roles/{admin.uuid}")
    assert last.status_code == 409 and "last agency admin" in fields(last)["role"][0]
    officer = Membership.objects.get(user__username="officer", role=Role.OFFICER)
    kept = api.request("DELETE", f"/accounts/roles/{officer.uuid}")
    assert kept.status_code == 400 and fields(kept) == {"role": [people.OFFICERS_ELSEWHERE]}
    assert Membership.objects.filter(pk__in=[admin.pk, officer.pk]).count() == 2


def test_no_invitation_for_someone_with_a_password(api_as, world, mailoutbox):
    held = Membership.objects.get(user__username="supervisor", role=Role.SUPERVISOR)
    response = api_as("agency_admin").post(f"/accounts/roles/{held.uuid}/invitation", {})
    assert response.status_code == 409 and "already chosen a password" in fields(response)["user"][0]
    User.objects.filter(username="supervisor").update(password="!unusable")
    no_address = api_as("agency_admin").post(f"/accounts/roles/{held.uuid}/invitation", {})
    assert no_address.status_code == 400 and "no e-mail address" in fields(no_address)["email"][0]
    assert mailoutbox == []
