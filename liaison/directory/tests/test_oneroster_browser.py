"""A district admin uploads a roster zip in the browser and sees what was imported."""

from __future__ import annotations

import pytest

from liaison.directory.tests.test_oneroster_sets import millbrook_set

pytestmark = pytest.mark.browser


def test_district_admin_uploads_a_roster_and_sees_the_summary(world, page, sign_in, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    roster = millbrook_set().zip(tmp_path / "millbrook-roster.zip")
    sign_in(page, "district_admin")
    page.get_by_role("link", name="Import roster").click()
    page.get_by_label("Roster zip").set_input_files(str(roster))
    page.get_by_label("School year").fill("2025-2026")
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Import finished").wait_for()
    assert page.url.startswith(f"{live_server.url}/imports/")
    counts = page.get_by_role("region", name="Enrollment 2025-2026")
    assert "Millbrook Middle" in counts.inner_text()
    assert page.get_by_text("Students counted").is_visible()
