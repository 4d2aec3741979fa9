"""A chief adds an SRO supervisor; the supervisor chooses a password from the e-mail and signs in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from liaison.conftest import World
from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def desktop(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_chief_invites_a_supervisor_who_then_signs_in(
    world: World, desktop, browser, sign_in, live_server, mailoutbox
):
    page = desktop
    sign_in(page, "agency_admin")
    page.goto(f"{live_server.url}/agencies/{world.agency.uuid}/")  # home is the work queue
    page.get_by_role("link", name="People and roles").click()
    expect(page.get_by_role("heading", name="People at Millbrook Police Department")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("Username").fill("rquinn")
    page.get_by_label("E-mail").fill("rosa.quinn@millbrook.example")
    page.get_by_label("Role").select_option(label="SRO supervisor")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add and send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("invitation to choose a password is on its way")
    expect(page.get_by_role("row", name=re.compile("Rosa Quinn"))).to_contain_text("Invitation not yet used")

    (message,) = mailoutbox
    link = re.search(r"https?://\S+/accounts/password/set/\S+/", message.body).group(0)
    invitee = browser.new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Choose a password")).to_be_visible()
    invitee.get_by_label(re.compile(r"^New password(?! confirmation)")).fill(NEW_PASSWORD)
    invitee.get_by_label(re.compile(r"^New password confirmation")).fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Save the password").click()
    expect(invitee.get_by_role("heading", name="Password saved")).to_be_visible()
    invitee.get_by_role("link", name="Sign in").click()
    sign_in(invitee, "rquinn", NEW_PASSWORD)
    assert invitee.url == f"{live_server.url}/"  # the supervisor's work queue
    expect(invitee.get_by_role("heading", name="What waits for you")).to_be_visible()
    invitee.context.close()

    page.reload()
    expect(page.get_by_role("row", name=re.compile("Rosa Quinn"))).not_to_contain_text("Invitation not yet used")


def test_an_officer_makes_an_api_token_on_their_account_page(world: World, desktop, sign_in, live_server):
    page = desktop
    sign_in(page, "officer")
    page.get_by_role("link", name="Officer Tester").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Name of the new token").fill("phone app")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token").input_value()
    assert len(token) > 30
    assert axe_violations(page) == []
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("row", name=re.compile("phone app"))).to_contain_text(token[:8])
    page.get_by_role("button", name="Revoke phone app").click()
    expect(page.locator("ul.messages")).to_contain_text("no longer works")
