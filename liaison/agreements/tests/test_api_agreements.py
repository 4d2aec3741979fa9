"""Behaviour of the agreements API: drafting to signing, refusals that name fields and write nothing,
the diff between versions, the completeness check, and query budgets."""

from __future__ import annotations

import datetime

import pytest

from liaison.accounts.models import AuditEntry
from liaison.agreements import selectors, services
from liaison.agreements.api import REFERENCE_NOT_FOUND
from liaison.agreements.models import Agreement, AgreementVersion, Section
from liaison.agreements.tests.mous import START, draft_mou, mou_in_force, sign_all
from liaison.agreements.vocabulary import Element, Level
from liaison.interactions.vocabulary import ReasonCategory


def _partnership(world):
    return world.agency.partnerships.get(district=world.district)


def _create(api, world, **fields) -> dict:
    body = {"partnership": str(_partnership(world).uuid), "title": "Millbrook SRO MOU", "effective_date": "2025-08-01"}
    response = api.post("/agreements", body | fields)
    assert response.status_code == 201, response.content
    return response.json()


def _path(version: AgreementVersion | str) -> str:
    uuid = version if isinstance(version, str) else version.uuid
    return f"/agreements/versions/{uuid}"


def _writes() -> tuple[int, int, int, int]:
    return (
        Agreement.objects.count(),
        AgreementVersion.objects.count(),
        Section.objects.count(),
        AuditEntry.objects.count(),
    )


def _fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- from draft to in force ---------------------------------------------------------------------------


def test_an_mou_goes_from_draft_to_in_force_through_the_api(api_as, world):
    chief, superintendent = api_as("agency_admin"), api_as("district_admin")
    created = _create(superintendent, world)
    assert (created["status"], created["in_force"]) == ("draft", None)
    path = _path(created["latest"]["uuid"])

    assert chief.patch(path, {"schools": [str(world.elementary.uuid)]}).status_code == 200
    assert chief.put(f"{path}/sections/purpose", {"text": "Safety and trust."}).status_code == 200
    assert superintendent.put(f"{path}/rules/fight_no_injury", {"level": "school_only"}).status_code == 200
    assert chief.request("DELETE", f"{path}/rules/dress_code").status_code == 204
    submitted = chief.post(f"{path}/submit", {"acknowledge_missing": True}).json()
    assert submitted["status"] == "awaiting_signatures"
    chief.post(f"{path}/sign", {"party": "agency_head"})
    signed = superintendent.post(f"{path}/sign", {"party": "superintendent"}).json()

    assert signed["status"] == "in_force"
    assert [s["uuid"] for s in signed["schools"]] == [str(world.elementary.uuid)]
    rules = {r["category"]: r["level"] for r in signed["rules"]}
    assert rules["fight_no_injury"] == "school_only" and "dress_code" not in rules
    listed = chief.get("/agreements").json()["items"]
    assert [(a["status"], a["in_force"]["uuid"]) for a in listed] == [("in_force", created["latest"]["uuid"])]


def test_each_signature_records_who_when_and_the_content_hash(api_as, world):
    version = draft_mou(world).versions.get()
    sign_all(world, version)
    signatories = api_as("officer").get(_path(version)).json()["signatories"]
    assert [(s["party"], s["signed_by"], s["signed_hash"]) for s in signatories] == [
        ("agency_head", "agency_admin", version.content_hash),
        ("superintendent", "district_admin", version.content_hash),
    ]
    assert all(s["signed_at"] for s in signatories)
    assert version.content_hash == services.version_hash(version)


def test_a_new_agreement_starts_with_every_element_the_default_rules_and_its_signatories(api_as, world):
    created = _create(api_as("agency_admin"), world)
    version = api_as("agency_admin").get(_path(created["latest"]["uuid"])).json()
    assert [s["element"] for s in version["sections"]] == Element.values
    assert [r["category"] for r in version["rules"]] == ReasonCategory.values
    assert [s["party"] for s in version["signatories"]] == ["agency_head", "superintendent"]
    assert version["review_due_date"] == "2026-08-01"
    assert not any(s["signed"] for s in version["signatories"])


def test_renaming_and_publishing_an_mou_is_audited(api_as, world):
    mou = draft_mou(world)
    response = api_as("district_admin").patch(f"/agreements/{mou.uuid}", {"title": "Millbrook MOU", "published": True})
    assert (response.json()["title"], response.json()["published"]) == ("Millbrook MOU", True)
    entry = AuditEntry.objects.filter(object_uuid=mou.uuid, action="update").get()
    assert entry.after == {"title": "Millbrook MOU", "published": True}
    assert entry.actor_username == "district_admin"


# --- refusals name the field and write nothing --------------------------------------------------------------


