"""People and their roles, on the pages: listing, adding with an invitation, giving and removing roles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.accounts.models import AuditEntry, Membership, User
from liaison.accounts.roles import Role
from liaison.accounts.tests.test_passwords import NEW_PASSWORD, can_sign_in, choose_password, link_in
from liaison.directory.tests.pages import field_errors, row_counts
from liaison.people import people

NEW_SUPERVISOR = {
    "first_name": "Rosa",
    "last_name": "Quinn",
    "username": "rquinn",
    "email": "rosa.quinn@millbrook.example",
    "role": "supervisor",
}


def people_url(kind: str, place) -> str:
    return reverse("accounts:people", args=[kind, place.uuid])


def add_url(kind: str, place) -> str:
    return reverse("accounts:person_add", args=[kind, place.uuid])


def grant_url(kind: str, place) -> str:
    return reverse("accounts:role_grant", args=[kind, place.uuid])


def remove_url(membership) -> str:
    return reverse("accounts:membership_remove", args=[membership.uuid])


def membership(username: str, role: str) -> Membership:
    return Membership.objects.get(user__username=username, role=role)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """`with commits():` runs on-commit work (the invitation e-mail) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_agency_list_shows_its_people_and_no_one_elses(page_as, world):
    page = page_as("agency_admin").get(people_url("agency", world.agency)).content.decode()
    for username in ("agency_admin", "supervisor", "officer", "evaluator"):
        assert f">{username}<" in page
    for username in ("district_admin", "school_admin", "outsider_agency_admin", "deputy"):
        assert f">{username}<" not in page
    assert reverse("directory:officer_create", args=[world.agency.uuid]) in page
    assert remove_url(membership("officer", Role.OFFICER)) not in page  # officers leave by their officer page
    assert remove_url(membership("supervisor", Role.SUPERVISOR)) in page


def test_the_district_list_includes_its_school_admins(page_as, world):
    page = page_as("district_admin").get(people_url("district", world.district)).content.decode()
    assert ">school_admin<" in page and "Millbrook Elementary" in page
    assert ">district_admin<" in page
    assert ">agency_admin<" not in page


def test_the_agency_and_district_pages_link_to_their_people(page_as, world):
    agency_page = page_as("agency_admin").get(reverse("directory:agency_detail", args=[world.agency.uuid]))
    assert people_url("agency", world.agency) in agency_page.content.decode()
    district_page = page_as("district_admin").get(reverse("directory:district_detail", args=[world.district.uuid]))
    assert people_url("district", world.district) in district_page.content.decode()
    supervisor_page = page_as("supervisor").get(reverse("directory:agency_detail", args=[world.agency.uuid]))
    assert people_url("agency", world.agency) not in supervisor_page.content.decode()


def test_adding_a_person_invites_them_to_choose_their_own_password(page_as, world, mailoutbox, commits):
    with commits():
        response = page_as("agency_admin").post(add_url("agency", world.agency), NEW_SUPERVISOR, follow=True)
    assert response.redirect_chain[-1][0] == people_url("agency", world.agency)
    assert (
        "An invitation to choose a password is on its way to rosa.quinn@millbrook.example" in response.content.decode()
    )
    user = User.objects.get(username="rquinn")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, role=Role.SUPERVISOR, agency=world.agency).exists()
    assert "Invitation not yet used" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == ["rosa.quinn@millbrook.example"]
    assert "as SRO supervisor at Millbrook Police Department" in message.body
    assert "username: rquinn" in message.body
    audit = AuditEntry.objects.filter(agency=world.agency, object_uuid=user.uuid)
    assert {entry.object_type for entry in audit} == {"accounts.invitation"}
    assert AuditEntry.objects.filter(object_type="accounts.membership", action="create", agency=world.agency).exists()
    assert all("password/set" not in (entry.summary or "") for entry in AuditEntry.objects.all())

    client = Client()
    assert choose_password(client, link_in(message)).status_code == 302
    assert can_sign_in("rquinn", NEW_PASSWORD)


