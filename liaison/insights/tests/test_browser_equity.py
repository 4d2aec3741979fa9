"""The equity page in a browser: the year can be changed, and it passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_superintendent_reads_the_equity_page(world, desktop, sign_in, live_server):
    page = desktop
    sign_in(page, "district_admin")
    page.goto(live_server.url + reverse("directory:district_detail", args=[world.district.uuid]))
    page.get_by_role("link", name="Equity of enforcement actions").click()
    expect(page.get_by_role("heading", name="Equity of enforcement actions")).to_be_visible()
    expect(page.get_by_role("heading", name="School-related arrest")).to_be_visible()
    page.get_by_label("School year").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("note").first).to_contain_text("Enrollment by race/ethnicity")
    assert axe_violations(page) == []


def test_the_crdc_page_passes_axe(world, desktop, sign_in, live_server):
    page = desktop
    sign_in(page, "district_admin")
    page.goto(live_server.url + reverse("directory:district_detail", args=[world.district.uuid]))
    page.get_by_role("link", name="CRDC counts: the police side").click()
    expect(page.get_by_role("heading", name="Millbrook Elementary")).to_be_visible()
    assert axe_violations(page) == []
