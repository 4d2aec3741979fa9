"""In Chromium with a virtual authenticator (DevTools' WebAuthn domain): add a passkey, sign in with it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from liaison.accounts.models import Passkey

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
    assert len(re.findall(r"[a-z2-7]{8}", codes.inner_text())) == 10
    assert Passkey.objects.get(user=world.users["supervisor"]).name == "work laptop"
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "supervisor")
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page).to_have_url(re.compile(rf"{live_server.url}/agencies/{world.agency.uuid}/"))
    assert Passkey.objects.get(user=world.users["supervisor"]).last_used_at is not None