def test_a_school_admin_is_added_for_one_of_the_districts_schools(page_as, world, mailoutbox, commits):
    data = {**NEW_SUPERVISOR, "role": "school_admin", "school": str(world.high.uuid)}
    with commits():
        response = page_as("district_admin").post(add_url("district", world.district), data)
    assert response.status_code == 302
    assert membership("rquinn", Role.SCHOOL_ADMIN).school == world.high
    assert "School admin (principal) at Millbrook High at Millbrook Public Schools" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        ("district", {"role": "school_admin"}, "school", people.SCHOOL_NEEDED),
        ("district", {"role": "district_admin", "school": "HIGH"}, "school", people.SCHOOL_ONLY_FOR_SCHOOL_ADMIN),
        ("agency", {"username": "supervisor"}, "username", "This username is already taken."),
        ("agency", {"email": "not-an-address"}, "email", "Enter a valid email address."),
        ("agency", {"email": ""}, "email", "This field is required."),
        ("agency", {"role": "district_admin"}, "role", None),
        ("agency", {"role": "officer"}, "role", None),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_written_or_sent(
    page_as, world, mailoutbox, commits, kind, changes, field, message
):
    place = world.agency if kind == "agency" else world.district
    data = {**NEW_SUPERVISOR, "role": "district_admin" if kind == "district" else "supervisor"}
    data |= {k: str(world.high.uuid) if v == "HIGH" else v for k, v in changes.items()}
    before = row_counts()
    with commits():
        response = page_as("platform_admin").post(add_url(kind, place), data)
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and (message is None or errors == [message])
    assert row_counts() == before
    assert mailoutbox == []


def test_another_role_goes_to_someone_already_here(page_as, world):
    data = {"user": str(world.users["supervisor"].uuid), "role": "agency_admin"}
    response = page_as("agency_admin").post(grant_url("agency", world.agency), data)
    assert response.status_code == 302
    assert membership("supervisor", Role.AGENCY_ADMIN).agency == world.agency


def test_another_role_cannot_go_to_someone_from_elsewhere_or_twice(page_as, world):
    before = row_counts()
    client = page_as("agency_admin")
    outsider = client.post(
        grant_url("agency", world.agency), {"user": str(world.users["district_admin"].uuid), "role": "supervisor"}
    )
    assert field_errors(outsider, "user")
    twice = client.post(
        grant_url("agency", world.agency), {"user": str(world.users["supervisor"].uuid), "role": "supervisor"}
    )
    assert field_errors(twice, "role") == ["The user already has this role here."]
    assert row_counts() == before


def test_removing_a_role_asks_first_then_keeps_the_login_and_the_audit_trail(page_as, world):
    client = page_as("agency_admin")
    held = membership("supervisor", Role.SUPERVISOR)
    confirm = client.get(remove_url(held))
    assert "Remove Supervisor Tester's role as SRO supervisor?" in confirm.content.decode()
    assert Membership.objects.filter(pk=held.pk).exists()
    response = client.post(remove_url(held), follow=True)
    assert response.redirect_chain[-1][0] == people_url("agency", world.agency)
    assert "Supervisor Tester is no longer SRO supervisor." in response.content.decode()
    assert not Membership.objects.filter(pk=held.pk).exists()
    assert User.objects.filter(username="supervisor", is_active=True).exists()
    entry = AuditEntry.objects.get(action="delete", object_uuid=held.uuid)
    assert (entry.agency, entry.actor, entry.before["role"]) == (
        world.agency,
        world.users["agency_admin"],
        "supervisor",
    )


def test_the_last_admin_cannot_be_removed(page_as, world):
    before = row_counts()
    response = page_as("platform_admin").post(remove_url(membership("agency_admin", Role.AGENCY_ADMIN)))
    assert response.status_code == 409
    assert "This is the last agency admin (chief) here" in response.content.decode()
    district = page_as("district_admin").post(remove_url(membership("district_admin", Role.DISTRICT_ADMIN)))
    assert district.status_code == 409
    assert row_counts() == before


def test_an_admin_can_be_removed_once_there_is_another(page_as, world):
    client = page_as("agency_admin")
    client.post(
        grant_url("agency", world.agency), {"user": str(world.users["supervisor"].uuid), "role": "agency_admin"}
    )
    assert client.post(remove_url(membership("agency_admin", Role.AGENCY_ADMIN))).status_code == 302


def test_an_officers_role_is_not_removed_here(page_as, world):
    before = row_counts()
    response = page_as("agency_admin").post(remove_url(membership("officer", Role.OFFICER)))
    assert response.status_code == 409
    assert people.OFFICERS_ELSEWHERE in response.content.decode()
    assert row_counts() == before


def test_an_unused_invitation_can_be_sent_again(page_as, world, mailoutbox, commits):
    client = page_as("agency_admin")
    with commits():
        client.post(add_url("agency", world.agency), NEW_SUPERVISOR)
    held = membership("rquinn", Role.SUPERVISOR)
    with commits():
        response = client.post(reverse("accounts:invitation_resend", args=[held.uuid]), follow=True)
    assert "Sent Rosa Quinn a new invitation at rosa.quinn@millbrook.example." in response.content.decode()
    assert len(mailoutbox) == 2
    assert choose_password(Client(), link_in(mailoutbox[1])).status_code == 302