REFUSED_EDITS = [
    ("PATCH", "", {"effective_date": "2025-09-01"}, "effective_date"),
    ("PATCH", "", {"schools": []}, "schools"),
    ("PUT", "/sections/purpose", {"text": "Changed after submission."}, "text"),
    ("PUT", "/rules/weapon", {"level": "school_only"}, "level"),
    ("DELETE", "/rules/weapon", None, "category"),
]


@pytest.mark.parametrize(("method", "suffix", "body", "field"), REFUSED_EDITS, ids=[e[3] for e in REFUSED_EDITS])
def test_editing_a_submitted_version_is_refused_on_the_field(api_as, world, method, suffix, body, field):
    version = draft_mou(world).versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    before = _writes()
    response = api_as("agency_admin").request(method, _path(version) + suffix, body)
    assert _fields(response) == {field: [services.NOT_A_DRAFT]}
    assert _writes() == before
    version.refresh_from_db()
    assert version.effective_date == START
    assert version.schools.count() == 2
    assert version.rules.get(category="weapon").level == Level.OFFICER_MUST_ACT


def test_an_mou_for_a_partnership_you_cannot_see_names_the_field_and_writes_nothing(api_as, world):
    before = _writes()
    other = world.other_agency.partnerships.get()
    response = api_as("agency_admin").post(
        "/agreements", {"partnership": str(other.uuid), "title": "Not ours", "effective_date": "2025-08-01"}
    )
    assert _fields(response) == {"partnership": [REFERENCE_NOT_FOUND]}
    assert _writes() == before


def test_missing_fields_are_named(api_as, world):
    assert set(_fields(api_as("agency_admin").post("/agreements", {"title": ""}))) == {
        "partnership",
        "title",
        "effective_date",
    }


def test_an_expiry_before_the_effective_date_names_the_field_and_writes_nothing(api_as, world):
    version = draft_mou(world).versions.get()
    before = _writes()
    response = api_as("agency_admin").patch(_path(version), {"expiry_date": "2025-07-31"})
    assert _fields(response) == {"expiry_date": [services.EXPIRES_BEFORE_EFFECT]}
    assert _writes() == before
    version.refresh_from_db()
    assert version.expiry_date is None


def test_covering_a_school_you_cannot_see_names_the_field_and_changes_nothing(api_as, world):
    version = draft_mou(world).versions.get()
    before = _writes()
    response = api_as("agency_admin").patch(
        _path(version),
        {"schools": [str(world.elementary.uuid), str(world.other_school.uuid)], "effective_date": "2025-09-01"},
    )
    assert _fields(response) == {"schools": [REFERENCE_NOT_FOUND]}
    assert _writes() == before
    assert version.schools.count() == 2


def test_an_unknown_action_in_a_rule_condition_names_the_field(api_as, world):
    version = draft_mou(world).versions.get()
    response = api_as("agency_admin").put(
        f"{_path(version)}/rules/weapon", {"level": "officer_must_act", "prohibited_actions": ["taser"]}
    )
    assert list(_fields(response)) == ["prohibited_actions.0"]
    assert version.rules.get(category="weapon").prohibited_actions == []


def test_an_unknown_section_element_is_named(api_as, world):
    version = draft_mou(world).versions.get()
    response = api_as("agency_admin").put(f"{_path(version)}/sections/preamble", {"text": "Hello"})
    assert "element" in _fields(response)


def test_a_draft_cannot_be_signed(api_as, world):
    version = draft_mou(world).versions.get()
    response = api_as("agency_admin").post(f"{_path(version)}/sign", {"party": "agency_head"})
    assert _fields(response) == {"__all__": [services.NOT_SUBMITTED]}


def test_nobody_signs_for_the_other_party_or_twice(api_as, world):
    version = draft_mou(world).versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    chief = api_as("agency_admin")
    wrong = chief.post(f"{_path(version)}/sign", {"party": "superintendent"})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["message"] == services.NOT_YOUR_SIGNATURE.format(party="Superintendent")
    assert chief.post(f"{_path(version)}/sign", {"party": "agency_head"}).status_code == 200
    assert _fields(chief.post(f"{_path(version)}/sign", {"party": "agency_head"})) == {
        "party": [services.ALREADY_SIGNED]
    }


def test_a_second_draft_is_refused_while_one_is_open(api_as, world):
    mou = mou_in_force(world)
    chief = api_as("agency_admin")
    assert chief.post(f"/agreements/{mou.uuid}/versions", {"effective_date": "2026-08-01"}).status_code == 201
    again = chief.post(f"/agreements/{mou.uuid}/versions", {"effective_date": "2026-09-01"})
    assert _fields(again) == {"__all__": [services.DRAFT_EXISTS]}
    assert mou.versions.count() == 2


# --- what changed between versions ------------------------------------------------------------------------


