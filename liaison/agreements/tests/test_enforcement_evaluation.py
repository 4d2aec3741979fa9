"""Every enforcement action recorded is evaluated against the MOU in force; nothing is blocked."""

from __future__ import annotations

import datetime

import pytest

from liaison.agreements import services
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.services import JUSTIFICATION_REQUIRED
from liaison.interactions.models import Interaction

ARREST = {
    "action_type": "arrest",
    "requested_by": "administrator",
    "admin_consulted": True,
    "demographics_source": "perceived",
}


@pytest.fixture
def mou_in_force(world):
    partnership = world.agency.partnerships.get(district=world.district)
    agreement = services.agreement_create(
        actor=world.users["agency_admin"],
        partnership=partnership,
        title="Millbrook MOU",
        effective_date=datetime.date(2024, 7, 1),
    )
    version = agreement.versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")
    services.version_sign(actor=world.users["district_admin"], version=version, party="superintendent")
    return agreement


def _arrest(world, reason, **extra):
    return {
        "school": str(world.elementary.uuid),
        "kind": "enforcement",
        "enforcement": {**ARREST, "reason_category": reason},
        **extra,
    }


def test_an_action_with_no_mou_in_force_needs_a_justification(api_as, world):
    response = api_as("officer").post("/interactions", _arrest(world, "weapon"))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["justification"] == [JUSTIFICATION_REQUIRED]
    assert Interaction.objects.count() == 0


def test_an_arrest_for_dress_code_is_saved_flagged_and_opens_a_review(api_as, world, mou_in_force):
    response = api_as("officer").post("/interactions", _arrest(world, "dress_code", justification="He ran at staff."))
    assert response.status_code == 201
    detail = api_as("officer").get(f"/interactions/{response.json()['uuid']}").json()
    assert detail["mou"]["outcome"] == "outside"
    assert detail["mou"]["level"] == "school_only"
    review = Review.objects.get()
    assert str(review.uuid) == detail["mou"]["review"]
    assert review.justification == "He ran at staff."
    assert review.closed_at is None


def test_an_action_within_the_mou_needs_no_justification_and_opens_no_review(api_as, world, mou_in_force):
    response = api_as("officer").post("/interactions", _arrest(world, "weapon"))
    assert response.status_code == 201
    assert Evaluation.objects.get().outcome == "within"
    assert Review.objects.count() == 0


def test_the_enforcement_form_shows_the_rule_before_saving(page_as, world, mou_in_force):
    response = page_as("officer").post(
        "/log/enforcement/mou-check/",
        {
            "school": str(world.elementary.uuid),
            "action_type": "arrest",
            "reason_category": "dress_code",
            "requested_by": "administrator",
            "admin_consulted": "yes",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-mou-outcome="outside"' in body
    assert "Dress code" in body
    assert Interaction.objects.count() == 0
