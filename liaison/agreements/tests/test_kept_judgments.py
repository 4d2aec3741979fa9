"""A judgment once made is kept: signing a version, even one effective from an earlier date or from the
same day, never changes how an action already recorded was judged; the record shows beside it what
the new version would say. An amended action gets a new judgment with its reason."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from liaison.agreements import services
from liaison.agreements.models import AgreementVersion, Evaluation, Review
from liaison.agreements.tests.mous import draft_mou, sign_all
from liaison.agreements.tests.pages import page_text, url
from liaison.agreements.vocabulary import EvaluationReason, HashScheme, Level, Outcome
from liaison.interactions import views as interaction_views
from liaison.interactions.models import Interaction
from liaison.interactions.vocabulary import ActionType, ReasonCategory

UTC = datetime.UTC
JUSTIFICATION = "The principal asked me to take the vape and the student ran."


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def first(world):
    """Version 1 (the defaults: tobacco and vaping are school discipline only), in force from 1 August 2025."""
    agreement = draft_mou(world, effective_date=datetime.date(2025, 8, 1))
    return sign_all(world, agreement.versions.get(), at=_at("2025-07-15T12:00"))


def _second(world, first: AgreementVersion, *, effective: datetime.date, signed_at: datetime.datetime):
    """Version 2 lets the officer act on vaping; signed at `signed_at`, in force from `effective`."""
    with time_machine.travel(signed_at - datetime.timedelta(hours=1), tick=False):
        draft = services.version_new_draft(
            actor=world.users["agency_admin"], agreement=first.agreement, effective_date=effective
        )
        services.rule_set(
            actor=world.users["agency_admin"],
            version=draft,
            category=ReasonCategory.TOBACCO_VAPING,
            level=Level.OFFICER_MAY_ACT,
        )
    return sign_all(world, draft, at=signed_at)


def _record(api_as, world, *, occurred: str, recorded: str) -> Interaction:
    """A vaping citation the officer sends through the API at `recorded` (times in UTC)."""
    payload = {
        "school": str(world.elementary.uuid),
        "kind": "enforcement",
        "occurred_at": _at(occurred).isoformat(),
        "justification": JUSTIFICATION,
        "enforcement": {
            "action_type": ActionType.CRIMINAL_CITATION,
            "reason_category": ReasonCategory.TOBACCO_VAPING,
            "requested_by": "administrator",
            "admin_consulted": True,
            "demographics_source": "perceived",
        },
    }
    with time_machine.travel(_at(recorded), tick=False):
        response = api_as("officer").post("/interactions", payload)
    assert response.status_code == 201, response.content
    return Interaction.objects.get(uuid=response.json()["uuid"])


def _judgments(interaction: Interaction) -> list[tuple[str, int | None, str]]:
    rows = Evaluation.objects.filter(interaction=interaction).order_by("pk").select_related("version")
    return [(e.outcome, e.version.number if e.version else None, e.reason) for e in rows]


def test_a_backdated_version_signed_later_keeps_the_earlier_judgment(api_as, page_as, world, first):
    october = _record(api_as, world, occurred="2025-10-14T15:00", recorded="2025-10-14T15:05")
    _second(world, first, effective=datetime.date(2025, 9, 1), signed_at=_at("2025-12-06T12:00"))

    assert _judgments(october) == [(Outcome.OUTSIDE, 1, EvaluationReason.RECORDED)]
    assert api_as("officer").get(f"/interactions/{october.uuid}").json()["mou"]["outcome"] == "outside"
    response = page_as("supervisor").get(f"/log/{october.uuid}/")
    assert response.context["judgment"].kept.outcome == Outcome.OUTSIDE
    assert response.context["judgment"].later.outcome == Outcome.WITHIN
    html = page_text(response)
    assert 'data-mou-outcome="outside"' in html and 'data-later-outcome="within"' in html
    assert "version 2, signed after this action was recorded, would say: <strong>Within MOU</strong>" in html


def test_an_action_recorded_after_the_signature_is_judged_by_the_backdated_version(api_as, world, first):
    """A late offline sync or an import: judged by what was signed when Liaison recorded it."""
    _second(world, first, effective=datetime.date(2025, 9, 1), signed_at=_at("2025-12-06T12:00"))
    synced = _record(api_as, world, occurred="2025-10-15T15:00", recorded="2025-12-07T09:00")
    assert _judgments(synced) == [(Outcome.WITHIN, 2, EvaluationReason.RECORDED)]
    assert not Review.objects.filter(interaction=synced).exists()


def test_a_same_day_version_keeps_the_judgment_of_an_action_recorded_that_morning(api_as, page_as, world, first):
    morning = _record(api_as, world, occurred="2026-01-12T13:00", recorded="2026-01-12T14:00")
    _second(world, first, effective=datetime.date(2026, 1, 12), signed_at=_at("2026-01-12T16:00"))
    afternoon = _record(api_as, world, occurred="2026-01-12T13:30", recorded="2026-01-12T17:00")

    assert _judgments(morning) == [(Outcome.OUTSIDE, 1, EvaluationReason.RECORDED)]
    assert _judgments(afternoon) == [(Outcome.WITHIN, 2, EvaluationReason.RECORDED)]
    rows = page_as("supervisor").get(url("reviews")).context["rows"]
    assert [(row["review"].interaction_id, row["review"].outcome) for row in rows] == [(morning.pk, "outside")]


def test_the_dashboard_counts_the_kept_judgments(api_as, world, first):
    _record(api_as, world, occurred="2025-10-14T15:00", recorded="2025-10-14T15:05")
    _second(world, first, effective=datetime.date(2025, 9, 1), signed_at=_at("2025-12-06T12:00"))
    _record(api_as, world, occurred="2025-10-15T15:00", recorded="2025-12-07T09:00")
    with time_machine.travel(_at("2025-12-08T12:00"), tick=False):
        dashboard = f"/agreements/dashboard/agency/{world.agency.uuid}?start=2025-08-01&end=2025-11-30"
        response = api_as("agency_admin").get(dashboard)
    months = response.json()["outcomes_by_school"][0]["months"]
    assert [(m["month"], m["within_mou"], m["outside_mou"]) for m in months] == [("2025-10-01", 1, 1)]


def test_an_amended_action_gets_a_new_judgment_with_its_reason(api_as, page_as, world, first):
    october = _record(api_as, world, occurred="2025-10-14T15:00", recorded="2025-10-14T15:05")
    with time_machine.travel(_at("2025-10-20T12:00"), tick=False):
        response = api_as("supervisor").patch(
            f"/interactions/{october.uuid}",
            {"occurred_at": _at("2025-07-20T15:00").isoformat(), "reason": "The date was mistyped."},
        )
    assert response.status_code == 200, response.content
    mou = response.json()["mou"]
    assert mou["outcome"] == "no_mou"
    assert [(j["outcome"], j["version"], j["reason"]) for j in mou["history"]] == [
        ("outside", 1, "recorded"),
        ("no_mou", None, "amended"),
    ]
    assert _judgments(october) == [
        (Outcome.OUTSIDE, 1, EvaluationReason.RECORDED),
        (Outcome.NO_MOU, None, EvaluationReason.AMENDED),
    ]
    assert Evaluation.objects.get(interaction=october, reason=EvaluationReason.AMENDED).note == "The date was mistyped."
    assert Review.objects.filter(interaction=october).count() == 1
    html = page_text(page_as("supervisor").get(f"/log/{october.uuid}/"))
    assert "Every judgment, oldest first" in html and "amended: The date was mistyped." in html


def test_the_record_and_its_review_link_to_each_other(api_as, page_as, world, first):
    october = _record(api_as, world, occurred="2025-10-14T15:00", recorded="2025-10-14T15:05")
    review = Review.objects.get(interaction=october)
    record_html = page_text(page_as("supervisor").get(f"/log/{october.uuid}/"))
    assert url("review_detail", review.uuid) in record_html
    assert JUSTIFICATION in record_html
    review_html = page_text(page_as("supervisor").get(url("review_detail", review.uuid)))
    assert f"/log/{october.uuid}/" in review_html


def test_the_officer_is_told_the_outcome_and_that_a_review_opened(page_as, world, first):
    data = {
        "client_uuid": "0b8c1e2a-5b1e-4d4e-9a8f-2f1e0c9d7b6a",
        "school": str(world.elementary.uuid),
        "occurred_at": "2025-10-14T09:15",
        "action_type": ActionType.CRIMINAL_CITATION,
        "reason_category": ReasonCategory.TOBACCO_VAPING,
        "requested_by": "administrator",
        "admin_consulted": "yes",
        "admin_consulted_role": "administrator",
        "student_grade": "10",
        "race_ethnicity": "unknown",
        "sex": "unknown",
        "disability": "unknown",
        "english_learner": "unknown",
        "demographics_source": "perceived",
        "justification": JUSTIFICATION,
    }
    client = page_as("officer")
    with time_machine.travel(_at("2025-10-14T15:00"), tick=False):
        response = client.post("/log/enforcement/new/", data, follow=True)
    assert response.redirect_chain
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        interaction_views.ENFORCEMENT_SAVED_FLAGGED.format(
            outcome="outside mou", explanation="Under the MOU this category is school discipline only: "
            "the officer takes no enforcement action."
        )
    ]  # fmt: skip


def test_a_title_changed_after_signing_is_not_what_the_signed_version_shows(world, page_as, first):
    services.agreement_update(actor=world.users["agency_admin"], agreement=first.agreement, title="Renamed later")
    first.refresh_from_db()
    assert first.title == "Millbrook SRO MOU"
    assert services.version_hash_verified(first)
    html = page_text(page_as("district_admin").get(url("document", first.uuid)))
    assert '<h1 id="document-title">Millbrook SRO MOU</h1>' in html


def test_the_title_is_inside_the_signed_hash(world, first):
    first.title = "Another title"
    assert not services.version_hash_verified(first)


def test_a_version_signed_under_the_first_scheme_still_verifies(world, first):
    """Versions hashed before the title was covered keep their scheme (the migration marks them 1)."""
    AgreementVersion.objects.filter(pk=first.pk).update(hash_scheme=HashScheme.RULES_AND_TEXT)
    first.refresh_from_db()
    AgreementVersion.objects.filter(pk=first.pk).update(content_hash=services.version_hash(first))
    first.refresh_from_db()
    first.title = "Any title"
    assert services.version_hash_verified(first)


def test_the_signing_page_says_judgments_are_kept_before_anyone_signs(world, page_as):
    draft = draft_mou(world).versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=draft, acknowledge_missing=True)
    html = page_text(page_as("agency_admin").get(url("detail", draft.agreement.uuid)))
    assert "Actions already recorded keep the judgment they were given" in html
