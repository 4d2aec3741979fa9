"""The owner's admin sees who is locked out of new browsers and can unlock them (audited)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from liaison.accounts.models import AuditEntry, SignInLock
from liaison.accounts.tests.test_people_permissions import AGENCY_MANAGERS, SEES_AGENCY, expected
from liaison.conftest import PASSWORD, ROLES

LOGIN = reverse("accounts:login")


def lock_out(username: str) -> None:
    stranger = Client()
    for _ in range(5):
        stranger.post(LOGIN, {"username": username, "password": "wrong-guess"})
    assert stranger.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 429


def unlock_url(world) -> str:
    return reverse("accounts:person_unlock", args=["agency", world.agency.uuid, world.users["supervisor"].uuid])


@pytest.mark.parametrize("role", ROLES)
def test_unlocking_someone(page_as, world, role):
    lock_out("supervisor")
    response = page_as(role).post(unlock_url(world))
    want = expected(AGENCY_MANAGERS, SEES_AGENCY)[role]
    locked = SignInLock.objects.get(user=world.users["supervisor"]).locked_until is not None
    audited = AuditEntry.objects.filter(action="unlock", object_uuid=world.users["supervisor"].uuid).exists()
    if want == 200:
        assert response.status_code == 302 and not locked and audited
        assert Client().post(LOGIN, {"username": "supervisor", "password": PASSWORD}).status_code == 302
    else:
        assert response.status_code == want and locked and not audited


def test_the_people_page_shows_who_is_locked(page_as, world):
    lock_out("supervisor")
    page = page_as("agency_admin").get(reverse("accounts:people", args=["agency", world.agency.uuid]))
    html = page.content.decode()
    assert "Locked for new browsers until" in html and unlock_url(world) in html


def test_an_admin_cannot_unlock_someone_who_holds_no_role_there(page_as, world):
    lock_out("outsider_agency_admin")
    url = reverse(
        "accounts:person_unlock", args=["agency", world.agency.uuid, world.users["outsider_agency_admin"].uuid]
    )
    assert page_as("agency_admin").post(url).status_code == 404


def test_unlocking_needs_a_post(page_as, world):
    assert page_as("agency_admin").get(unlock_url(world)).status_code == 405
