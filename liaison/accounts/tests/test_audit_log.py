"""The audit log: what services write, who may read it (page and API), and that nobody can change it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.forms import DateField
from django.utils import timezone

from liaison.accounts.forms import UNTIL_BEFORE_SINCE
from liaison.accounts.models import AUDIT_IS_APPEND_ONLY, AuditEntry
from liaison.accounts.roles import Role
from liaison.accounts.services import membership_grant, user_create
from liaison.conftest import PASSWORD, ROLES
from liaison.directory import services
from liaison.directory.models import GRADES_OUT_OF_ORDER

PAGE = "/accounts/audit/"
API = "/accounts/audit"
READERS = ("platform_admin", "agency_admin", "district_admin", "outsider_agency_admin", "outsider_district_admin")
REFUSED = tuple(role for role in ROLES if role not in READERS and role != "anonymous")
PAGE_STATUS = {**dict.fromkeys(READERS, 200), **dict.fromkeys(REFUSED, 403), "anonymous": 302}
API_STATUS = {**dict.fromkeys(READERS, 200), **dict.fromkeys(REFUSED, 403), "anonymous": 401}


def expected_entries(world, role: str) -> set[str]:
    """The entries each reader's tenant owns: the agency's for agency admins, the district's for district admins."""
    tenant = {
        "platform_admin": {},
        "agency_admin": {"agency": world.agency},
        "district_admin": {"district": world.district},
        "outsider_agency_admin": {"agency": world.other_agency},
        "outsider_district_admin": {"district": world.other_district},
    }[role]
    return {str(uuid) for uuid in AuditEntry.objects.filter(**tenant).values_list("uuid", flat=True)}


def api_uuids(response) -> set[str]:
    body = response.json()
    assert body["next"] is None, "the cast's log fits on one page"
    return {item["uuid"] for item in body["results"]}


# --- what services write -------------------------------------------------------------------


def test_creating_a_record_logs_its_fields_as_after_with_no_before(world):
    root = world.users["platform_admin"]
    school = services.school_create(
        actor=root,
        district=world.district,
        name="Millbrook Middle",
        nces_id="250000100002",
        level="middle",
        lowest_grade=6,
        highest_grade=8,
    )
    entry = AuditEntry.objects.get(object_uuid=school.uuid)
    assert (entry.action, entry.actor, entry.actor_username) == ("create", root, "platform_admin")
    assert entry.object_type == "directory.school"
    assert entry.before is None
    assert entry.after["name"] == "Millbrook Middle"
    assert entry.after["uuid"] == str(school.uuid)
    assert entry.district_id == world.district.pk


def test_changing_a_record_logs_only_the_fields_that_changed(world):
    services.school_update(actor=world.users["district_admin"], school=world.high, name="Millbrook Senior High")
    entry = AuditEntry.objects.filter(object_uuid=world.high.uuid, action="update").get()
    assert entry.before == {"name": "Millbrook High"}
    assert entry.after == {"name": "Millbrook Senior High"}
    assert entry.actor_username == "district_admin"


def test_ending_an_assignment_logs_the_end_date_for_agency_and_district(world):
    services.assignment_end(
        actor=world.users["supervisor"], assignment=world.assignment, end_date=datetime.date(2025, 6, 13)
    )
    entry = AuditEntry.objects.get(object_uuid=world.assignment.uuid, action="update")
    assert (entry.before, entry.after) == ({"end_date": None}, {"end_date": "2025-06-13"})
    assert (entry.agency_id, entry.district_id) == (world.agency.pk, world.district.pk)


def test_a_refused_change_logs_nothing(world):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.school_update(actor=world.users["district_admin"], school=world.high, lowest_grade=12, highest_grade=9)
    assert refused.value.message_dict["highest_grade"] == [GRADES_OUT_OF_ORDER]
    assert AuditEntry.objects.count() == before


def test_creating_a_user_logs_it_without_the_password(world):
    user = user_create(actor=world.users["platform_admin"], username="newcomer", password=PASSWORD)
    entry = AuditEntry.objects.get(object_uuid=user.uuid)
    assert entry.after["username"] == "newcomer"
    assert "password" not in entry.after
    assert user.password not in str(entry.after)


def test_granting_a_membership_is_logged_in_the_tenants_log(world):
    user = user_create(actor=world.users["platform_admin"], username="principal", password=None)
    membership = membership_grant(
        actor=world.users["platform_admin"], user=user, role=Role.SCHOOL_ADMIN, school=world.high
    )
    entry = AuditEntry.objects.get(object_uuid=membership.uuid)
    assert entry.district_id == world.district.pk
    assert str(entry.uuid) in expected_entries(world, "district_admin")


