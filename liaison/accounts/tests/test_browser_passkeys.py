"""In Chromium with a virtual authenticator (DevTools' WebAuthn domain): add a passkey, sign in with it."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from liaison.accounts.models import ApiToken, Passkey

pytestmark = pytest.mark.browser


def virtual_authenticator(page) -> None:
    """A platform authenticator that verifies its user and answers at once, as a fingerprint tap would."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def test_a_supervisor_adds_a_passkey_and_signs_in_with_one_tap(world, page, sign_in, live_server):
    virtual_authenticator(page)
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/accounts/account/")
    page.get_by_label("Name of the new passkey").fill("work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    codes = page.locator("#recovery-codes")
    expect(codes).to_be_visible()
    assert len(re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", codes.inner_text())) == 10
    assert Passkey.objects.get(user=world.users["supervisor"]).name == "work laptop"
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Sign out", exact=True).click()

    page.context.clear_cookies()  # a browser new to the account: trusted only once the passkey is used
    sign_in(page, "supervisor")
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    assert "liaison_devices" not in {cookie["name"] for cookie in page.context.cookies()}
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page).to_have_url(f"{live_server.url}/")  # the supervisor's home is their work queue
    assert "liaison_devices" in {cookie["name"] for cookie in page.context.cookies()}
    assert Passkey.objects.get(user=world.users["supervisor"]).last_used_at is not None


def test_an_idle_session_unlocks_with_one_tap_and_what_was_typed_is_sent(world, page, sign_in, live_server):
    """The officer comes back to a locked screen: one tap, and the form sent while locked goes through."""
    virtual_authenticator(page)
    with time_machine.travel(timezone.now(), tick=True) as clock:
        sign_in(page, "supervisor")
        page.goto(f"{live_server.url}/accounts/account/")
        page.get_by_label("Name of the new passkey").fill("phone")
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.locator("#recovery-codes")).to_be_visible()
        page.goto(f"{live_server.url}/accounts/account/")
        page.get_by_label("Name of the new token").fill("records export, typed before a long call")
        # The navigation's badges load by htmx after the page: one that reached the server after the half
        # hour would (rightly) take the page to the lock screen before the button is pressed.
        page.wait_for_load_state("networkidle")
        clock.shift(datetime.timedelta(minutes=31))
        page.get_by_role("button", name="Create token").click()
        expect(page.get_by_role("heading", name="Your session is locked")).to_be_visible()
        page.get_by_role("button", name="Unlock with a passkey").click()
        expect(page.get_by_role("heading", name="Carry on where you were")).to_be_visible()
        page.get_by_role("button", name="Send it").click()
        expect(page.get_by_role("heading", name=re.compile("Your new API token"))).to_be_visible()
    assert ApiToken.objects.get(user=world.users["supervisor"]).name == "records export, typed before a long call"