def test_no_invitation_goes_to_someone_who_has_a_password(page_as, world, mailoutbox, commits):
    held = membership("supervisor", Role.SUPERVISOR)
    with commits():
        response = page_as("agency_admin").post(reverse("accounts:invitation_resend", args=[held.uuid]), follow=True)
    assert "has already chosen a password" in response.content.decode()
    assert mailoutbox == []


def test_an_officer_row_links_to_the_officer_page(page_as, world):
    page = page_as("agency_admin").get(people_url("agency", world.agency)).content.decode()
    assert reverse("directory:officer_detail", args=[world.officer.uuid]) in page


def test_a_mail_server_failure_keeps_the_person_and_is_logged(page_as, world, commits, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with commits():
        response = page_as("agency_admin").post(add_url("agency", world.agency), NEW_SUPERVISOR)
    assert response.status_code == 302
    assert User.objects.filter(username="rquinn").exists()
    assert "Could not send the invitation e-mail" in caplog.text


# --- a person's name and address ---------------------------------------------------------------------


def edit_url(kind, place, user):
    return reverse("accounts:person_edit", args=[kind, place.uuid, user.uuid])


def test_a_mistyped_address_is_fixed_and_the_invitation_sent_again(page_as, world, mailoutbox, commits):
    client = page_as("agency_admin")
    with commits():
        client.post(add_url("agency", world.agency), {**NEW_SUPERVISOR, "email": "rosa@typo.example"})
    user = User.objects.get(username="rquinn")
    assert edit_url("agency", world.agency, user) in client.get(people_url("agency", world.agency)).content.decode()
    response = client.post(
        edit_url("agency", world.agency, user),
        {"first_name": "Rosa", "last_name": "Quinn", "email": "rosa@right.example"},
    )
    assert response.status_code == 302
    with commits():
        client.post(reverse("accounts:invitation_resend", args=[membership("rquinn", Role.SUPERVISOR).uuid]))
    assert mailoutbox[-1].to == ["rosa@right.example"]
    entry = AuditEntry.objects.filter(object_uuid=user.uuid, action="update").get()
    assert (entry.before, entry.after) == ({"email": "rosa@typo.example"}, {"email": "rosa@right.example"})


def test_someone_with_a_role_elsewhere_is_edited_only_by_a_platform_admin(page_as, api_as, world):
    principal = world.users["school_admin"]
    Membership.objects.create(user=principal, role=Role.EVALUATOR, agency=world.agency)
    url = edit_url("agency", world.agency, principal)
    data = {"first_name": "School", "last_name": "Tester", "email": "attacker@example.org"}
    assert page_as("agency_admin").get(url).status_code == 403
    assert page_as("agency_admin").post(url, data).status_code == 403
    api = api_as("agency_admin").patch(f"/accounts/people/{principal.uuid}?agency={world.agency.uuid}", data)
    assert api.status_code == 403
    principal.refresh_from_db()
    assert principal.email == ""
    assert (
        edit_url("agency", world.agency, principal)
        not in page_as("agency_admin").get(people_url("agency", world.agency)).content.decode()
    )
    assert page_as("platform_admin").post(url, data).status_code == 302


def test_a_bad_address_is_named_and_nothing_changes(page_as, api_as, world):
    supervisor = world.users["supervisor"]
    api_client = api_as("agency_admin")  # its token is a row: made before counting
    before = row_counts()
    response = page_as("agency_admin").post(
        edit_url("agency", world.agency, supervisor), {"first_name": "S", "last_name": "T", "email": "nope"}
    )
    assert field_errors(response, "email")
    api = api_client.patch(f"/accounts/people/{supervisor.uuid}?agency={world.agency.uuid}", {"email": "nope"})
    assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["email"]
    assert row_counts() == before


def test_the_api_changes_a_name(api_as, world):
    supervisor = world.users["supervisor"]
    response = api_as("agency_admin").patch(
        f"/accounts/people/{supervisor.uuid}?agency={world.agency.uuid}", {"last_name": "Renamed"}
    )
    assert response.status_code == 200 and response.json()["last_name"] == "Renamed"


def test_the_people_page_reads_a_fixed_number_of_queries_however_many_people(page_as, world):
    client = page_as("agency_admin")
    client.get(people_url("agency", world.agency))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(people_url("agency", world.agency)).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4):
        user = User.objects.create(username=f"extra{n}", first_name="Extra", last_name=str(n))
        Membership.objects.create(user=user, role=Role.SUPERVISOR, agency=world.agency)
    assert queries() == before
