"""In Chromium: an officer sets up an authenticator app, then signs in with its code (computed here)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_officer_sets_up_an_authenticator_and_signs_in_with_it(world, page, sign_in, live_server):
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/accounts/account/")
    expect(page.get_by_text("Your role needs a second factor")).to_be_visible()
    page.get_by_role("link", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    set_up_at = time.time()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(set_up_at))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your second factor is on")).to_be_visible()
    assert len(re.findall(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", page.locator("#recovery-codes").inner_text())) == 10
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Sign out", exact=True).click()

    sign_in(page, "officer")
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    # A code of a later 30-second step than set-up's: a code once used is never accepted again.
    later_step = max(time.time(), (int(set_up_at) // 30 + 1) * 30)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(later_step))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
