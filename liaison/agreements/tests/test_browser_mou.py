"""Signing an MOU in a real browser, on a phone-sized screen: each party signs through the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from liaison.agreements import services, views
from liaison.agreements.tests.mous import draft_mou

pytestmark = pytest.mark.browser


def _open_mou(page, live_server, title: str) -> None:
    page.goto(f"{live_server.url}/mou/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_the_agency_head_and_the_superintendent_each_sign_and_the_mou_comes_into_force(
    world, phone_page, sign_in, live_server
):
    version = draft_mou(world).versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    page = phone_page

    sign_in(page, "agency_admin")
    _open_mou(page, live_server, "Millbrook SRO MOU")
    signatures = page.locator("#signatures")
    expect(signatures.get_by_role("button", name="Sign as Superintendent")).to_have_count(0)
    signatures.get_by_role("button", name="Sign as Agency head (chief or sheriff)").click()
    expect(page.get_by_role("status")).to_contain_text(
        views.SIGNED.format(number=1, party="Agency head (chief or sheriff)")
    )
    expect(page.locator("#version-heading")).to_contain_text("Awaiting signatures")
    page.get_by_role("button", name="Sign out", exact=True).click()

    sign_in(page, "district_admin")
    _open_mou(page, live_server, "Millbrook SRO MOU")
    expect(signatures.get_by_role("button", name="Sign as Agency head (chief or sheriff)")).to_have_count(0)
    signatures.get_by_role("button", name="Sign as Superintendent").click()
    expect(page.get_by_role("status")).to_contain_text(views.SIGNED.format(number=1, party="Superintendent"))

    expect(page.locator("#version-heading")).to_contain_text("In force")
    expect(page.locator("dl.facts").first).to_contain_text("Version 1 In force")
    expect(signatures.get_by_role("button")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing spills sideways
    page.goto(f"{live_server.url}/mou/")
    row = page.get_by_role("row", name="Millbrook SRO MOU")
    expect(row).to_contain_text("In force")
