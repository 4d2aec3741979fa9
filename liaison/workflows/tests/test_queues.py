"""Each role's home page is their work queue, and `GET /api/v1/me/queue` returns the same: every item a
link, scoped to what the person may see, and the count of what waits on them in the navigation."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from liaison.agreements.models import Review
from liaison.workflows.queues import queue_for

from .pending import noon, pending_work

__all__ = ["noon"]  # fixture

pytestmark = pytest.mark.usefixtures("noon")

HOME = reverse("home")
QUEUE_API = "/api/v1/me/queue"
BADGE = reverse("queue_badge")


def _sections(user) -> dict:
    return {s.key: s for s in queue_for(user).sections}


def _labels(section) -> list[str]:
    return [item.label for item in section.items]


def test_the_officer_sees_todays_log_first_then_what_waits_on_them(world):
    pending = pending_work(world)
    sections = _sections(world.users["officer"])
    assert list(sections)[0] == "today"
    assert _labels(sections["today"]) == [  # newest first: a greeting at 11:30, the mentee's warning at 11:00
        "Informal positive contact at Millbrook Elementary",
        "Enforcement action at Millbrook Elementary",
    ]
    assert sections["today"].more_url == reverse("interactions:quick_log")
    commented = [i.url for i in sections["review_comments"].items]
    assert reverse("agreements:review_detail", args=[pending.review.uuid]) in commented
    assert [i.url for i in sections["classes_today"].items] == [
        reverse("programs:session", args=[pending.session.uuid])
    ]
    assert [i.url for i in sections["mentees_due"].items] == [
        reverse("programs:relationship", args=[pending.mentee.uuid])
    ]
    assert sections["mentees_due"].items[0].detail == "60 days since the last meeting"


def test_answering_the_question_takes_the_review_off_the_officers_queue(world):
    from liaison.agreements.services import review_comment

    pending = pending_work(world)
    review_comment(actor=world.users["officer"], review=pending.review, text="Yes, the vice principal was.")
    urls = [i.url for i in _sections(world.users["officer"])["review_comments"].items]
    assert reverse("agreements:review_detail", args=[pending.review.uuid]) not in urls


def test_an_imported_action_without_a_justification_waits_for_the_officers_account(world):
    from liaison.workflows.enforcement_imports import IMPORTED_JUSTIFICATION

    pending = pending_work(world)
    Review.objects.filter(pk=pending.review.pk).update(justification=IMPORTED_JUSTIFICATION)
    section = _sections(world.users["officer"])["justifications"]
    assert [i.url for i in section.items] == [reverse("agreements:review_detail", args=[pending.review.uuid])]


def test_the_supervisor_sees_open_reviews_by_age_the_officers_week_notices_and_signatures(world):
    pending_work(world)
    sections = _sections(world.users["supervisor"])
    assert {"open_reviews", "officers_week", "mentee_notices", "signatures"} <= set(sections)
    ages = [item.detail for item in sections["open_reviews"].items]
    assert ages == sorted(ages, key=lambda d: -int(d.split()[1]))  # oldest first
    assert sections["open_reviews"].waiting == 2  # the flagged arrest and the mentee's warning
    week = sections["officers_week"].items
    assert [i.label for i in week] == ["Officer Officer Tester"]
    assert week[0].detail.startswith("2 contacts, 50% positive")
    assert len(sections["mentee_notices"].items) == 1
    signature = sections["signatures"].items
    assert [(i.detail, i.waiting) for i in signature] == [
        ("awaits the Agency head (chief or sheriff)", False),
        ("awaits the Superintendent", False),
    ]


def test_the_chief_and_the_superintendent_each_see_their_own_signature_waiting(world):
    pending_work(world)
    for role in ("agency_admin", "district_admin"):
        sections = _sections(world.users[role])
        mine = [i for i in sections["signatures"].items if i.waiting]
        assert [i.detail for i in mine] == ["awaits your signature"], role
        assert {"mous_expiring", "open_reviews", "coverage_gaps", "outcomes"} <= set(sections), role
        assert any("dashboard" in item.url for item in sections["outcomes"].items), role
    chief_urls = [item.url for item in _sections(world.users["agency_admin"])["outcomes"].items]
    agency, district = world.agency, world.district
    assert reverse("insights:outcomes-agency", args=[agency.uuid]) in chief_urls
    assert reverse("insights:outcomes-district", args=[district.uuid]) not in chief_urls
    district_urls = [item.url for item in _sections(world.users["district_admin"])["outcomes"].items]
    assert reverse("insights:outcomes-district", args=[district.uuid]) in district_urls
    assert reverse("insights:contacts-trust", args=[district.uuid]) in district_urls
    # the high school has no officer: a coverage gap for both
    gaps = _labels(_sections(world.users["district_admin"])["coverage_gaps"])
    assert "Millbrook High has no officer assigned today" in gaps


def test_the_principal_sees_their_officer_the_schools_reviews_and_the_mou_in_force(world):
    pending = pending_work(world)
    sections = _sections(world.users["school_admin"])
    assert _labels(sections["school_officers"]) == ["Officer Officer Tester at Millbrook Elementary"]
    assert re.fullmatch(r"visits on \d+ days? this month, last 2026-03-10", sections["school_officers"].items[0].detail)
    assert reverse("agreements:review_detail", args=[pending.review.uuid]) in [
        i.url for i in sections["open_reviews"].items
    ]
    assert sections["open_reviews"].waiting == 0  # the principal reads reviews; the supervisor closes them
    assert _labels(sections["mou_in_force"]) == ["Millbrook SRO MOU (version 1)"]
    assert "survey_waves" in sections


def test_the_evaluator_is_shown_the_way_to_the_outcomes_and_nothing_about_records(world):
    pending_work(world)
    sections = _sections(world.users["evaluator"])
    assert list(sections) == ["outcomes"]
    assert queue_for(world.users["evaluator"]).waiting == 0


def test_the_outsiders_queue_holds_nothing_of_millbrooks(world):
    pending_work(world)
    for role in ("outsider_agency_admin", "outsider_district_admin"):
        queue = queue_for(world.users[role])
        text = " ".join(f"{i.label} {i.detail}" for s in queue.sections for i in s.items)
        assert "Millbrook" not in text, role
    gaps = _sections(world.users["outsider_agency_admin"])["coverage_gaps"].items
    assert [(i.label, i.waiting) for i in gaps] == [
        ("Harlow County Sheriff's Office has officers assigned at Harlow Union High but no MOU in force there.", True)
    ]


# --- the pages and the API, for every role ------------------------------------------------------------

HOME_SHOWS = {
    "agency_admin": ("Signatures awaited", "awaits your signature"),
    "supervisor": ("Open reviews", "Officers' week"),
    "officer": ("Today's log", "Reviews of your actions with new comments"),
    "district_admin": ("Signatures awaited", "Coverage gaps"),
    "school_admin": ("Your officers this month", "The MOU in force"),
    "evaluator": ("Is the program working?",),
    "outsider_agency_admin": ("1 item waits for you.", "but no MOU in force there"),
    "outsider_district_admin": ("Signatures awaited",),
}


@pytest.mark.parametrize("role", list(HOME_SHOWS))
def test_each_roles_home_is_their_queue(world, page_as, role):
    pending_work(world)
    response = page_as(role).get(HOME)
    assert response.status_code == 200
    text = html.unescape(response.text)
    for shown in HOME_SHOWS[role]:
        assert shown in text, shown
    if role.startswith("outsider") or role == "evaluator":
        assert "Millbrook SRO MOU" not in text


def test_the_platform_admin_and_anonymous_keep_their_landing(world, client, page_as):
    assert page_as("platform_admin").get(HOME).url == reverse("directory:agency_list")
    assert client.get(HOME).url.startswith(reverse("accounts:login"))
    assert client.get(BADGE).url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "role", ["agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator"]
)
def test_the_api_returns_the_same_queue_as_the_page(world, api_as, role):
    pending_work(world)
    body = api_as(role).get(QUEUE_API).json()
    queue = queue_for(world.users[role])
    assert body["waiting"] == queue.waiting
    assert [s["key"] for s in body["sections"]] == [s.key for s in queue.sections]
    assert [i["url"] for s in body["sections"] for i in s["items"]] == [i.url for s in queue.sections for i in s.items]


def test_the_api_refuses_anyone_not_signed_in(world, api_as):
    assert api_as("anonymous").get(QUEUE_API).status_code == 401


def test_the_navigation_counts_what_waits(world, page_as):
    pending_work(world)
    expected = {
        "agency_admin": queue_for(world.users["agency_admin"]).waiting,
        "district_admin": 1,  # the renewal's signature (the superintendent closes no review)
        "evaluator": 0,
    }
    assert expected["agency_admin"] >= 3  # a signature and two reviews to close
    for role, count in expected.items():
        response = page_as(role).get(BADGE)
        assert response.status_code == 200
        assert (f'data-work-waiting="{count}"' in response.text) == bool(count), role
    assert f'hx-get="{BADGE}"' in page_as("officer").get(reverse("accounts:account")).text


def test_the_mou_lists_needs_attention_shows_the_signature_awaited_by_the_viewer(world, page_as):
    pending_work(world)
    superintendent = page_as("district_admin").get(reverse("agreements:list")).text
    assert "awaits your signature as Superintendent" in superintendent
    assert "Nothing is due" not in superintendent
    supervisor = page_as("supervisor").get(reverse("agreements:list")).text
    assert "awaits your signature" not in supervisor


# A handful of queries per section, however many items: the sections read in bulk.
HOME_QUERY_BUDGET = {
    "officer": 20,
    "supervisor": 35,
    "agency_admin": 45,
    "district_admin": 40,
    "school_admin": 30,
    "evaluator": 15,
}


@pytest.mark.parametrize("role", list(HOME_QUERY_BUDGET))
def test_each_roles_home_has_a_query_budget(world, page_as, role, django_assert_max_num_queries):
    pending_work(world)
    client = page_as(role)
    with django_assert_max_num_queries(HOME_QUERY_BUDGET[role]):
        assert client.get(HOME).status_code == 200
