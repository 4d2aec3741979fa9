"""The outcomes page in a browser: reached from the district page, the year can be changed, every chart
has its table, it passes axe-core, and it fits a phone without sideways scrolling of the page itself."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from liaison.directory.services import enrollment_set
from liaison.insights.tests.test_outcomes_disclosure import YEAR, _on, _positive
from liaison.interactions.services import interaction_record
from liaison.lib.school_years import school_year_of
from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def desktop(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context.new_page()
    context.close()


def _some_contacts(world) -> None:
    enrollment_set(
        actor=world.users["platform_admin"],
        school=world.elementary,
        school_year=school_year_of(timezone.localdate()),
        total=300,
    )
    for kind in ("positive", "positive", "instruction", "staff"):
        interaction_record(
            actor=world.officer.user,
            officer=world.officer,
            school=world.elementary,
            kind=kind,
            occurred_at=timezone.now() - datetime.timedelta(hours=2),
        )


def test_a_superintendent_reads_the_outcomes_of_the_district(world, desktop, sign_in, live_server):
    _some_contacts(world)
    page = desktop
    sign_in(page, "district_admin")
    page.goto(live_server.url + reverse("directory:district_detail", args=[world.district.uuid]))
    page.get_by_role("link", name="Outcomes: is the program working?").click()
    expect(page.get_by_role("heading", name="Positive contacts per 100 enrolled students")).to_be_visible()
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == page.locator("table.numbers").count() == 12  # every chart has its table (no wave yet)
    expect(page.get_by_role("table", name="Positive contacts, % of all contacts")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("School year").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("School year", exact=False).first).to_be_visible()
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.get_by_role("link", name="Contacts and trust, school by school").click()
    expect(page.get_by_role("heading", name="Read with care")).to_be_visible()
    assert axe_violations(page) == []


def test_an_evaluator_reads_a_closed_years_outcomes_with_small_counts_suppressed(world, desktop, sign_in, live_server):
    _positive(world, 4, _on(11))  # a small month of a closed year
    _positive(world, 25, _on(12))
    page = desktop
    sign_in(page, "evaluator")
    page.goto(live_server.url + reverse("insights:equity", args=[world.district.uuid]) + f"?school_year={YEAR}")
    page.get_by_role("link", name=f"Outcomes by month, {YEAR}").click()
    expect(page.get_by_role("heading", name="Positive contacts per 100 enrolled students")).to_be_visible()
    expect(page.get_by_text("Counts from 1 to 9 are suppressed", exact=False)).to_be_visible()
    assert page.locator("table.numbers .suppressed").count() > 0
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 667})
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
