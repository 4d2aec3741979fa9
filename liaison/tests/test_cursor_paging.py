"""The audit log, MOU reviews and mentoring meetings page by cursor, on their pages and in the API."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from liaison.accounts.audit import audit_record
from liaison.accounts.models import AuditEntry
from liaison.agreements.models import Review
from liaison.agreements.tests.mous import flagged_action, mou_in_force
from liaison.agreements.vocabulary import Finding
from liaison.directory.models import RosterImport
from liaison.lib import paging
from liaison.lib.paging import BAD_CURSOR, keyset_page
from liaison.programs import selectors as program_selectors
from liaison.programs.tests.programs import relationship
from liaison.programs.tests.test_mentoring import meet


def _cursor(url: str | None) -> str | None:
    return parse_qs(urlsplit(url).query)["cursor"][0] if url else None


def _walk_api(api, path: str, key: str = "uuid", **params) -> list[str]:
    """Every item, following `next` to the end; a page never repeats or skips one."""
    seen: list[str] = []
    cursor = ""
    while True:
        body = api.get(path, **params, **({"cursor": cursor} if cursor else {})).json()
        seen += [item[key] for item in body["results"]]
        cursor = _cursor(body["next"])
        if cursor is None:
            return seen


def _walk_page(client, url: str, items) -> list:
    seen = []
    query = ""
    while True:
        response = client.get(url + query)
        assert response.status_code == 200
        seen += items(response.context)
        query = response.context["next_url"]
        if not query:
            return seen


# --- the helper -------------------------------------------------------------------------------------


def test_keyset_pages_follow_ties_in_order_without_repeats(world):
    for _ in range(7):
        RosterImport.objects.create(school_year="2025-2026")
    RosterImport.objects.update(created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC))  # all tied
    seen, cursor = [], ""
    while True:
        page = keyset_page(RosterImport.objects.all(), ordering=("-created_at", "-id"), cursor=cursor, size=3)
        seen += [row.pk for row in page.items]
        if not (cursor := page.next_cursor):
            break
    assert seen == list(RosterImport.objects.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("cursor", ["x", "bm90IGpzb24", "WzFd", "W3sidCI6ICJub3cifSwgMV0", "A" * 500])
def test_a_cursor_it_did_not_give_is_refused(world, cursor):
    with pytest.raises(ValueError, match=BAD_CURSOR):
        keyset_page(AuditEntry.objects.all(), ordering=("-at", "-id"), cursor=cursor, size=3)


# --- the audit log ---------------------------------------------------------------------------------


def test_the_audit_log_pages_by_cursor_on_the_page_and_in_the_api(page_as, api_as, world, monkeypatch):
    for n in range(12):
        audit_record(actor=None, action="update", summary=f"entry {n}")
    expected = [str(u) for u in AuditEntry.objects.order_by("-at", "-id").values_list("uuid", flat=True)]
    assert _walk_api(api_as("platform_admin"), "/accounts/audit", page_size=5) == expected
    monkeypatch.setattr("liaison.accounts.views.AUDIT_PAGE_SIZE", 5)
    shown = _walk_page(page_as("platform_admin"), reverse("accounts:audit_log"), lambda c: c["page"].items)
    assert [str(entry.uuid) for entry in shown] == expected


def test_a_forged_cursor_is_a_400_naming_it(page_as, api_as, world):
    response = api_as("platform_admin").request("get", "/accounts/audit", cursor="not-a-cursor")
    assert response.status_code == 400
    assert "cursor" in response.content.decode()
    assert page_as("platform_admin").get(reverse("accounts:audit_log"), {"cursor": "x"}).status_code == 400


# --- reviews ---------------------------------------------------------------------------------------


def test_reviews_page_by_cursor_open_first_on_the_page_and_oldest_first_in_the_api(page_as, api_as, world, monkeypatch):
    mou_in_force(world)
    for day in range(2, 7):
        flagged_action(world, when=datetime.datetime(2025, 11, day, 14, 0, tzinfo=datetime.UTC))
    closed = Review.objects.order_by("opened_at").first()
    closed_at = datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC)
    Review.objects.filter(pk=closed.pk).update(closed_at=closed_at, finding=Finding.choices[0][0])
    oldest_first = [str(u) for u in Review.objects.order_by("opened_at", "id").values_list("uuid", flat=True)]
    assert _walk_api(api_as("supervisor"), "/agreements/reviews", page_size=2) == oldest_first
    monkeypatch.setattr("liaison.agreements.views.REVIEWS_PAGE_SIZE", 2)
    rows = _walk_page(page_as("supervisor"), reverse("agreements:reviews"), lambda c: [r["review"] for r in c["rows"]])
    assert [str(review.uuid) for review in rows] == [*oldest_first[1:], oldest_first[0]]  # the closed one last


# --- mentoring meetings -----------------------------------------------------------------------------


def test_mentoring_meetings_page_by_cursor_on_the_page_and_in_the_api(page_as, api_as, world, monkeypatch):
    rel = relationship(world)
    for days_ago in (1, 3, 3, 8, 13):
        meet(world, rel, days_ago)
    newest_first = [str(u) for u in rel.meetings.order_by("-met_at", "-id").values_list("uuid", flat=True)]
    api = api_as("officer")
    assert _walk_api(api, f"/programs/mentoring/{rel.uuid}/meetings", page_size=2) == newest_first
    monkeypatch.setattr(program_selectors, "MEETINGS_PAGE_SIZE", 2)
    shown = _walk_page(
        page_as("officer"), reverse("programs:relationship", args=[rel.uuid]), lambda c: [m for m, _ in c["meetings"]]
    )
    assert [str(m.uuid) for m in shown] == newest_first


def test_the_page_size_is_bounded_in_the_api(api_as, world):
    response = api_as("platform_admin").request("get", "/accounts/audit", page_size=paging.LIMIT_MAX + 1)
    assert response.status_code == 400
