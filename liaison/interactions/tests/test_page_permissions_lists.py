"""The records list page and its CSV export × every member of the cast.

One set-up (`world` plus `scoped_records`) for allowed and denied cases alike. Evaluators get 403
(they never see individual records; `access.may_view_interactions`); outsiders get 200 with only
their own program's records; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.conftest import ROLES, World
from liaison.interactions.models import Interaction

from .scoped_records import NO_RECORDS, VISIBLE, names_of, scoped_records

LIST = reverse("interactions:list")
EXPORT = reverse("interactions:export")
LOGIN = reverse("accounts:login")
OUTSIDE_ROLES = {"outsider_agency_admin", "outsider_district_admin"}

Records = dict[str, Interaction]


def expected_status(role: str) -> int:
    if role in VISIBLE:
        return 200
    return 403 if role in NO_RECORDS else 302


@pytest.fixture
def records(world: World) -> Records:
    return scoped_records(world)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [LIST, EXPORT], ids=["list", "export"])
def test_each_role_gets_the_expected_status(url: str, role: str, page_as, world: World, records: Records) -> None:
    response = page_as(role).get(url, {"kind": "positive"})
    assert response.status_code == expected_status(role)
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_lists_and_counts_exactly_the_records_in_its_scope(
    role: str, page_as, world: World, records: Records
) -> None:
    response = page_as(role).get(LIST)
    shown = [str(record.uuid) for record in response.context["page"].records]
    assert names_of(records, shown) == VISIBLE[role]
    assert response.context["counts"].total == len(VISIBLE[role])


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_exports_exactly_the_records_in_its_scope(role: str, page_as, world: World, records: Records) -> None:
    response = page_as(role).get(EXPORT)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert names_of(records, [row["record_uuid"] for row in rows]) == VISIBLE[role]
    assert AuditEntry.objects.get(action="export").after["rows"] == len(VISIBLE[role])


@pytest.mark.parametrize("role", [*NO_RECORDS, "anonymous"])
def test_a_refused_export_writes_nothing_to_the_audit_log(role: str, page_as, world: World, records: Records) -> None:
    page_as(role).get(EXPORT)
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_filter_choices_offer_only_schools_and_officers_the_user_may_see(
    role: str, page_as, world: World, records: Records
) -> None:
    form = page_as(role).get(LIST).context["form"]
    schools = set(form.fields["school"].queryset.values_list("name", flat=True))
    assert ("Harlow Union High" in schools) == (role in {"platform_admin", *OUTSIDE_ROLES})
    assert ("Millbrook Elementary" in schools) == (role not in OUTSIDE_ROLES)
    officers = set(form.fields["officer"].queryset.values_list("user__username", flat=True))
    assert ("deputy" in officers) == (role in {"platform_admin", *OUTSIDE_ROLES})


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_the_navigation_links_the_list_only_for_those_who_may_see_it(role: str, page_as, world: World) -> None:
    html = page_as(role).get(reverse("accounts:no_access")).content.decode()
    assert (f'href="{LIST}"' in html) == (role in VISIBLE)
