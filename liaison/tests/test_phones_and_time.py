"""Phones and time, through the pages: the icon, error pages in the layout, a superseded MOU version's
end, times in the program's zone with its name, and no mentoring links that would answer 403."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from liaison.agreements import selectors, services
from liaison.agreements.tests.mous import draft_mou, sign_all
from liaison.directory.time_zones import SESSION_KEY

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def test_the_favicon_is_served_at_the_root(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response).startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_a_refusal_is_a_page_in_the_layout_that_fits_a_phone(page_as, world):
    response = page_as("evaluator").get(reverse("interactions:list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert VIEWPORT in html and 'class="site-header"' in html and "You may not do this" in html


def test_a_missing_page_is_a_page_in_the_layout_that_fits_a_phone(db):
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert VIEWPORT in html and "Page not found" in html


def _superseded(world):
    agreement = draft_mou(world)
    sign_all(world, agreement.versions.get())
    second = services.version_new_draft(
        actor=world.users["agency_admin"], agreement=agreement, effective_date=datetime.date(2026, 8, 1)
    )
    sign_all(world, second)
    return agreement


def test_a_superseded_version_without_an_expiry_ends_the_day_before_its_successor(world):
    agreement = _superseded(world)
    first = agreement.versions.get(number=1)
    assert first.expiry_date is None
    assert selectors.version_last_day(first, datetime.date(2026, 9, 1)) == datetime.date(2026, 7, 31)
    assert selectors.version_last_day(first, datetime.date(2026, 7, 1)) is None  # not superseded yet


def test_the_versions_table_shows_the_superseded_versions_last_day(page_as, world):
    agreement = _superseded(world)
    html = page_as("agency_admin").get(reverse("agreements:detail", args=[agreement.uuid])).content.decode()
    assert '2025-08-01 <span class="muted">to</span> 2026-07-31' in html


def test_signatures_read_in_the_programs_zone_with_its_name_for_a_district_admin(page_as, world):
    agreement = draft_mou(world)
    # 12:00 UTC on 2 July 2025 is 08:00 in Millbrook (America/New_York, daylight time).
    sign_all(world, agreement.versions.get())
    client = page_as("district_admin")
    assert client.session[SESSION_KEY] == "America/New_York"  # the agency serving the district
    html = client.get(reverse("agreements:detail", args=[agreement.uuid])).content.decode()
    assert "2 Jul 2025, 08:00 EDT" in html
    assert "12:00" not in html


def test_district_admins_are_shown_no_mentoring_links_and_supervisors_are(page_as, world):
    mentoring = reverse("programs:mentoring")
    assert f'href="{mentoring}' not in page_as("district_admin").get(reverse("programs:home")).content.decode()
    assert page_as("district_admin").get(mentoring).status_code == 403  # what the link would have answered
    assert f'href="{mentoring}' in page_as("supervisor").get(reverse("programs:home")).content.decode()
