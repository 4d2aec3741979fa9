"""A district's published outcomes in a phone's browser, without signing in: reached from the public
reports, every chart has its table, suppressed figures read "Suppressed", each school's page opens, it
passes axe-core and fits 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from liaison.insights.public_outcomes import public_outcomes_publish_set
from liaison.insights.tests.test_outcomes_disclosure import YEAR
from liaison.insights.tests.test_public_outcomes import district_year  # noqa: F401 (a fixture)
from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_the_public_reads_a_districts_published_outcomes_on_a_phone(district_year, phone, live_server):  # noqa: F811
    world = district_year
    public_outcomes_publish_set(
        actor=world.users["district_admin"],
        owner=world.district,
        school_year=YEAR,
        published=True,
        today=timezone.localdate(),
    )
    page = phone
    page.goto(live_server.url + reverse("public_reports"))
    page.get_by_role("link", name="The districts' published outcomes").click()
    page.get_by_role("link", name=f"{world.district.name}, {YEAR}").click()
    expect(page.get_by_role("heading", name="Positive contacts per 100 enrolled students")).to_be_visible()
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == page.locator("table.numbers").count() > 0  # every chart has its table
    assert page.locator("table.numbers .suppressed").count() > 0
    expect(page.get_by_text("Counts from 1 to 9 are suppressed", exact=False)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    assert axe_violations(page) == []
    page.get_by_role("link", name=world.high.name).click()
    expect(page.get_by_role("link", name="The whole district")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    assert axe_violations(page) == []