# --- who may read it -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_page_is_for_admins_only(page_as, role):
    response = page_as(role).get(PAGE)
    assert response.status_code == PAGE_STATUS[role]
    if role == "anonymous":
        assert response.url == f"/accounts/login/?next={PAGE}"


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_api_is_for_admins_only(api_as, role):
    response = api_as(role).get(API)
    assert response.status_code == API_STATUS[role]
    if response.status_code != 200:
        assert set(response.json()["error"]) == {"message", "fields"}


@pytest.mark.parametrize("role", READERS)
def test_each_admin_reads_exactly_their_own_tenants_entries(api_as, world, role):
    visible = api_uuids(api_as(role).get(API))
    assert visible == expected_entries(world, role)
    assert visible


def test_the_platform_admin_reads_every_entry(api_as, world):
    assert api_uuids(api_as("platform_admin").get(API)) == {
        str(u) for u in AuditEntry.objects.values_list("uuid", flat=True)
    }


def test_an_agency_admin_does_not_see_another_agencys_changes_on_the_page(page_as, world):
    content = page_as("agency_admin").get(PAGE).content.decode()
    assert "Millbrook Police Department" in content
    assert "Harlow" not in content


def test_a_district_admin_sees_changes_at_their_schools_on_the_page(page_as, world):
    content = page_as("district_admin").get(PAGE).content.decode()
    assert "Millbrook Elementary" in content
    assert "Harlow" not in content


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_navigation_links_to_the_audit_log_only_for_those_who_may_read_it(page_as, role):
    content = page_as(role).get("/accounts/no-access/").content.decode()
    assert ('href="/accounts/audit/"' in content) == (role in READERS)


# --- filters -------------------------------------------------------------------------------


def test_the_page_filters_by_action_and_type(page_as, world):
    services.school_update(actor=world.users["platform_admin"], school=world.high, name="Millbrook Senior High")
    response = page_as("platform_admin").get(PAGE, {"action": "update", "object_type": "directory.school"})
    entries = list(response.context["page"].items)
    assert [(e.action, e.object_type, e.object_uuid) for e in entries] == [
        ("update", "directory.school", world.high.uuid)
    ]


def test_the_page_filters_by_date(page_as, world):
    today = timezone.now().date()
    client = page_as("platform_admin")
    assert len(client.get(PAGE, {"since": today, "until": today}).context["page"].items) > 0
    assert len(client.get(PAGE, {"since": today + datetime.timedelta(days=1)}).context["page"].items) == 0
    assert len(client.get(PAGE, {"until": today - datetime.timedelta(days=1)}).context["page"].items) == 0


def test_the_page_names_the_field_when_since_is_after_until(page_as, world):
    response = page_as("platform_admin").get(PAGE, {"since": "2025-06-02", "until": "2025-06-01"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"until": [UNTIL_BEFORE_SINCE]}
    assert UNTIL_BEFORE_SINCE in response.content.decode()


def test_the_page_names_the_field_when_a_date_is_not_a_date(page_as, world):
    response = page_as("platform_admin").get(PAGE, {"since": "last tuesday"})
    assert response.context["form"].errors == {"since": [DateField.default_error_messages["invalid"]]}
    assert 'id="id_since_error"' in response.content.decode()


def test_the_api_filters_by_action_type_and_object(api_as, world):
    services.school_update(actor=world.users["platform_admin"], school=world.high, name="Millbrook Senior High")
    api = api_as("platform_admin")
    updates = api.get(API, action="update").json()["results"]
    assert [item["object_uuid"] for item in updates] == [str(world.high.uuid)]
    schools = api.get(API, object_type="directory.school").json()["results"]
    assert {item["object_type"] for item in schools} == {"directory.school"}
    assert len(schools) == 4  # three created, one changed
    one = api.get(API, object_uuid=str(world.assignment.uuid)).json()["results"]
    assert [item["action"] for item in one] == ["create"]


def test_the_api_names_the_field_of_an_unknown_action(api_as, world):
    response = api_as("platform_admin").get(API, action="shred")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["action"]


# --- append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditentry SET summary = 'rewritten' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(world, statement):
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.summary != "rewritten"


def test_the_database_refuses_a_bulk_update_through_the_orm(world):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(summary="rewritten")
    assert not AuditEntry.objects.filter(summary="rewritten").exists()


def test_the_database_refuses_a_bulk_delete_through_the_orm(world):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == count


def test_an_entry_refuses_to_be_saved_again(world):
    entry = AuditEntry.objects.first()
    entry.summary = "rewritten"
    with pytest.raises(ValidationError, match=AUDIT_IS_APPEND_ONLY):
        entry.save()


def test_an_entry_refuses_to_be_deleted(world):
    entry = AuditEntry.objects.first()
    with pytest.raises(ValidationError, match=AUDIT_IS_APPEND_ONLY):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
