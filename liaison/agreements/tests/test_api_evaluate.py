"""POST /api/v1/agreements/evaluate: a dry run of the MOU evaluation, level by level; nothing written."""

from __future__ import annotations

import pytest

from liaison.accounts.models import AuditEntry
from liaison.agreements import evaluation as ev
from liaison.agreements import services
from liaison.agreements.api import AGENCY_REQUIRED, REFERENCE_NOT_FOUND, SCHOOL_NOT_SERVED
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.tests.mous import draft_mou, sign_all
from liaison.agreements.vocabulary import LEVEL_MEANING, Element, Level

SECTIONS = {
    Element.NO_DISCIPLINE: "The officer takes no part in school discipline.",
    Element.CRIME_VS_DISCIPLINE: "Staff call the officer only for suspected crime or to keep people safe.",
    Element.PROCEDURES: "Before an arrest the officer consults a school administrator.",
    Element.EMERGENCIES: "In an emergency the officer acts at once.",
}


@pytest.fixture
def mou(world):
    agreement = draft_mou(world)
    version = agreement.versions.get()
    for element, text in SECTIONS.items():
        services.section_update(actor=world.users["agency_admin"], version=version, element=element, text=text)
    sign_all(world, version)
    return agreement


def _action(world, **fields) -> dict:
    action = {
        "action_type": "arrest",
        "reason_category": "weapon",
        "school": str(world.elementary.uuid),
        "date": "2025-10-01",
        "admin_consulted": False,
        "requested_by": "self",
    }
    return action | fields


def _writes() -> tuple[int, int, int]:
    return Evaluation.objects.count(), Review.objects.count(), AuditEntry.objects.count()


LEVELS = [
    # level, action fields, outcome, explanation, deciding section
    (Level.SCHOOL_ONLY, {"reason_category": "tobacco_vaping", "action_type": "warning"}, "outside", ev.SCHOOL_ONLY,
     Element.NO_DISCIPLINE),
    (Level.ASSIST_ON_REQUEST, {"reason_category": "fight_no_injury", "action_type": "physical_restraint",
     "requested_by": "administrator"}, "outside", ev.ASSIST_NOT_ENFORCEMENT, Element.CRIME_VS_DISCIPLINE),
    (Level.OFFICER_MAY_ACT, {"reason_category": "drug_distribution"}, "within", ev.WITHIN, Element.PROCEDURES),
    (Level.OFFICER_MUST_ACT, {"reason_category": "weapon"}, "within", ev.WITHIN_MUST_ACT, Element.EMERGENCIES),
]  # fmt: skip


@pytest.mark.parametrize(("level", "fields", "outcome", "explanation", "element"), LEVELS, ids=[c[0] for c in LEVELS])
def test_the_dry_run_gives_the_outcome_rule_and_section_for_each_level(
    api_as, world, mou, level, fields, outcome, explanation, element
):
    before = _writes()
    response = api_as("officer").post("/agreements/evaluate", _action(world, **fields))
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["outcome"], result["explanation"]) == (outcome, explanation)
    assert result["needs_review"] is (outcome != "within")
    assert (result["rule"]["category"], result["rule"]["level"]) == (fields["reason_category"], level)
    assert result["rule"]["level_meaning"] == LEVEL_MEANING[level]
    assert result["section"] == {"element": element, "label": element.label, "text": SECTIONS[element]}
    version = mou.versions.get()
    assert result["mou"] == {"uuid": str(version.uuid), "number": 1, "title": mou.title}
    assert _writes() == before


def test_the_dry_run_shows_a_rules_conditions(api_as, world):
    agreement = draft_mou(world)
    version = agreement.versions.get()
    services.rule_set(
        actor=world.users["agency_admin"],
        version=version,
        category="drug_distribution",
        level=Level.OFFICER_MAY_ACT,
        consultation_required_for=["arrest"],
    )
    sign_all(world, version)
    response = api_as("officer").post("/agreements/evaluate", _action(world, reason_category="drug_distribution"))
    result = response.json()
    assert result["rule"]["consultation_required_for"] == ["arrest"]
    assert (result["outcome"], result["explanation"]) == ("outside", ev.CONSULTATION_MISSING)


def test_before_the_mou_takes_effect_there_is_no_mou_in_force(api_as, world, mou):
    response = api_as("officer").post("/agreements/evaluate", _action(world, date="2025-07-31"))
    result = response.json()
    assert (result["outcome"], result["explanation"]) == ("no_mou", ev.NO_MOU_IN_FORCE)
    assert (result["rule"], result["section"], result["mou"]) == (None, None, None)


def test_the_callers_agency_is_the_default(api_as, world, mou):
    result = api_as("supervisor").post("/agreements/evaluate", _action(world)).json()
    assert result["mou"]["uuid"] == str(mou.versions.get().uuid)


def test_a_district_admin_names_the_agency(api_as, world, mou):
    superintendent = api_as("district_admin")
    missing = superintendent.post("/agreements/evaluate", _action(world))
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {"agency": [AGENCY_REQUIRED]}
    named = superintendent.post("/agreements/evaluate", _action(world, agency=str(world.agency.uuid)))
    assert named.json()["outcome"] == "within"


def test_another_agency_whose_officers_do_not_record_here_is_refused_at_the_school(api_as, world, mou):
    """The dry run asks the one rule of where an agency's officers may record."""
    response = api_as("platform_admin").post(
        "/agreements/evaluate", _action(world, agency=str(world.other_agency.uuid))
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"school": [SCHOOL_NOT_SERVED]}


def test_a_school_the_caller_cannot_see_is_a_field_error(api_as, world, mou):
    response = api_as("officer").post("/agreements/evaluate", _action(world, school=str(world.high.uuid)))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"school": [REFERENCE_NOT_FOUND]}


def test_unknown_values_are_named(api_as, world, mou):
    response = api_as("officer").post(
        "/agreements/evaluate", _action(world, action_type="tase", reason_category="loitering", date="soon")
    )
    assert set(response.json()["error"]["fields"]) == {"action_type", "reason_category", "date"}
