"""One MOU's page: drafting a version, the completeness check, submitting, signing and what follows."""

from __future__ import annotations

import datetime

import pytest

from liaison.agreements import services, views
from liaison.agreements.models import Rule, Section
from liaison.agreements.tests.mous import draft_mou, sign_all
from liaison.agreements.tests.pages import page_text, rules_data, sections_data, terms_data, url
from liaison.agreements.vocabulary import Level, VersionStatus
from liaison.interactions.vocabulary import ActionType


@pytest.fixture
def mou(world):
    return draft_mou(world)


@pytest.fixture
def draft(mou):
    return mou.versions.get()


ACKNOWLEDGED = {"acknowledge_missing": "on"}  # the draft misses elements; submitting needs the checkbox


def test_the_parties_see_the_draft_editor(page_as, mou):
    for role in ("agency_admin", "district_admin"):
        html = page_text(page_as(role).get(url("detail", mou.uuid)))
        assert 'name="section-purpose"' in html
        assert "Save rules" in html
        assert "Submit version 1 for signature" in html


def test_others_who_see_the_mou_get_no_edit_controls(page_as, mou):
    html = page_text(page_as("supervisor").get(url("detail", mou.uuid)))
    assert "Millbrook SRO MOU" in html
    assert "<textarea" not in html
    assert "Save rules" not in html
    assert "Submit version" not in html


def test_saving_sections_changes_only_the_sections_edited(world, page_as, draft):
    data = sections_data(draft, purpose="Keep students in school.", funding="The town pays the officer's salary.")
    response = page_as("district_admin").post(url("sections_save", draft.uuid), data, follow=True)
    texts = dict(draft.sections.values_list("element", "text"))
    assert texts["purpose"] == "Keep students in school."
    assert texts["funding"] == "The town pays the officer's salary."
    assert texts["training"] == ""
    assert views.SECTIONS_SAVED.format(count=2, plural="s") in page_text(response)


def test_the_completeness_check_names_the_empty_and_missing_elements(world, page_as, mou, draft):
    services.section_update(actor=world.users["agency_admin"], version=draft, element="purpose", text="Safety.")
    Section.objects.filter(version=draft, element="funding").delete()
    html = page_text(page_as("agency_admin").get(url("detail", mou.uuid)))
    check = html[html.index('id="completeness"') : html.index("</section>", html.index('id="completeness"'))]
    assert "1 of 15 elements" in check
    assert "Purpose and goals" not in check
    assert 'Funding</a> <span class="badge badge-bad">Missing' in check
    assert 'Training requirements</a> <span class="badge badge-warn">Empty' in check


def test_saving_rules_changes_the_level_and_conditions_of_the_rows_edited(world, page_as, draft):
    data = rules_data(
        draft,
        fight_no_injury={
            "level": Level.OFFICER_MAY_ACT,
            "consultation_required_for": [ActionType.ARREST, ActionType.SEARCH],
            "prohibited_actions": [ActionType.USE_OF_FORCE],
            "note": "Only when someone is hurt.",
        },
    )
    response = page_as("agency_admin").post(url("rules_save", draft.uuid), data, follow=True)
    rule = Rule.objects.get(version=draft, category="fight_no_injury")
    assert rule.level == Level.OFFICER_MAY_ACT
    assert rule.consultation_required_for == [ActionType.ARREST, ActionType.SEARCH]
    assert rule.prohibited_actions == [ActionType.USE_OF_FORCE]
    assert rule.note == "Only when someone is hurt."
    assert views.RULES_SAVED.format(count=1, plural="") in page_text(response)
    assert Rule.objects.get(version=draft, category="weapon").level == Level.OFFICER_MUST_ACT


def test_choosing_no_rule_removes_the_category_from_the_version(page_as, draft):
    page_as("district_admin").post(url("rules_save", draft.uuid), rules_data(draft, dress_code={"level": ""}))
    assert not Rule.objects.filter(version=draft, category="dress_code").exists()
    assert Rule.objects.filter(version=draft).count() == 24


def test_an_unknown_level_is_refused_on_its_own_row(page_as, draft):
    response = page_as("agency_admin").post(
        url("rules_save", draft.uuid), rules_data(draft, truancy={"level": "arrest"})
    )
    formset = response.context["rules_formset"]
    assert formset.forms[1].errors["level"]
    assert Rule.objects.get(version=draft, category="truancy").level == Level.SCHOOL_ONLY


def test_saving_dates_and_schools_moves_the_review_date_with_the_effective_date(world, page_as, draft):
    data = terms_data(draft, effective_date="2025-09-01", schools=[str(world.high.uuid)])
    page_as("agency_admin").post(url("terms_save", draft.uuid), data)
    draft.refresh_from_db()
    assert draft.effective_date == datetime.date(2025, 9, 1)
    assert draft.review_due_date == datetime.date(2026, 9, 1)
    assert list(draft.schools.all()) == [world.high]


def test_the_schools_to_cover_are_the_districts_schools_and_nothing_else(world, page_as, mou):
    form = page_as("agency_admin").get(url("detail", mou.uuid)).context["terms_form"]
    assert [label for _, label in form.fields["schools"].choices] == ["Millbrook Elementary", "Millbrook High"]


def test_a_chosen_review_date_survives_a_change_to_the_expiry_date(page_as, draft):
    client = page_as("agency_admin")
    client.post(url("terms_save", draft.uuid), terms_data(draft, review_due_date="2026-03-01"))
    draft.refresh_from_db()
    client.post(url("terms_save", draft.uuid), terms_data(draft, expiry_date="2027-07-31"))
    draft.refresh_from_db()
    assert (draft.review_due_date, draft.expiry_date) == (datetime.date(2026, 3, 1), datetime.date(2027, 7, 31))


