"""The training an agency requires before assignment: set on a page or through the API, used by coverage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.directory import services
from liaison.directory.models import TrainingRequirement
from liaison.directory.selectors import agency_coverage
from liaison.directory.tests.pages import field_errors, row_counts


def required(agency) -> dict[str, Decimal]:
    return {r.course: r.minimum_hours for r in TrainingRequirement.objects.filter(agency=agency)}


def edit_url(world) -> str:
    return reverse("directory:training_requirements_edit", args=[world.agency.uuid])


def api_url(world) -> str:
    return f"/agencies/{world.agency.uuid}/training-requirements"


def test_a_new_agency_requires_the_basic_course(world):
    assert required(world.agency) == {"basic_sro": Decimal("40")}


def test_setting_requirements_replaces_them_and_audits_once(world):
    admin = world.users["agency_admin"]
    services.training_requirements_set(
        actor=admin, agency=world.agency, hours={"basic_sro": Decimal("24"), "de_escalation": Decimal("8")}
    )
    assert required(world.agency) == {"basic_sro": Decimal("24"), "de_escalation": Decimal("8")}
    services.training_requirements_set(actor=admin, agency=world.agency, hours={"de_escalation": Decimal("8")})
    assert required(world.agency) == {"de_escalation": Decimal("8")}
    entries = AuditEntry.objects.filter(object_type="directory.trainingrequirements").order_by("at", "id")
    assert [(e.before, e.after) for e in entries] == [
        ({"basic_sro": "40", "de_escalation": None}, {"basic_sro": "24", "de_escalation": "8"}),
        ({"basic_sro": "24"}, {"basic_sro": None}),
    ]
    assert {e.agency for e in entries} == {world.agency}
    services.training_requirements_set(actor=admin, agency=world.agency, hours={"de_escalation": Decimal("8.00")})
    assert entries.count() == 2  # nothing changed, nothing written


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        ({"basic_sro": Decimal("0")}, "basic_sro", services.REQUIREMENT_HOURS_RANGE),
        ({"basic_sro": Decimal("1000")}, "basic_sro", services.REQUIREMENT_HOURS_RANGE),
        ({"basic_sro": Decimal("2.25")}, "basic_sro", services.REQUIREMENT_HOURS_RANGE),
        ({"other": Decimal("4")}, "other", services.NOT_REQUIRABLE),
        ({"cooking": Decimal("4")}, "cooking", services.NOT_REQUIRABLE),
    ],
)
def test_bad_hours_are_named_and_nothing_changes(world, hours, field, message):
    before = required(world.agency)
    with pytest.raises(services.ValidationError) as raised:
        services.training_requirements_set(
            actor=world.users["agency_admin"], agency=world.agency, hours={"de_escalation": Decimal("8"), **hours}
        )
    assert raised.value.message_dict == {field: [message]}
    assert required(world.agency) == before


def test_coverage_lists_officers_without_a_newly_required_course(world):
    on = world.assignment.start_date
    assert [g.officer for g in agency_coverage(agency=world.agency, on=on).officers_lacking_training] == [world.officer]
    services.training_requirements_set(actor=world.users["agency_admin"], agency=world.agency, hours={})
    assert agency_coverage(agency=world.agency, on=on).officers_lacking_training == []


def test_the_page_shows_the_current_hours_and_saves_changes(page_as, world):
    client = page_as("agency_admin")
    form = client.get(edit_url(world)).context["form"]
    assert form.initial == {"basic_sro": Decimal("40.0")}
    assert "other" not in form.fields
    data = {"basic_sro": "40", "de_escalation": "8", "implicit_bias": ""}
    response = client.post(edit_url(world), data, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("directory:agency_detail", args=[world.agency.uuid]))
    assert "Saved the training Millbrook Police Department requires." in response.content.decode()
    assert "De-escalation, at least 8 h" in response.content.decode()
    assert required(world.agency) == {"basic_sro": Decimal("40"), "de_escalation": Decimal("8")}


def test_the_page_names_a_bad_value_and_saves_nothing(page_as, world):
    before = row_counts()
    response = page_as("agency_admin").post(edit_url(world), {"basic_sro": "40", "de_escalation": "-2"})
    assert response.status_code == 200
    assert field_errors(response, "de_escalation") == ["Ensure this value is greater than or equal to 0.5."]
    assert row_counts() == before


def test_the_agency_page_links_to_the_requirements_for_its_admins_only(page_as, world):
    url = reverse("directory:agency_detail", args=[world.agency.uuid])
    assert edit_url(world) in page_as("agency_admin").get(url).content.decode()
    assert edit_url(world) not in page_as("supervisor").get(url).content.decode()


def test_the_api_reads_and_replaces_the_requirements(api_as, world):
    api = api_as("agency_admin")
    assert api.get(api_url(world)).json() == [{"course": "basic_sro", "minimum_hours": "40.0"}]
    body = {
        "requirements": [{"course": "de_escalation", "minimum_hours": 8}, {"course": "basic_sro", "minimum_hours": 24}]
    }
    response = api.put(api_url(world), body)
    assert response.status_code == 200
    assert response.json() == [
        {"course": "basic_sro", "minimum_hours": "24.0"},
        {"course": "de_escalation", "minimum_hours": "8.0"},
    ]


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        (
            [{"course": "basic_sro", "minimum_hours": 8}, {"course": "basic_sro", "minimum_hours": 9}],
            "Basic SRO course is listed more than once.",
        ),
        ([{"course": "basic_sro", "minimum_hours": 0}], f"Basic SRO course: {services.REQUIREMENT_HOURS_RANGE}"),
        ([{"course": "other", "minimum_hours": 4}], f"Other: {services.NOT_REQUIRABLE}"),
    ],
)
def test_the_api_names_bad_requirements_and_changes_nothing(api_as, world, requirements, message):
    response = api_as("agency_admin").put(api_url(world), {"requirements": requirements})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"requirements": [message]}
    assert required(world.agency) == {"basic_sro": Decimal("40")}


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("platform_admin", 200, 200),
        ("agency_admin", 200, 200),
        ("supervisor", 200, 403),
        ("officer", 200, 403),
        ("evaluator", 200, 403),
        ("district_admin", 200, 403),
        ("school_admin", 200, 403),
        ("outsider_agency_admin", 404, 404),
        ("outsider_district_admin", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_who_reads_and_who_changes_the_requirements_through_the_api(api_as, world, role, read, write):
    api = api_as(role)
    assert api.get(api_url(world)).status_code == read
    response = api.put(api_url(world), {"requirements": [{"course": "de_escalation", "minimum_hours": 8}]})
    assert response.status_code == write
    assert required(world.agency) == ({"de_escalation": Decimal("8")} if write == 200 else {"basic_sro": Decimal("40")})
