from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_agency_admin_signs_in_and_lands_on_their_agency(world, page, sign_in, live_server):
    sign_in(page, "agency_admin")
    assert page.url.startswith(f"{live_server.url}/agencies/{world.agency.uuid}/")
    assert "Millbrook Police Department" in page.content()
