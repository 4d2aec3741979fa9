"""The audit page's filters (actor, action, object, dates) and its CSV export, for every role."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from liaison.accounts.audit import audit_record
from liaison.accounts.models import AuditEntry
from liaison.accounts.tests.test_audit_log import READERS, REFUSED, expected_entries
from liaison.conftest import ROLES

PAGE = "/accounts/audit/"
EXPORT = "/accounts/audit/export.csv"
EXPORT_STATUS = {**dict.fromkeys(READERS, 200), **dict.fromkeys(REFUSED, 403), "anonymous": 302}


def exported(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_export_exactly_its_own_scope(page_as, world, role):
    client = page_as(role)
    expected = expected_entries(world, role) if role in READERS else None
    response = client.get(EXPORT)
    assert response.status_code == EXPORT_STATUS[role]
    if expected is not None:
        assert {row["uuid"] for row in exported(response)} == expected


def test_the_export_is_itself_one_audit_entry_with_its_filters(page_as, world):
    response = page_as("district_admin").get(EXPORT, {"action": "create"})
    [entry] = AuditEntry.objects.filter(action="export")
    assert entry.actor == world.users["district_admin"]
    assert entry.after["filters"] == {"action": ["create"]}
    assert entry.after["rows"] == len(exported(response))
    assert entry.district_id == world.district.pk


def test_the_page_and_export_filter_by_actor_and_object(page_as, world):
    target = world.high
    audit_record(
        actor=world.users["district_admin"], action="update", obj=target, summary="x", district_id=world.district.pk
    )
    client = page_as("district_admin")
    filters = {"actor": "district_admin", "object_uuid": str(target.uuid)}
    page = client.get(PAGE, filters)
    assert [e.object_uuid for e in page.context["page"].items] == [target.uuid]
    [row] = exported(client.get(EXPORT, filters))
    assert (row["actor"], row["object_uuid"]) == ("district_admin", str(target.uuid))
    assert reverse("accounts:audit_export") in page.content.decode()


def test_a_bad_object_id_is_named(page_as, world):
    response = page_as("district_admin").get(EXPORT, {"object_uuid": "not-a-uuid"})
    assert response.status_code == 400
    assert "object_uuid" in response.context["form"].errors


def test_the_api_filters_by_actor_and_dates(api_as, world):
    audit_record(actor=world.users["agency_admin"], action="update", obj=world.officer, agency_id=world.agency.pk)
    body = api_as("agency_admin").get("/accounts/audit", actor="agency_admin", since="2000-01-01").json()
    assert body["results"] and {item["actor"] for item in body["results"]} == {"agency_admin"}
    assert api_as("agency_admin").get("/accounts/audit", until="2000-01-01").json()["results"] == []


def test_a_formula_in_a_summary_is_not_run_by_a_spreadsheet(page_as, world):
    audit_record(actor=None, action="login_failed", object_type="accounts.user", summary="=HYPERLINK(1)")
    rows = exported(page_as("platform_admin").get(EXPORT, {"action": "login_failed"}))
    assert [row["summary"] for row in rows] == ["'=HYPERLINK(1)"]
