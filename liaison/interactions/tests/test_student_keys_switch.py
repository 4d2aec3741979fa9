"""District admins switch pseudonymous student keys on and off, on a page and through the API."""

from __future__ import annotations

import pytest

from liaison.accounts.models import AuditEntry
from liaison.conftest import ROLES
from liaison.interactions.models import StudentKeySetting
from liaison.interactions.services import student_keys_enabled
from liaison.interactions.student_keys import STUDENT_KEYS_EXPLAINED

MAY_SWITCH = {"platform_admin", "district_admin"}


def page_url(world) -> str:
    return f"/log/student-keys/{world.district.uuid}/"


def api_path(world) -> str:
    return f"/student-keys/{world.district.uuid}"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_districts_admins_switch_keys_on_the_page(world, page_as, role):
    response = page_as(role).post(page_url(world), {"enabled": "on"})
    switched = student_keys_enabled(district=world.district)
    if role in MAY_SWITCH:
        assert (response.status_code, switched) == (302, True)
    elif role == "anonymous":
        assert (response.status_code, switched) == (302, False)
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert (response.status_code in {403, 404}, switched) == (True, False)
        # An outsider does not learn the district exists.
        assert response.status_code == 404 or not role.startswith("outsider")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_districts_admins_switch_keys_through_the_api(world, api_as, role):
    response = api_as(role).put(api_path(world), {"enabled": True})
    switched = student_keys_enabled(district=world.district)
    if role in MAY_SWITCH:
        assert (response.status_code, switched) == (200, True)
        assert response.json() == {
            "district": str(world.district.uuid),
            "enabled": True,
            "explanation": STUDENT_KEYS_EXPLAINED,
        }
    else:
        expected = {401} if role == "anonymous" else {403, 404}
        assert (response.status_code in expected, switched) == (True, False)


def test_the_page_explains_what_keys_mean_and_shows_the_state(world, page_as):
    page = page_as("district_admin").get(page_url(world)).content.decode()
    assert "never stores the id" in page
    assert "<strong>Off</strong>" in page


def test_switching_off_keeps_the_salt_so_keys_stay_the_same_when_switched_on_again(world, api_as):
    client = api_as("district_admin")
    client.put(api_path(world), {"enabled": True})
    salt = StudentKeySetting.objects.get(district=world.district).salt
    assert client.put(api_path(world), {"enabled": False}).json()["enabled"] is False
    client.put(api_path(world), {"enabled": True})
    assert StudentKeySetting.objects.get(district=world.district).salt == salt


def test_each_switch_is_audited_and_saving_the_same_state_is_not(world, api_as):
    client = api_as("district_admin")
    client.put(api_path(world), {"enabled": True})
    client.put(api_path(world), {"enabled": True})
    summaries = list(AuditEntry.objects.filter(summary__startswith="Student keys").values_list("summary", flat=True))
    assert summaries == ["Student keys on"]


def test_the_api_names_the_missing_field(world, api_as):
    response = api_as("district_admin").put(api_path(world), {})
    assert response.status_code in {400, 422}
    assert "enabled" in response.json()["error"]["fields"]
