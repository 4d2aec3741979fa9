from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_agency_admin_signs_in_and_lands_on_their_work_queue(world, page, sign_in, live_server):
    sign_in(page, "agency_admin")
    assert page.url == f"{live_server.url}/"
    assert "What waits for you" in page.content()
    assert "Millbrook Police Department" in page.content()  # its MOU dashboard, among the outcomes
