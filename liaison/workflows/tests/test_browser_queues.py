"""Each role signs in and lands on what waits for them, in a real browser on a phone-sized screen, with
the count on the navigation filled in after the page (htmx)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from liaison.surveys.tests.test_browser_surveys import axe_violations, phone

from .pending import pending_work

__all__ = ["phone"]  # fixture: a phone-sized page open to axe-core

pytestmark = pytest.mark.browser

# What each role's home must show: (section heading, a link inside it).
PENDING = {
    "officer": [
        ("Reviews of your actions with new comments", "Arrest at Millbrook Elementary"),
        ("Mentees due a meeting", "Mentee at Millbrook Elementary"),
    ],
    "supervisor": [
        ("Open reviews", "Arrest at Millbrook Elementary"),
        ("Mentee notices to acknowledge", "Enforcement on a mentee"),
    ],
    "agency_admin": [
        ("Signatures awaited", "Millbrook SRO MOU (version 2)"),
        ("Open reviews", "Arrest at Millbrook Elementary"),
    ],
    "district_admin": [
        ("Signatures awaited", "Millbrook SRO MOU (version 2)"),
        ("Coverage gaps", "Millbrook High has no officer"),
    ],
    "school_admin": [
        ("Your officers this month", "Officer Officer Tester at Millbrook Elementary"),
        ("The MOU in force", "Millbrook SRO MOU (version 1)"),
    ],
    "evaluator": [("Is the program working?", "Trust surveys")],
}
WAITING = {"officer", "supervisor", "agency_admin", "district_admin"}


def test_each_role_lands_on_their_pending_items(world, phone, sign_in, live_server):
    pending_work(world)
    page = phone
    for role, sections in PENDING.items():
        sign_in(page, role)
        assert page.url == f"{live_server.url}/", role
        expect(page.get_by_role("heading", name="What waits for you")).to_be_visible()
        for heading, link in sections:
            section = page.locator("section.queue-section").filter(has=page.get_by_role("heading", name=heading))
            expect(section.get_by_role("link", name=link).first).to_be_visible()
        home = page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
        if role in WAITING:
            expect(home.locator("[data-work-waiting]")).to_have_count(1)
        else:
            expect(home).to_have_text("Home")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, role  # nothing spills sideways
        assert axe_violations(page) == [], role
        page.get_by_role("button", name="Sign out", exact=True).click()
