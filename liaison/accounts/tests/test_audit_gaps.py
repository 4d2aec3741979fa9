"""What the audit log now sees besides: PDF downloads, pages of the reviews list, and /admin/ group edits."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.accounts.tests.test_admin_audit import _FormFields
from liaison.agreements.tests.mous import flagged_action, mou_in_force
from liaison.agreements.tests.pages import url
from liaison.agreements.tests.test_document_pdf import signed  # noqa: F401  (a fixture)

# --- PDF downloads are exports --------------------------------------------------------------------


def test_downloading_an_mou_pdf_leaves_one_export_entry(page_as, world, signed):  # noqa: F811
    response = page_as("school_admin").get(url("document_pdf", signed.uuid))
    assert response["Content-Type"] == "application/pdf"
    [entry] = AuditEntry.objects.filter(action="export")
    assert (entry.actor, entry.object_type) == (world.users["school_admin"], "export.pdf")
    assert entry.after["path"] == url("document_pdf", signed.uuid) and entry.after["format"] == "pdf"
    assert ".pdf" in entry.summary


def test_the_public_pdf_read_by_nobody_signed_in_leaves_no_entry(client, world, signed):  # noqa: F811
    client.get(reverse("public_mou_pdf", args=[signed.uuid]))
    assert not AuditEntry.objects.filter(action="export").exists()


# --- the reviews list is a bulk read of enforcement details -----------------------------------------


@pytest.fixture
def reviews(world):
    mou_in_force(world)
    return [flagged_action(world, when=datetime.datetime(2025, 11, day, 14, tzinfo=datetime.UTC)) for day in (3, 4)]


def _reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="read", summary__contains="record(s)").order_by("id"))


def test_a_page_of_the_reviews_list_is_one_read_entry_naming_what_it_showed(page_as, world, reviews):
    page_as("supervisor").get(reverse("agreements:reviews"), {"status": "open"})
    [entry] = _reads()
    assert entry.actor == world.users["supervisor"]
    assert set(entry.after["records"]) == {str(review.interaction.uuid) for review in reviews}
    assert set(entry.after["reviews"]) == {str(review.uuid) for review in reviews}
    assert entry.after["filters"] == {"status": "open"} and entry.after["page"] == "first"
    assert "reviews page" in entry.summary


def test_a_page_of_the_reviews_api_is_one_read_entry(api_as, world, reviews):
    api_as("school_admin").get("/agreements/reviews", page_size=1)
    [entry] = _reads()
    assert entry.actor == world.users["school_admin"]
    assert entry.after["records"] == [str(reviews[0].interaction.uuid)]
    assert "API" in entry.summary


def test_an_empty_reviews_page_leaves_no_entry(page_as, world):
    page_as("supervisor").get(reverse("agreements:reviews"))
    assert _reads() == []


# --- /admin/ group permissions ------------------------------------------------------------------------


def _form(client, path: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(client.get(path).content.decode())
    return parser.data


def test_giving_a_group_a_permission_in_admin_leaves_one_entry(page_as, world):
    group = Group.objects.create(name="auditors")
    client = page_as("platform_admin", second_factor=True)
    path = f"/admin/auth/group/{group.pk}/change/"
    data = _form(client, path)
    permission = Permission.objects.get(codename="view_auditentry")
    data["permissions"] = [str(permission.pk)]
    assert client.post(path, data).status_code == 302
    [entry] = AuditEntry.objects.filter(object_type="auth.group")
    assert (entry.actor, entry.action) == (world.users["platform_admin"], "update")
    assert entry.before == {"permissions": []} and entry.after == {"permissions": ["accounts.view_auditentry"]}
    assert client.post(path, data).status_code == 302  # saved unchanged: no second entry
    assert AuditEntry.objects.filter(object_type="auth.group").count() == 1


def test_creating_and_deleting_a_group_in_admin_are_audited(page_as, world):
    client = page_as("platform_admin", second_factor=True)
    data = _form(client, "/admin/auth/group/add/") | {"name": ["exporters"]}
    assert client.post("/admin/auth/group/add/", data).status_code == 302
    group = Group.objects.get(name="exporters")
    world.users["evaluator"].groups.add(group)
    assert client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code == 302
    created, deleted = AuditEntry.objects.filter(object_type="auth.group").order_by("id")
    assert created.action == "create" and created.after["name"] == "exporters"
    assert deleted.action == "delete" and deleted.before["members"] == ["evaluator"]
