"""The annual program report in a browser: a superintendent builds it and reads it, and it passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from liaison.insights.tests.test_equity import YEAR
from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_superintendent_builds_and_reads_the_report(world, desktop, sign_in, live_server):
    page = desktop
    sign_in(page, "district_admin")
    page.goto(
        live_server.url + reverse("insights:report", args=["district", world.district.uuid]) + f"?school_year={YEAR}"
    )
    expect(page.get_by_role("heading", name="Annual program report")).to_be_visible()
    page.get_by_role("button", name="Build the report").click()
    expect(page.get_by_role("heading", name="Ready")).to_be_visible()
    expect(page.get_by_role("heading", name="Equity analysis")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    assert axe_violations(page) == []
