"""Forgotten passwords, changing one's own, and the account page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from liaison.accounts.models import AuditEntry, User
from liaison.accounts.password_views import PASSWORD_CHANGED, RESETS_PER_CLIENT, RESETS_PER_EMAIL, TOO_MANY_RESETS
from liaison.conftest import PASSWORD

RESET = reverse("accounts:password_reset")
SENT = reverse("accounts:password_reset_sent")
CHANGE = reverse("accounts:password_change")
ACCOUNT = reverse("accounts:account")
NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def link_in(message) -> str:
    """The path of the one "choose a password" link in an e-mail."""
    (url,) = re.findall(r"https?://[^/\s]+(/accounts/password/set/\S+/)", message.body)
    return url


def choose_password(client: Client, link: str, password: str = NEW_PASSWORD):
    """Open the e-mailed link (Django swaps the token for a session key), then post the new password."""
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def can_sign_in(username: str, password: str) -> bool:
    """Through the login form, as a person does."""
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def test_the_login_page_offers_a_reset(client, world):
    assert f'href="{RESET}"' in client.get(reverse("accounts:login")).content.decode()


def test_a_known_address_gets_a_link_that_sets_a_new_password_once(client, world, mailoutbox):
    world.users["supervisor"].email = "sam@millbrook.example"
    world.users["supervisor"].save()
    response = client.post(RESET, {"email": "SAM@millbrook.example"})
    assert response.status_code == 302 and response["Location"] == SENT
    assert [m.to for m in mailoutbox] == [["sam@millbrook.example"]]
    link = link_in(mailoutbox[0])
    assert choose_password(client, link).status_code == 302
    assert can_sign_in("supervisor", NEW_PASSWORD)
    assert not can_sign_in("supervisor", PASSWORD)
    again = Client().get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    entry = AuditEntry.objects.get(object_type="accounts.password")
    assert entry.actor == world.users["supervisor"]
    assert "through an e-mailed link" in entry.summary
    assert entry.before is None and entry.after is None  # never the password or its hash


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, world, mailoutbox):
    response = client.post(RESET, {"email": "nobody@example.org"})
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert mailoutbox == []


def test_a_switched_off_login_gets_no_link(client, world, mailoutbox):
    User.objects.filter(username="supervisor").update(email="sam@millbrook.example", is_active=False)
    client.post(RESET, {"email": "sam@millbrook.example"})
    assert mailoutbox == []


def test_someone_who_lost_their_invitation_gets_a_link_too(client, world, mailoutbox):
    user = User.objects.create(username="newcomer", email="new@millbrook.example")
    user.set_unusable_password()
    user.save()
    client.post(RESET, {"email": "new@millbrook.example"})
    assert choose_password(client, link_in(mailoutbox[0])).status_code == 302
    assert can_sign_in("newcomer", NEW_PASSWORD)


def test_a_weak_new_password_is_refused_and_named(client, world, mailoutbox):
    User.objects.filter(username="supervisor").update(email="sam@millbrook.example")
    client.post(RESET, {"email": "sam@millbrook.example"})
    response = choose_password(client, link_in(mailoutbox[0]), "short")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert can_sign_in("supervisor", PASSWORD)


def test_an_address_gets_a_few_links_an_hour_and_the_page_never_tells(client, world, mailoutbox):
    User.objects.filter(username="supervisor").update(email="sam@millbrook.example")
    answers = [client.post(RESET, {"email": "sam@millbrook.example"}) for _ in range(RESETS_PER_EMAIL + 2)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, SENT)}
    assert len(mailoutbox) == RESETS_PER_EMAIL


def test_one_client_asking_for_many_addresses_is_stopped(client, world, mailoutbox):
    for n in range(RESETS_PER_CLIENT):
        assert client.post(RESET, {"email": f"someone{n}@example.org"}).status_code == 302
    refused = client.post(RESET, {"email": "one-more@example.org"})
    assert refused.status_code == 429
    assert TOO_MANY_RESETS in refused.content.decode()


def test_behind_a_proxy_one_busy_client_does_not_stop_another(client, world, mailoutbox, settings):
    """Behind a reverse proxy every request connects from the proxy: the limit is per real client."""
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(RESETS_PER_CLIENT + 1):
        client.post(RESET, {"email": f"someone{n}@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert (
        client.post(RESET, {"email": "x@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    )
    other = client.post(RESET, {"email": "y@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert other.status_code == 302


def test_the_reset_limit_survives_a_restart_and_holds_across_workers(client, world, mailoutbox):
    """The count lives in the shared store, not in a worker's memory: clearing the cache changes nothing."""
    from django.core.cache import cache

    for n in range(RESETS_PER_CLIENT):
        client.post(RESET, {"email": f"someone{n}@example.org"})
    cache.clear()
    assert client.post(RESET, {"email": "one-more@example.org"}).status_code == 429


def test_changing_ones_own_password_needs_the_old_one(page_as, world):
    client = page_as("officer")
    wrong = client.post(CHANGE, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    assert can_sign_in("officer", PASSWORD)
    right = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert right.redirect_chain[-1][0] == ACCOUNT
    assert PASSWORD_CHANGED in right.content.decode()
    assert can_sign_in("officer", NEW_PASSWORD)
    assert client.get(ACCOUNT).status_code == 200  # still signed in on this device
    entry = AuditEntry.objects.get(object_type="accounts.password")
    assert (entry.actor, entry.summary) == (world.users["officer"], "officer changed their password")


def test_the_password_and_account_pages_need_a_sign_in(client, world):
    for url in (CHANGE, ACCOUNT):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_account_page_shows_roles_and_the_people_one_manages(page_as, world):
    page = page_as("agency_admin").get(ACCOUNT).content.decode()
    assert "Agency admin (chief) at Millbrook Police Department" in page
    assert reverse("accounts:people", args=["agency", world.agency.uuid]) in page
    assert f'href="{CHANGE}"' in page
    officer_page = page_as("officer").get(ACCOUNT).content.decode()
    assert "Officer at Millbrook Police Department" in officer_page
    assert "People you manage" not in officer_page


def test_every_page_links_to_the_account_page(page_as, world):
    assert f'href="{ACCOUNT}"' in page_as("school_admin").get(reverse("home"), follow=True).content.decode()
