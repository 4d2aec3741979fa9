"""A new e-mail address takes effect only when its owner confirms it from there; the old address is told."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from liaison.accounts.email_change import (
    LINK_NOT_VALID,
    LINK_NOT_YOURS,
    NOTICE_SUBJECT,
    REQUESTED_SUBJECT,
    email_change_request,
)
from liaison.accounts.models import AuditEntry, Membership, User
from liaison.accounts.roles import Role
from liaison.conftest import ROLES


@pytest.fixture
def supervisor(world):
    user = world.users["supervisor"]
    user.email = "sam@millbrook.example"
    user.save()
    return user


def edit_url(world, user) -> str:
    return reverse("accounts:person_edit", args=["agency", world.agency.uuid, user.uuid])


def change_by_admin(page_as, world, supervisor, new: str, commits) -> None:
    data = {"first_name": supervisor.first_name, "last_name": supervisor.last_name, "email": new}
    with commits(execute=True):
        assert page_as("agency_admin").post(edit_url(world, supervisor), data).status_code == 302


def confirm_path(message) -> str:
    (path,) = re.findall(r"https?://[^/\s]+(/accounts/account/email/confirm/\S+/)", message.body)
    return path


def test_an_admin_cannot_take_over_a_login_by_changing_its_address(
    page_as, world, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    """The weakness: an admin set a supervisor's address to their own, reset the password, signed in."""
    change_by_admin(page_as, world, supervisor, "attacker@example.org", django_capture_on_commit_callbacks)
    supervisor.refresh_from_db()
    assert supervisor.email == "sam@millbrook.example"
    by_subject = {m.subject: m.to for m in mailoutbox}
    assert by_subject == {REQUESTED_SUBJECT: ["attacker@example.org"], NOTICE_SUBJECT: ["sam@millbrook.example"]}
    # The link is useless to the admin: only the supervisor, signed in, can confirm it.
    path = confirm_path(next(m for m in mailoutbox if m.subject == REQUESTED_SUBJECT))
    refused = page_as("agency_admin").post(path)
    assert refused.status_code == 400 and LINK_NOT_YOURS in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": "attacker@example.org"})
    assert not [m for m in mailoutbox if "password" in m.subject.lower() and m.to == ["attacker@example.org"]]
    supervisor.refresh_from_db()
    assert supervisor.email == "sam@millbrook.example"


def test_the_owner_confirms_from_the_new_address_and_the_old_one_is_told(
    page_as, world, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    change_by_admin(page_as, world, supervisor, "sam.new@millbrook.example", django_capture_on_commit_callbacks)
    path = confirm_path(next(m for m in mailoutbox if m.subject == REQUESTED_SUBJECT))
    owner = page_as("supervisor")
    assert owner.get(path).status_code == 200  # a button, not the link, confirms
    supervisor.refresh_from_db()
    assert supervisor.email == "sam@millbrook.example"
    with django_capture_on_commit_callbacks(execute=True):
        done = owner.post(path)
    assert done.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.email == "sam.new@millbrook.example"
    assert mailoutbox[-1].to == ["sam@millbrook.example"] and "is now sam.new@" in mailoutbox[-1].body
    assert AuditEntry.objects.filter(object_type="accounts.email").count() == 2
    again = owner.post(path)
    assert again.status_code == 400 and LINK_NOT_VALID in again.content.decode()


def test_a_forged_link_is_refused(page_as, world, supervisor):
    response = page_as("supervisor").post(reverse("accounts:email_confirm", args=["forged"]))
    assert response.status_code == 400 and LINK_NOT_VALID in response.content.decode()


def test_through_the_api_too_the_change_waits(
    api_as, world, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as("agency_admin").patch(
            f"/accounts/people/{supervisor.uuid}?agency={world.agency.uuid}", {"email": "x@example.org"}
        )
    assert response.status_code == 200 and response.json()["email"] == "sam@millbrook.example"
    assert {m.subject for m in mailoutbox} == {REQUESTED_SUBJECT, NOTICE_SUBJECT}


def test_a_mistyped_invitation_address_still_changes_at_once(page_as, world, mailoutbox):
    user = User.objects.create(username="rquinn", email="rosa@typo.example")
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=Role.SUPERVISOR, agency=world.agency)
    data = {"first_name": "Rosa", "last_name": "Quinn", "email": "rosa@right.example"}
    assert page_as("agency_admin").post(edit_url(world, user), data).status_code == 302
    user.refresh_from_db()
    assert user.email == "rosa@right.example"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_person_it_was_sent_for_may_confirm(page_as, world, supervisor, role):
    sent: list[str] = []
    email_change_request(actor=None, user=supervisor, new_email="sam2@example.org", absolute=sent.append)
    token = sent[0].rstrip("/").rsplit("/", 1)[1]
    response = page_as(role).post(reverse("accounts:email_confirm", args=[token]))
    supervisor.refresh_from_db()
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role == "supervisor":
        assert response.status_code == 302 and supervisor.email == "sam2@example.org"
    else:
        assert response.status_code == 400 and supervisor.email == "sam@millbrook.example"
