"""user_create and membership_grant: validated, audited, and refusing what does not fit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from liaison.accounts.models import MEMBERSHIP_SCOPE_MISMATCH, AuditEntry, Membership
from liaison.accounts.roles import Role
from liaison.accounts.scope import user_scope
from liaison.accounts.services import MEMBERSHIP_EXISTS, USERNAME_TAKEN, membership_grant, user_create
from liaison.conftest import PASSWORD
from liaison.lib.errors import ConflictError


@pytest.fixture
def root(world):
    return world.users["platform_admin"]


def test_a_new_user_can_sign_in_with_their_password(root):
    user = user_create(actor=root, username="newcomer", password=PASSWORD, first_name="Nia")
    assert user.check_password(PASSWORD)
    assert not user.is_superuser


def test_a_user_created_without_a_password_cannot_sign_in_with_one(root):
    user = user_create(actor=root, username="sso_only", password=None)
    assert not user.has_usable_password()


def test_a_superuser_is_also_staff_for_the_admin_site(root):
    user = user_create(actor=root, username="second_root", password=PASSWORD, is_superuser=True)
    assert user.is_superuser and user.is_staff


def test_a_taken_username_is_a_conflict(root):
    with pytest.raises(ConflictError) as clash:
        user_create(actor=root, username="agency_admin", password=PASSWORD)
    assert clash.value.message_dict == {"username": [USERNAME_TAKEN]}


def test_a_weak_password_is_refused_on_the_password_field(root):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=root, username="newcomer", password="12345")
    assert list(refused.value.message_dict) == ["password"]
    assert not AuditEntry.objects.filter(object_type="accounts.user").exists()


def test_a_membership_grant_gives_the_user_that_scope_and_is_logged_for_the_agency(root, world):
    user = user_create(actor=root, username="chief2", password=PASSWORD)
    membership = membership_grant(actor=root, user=user, role=Role.AGENCY_ADMIN, agency=world.agency)
    assert user_scope(user).agencies(Role.AGENCY_ADMIN) == {world.agency.pk}
    entry = AuditEntry.objects.get(object_uuid=membership.uuid)
    assert (entry.agency_id, entry.district_id) == (world.agency.pk, None)


def test_a_role_needs_the_scope_that_fits_it(root, world):
    user = user_create(actor=root, username="superintendent2", password=PASSWORD)
    with pytest.raises(ValidationError) as refused:
        membership_grant(actor=root, user=user, role=Role.DISTRICT_ADMIN, agency=world.agency)
    assert refused.value.message_dict == {"district": [MEMBERSHIP_SCOPE_MISMATCH.format(scope="district")]}
    assert not Membership.objects.filter(user=user).exists()


def test_the_same_membership_twice_is_a_conflict(root, world):
    user = world.users["supervisor"]
    with pytest.raises(ConflictError) as clash:
        membership_grant(actor=root, user=user, role=Role.SUPERVISOR, agency=world.agency)
    assert clash.value.message_dict == {"role": [MEMBERSHIP_EXISTS]}
