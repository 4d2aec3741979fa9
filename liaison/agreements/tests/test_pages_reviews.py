"""Reviews of flagged actions: the list with ages, one review's facts, comments and closing."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from liaison.accounts.models import AuditEntry
from liaison.agreements import services, views
from liaison.agreements.models import Review
from liaison.agreements.tests.mous import mou_in_force
from liaison.agreements.tests.pages import page_text, record_action, url
from liaison.agreements.vocabulary import Finding
from liaison.interactions.vocabulary import ActionType, ReasonCategory

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


def _flag(world, *, school, opened: datetime.datetime, category: str = ReasonCategory.TOBACCO_VAPING) -> Review:
    """A flagged arrest at the school, its review opened at `opened`."""
    with time_machine.travel(opened, tick=False):
        interaction = record_action(
            world, school=school, when=opened - datetime.timedelta(hours=2), action_type=ActionType.ARREST,
            category=category,
        )  # fmt: skip
    return Review.objects.get(interaction=interaction)


@pytest.fixture
def reviews(world):
    """Three reviews under the MOU in force: one closed, two open (the elementary one older)."""
    mou_in_force(world)
    newer = _flag(world, school=world.high, opened=NOW - datetime.timedelta(days=3))
    older = _flag(world, school=world.elementary, opened=NOW - datetime.timedelta(days=10))
    closed = _flag(world, school=world.elementary, opened=NOW - datetime.timedelta(days=30))
    with time_machine.travel(NOW - datetime.timedelta(days=25), tick=False):
        services.review_close(actor=world.users["supervisor"], review=closed, finding=Finding.DATA_ERROR)
    return {"newer": newer, "older": older, "closed": closed}


@time_machine.travel(NOW, tick=False)
def test_reviews_are_listed_open_first_then_oldest_first_with_their_age(page_as, reviews):
    response = page_as("supervisor").get(url("reviews"))
    rows = response.context["rows"]
    assert [row["review"] for row in rows] == [reviews["older"], reviews["newer"], reviews["closed"]]
    assert [row["age"] for row in rows] == [10, 3, 5]
    html = page_text(response)
    assert "10 days" in html
    assert "Data error" in html


@time_machine.travel(NOW, tick=False)
def test_reviews_can_be_narrowed_by_status_and_school(world, page_as, reviews):
    client = page_as("supervisor")
    open_only = client.get(url("reviews"), {"status": "open"}).context["rows"]
    assert [row["review"] for row in open_only] == [reviews["older"], reviews["newer"]]
    closed = client.get(url("reviews"), {"status": "closed"}).context["rows"]
    assert [row["review"] for row in closed] == [reviews["closed"]]
    at_high = client.get(url("reviews"), {"school": str(world.high.uuid)}).context["rows"]
    assert [row["review"] for row in at_high] == [reviews["newer"]]


def test_a_school_admin_sees_only_their_schools_reviews(page_as, reviews):
    rows = page_as("school_admin").get(url("reviews")).context["rows"]
    assert {row["review"].pk for row in rows} == {reviews["older"].pk, reviews["closed"].pk}


@time_machine.travel(NOW, tick=False)
def test_the_review_list_reads_the_same_few_queries_however_many_reviews(
    world, page_as, reviews, django_assert_max_num_queries
):
    client = page_as("supervisor")
    client.get(url("reviews"))  # warm the session and the scope
    with django_assert_max_num_queries(8):
        client.get(url("reviews"))
    for days in range(5):
        _flag(world, school=world.high, opened=NOW - datetime.timedelta(days=40 + days))
    with django_assert_max_num_queries(8):
        response = client.get(url("reviews"))
    assert len(response.context["rows"]) == 8


def test_the_review_page_shows_the_action_and_the_rule_but_no_demographics(page_as, reviews):
    review = reviews["older"]
    html = page_text(page_as("school_admin").get(url("review_detail", review.uuid)))
    for fact in ("School-related arrest", "Tobacco or vaping", "Millbrook Elementary", "School only"):
        assert fact in html
    assert "Under the MOU this category is school discipline only" in html
    assert "The principal asked me to step in." in html
    for demographic in ("Hispanic", "Female", "IDEA", "English learner", "Race"):
        assert demographic not in html


def test_reading_a_review_is_in_the_audit_log(world, page_as, reviews):
    review = reviews["older"]
    page_as("district_admin").get(url("review_detail", review.uuid))
    entry = AuditEntry.objects.filter(action="read", actor=world.users["district_admin"]).get()
    assert entry.after == {"uuids": [str(review.interaction.uuid)]}
    assert "the review page" in entry.summary


@pytest.mark.parametrize("role", ["supervisor", "officer", "school_admin", "district_admin"])
def test_the_people_around_a_review_may_comment_on_it(page_as, reviews, role):
    review = reviews["older"]
    response = page_as(role).post(url("review_comment", review.uuid), {"text": f"Seen by the {role}."}, follow=True)
    assert views.COMMENT_ADDED in page_text(response)
    assert list(review.comments.values_list("text", flat=True)) == [f"Seen by the {role}."]
    assert f"Seen by the {role}." in page_text(response)


def test_an_empty_comment_is_refused_on_its_field(page_as, reviews):
    response = page_as("school_admin").post(url("review_comment", reviews["older"].uuid), {"text": "  "})
    assert response.context["comment_form"].errors["text"] == [views.forms.COMMENT_REQUIRED]
    assert not reviews["older"].comments.exists()


def test_the_supervisor_closes_a_review_with_a_finding(world, page_as, reviews):
    review = reviews["older"]
    data = {"close-finding": Finding.JUSTIFIED_EMERGENCY, "close-comment": "The student had a lighter and fuel."}
    response = page_as("supervisor").post(url("review_close", review.uuid), data, follow=True)
    review.refresh_from_db()
    assert review.finding == Finding.JUSTIFIED_EMERGENCY
    assert review.closed_by == world.users["supervisor"]
    html = page_text(response)
    assert views.REVIEW_CLOSED.format(finding="Justified emergency") in html
    assert "The student had a lighter and fuel." in html
    assert "Close the review" not in html
    assert "Add comment" not in html


def test_closing_needs_a_finding(page_as, reviews):
    response = page_as("supervisor").post(url("review_close", reviews["older"].uuid), {"close-comment": "Done."})
    assert response.context["close_form"].errors["finding"]
    assert Review.objects.get(pk=reviews["older"].pk).closed_at is None


@pytest.mark.parametrize("role", ["school_admin", "district_admin", "officer"])
def test_only_the_agency_closes_a_review(page_as, reviews, role):
    response = page_as(role).post(url("review_close", reviews["older"].uuid), {"close-finding": Finding.MOU_GAP})
    assert response.status_code == 403
    assert "Close the review" not in page_text(page_as(role).get(url("review_detail", reviews["older"].uuid)))


def test_a_closed_review_takes_no_more_comments(page_as, reviews):
    response = page_as("supervisor").post(url("review_comment", reviews["closed"].uuid), {"text": "One more thing."})
    assert services.REVIEW_CLOSED in page_text(response)
    assert not reviews["closed"].comments.exists()
