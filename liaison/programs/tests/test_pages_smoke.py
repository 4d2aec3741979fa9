"""Every programs page renders for the people who use it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liaison.conftest import World

from .programs import relationship, session

PAGES = [
    "programs:home",
    "programs:curricula",
    "programs:sessions",
    "programs:calendar",
    "programs:mentoring",
    "programs:presence",
    "programs:liaison",
    "programs:school_calendars",
    "programs:session_create",
    "programs:relationship_create",
    "programs:liaison_create",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["officer", "supervisor", "platform_admin"])
def test_page_renders(name: str, role: str, world: World, page_as) -> None:
    session(world)
    relationship(world)
    response = page_as(role).get(reverse(name))
    assert response.status_code == 200, response.content[:2000]