def test_the_diff_shows_what_changed_in_sections_and_rules(api_as, world):
    mou = mou_in_force(world)
    first = mou.versions.get()
    chief = api_as("agency_admin")
    second = chief.post(f"/agreements/{mou.uuid}/versions", {"effective_date": "2026-08-01"}).json()
    path = _path(second["uuid"])
    chief.put(f"{path}/sections/purpose", {"text": "Safety and trust."})
    chief.put(f"{path}/rules/tobacco_vaping", {"level": "assist_on_request", "note": "Health first."})
    chief.request("DELETE", f"{path}/rules/dress_code")

    diff = api_as("school_admin").get(f"{path}/diff", against=str(first.uuid)).json()

    assert (diff["base"]["number"], diff["other"]["number"]) == (1, 2)
    assert diff["sections"] == [
        {
            "element": "purpose",
            "label": Element.PURPOSE.label,
            "change": "changed",
            "before": "",
            "after": "Safety and trust.",
        }
    ]
    assert [(r["category"], r["change"]) for r in diff["rules"]] == [
        ("dress_code", "removed"),
        ("tobacco_vaping", "changed"),
    ]
    vaping = diff["rules"][1]
    assert (vaping["before"]["level"], vaping["after"]["level"]) == ("school_only", "assist_on_request")
    assert vaping["after"]["note"] == "Health first."
    assert diff["rules"][0]["after"] is None


def test_a_version_compared_with_itself_has_no_changes(api_as, world):
    version = draft_mou(world).versions.get()
    diff = api_as("agency_admin").get(f"{_path(version)}/diff", against=str(version.uuid)).json()
    assert (diff["sections"], diff["rules"]) == ([], [])


def test_versions_of_different_mous_cannot_be_compared(api_as, world):
    one = draft_mou(world).versions.get()
    other = draft_mou(world, title="Athletics addendum").versions.get()
    response = api_as("agency_admin").get(f"{_path(one)}/diff", against=str(other.uuid))
    assert _fields(response) == {"against": [selectors.DIFFERENT_AGREEMENTS]}


def test_comparing_with_a_version_you_cannot_see_names_the_field(api_as, world):
    one = draft_mou(world).versions.get()
    response = api_as("agency_admin").get(f"{_path(one)}/diff", against="00000000-0000-0000-0000-000000000000")
    assert _fields(response) == {"against": [REFERENCE_NOT_FOUND]}


# --- completeness ---------------------------------------------------------------------------------------------


def test_completeness_shows_each_element_as_present_empty_or_missing(api_as, world):
    version = draft_mou(world).versions.get()
    services.section_update(actor=world.users["agency_admin"], version=version, element="purpose", text="Safety.")
    version.sections.filter(element="funding").delete()  # as if the parties never wrote one

    completeness = api_as("officer").get(_path(version)).json()["completeness"]

    states = {e["element"]: e["state"] for e in completeness["elements"]}
    assert (states["purpose"], states["funding"], states["training"]) == ("present", "missing", "empty")
    assert [e["element"] for e in completeness["elements"]] == Element.values
    assert (completeness["complete"], completeness["present"], completeness["total"]) == (False, 1, len(Element.values))


def test_a_version_with_every_element_written_is_complete(api_as, world):
    version = draft_mou(world).versions.get()
    version.sections.update(text="Agreed.")
    completeness = api_as("agency_admin").get(_path(version)).json()["completeness"]
    assert completeness["complete"] is True


# --- lists keep to a query budget ----------------------------------------------------------------------------------


def test_the_mou_list_query_count_does_not_grow_with_rows(api_as, world, django_assert_max_num_queries):
    for n in range(6):
        mou = draft_mou(world, title=f"MOU {n}")
        if n % 2:
            sign_all(world, mou.versions.get())
    api = api_as("district_admin")
    with django_assert_max_num_queries(8):
        response = api.get("/agreements")
    assert response.json()["count"] == 6


def test_the_mou_list_filters_by_agency(api_as, world):
    draft_mou(world)
    api = api_as("platform_admin")
    assert api.get("/agreements", agency=str(world.agency.uuid)).json()["count"] == 1
    assert api.get("/agreements", agency=str(world.other_agency.uuid)).json()["count"] == 0


def test_the_version_page_data_keeps_to_a_query_budget(api_as, world, django_assert_max_num_queries):
    version = draft_mou(world).versions.get()
    api = api_as("agency_admin")
    with django_assert_max_num_queries(12):
        assert api.get(_path(version)).status_code == 200


def test_an_mou_signed_for_next_year_is_signed_but_not_in_force(api_as, world):
    next_year = datetime.date.today() + datetime.timedelta(days=365)
    mou = mou_in_force(world, effective_date=next_year)
    listed = api_as("agency_admin").get(f"/agreements/{mou.uuid}").json()
    assert (listed["status"], listed["in_force"], listed["versions"][0]["status"]) == ("signed", None, "signed")
