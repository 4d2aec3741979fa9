"""Reviews of flagged actions through the API: listed with their age, commented on, closed with a finding."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from liaison.accounts.models import AuditEntry
from liaison.agreements import services
from liaison.agreements.models import Review, ReviewComment
from liaison.agreements.tests.mous import JUSTIFICATION, flagged_action, mou_in_force
from liaison.agreements.vocabulary import Finding

DEMOGRAPHICS = {"race_ethnicity", "sex", "disability", "english_learner", "student_grade", "student_key"}


@pytest.fixture
def review(world) -> Review:
    mou_in_force(world)
    return flagged_action(world)


def _path(review: Review) -> str:
    return f"/agreements/reviews/{review.uuid}"


def _keys(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in _keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in _keys(value)}
    return set()


def test_the_principal_comments_and_the_supervisor_closes_with_a_finding(api_as, world, review):
    principal, supervisor = api_as("school_admin"), api_as("supervisor")
    comment = principal.post(f"{_path(review)}/comments", {"text": "I asked the officer to come to the office."})
    assert comment.status_code == 201
    assert comment.json()["author"] == "school_admin"

    closed = supervisor.post(f"{_path(review)}/close", {"finding": "policy_violation", "comment": "Vaping is ours."})

    assert closed.status_code == 200
    body = closed.json()
    assert (body["status"], body["finding"], body["closed_by"]) == ("closed", "policy_violation", "supervisor")
    assert body["finding_label"] == Finding.POLICY_VIOLATION.label
    assert [(c["author"], c["text"]) for c in body["comments"]] == [
        ("school_admin", "I asked the officer to come to the office."),
        ("supervisor", "Vaping is ours."),
    ]
    summaries = AuditEntry.objects.filter(object_uuid=review.uuid).values_list("summary", flat=True)
    assert "Closed a review: Policy violation" in summaries


def test_a_closed_review_takes_no_more_comments_or_findings(api_as, world, review):
    services.review_close(actor=world.users["supervisor"], review=review, finding=Finding.DATA_ERROR)
    comment = api_as("school_admin").post(f"{_path(review)}/comments", {"text": "Late thought."})
    again = api_as("supervisor").post(f"{_path(review)}/close", {"finding": "mou_gap"})
    assert comment.json()["error"]["fields"] == {"__all__": [services.REVIEW_CLOSED]}
    assert again.json()["error"]["fields"] == {"__all__": [services.REVIEW_CLOSED]}
    review.refresh_from_db()
    assert review.finding == Finding.DATA_ERROR


def test_closing_without_a_known_finding_names_the_field_and_writes_nothing(api_as, world, review):
    comments, audit = ReviewComment.objects.count(), AuditEntry.objects.count()
    response = api_as("supervisor").post(f"{_path(review)}/close", {"finding": "fine", "comment": "All good."})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"finding"}
    assert (ReviewComment.objects.count(), AuditEntry.objects.count()) == (comments, audit)
    review.refresh_from_db()
    assert review.closed_at is None


def test_a_blank_comment_names_the_field(api_as, world, review):
    response = api_as("school_admin").post(f"{_path(review)}/comments", {"text": "   "})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"text"}
    assert not review.comments.exists()


def test_a_review_shows_the_action_but_never_the_students_demographics(api_as, world, review):
    body = api_as("school_admin").get(_path(review)).json()
    action = body["action"]
    assert (action["kind"], action["action_type"], action["reason_category"]) == (
        "enforcement",
        "arrest",
        "tobacco_vaping",
    )
    assert body["justification"] == JUSTIFICATION
    assert body["explanation"]
    assert _keys(body) & DEMOGRAPHICS == set()


def test_reading_a_review_is_audited_as_a_read_of_the_enforcement_record(api_as, world, review):
    api_as("school_admin").get(_path(review))
    entry = AuditEntry.objects.filter(action="read", actor_username="school_admin").get()
    assert entry.after == {"uuids": [str(review.interaction.uuid)]}


def test_reviews_are_listed_with_their_age_in_days(api_as, world, review):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=1)):
        items = api_as("supervisor").get("/agreements/reviews").json()["results"]
    assert [(i["uuid"], i["age_days"], i["status"]) for i in items] == [(str(review.uuid), 3, "open")]


def test_a_closed_reviews_age_stops_when_it_was_closed(api_as, world, review):
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, hours=1)):
        services.review_close(actor=world.users["supervisor"], review=review, finding=Finding.MOU_GAP)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        items = api_as("supervisor").get("/agreements/reviews").json()["results"]
    assert [(i["age_days"], i["status"]) for i in items] == [(2, "closed")]


def test_the_review_list_filters_by_status_school_and_outcome(api_as, world, review):
    later = flagged_action(world, when=datetime.datetime(2025, 11, 3, 14, 0, tzinfo=datetime.UTC))
    services.review_close(actor=world.users["supervisor"], review=later, finding=Finding.JUSTIFIED_EMERGENCY)
    api = api_as("agency_admin")

    def uuids(**filters) -> list[str]:
        return [item["uuid"] for item in api.get("/agreements/reviews", **filters).json()["results"]]

    assert uuids(status="open") == [str(review.uuid)]
    assert uuids(status="closed") == [str(later.uuid)]
    assert uuids(school=str(world.elementary.uuid)) == [str(review.uuid), str(later.uuid)]
    assert uuids(school=str(world.high.uuid)) == []
    assert uuids(outcome="outside") == [str(review.uuid), str(later.uuid)]
    assert uuids(outcome="no_mou") == []


def test_a_bad_filter_value_names_the_parameter(api_as, world, review):
    response = api_as("agency_admin").get("/agreements/reviews", status="pending")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_the_review_list_keeps_to_a_query_budget(api_as, world, review, django_assert_max_num_queries):
    for day in range(2, 8):
        flagged_action(world, when=datetime.datetime(2025, 11, day, 14, 0, tzinfo=datetime.UTC))
    api = api_as("supervisor")
    with django_assert_max_num_queries(6):
        assert len(api.get("/agreements/reviews").json()["results"]) == 7


def test_an_evaluator_sees_no_reviews(api_as, world, review):
    assert api_as("evaluator").get("/agreements/reviews").json()["results"] == []
