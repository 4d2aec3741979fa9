"""Adding and editing officers (agency admins) and their training (admins and supervisors)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from liaison.accounts.models import Membership
from liaison.accounts.roles import Role
from liaison.accounts.tokens import api_token_create
from liaison.conftest import PASSWORD
from liaison.directory import forms, services
from liaison.directory.models import Officer, TrainingRecord
from liaison.directory.tests.pages import add_officer, field_errors, row_counts

NEW_OFFICER = {
    "first_name": "Nia",
    "last_name": "Ortiz",
    "username": "nortiz",
    "password": "a-long-enough-passphrase",
    "email": "nia.ortiz@example.org",
    "badge_number": "202",
    "rank": "Officer",
    "languages": "English, Spanish",
    "status": "active",
}


def _create_url(world):
    return reverse("directory:officer_create", args=[world.agency.uuid])


def test_agency_admin_adds_an_officer_who_can_then_sign_in(page_as, world):
    response = page_as("agency_admin").post(_create_url(world), NEW_OFFICER)
    officer = Officer.objects.get(user__username="nortiz")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:officer_detail", args=[officer.uuid])
    assert (officer.agency, officer.badge_number, officer.languages) == (world.agency, "202", ["English", "Spanish"])
    assert Membership.objects.filter(user=officer.user, role=Role.OFFICER, agency=world.agency).exists()
    assert officer.user.check_password("a-long-enough-passphrase")


def test_an_officer_added_without_a_password_is_emailed_an_invitation_to_choose_one(
    page_as, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "password": ""}, follow=True)
    user = Officer.objects.get(user__username="nortiz").user
    assert not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["nia.ortiz@example.org"]]
    assert "Officer at Millbrook Police Department" in mailoutbox[0].body
    assert "/accounts/password/set/" in mailoutbox[0].body
    assert "An invitation to choose a password is on its way to nia.ortiz@example.org." in response.content.decode()


def test_an_officer_added_with_a_password_gets_no_invitation(
    page_as, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page_as("agency_admin").post(_create_url(world), NEW_OFFICER)
    assert mailoutbox == []


def test_an_officer_needs_an_email_for_the_invitation_or_a_password(page_as, world, mailoutbox):
    before = row_counts()
    response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "password": "", "email": ""})
    assert field_errors(response, "email") == [forms.OFFICER_NEEDS_EMAIL_OR_PASSWORD]
    assert row_counts() == before
    assert mailoutbox == []


def test_a_failed_officer_save_sends_no_invitation(page_as, world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "password": "", "badge_number": "101"})
    assert mailoutbox == []


def test_a_taken_username_is_named_and_nothing_is_written(page_as, world):
    before = row_counts()
    response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "username": "officer"})
    assert field_errors(response, "username") == [services.OFFICER_USERNAME_TAKEN]
    assert row_counts() == before


def test_a_badge_number_already_in_the_agency_is_named_on_the_badge_and_nothing_is_written(page_as, world):
    before = row_counts()
    response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "badge_number": "101"})
    assert len(field_errors(response, "badge_number")) == 1
    assert row_counts() == before


def test_a_weak_password_is_named(page_as, world):
    response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "password": "short"})
    assert field_errors(response, "password")
    assert not Officer.objects.filter(user__username="nortiz").exists()


def test_a_language_list_with_an_empty_item_is_named(page_as, world):
    response = page_as("agency_admin").post(_create_url(world), {**NEW_OFFICER, "languages": "English,,Spanish"})
    assert field_errors(response, "languages") == [forms.LANGUAGES_INVALID]


def test_agency_admin_edits_an_officer_and_their_login_name(page_as, world):
    services.officer_update(actor=world.users["platform_admin"], officer=world.officer, languages=["English", "ASL"])
    url = reverse("directory:officer_edit", args=[world.officer.uuid])
    client = page_as("agency_admin")
    form = client.get(url).context["form"]
    assert form["languages"].value() == "English, ASL"
    data = {**form.initial, "languages": "Portuguese", "rank": "Sergeant", "last_name": "Testa", "email": ""}
    response = client.post(url, data)
    assert response.status_code == 302
    world.officer.refresh_from_db()
    world.officer.user.refresh_from_db()
    assert (world.officer.rank, world.officer.languages, world.officer.user.last_name) == (
        "Sergeant",
        ["Portuguese"],
        "Testa",
    )


def test_a_failed_officer_edit_changes_neither_the_officer_nor_their_login(page_as, world):
    add_officer(world, "colleague", last_name="Colleague", badge="102")
    url = reverse("directory:officer_edit", args=[world.officer.uuid])
    before = row_counts()
    data = {**NEW_OFFICER, "last_name": "Renamed", "badge_number": "102"}
    response = page_as("agency_admin").post(url, data)
    assert len(field_errors(response, "badge_number")) == 1
    world.officer.user.refresh_from_db()
    assert world.officer.user.last_name == "Tester"
    assert row_counts() == before
    assert "<h1>Edit Officer Officer Tester</h1>" in response.content.decode()


def test_supervisor_adds_a_training_record(page_as, world):
    url = reverse("directory:training_record_create", args=[world.officer.uuid])
    data = {"course": "de_escalation", "hours": "8", "completed_on": "2025-03-01", "title": "", "provider": ""}
    response = page_as("supervisor").post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#training")
    record = TrainingRecord.objects.get(officer=world.officer)
    assert (record.course, record.hours, record.agency) == ("de_escalation", 8, world.agency)


def test_training_hours_below_half_an_hour_are_named_and_nothing_is_written(page_as, world):
    url = reverse("directory:training_record_create", args=[world.officer.uuid])
    before = row_counts()
    response = page_as("supervisor").post(url, {"course": "de_escalation", "hours": "0", "completed_on": "2025-03-01"})
    assert field_errors(response, "hours") == ["Ensure this value is greater than or equal to 0.5."]
    assert row_counts() == before


def _edit(page_as, world, **changes):
    data = {**forms.OfficerEditForm.initial_for(world.officer), "languages": "", **changes}
    data["email"] = data.get("email") or ""
    return page_as("agency_admin").post(reverse("directory:officer_edit", args=[world.officer.uuid]), data)


def test_an_officer_made_inactive_can_no_longer_sign_in_or_use_a_token(page_as, world):
    _, token = api_token_create(user=world.officer.user, name="phone")
    assert _edit(page_as, world, status="inactive").status_code == 302
    world.officer.user.refresh_from_db()
    assert world.officer.user.is_active is False
    client = Client()
    client.post(reverse("accounts:login"), {"username": "officer", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _edit(page_as, world, status="active").status_code == 302
    world.officer.user.refresh_from_db()
    assert world.officer.user.is_active is True


def test_an_officer_on_leave_keeps_their_login(page_as, world):
    _edit(page_as, world, status="on_leave")
    world.officer.user.refresh_from_db()
    assert world.officer.user.is_active is True


def test_an_inactive_officer_who_is_also_a_supervisor_keeps_their_login(page_as, world):
    Membership.objects.create(user=world.officer.user, role=Role.SUPERVISOR, agency=world.agency)
    _edit(page_as, world, status="inactive")
    world.officer.user.refresh_from_db()
    assert world.officer.user.is_active is True
