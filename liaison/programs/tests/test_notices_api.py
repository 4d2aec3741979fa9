"""The supervisor's notices of enforcement on a mentee, through the API as on the page: who may list
and acknowledge them, what a notice says (the two records, never the student key), the filter for the
ones still open, and clear refusals with nothing written."""

from __future__ import annotations

import pytest

from liaison.accounts.models import AuditEntry
from liaison.conftest import ROLES, World
from liaison.lib.identifying_text import PHONE_IN_TEXT
from liaison.programs import services
from liaison.programs.models import MenteeEnforcementNotice

from .programs import STUDENT_ID, enforcement, relationship

LIST = {role: 403 for role in ROLES} | {
    "platform_admin": 200,
    "agency_admin": 200,
    "supervisor": 200,
    "outsider_agency_admin": 200,
    "anonymous": 401,
}
SEEN = {"platform_admin": 1, "agency_admin": 1, "supervisor": 1, "outsider_agency_admin": 0}
ACKNOWLEDGE = {role: 404 for role in ROLES} | {
    "platform_admin": 200,
    "agency_admin": 200,
    "supervisor": 200,
    "anonymous": 401,
}


@pytest.fixture
def notice(world: World) -> MenteeEnforcementNotice:
    relationship(world)
    enforcement(world, STUDENT_ID)
    return MenteeEnforcementNotice.objects.get()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_only_the_notices_addressed_to_it(role: str, notice, api_as) -> None:
    response = api_as(role).get("/programs/notices")
    assert response.status_code == LIST[role], response.content
    if role in SEEN:
        assert len(response.json()["results"]) == SEEN[role]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_or_may_not_acknowledge(role: str, notice, api_as) -> None:
    response = api_as(role).post(f"/programs/notices/{notice.uuid}/acknowledge", {"note": "Spoke with the officer"})
    assert response.status_code == ACKNOWLEDGE[role], response.content
    notice.refresh_from_db()
    assert (notice.acknowledged_at is not None) == (ACKNOWLEDGE[role] == 200)


def test_a_notice_names_the_two_records_and_never_the_key(notice, world: World, api_as) -> None:
    item = api_as("supervisor").get("/programs/notices").json()["results"][0]
    action = notice.interaction
    assert item == {
        "uuid": str(notice.uuid),
        "officer": str(world.officer.uuid),
        "officer_name": world.officer.display_name,
        "action": str(action.uuid),
        "school": str(world.elementary.uuid),
        "school_name": "Millbrook Elementary",
        "occurred_on": action.occurred_on.isoformat(),
        "relationship": str(notice.relationship.uuid),
        "created_at": item["created_at"],
        "acknowledged": False,
        "acknowledged_at": None,
        "acknowledgement": "",
    }
    assert notice.relationship.student_key not in str(item)


def test_acknowledging_answers_the_notice_once_and_the_filter_follows(notice, world: World, api_as) -> None:
    client = api_as("supervisor")
    done = client.post(f"/programs/notices/{notice.uuid}/acknowledge", {"note": "Reviewed with the sergeant"})
    assert done.status_code == 200
    assert (done.json()["acknowledged"], done.json()["acknowledgement"]) == (True, "Reviewed with the sergeant")
    assert client.get("/programs/notices", acknowledged="false").json()["results"] == []
    assert [n["uuid"] for n in client.get("/programs/notices", acknowledged="true").json()["results"]] == [
        str(notice.uuid)
    ]
    again = client.post(f"/programs/notices/{notice.uuid}/acknowledge", {"note": ""})
    assert again.status_code == 400
    assert again.json()["error"]["fields"]["__all__"] == [services.ALREADY_ACKNOWLEDGED]
    notice.refresh_from_db()
    assert notice.acknowledgement == "Reviewed with the sergeant"
    assert AuditEntry.objects.filter(object_type="programs.menteeenforcementnotice", action="update").count() == 1


def test_a_note_with_a_phone_number_is_refused_naming_the_field(notice, api_as) -> None:
    response = api_as("supervisor").post(
        f"/programs/notices/{notice.uuid}/acknowledge", {"note": "Called his mother at 555-123-4567"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["note"] == [PHONE_IN_TEXT]
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_a_note_over_500_characters_is_refused_naming_the_field(notice, api_as) -> None:
    response = api_as("supervisor").post(f"/programs/notices/{notice.uuid}/acknowledge", {"note": "x" * 501})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["note"]
    notice.refresh_from_db()
    assert notice.acknowledged_at is None
