"""Drafting, signing, versions and the MOU in force, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from liaison.agreements import evaluation as ev
from liaison.agreements import services
from liaison.agreements.models import Evaluation, Review
from liaison.agreements.vocabulary import Element, Level, Outcome
from liaison.interactions import services as interactions
from liaison.interactions.vocabulary import ActionType, ReasonCategory

START = datetime.date(2025, 8, 1)


@pytest.fixture
def mou(world):
    partnership = world.agency.partnerships.get(district=world.district)
    return services.agreement_create(
        actor=world.users["agency_admin"], partnership=partnership, title="Millbrook SRO MOU", effective_date=START
    )


def _sign_all(world, version):
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")
    services.version_sign(actor=world.users["district_admin"], version=version, party="superintendent")


def test_a_new_mou_starts_as_a_draft_with_every_element_and_the_default_rules(world, mou):
    version = mou.versions.get()
    assert version.is_draft
    assert set(version.sections.values_list("element", flat=True)) == set(Element.values)
    assert version.rules.count() == len(ReasonCategory.values)
    assert set(version.schools.all()) == {world.elementary, world.high}
    assert version.review_due_date == datetime.date(2026, 8, 1)
    assert set(version.signatories.values_list("party", flat=True)) == {"agency_head", "superintendent"}


def test_a_draft_is_not_in_force(world, mou):
    assert ev.mou_in_force(agency_id=world.agency.pk, school_id=world.elementary.pk, on=START) is None


def test_a_version_comes_into_force_when_all_have_signed_and_the_date_is_reached(world, mou):
    version = mou.versions.get()
    services.version_update(
        actor=world.users["agency_admin"], version=version, effective_date=datetime.date(2026, 9, 1)
    )
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")
    assert (
        ev.mou_in_force(agency_id=world.agency.pk, school_id=world.elementary.pk, on=datetime.date(2026, 9, 2)) is None
    )
    services.version_sign(actor=world.users["district_admin"], version=version, party="superintendent")
    before = ev.mou_in_force(agency_id=world.agency.pk, school_id=world.elementary.pk, on=datetime.date(2026, 8, 31))
    on_the_day = ev.mou_in_force(agency_id=world.agency.pk, school_id=world.elementary.pk, on=datetime.date(2026, 9, 1))
    assert before is None
    assert on_the_day.number == 1


def test_an_expired_version_is_not_in_force_the_day_after(world, mou):
    version = mou.versions.get()
    services.version_update(actor=world.users["agency_admin"], version=version, expiry_date=datetime.date(2026, 6, 30))
    _sign_all(world, version)
    find = lambda day: ev.mou_in_force(agency_id=world.agency.pk, school_id=world.high.pk, on=day)  # noqa: E731
    assert find(datetime.date(2026, 6, 30)) is not None
    assert find(datetime.date(2026, 7, 1)) is None


def test_a_signed_version_cannot_be_edited(world, mou):
    version = mou.versions.get()
    _sign_all(world, version)
    with pytest.raises(ValidationError) as error:
        services.section_update(actor=world.users["agency_admin"], version=version, element="purpose", text="New")
    assert error.value.message_dict["text"] == [services.NOT_A_DRAFT]
    with pytest.raises(ValidationError):
        services.rule_set(actor=world.users["agency_admin"], version=version, category="weapon", level="school_only")


def test_only_the_right_person_signs_for_each_party(world, mou):
    version = mou.versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=version, acknowledge_missing=True)
    with pytest.raises(PermissionDenied):
        services.version_sign(actor=world.users["district_admin"], version=version, party="agency_head")
    with pytest.raises(PermissionDenied):
        services.version_sign(actor=world.users["supervisor"], version=version, party="agency_head")
    signature = services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")
    assert signature.signed_hash == version.content_hash == services.version_hash(version)
    with pytest.raises(ValidationError):
        services.version_sign(actor=world.users["agency_admin"], version=version, party="agency_head")


def test_a_draft_cannot_be_signed(world, mou):
    with pytest.raises(ValidationError) as error:
        services.version_sign(actor=world.users["agency_admin"], version=mou.versions.get(), party="agency_head")
    assert error.value.message_dict["__all__"] == [services.NOT_SUBMITTED]


def test_a_new_draft_copies_the_signed_version_and_the_newer_version_takes_over(world, mou):
    first = mou.versions.get()
    _sign_all(world, first)
    second = services.version_new_draft(
        actor=world.users["agency_admin"], agreement=mou, effective_date=datetime.date(2026, 1, 1)
    )
    assert second.number == 2
    assert second.rules.count() == first.rules.count()
    services.rule_set(
        actor=world.users["district_admin"], version=second, category="tobacco_vaping", level="assist_on_request"
    )
    _sign_all(world, second)
    find = lambda day: ev.mou_in_force(agency_id=world.agency.pk, school_id=world.high.pk, on=day)  # noqa: E731
    assert find(datetime.date(2025, 12, 31)).number == 1
    assert find(datetime.date(2026, 1, 1)).number == 2
    assert find(datetime.date(2026, 1, 1)).rules["tobacco_vaping"].level == Level.ASSIST_ON_REQUEST


def test_unknown_actions_in_a_rule_condition_name_the_field(world, mou):
    with pytest.raises(ValidationError) as error:
        services.rule_set(
            actor=world.users["agency_admin"],
            version=mou.versions.get(),
            category="weapon",
            level="officer_must_act",
            prohibited_actions=["taser"],
        )
    assert "prohibited_actions" in error.value.message_dict


def test_signing_a_version_keeps_the_judgment_of_an_action_recorded_before(world, mou):
    officer = world.officer
    recorded = interactions.interaction_record(
        justification="Recorded for the test.",
        actor=officer.user,
        officer=officer,
        school=world.elementary,
        kind="enforcement",
        occurred_at=datetime.datetime(2025, 10, 1, 15, 0, tzinfo=datetime.UTC),
        enforcement={
            "action_type": ActionType.ARREST,
            "reason_category": ReasonCategory.TOBACCO_VAPING,
            "requested_by": "administrator",
            "admin_consulted": True,
            "demographics_source": "perceived",
        },
    ).interaction
    _sign_all(world, mou.versions.get())
    evaluation = Evaluation.objects.get(interaction=recorded)
    assert (evaluation.outcome, evaluation.version) == (Outcome.NO_MOU, None)
    review = Review.objects.get(interaction=recorded)
    assert (review.outcome, review.closed_at) == (Outcome.NO_MOU, None)