def test_an_expiry_before_the_effective_date_is_shown_on_its_field(page_as, draft):
    response = page_as("agency_admin").post(url("terms_save", draft.uuid), terms_data(draft, expiry_date="2025-07-01"))
    assert response.context["terms_form"].errors["expiry_date"]
    assert 'id="id_terms-expiry_date_error"' in page_text(response)


def test_submitting_freezes_the_version_and_offers_each_party_its_own_signature(world, page_as, mou, draft):
    response = page_as("agency_admin").post(url("submit", draft.uuid), ACKNOWLEDGED, follow=True)
    draft.refresh_from_db()
    assert not draft.is_draft and draft.content_hash
    html = page_text(response)
    assert views.SUBMITTED.format(number=1) in html
    assert "Sign as Agency head (chief or sheriff)" in html
    assert "Sign as Superintendent" not in html
    district_html = page_text(page_as("district_admin").get(url("detail", mou.uuid)))
    assert "Sign as Superintendent" in district_html
    assert "Sign as Agency head" not in district_html


def test_both_parties_sign_through_the_page_and_the_mou_comes_into_force(world, page_as, mou, draft):
    page_as("agency_admin").post(url("submit", draft.uuid), ACKNOWLEDGED)
    page_as("agency_admin").post(url("sign", draft.uuid), {"party": "agency_head"})
    page_as("district_admin").post(url("sign", draft.uuid), {"party": "superintendent"})
    draft.refresh_from_db()
    signatures = dict(draft.signatories.values_list("party", "signed_by__username"))
    assert signatures == {"agency_head": "agency_admin", "superintendent": "district_admin"}
    response = page_as("supervisor").get(url("detail", mou.uuid))
    assert response.context["status"] == VersionStatus.IN_FORCE
    assert response.context["in_force"] == draft


def test_signing_for_the_other_party_is_forbidden(world, page_as, draft):
    page_as("agency_admin").post(url("submit", draft.uuid), ACKNOWLEDGED)
    response = page_as("agency_admin").post(url("sign", draft.uuid), {"party": "superintendent"})
    assert response.status_code == 403
    assert not draft.signatories.filter(signed_at__isnull=False).exists()


def test_a_signed_version_shows_no_edit_controls(world, page_as, mou, draft):
    sign_all(world, draft)
    html = page_text(page_as("agency_admin").get(url("detail", mou.uuid)))
    assert "<textarea" not in html
    assert "Save rules" not in html
    assert "Submit version" not in html
    assert "Sign as" not in html
    assert "Start a new draft" in html


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("sections_save", lambda v: sections_data(v, purpose="Rewritten after signing.")),
        ("rules_save", lambda v: rules_data(v, weapon={"level": Level.SCHOOL_ONLY})),
        ("terms_save", lambda v: terms_data(v, effective_date="2025-09-01")),
        ("submit", lambda v: ACKNOWLEDGED),
        ("sections_save", lambda v: sections_data(v)),  # even when nothing would change
    ],
)
def test_editing_a_signed_version_is_refused_as_not_a_draft(world, page_as, draft, name, data):
    sign_all(world, draft)
    before = services.version_hash(draft)
    response = page_as("agency_admin").post(url(name, draft.uuid), data(draft))
    assert response.status_code == 409
    assert services.NOT_A_DRAFT in page_text(response)
    assert 'role="alert"' in page_text(response)
    draft.refresh_from_db()
    assert services.version_hash(draft) == before == draft.content_hash


def test_a_new_draft_after_signing_copies_the_signed_version(world, page_as, mou, draft):
    services.section_update(actor=world.users["agency_admin"], version=draft, element="purpose", text="Safety.")
    sign_all(world, draft)
    response = page_as("district_admin").post(
        url("draft_create", mou.uuid), {"draft-effective_date": "2026-08-01"}, follow=True
    )
    second = mou.versions.get(number=2)
    assert second.is_draft
    assert second.sections.get(element="purpose").text == "Safety."
    assert views.DRAFT_STARTED.format(number=2, previous=1) in page_text(response)
    assert 'name="section-purpose"' in page_text(response)


def test_what_changed_lists_the_sections_and_rules_that_differ(world, page_as, mou, draft):
    admin = world.users["agency_admin"]
    services.section_update(actor=admin, version=draft, element="purpose", text="Safety.")
    sign_all(world, draft)
    second = services.version_new_draft(actor=admin, agreement=mou, effective_date=datetime.date(2026, 8, 1))
    services.section_update(actor=admin, version=second, element="purpose", text="Safety and trust.")
    services.rule_set(actor=admin, version=second, category="tobacco_vaping", level=Level.ASSIST_ON_REQUEST)
    response = page_as("officer").get(url("changes", mou.uuid), {"base": 1, "other": 2})
    diff = response.context["diff"]
    assert [c.element for c in diff.sections] == ["purpose"]
    assert [c.category for c in diff.rules] == ["tobacco_vaping"]
    html = page_text(response)
    assert "Safety and trust." in html
    assert "Tobacco or vaping" in html
    assert "Assist on request" in html


def test_comparing_a_version_with_itself_is_refused(page_as, mou):
    response = page_as("agency_admin").get(url("changes", mou.uuid), {"base": 1, "other": 1})
    assert response.context["diff"] is None


def test_the_parties_publish_and_unpublish_the_mou(page_as, mou):
    client = page_as("district_admin")
    client.post(url("publish", mou.uuid), {"published": "on"})
    mou.refresh_from_db()
    assert mou.published
    response = client.post(url("publish", mou.uuid), {}, follow=True)
    mou.refresh_from_db()
    assert not mou.published
    assert views.UNPUBLISHED in page_text(response)
