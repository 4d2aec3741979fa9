"""A parent reads the published MOU on a phone, without signing in; the pages pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from liaison.agreements import services
from liaison.agreements.tests.mous import mou_in_force
from liaison.surveys.tests.test_browser_surveys import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_parent_reads_the_published_mou_on_a_phone(world, phone, live_server, transactional_db):
    agreement = mou_in_force(world)
    services.agreement_publish(actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True)
    phone.goto(live_server.url + reverse("public_mous"))
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Millbrook SRO MOU", exact=True).click()
    expect(phone.get_by_role("heading", name="Millbrook SRO MOU", level=1)).to_be_visible()
    expect(phone.get_by_role("heading", name="Signatures")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    phone.get_by_role("link", name="The program's figures this year").click()
    expect(phone.get_by_role("heading", name="Enforcement actions")).to_be_visible()
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
