"""The directory in a real browser, on a phone-sized screen: what a chief does on the first day."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from liaison.directory import services

pytestmark = pytest.mark.browser


def test_chief_sees_coverage_adds_an_officer_and_assigns_them_to_a_school(world, phone_page, sign_in, live_server):
    page = phone_page
    sign_in(page, "agency_admin")
    page.goto(f"{live_server.url}/agencies/{world.agency.uuid}/")  # home is the work queue

    coverage = page.locator("#coverage")
    expect(coverage.get_by_role("heading", name="Schools without an officer")).to_be_visible()
    expect(coverage.get_by_role("link", name="Millbrook High")).to_be_visible()
    expect(coverage).to_contain_text("Basic SRO course: 0 of 40 hours")

    page.get_by_role("link", name="Add an officer").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Username").fill("nortiz")
    page.get_by_label("Email").fill("nia.ortiz@millbrook.example")
    page.get_by_label("Badge number").fill("202")
    page.get_by_label("Rank").fill("Sergeant")
    page.get_by_role("button", name="Add officer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sergeant Nia Ortiz")
    expect(page.get_by_role("status")).to_contain_text("Added Sergeant Nia Ortiz")
    expect(page.get_by_role("status")).to_contain_text("invitation to choose a password is on its way")

    page.get_by_role("link", name="Assign to a school").click()
    page.get_by_label("School").select_option(label="Millbrook High (Millbrook Public Schools)")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Assigned Sergeant Nia Ortiz to Millbrook High")

    page.locator("#assignments").get_by_role("link", name="Millbrook High", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Millbrook High")
    officers_today = page.locator("section", has=page.get_by_role("heading", name="Officers today"))
    expect(officers_today.get_by_role("link", name="Sergeant Nia Ortiz")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing spills sideways


def test_a_form_error_names_the_field_it_belongs_to(world, phone_page, sign_in, live_server):
    page = phone_page
    sign_in(page, "agency_admin")
    page.goto(f"{live_server.url}/agencies/{world.agency.uuid}/officers/new/")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Username").fill("officer")  # already taken
    page.get_by_label("Email").fill("nia.ortiz@millbrook.example")
    page.get_by_label("Badge number").fill("202")
    page.get_by_role("button", name="Add officer").click()

    username = page.get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    # Django's own aria-describedby: the help, then the error
    expect(username).to_have_accessible_description(
        "The name the officer signs in with. " + services.OFFICER_USERNAME_TAKEN
    )
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    expect(page.get_by_label("First name")).to_have_value("Nia")


def test_choosing_another_day_updates_the_coverage_in_place(world, page, sign_in, live_server):
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/agencies/{world.agency.uuid}/")  # home is the work queue
    coverage = page.locator("#coverage")
    expect(coverage.get_by_role("link", name="Millbrook Elementary")).to_have_count(0)
    page.evaluate("window.__same_page = true")
    page.get_by_label("Show coverage on").fill("2020-09-01")
    page.get_by_role("button", name="Show").click()
    expect(coverage.get_by_role("heading", level=2)).to_contain_text("1 Sep 2020")
    expect(coverage.get_by_role("link", name="Millbrook Elementary")).to_be_visible()
    assert page.evaluate("window.__same_page === true")  # htmx swapped the section; no full reload
