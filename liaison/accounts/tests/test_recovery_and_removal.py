"""Recovery codes kept as digests, renewed after a recent second factor; removing one's own factors."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.mfa import LAST_FACTOR_NEEDED, _recovery_codes_replace
from liaison.accounts.models import ApiToken, AuditEntry, Passkey, RecoveryCode
from liaison.accounts.recovery_codes import recovery_code_use, recovery_codes_left
from liaison.accounts.tests.test_mfa import VERIFY, enrol, sign_in
from liaison.accounts.tokens import api_token_create
from liaison.conftest import ROLES

RENEW = reverse("accounts:recovery_codes")
REMOVE_TOTP = reverse("accounts:mfa_totp_remove")
CONFIRM = reverse("accounts:confirm")
ACCOUNT = reverse("accounts:account")
CODE = re.compile(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}")


def passkey_of(user, name="blue key") -> Passkey:
    return Passkey.objects.create(user=user, name=name, credential_id=f"cred-{user.pk}-{name}", public_key=b"k")


def remove_url(passkey: Passkey) -> str:
    return reverse("accounts:passkey_remove", args=[passkey.uuid])


# --- recovery codes -------------------------------------------------------------------------------------


def test_recovery_codes_are_stored_as_digests_only(world):
    user = world.users["supervisor"]
    codes = _recovery_codes_replace(user)
    assert len(codes) == 10 and all(CODE.fullmatch(code) for code in codes)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(code in digest or code.replace("-", "") in digest for code in codes for digest in stored)


def test_a_recovery_code_is_burned_by_its_use_and_the_use_audited(world):
    user = world.users["supervisor"]
    codes = _recovery_codes_replace(user)
    assert recovery_code_use(user, codes[3].upper().replace("-", " "))  # as typed from paper
    assert not recovery_code_use(user, codes[3])
    assert recovery_codes_left(user) == 9
    entry = AuditEntry.objects.filter(object_type="accounts.recovery_codes").first()
    assert entry is not None and "used a recovery code; 9 left" in entry.summary


def test_one_persons_code_is_no_use_to_another(world):
    codes = _recovery_codes_replace(world.users["supervisor"])
    assert not recovery_code_use(world.users["officer"], codes[0])


def test_a_recovery_code_signs_in_once_at_the_code_page(world):
    user = world.users["supervisor"]
    enrol(user)
    codes = _recovery_codes_replace(user)
    first = Client()
    sign_in(first, "supervisor")
    assert first.post(VERIFY, {"code": codes[0]}).status_code == 302
    second = Client()
    sign_in(second, "supervisor")
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 400


def test_new_recovery_codes_need_a_recent_second_factor(page_as, world):
    user = world.users["supervisor"]
    enrol(user)
    client = page_as("supervisor", second_factor=True)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=settings.REAUTH_MINUTES + 1)):
        refused = client.post(RENEW)
    assert refused.status_code == 302 and refused["Location"].startswith(CONFIRM)
    assert recovery_codes_left(user) == 0


def test_new_recovery_codes_are_shown_once_and_replace_the_old(page_as, world):
    user = world.users["supervisor"]
    enrol(user)
    old = _recovery_codes_replace(user)
    client = page_as("supervisor", second_factor=True)
    assert client.get(RENEW).status_code == 200
    page = client.post(RENEW)
    assert page.status_code == 200
    new = CODE.findall(page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert not recovery_code_use(user, old[0])
    assert recovery_code_use(user, new[0])
    assert AuditEntry.objects.filter(object_type="accounts.recovery_codes", summary__startswith="New recovery").exists()


def test_a_session_still_at_the_code_page_cannot_renew_the_codes(world):
    enrol(world.users["supervisor"])
    client = Client()
    sign_in(client, "supervisor")
    response = client.post(RENEW)
    assert response.status_code == 302 and recovery_codes_left(world.users["supervisor"]) == 0


def test_without_a_factor_there_are_no_codes_to_renew(page_as, world):
    response = page_as("evaluator").post(RENEW)
    assert response.status_code == 302 and not RecoveryCode.objects.exists()


# --- removing one's own factors -------------------------------------------------------------------------


def test_removing_a_passkey_with_another_factor_left(page_as, world):
    user = world.users["supervisor"]
    enrol(user)
    passkey = passkey_of(user)
    api_token_create(user=user)
    client = page_as("supervisor", second_factor=True)
    response = client.post(remove_url(passkey), follow=True)
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert "Removed the passkey “blue key”" in response.content.decode()
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="delete", summary__contains="removed the passkey").exists()


def test_the_last_factor_of_a_role_that_needs_one_cannot_be_removed(page_as, world):
    user = world.users["supervisor"]
    passkey = passkey_of(user)
    client = page_as("supervisor", second_factor=True)
    response = client.post(remove_url(passkey), follow=True)
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert LAST_FACTOR_NEEDED in response.content.decode()


def test_the_last_authenticator_app_of_a_role_that_needs_one_cannot_be_removed(page_as, world):
    enrol(world.users["officer"])
    response = page_as("officer", second_factor=True).post(REMOVE_TOTP, follow=True)
    assert LAST_FACTOR_NEEDED in response.content.decode()
    assert world.users["officer"].totpdevice_set.exists()


def test_removing_the_app_while_a_passkey_is_left(page_as, world):
    user = world.users["officer"]
    enrol(user)
    passkey_of(user)
    page_as("officer", second_factor=True).post(REMOVE_TOTP)
    assert not user.totpdevice_set.exists()


def test_someone_whose_role_needs_none_may_remove_their_last_and_the_codes_go_with_it(page_as, world):
    user = world.users["evaluator"]
    passkey = passkey_of(user)
    _recovery_codes_replace(user)
    page_as("evaluator", second_factor=True).post(remove_url(passkey))
    assert not Passkey.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_removing_needs_a_recent_second_factor(world):
    user = world.users["supervisor"]
    enrol(user)
    passkey = passkey_of(user)
    client = Client()
    sign_in(client, "supervisor")  # the password alone: the code page is still ahead
    response = client.post(remove_url(passkey))
    assert response.status_code == 302
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_removing_asks_again_once_the_second_factor_is_old(page_as, world):
    user = world.users["supervisor"]
    enrol(user)
    passkey = passkey_of(user)
    client = page_as("supervisor", second_factor=True)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=settings.REAUTH_MINUTES + 1)):
        response = client.post(remove_url(passkey))
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM)
    assert Passkey.objects.filter(pk=passkey.pk).exists()


@pytest.mark.parametrize("role", [role for role in ROLES if role != "officer"])  # the officer owns it
def test_nobody_removes_someone_elses_passkey(page_as, world, role):
    owner = world.users["officer"]
    enrol(owner)
    passkey = passkey_of(owner)
    response = page_as(role, second_factor=True).post(remove_url(passkey))
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert Passkey.objects.filter(pk=passkey.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reaches_only_its_own_recovery_codes(page_as, world, role):
    response = page_as(role, second_factor=True).get(RENEW)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    else:  # no factor yet: back to the account page, nothing made
        assert response["Location"].startswith(ACCOUNT)
    assert not RecoveryCode.objects.exists()


def test_the_upgrade_turns_plaintext_codes_into_digests_that_still_work(world):
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    user = world.users["supervisor"]
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    migration = importlib.import_module("liaison.accounts.migrations.0010_recovery_codes_stored_hashed")
    migration.hash_plaintext_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert "abcd2345" not in RecoveryCode.objects.get(user=user).digest
    assert recovery_code_use(user, "abcd2345") and not recovery_code_use(user, "abcd2345")
