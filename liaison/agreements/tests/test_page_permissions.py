"""Every MOU and review page and form × every member of the cast, with the status each must get.

Each page is asked by every role on one shared set-up, each request in a savepoint that is rolled
back, so the allowed and the denied requests meet the same rows. A denied POST must leave every row
as it was; an allowed one must change something, so a denial cannot pass for the wrong reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from liaison.agreements import services
from liaison.agreements.models import Agreement, AgreementVersion, Review, ReviewComment, Rule, Section, Signatory
from liaison.agreements.tests.mous import draft_mou
from liaison.agreements.tests.pages import record_action, rules_data, sections_data, terms_data, url
from liaison.agreements.vocabulary import Finding, Level
from liaison.conftest import ROLES
from liaison.interactions.vocabulary import ActionType, ReasonCategory

INSIDE = ("platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin", "evaluator")
OUTSIDERS = ("outsider_agency_admin", "outsider_district_admin")
LOGIN = 302  # anonymous users are sent to the sign-in page


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Status per role: `default` inside Millbrook, 404 for the outsiders, the sign-in page for anonymous."""
    return {role: default for role in INSIDE} | {role: 404 for role in OUTSIDERS} | {"anonymous": LOGIN} | overrides


EVERYONE = expect(200, outsider_agency_admin=200, outsider_district_admin=200)
PARTIES = expect(403, platform_admin=302, agency_admin=302, district_admin=302)
REVIEW_READERS = expect(200, evaluator=404)
REVIEW_WRITERS = expect(302, evaluator=404)
REVIEW_CLOSERS = expect(403, platform_admin=302, agency_admin=302, supervisor=302, evaluator=404)


@dataclass
class Setup:
    """A draft MOU, a second MOU awaiting signatures, and a flagged action at the elementary school."""

    world: Any
    draft: AgreementVersion
    submitted: AgreementVersion
    review: Review


@pytest.fixture
def setup(world) -> Setup:
    draft = draft_mou(world).versions.get()
    submitted = draft_mou(world, title="Millbrook MOU awaiting signatures").versions.get()
    services.version_submit(actor=world.users["agency_admin"], version=submitted, acknowledge_missing=True)
    interaction = record_action(
        world,
        school=world.elementary,
        when=datetime.datetime(2025, 10, 1, 15, tzinfo=datetime.UTC),
        action_type=ActionType.ARREST,
        category=ReasonCategory.DRESS_CODE,
    )
    return Setup(world, draft, submitted, Review.objects.get(interaction=interaction))


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Setup], str]
    expected: dict[str, int]
    data: Callable[[Setup], dict[str, Any]] | None = None  # a POST form: valid data the allowed roles save

    def __str__(self) -> str:
        return self.name


def _dashboard(owner: str) -> Callable[[Setup], str]:
    def build(s: Setup) -> str:
        target = s.world.agency if owner == "agency" else s.world.district
        return url("dashboard", owner, target.uuid)

    return build


PAGES = [
    # --- MOUs and versions ---
    Page("list", lambda s: url("list"), EVERYONE),
    Page(
        "create (form)",
        lambda s: url("create"),
        expect(403, platform_admin=200, agency_admin=200, district_admin=200)
        | {"outsider_agency_admin": 200, "outsider_district_admin": 200},
    ),
    Page(
        "create",
        lambda s: url("create"),
        # The outsiders may draft MOUs, but not for Millbrook's partnership: the form refuses it (200).
        expect(403, platform_admin=302, agency_admin=302, district_admin=302)
        | {"outsider_agency_admin": 200, "outsider_district_admin": 200},
        lambda s: {
            "partnership": str(s.world.agency.partnerships.get().uuid),
            "title": "Another MOU",
            "effective_date": "2026-08-01",
        },
    ),
    Page("detail", lambda s: url("detail", s.draft.agreement.uuid), expect(200)),
    Page("changes", lambda s: url("changes", s.draft.agreement.uuid), expect(200)),
    Page(
        "sections_save",
        lambda s: url("sections_save", s.draft.uuid),
        PARTIES,
        lambda s: sections_data(s.draft, purpose="Safety."),
    ),
    Page(
        "rules_save",
        lambda s: url("rules_save", s.draft.uuid),
        PARTIES,
        lambda s: rules_data(s.draft, truancy={"level": Level.ASSIST_ON_REQUEST}),
    ),
    Page(
        "terms_save",
        lambda s: url("terms_save", s.draft.uuid),
        PARTIES,
        lambda s: terms_data(s.draft, expiry_date="2027-07-31"),
    ),
    Page("submit", lambda s: url("submit", s.draft.uuid), PARTIES, lambda s: {"acknowledge_missing": "on"}),
    Page(
        "sign (agency head)",
        lambda s: url("sign", s.submitted.uuid),
        expect(403, agency_admin=302),
        lambda s: {"party": "agency_head"},
    ),
    Page(
        "sign (superintendent)",
        lambda s: url("sign", s.submitted.uuid),
        expect(403, district_admin=302),
        lambda s: {"party": "superintendent"},
    ),
    Page(
        "draft_create",
        lambda s: url("draft_create", s.submitted.agreement.uuid),
        PARTIES,
        lambda s: {"draft-effective_date": "2026-08-01"},
    ),
    Page("publish", lambda s: url("publish", s.draft.agreement.uuid), PARTIES, lambda s: {"published": "on"}),
    # --- signed documents ---
    Page("document", lambda s: url("document", s.submitted.uuid), expect(200)),
    Page("document_pdf", lambda s: url("document_pdf", s.submitted.uuid), expect(200)),
    # --- reviews ---
    Page("reviews", lambda s: url("reviews"), EVERYONE),
    Page("review_detail", lambda s: url("review_detail", s.review.uuid), REVIEW_READERS),
    Page(
        "review_comment",
        lambda s: url("review_comment", s.review.uuid),
        REVIEW_WRITERS,
        lambda s: {"text": "Seen."},
    ),
    Page(
        "review_close",
        lambda s: url("review_close", s.review.uuid),
        REVIEW_CLOSERS,
        lambda s: {"close-finding": Finding.MOU_GAP},
    ),
    # --- dashboard ---
    Page(
        "dashboard (agency)",
        _dashboard("agency"),
        expect(403, platform_admin=200, agency_admin=200, supervisor=200),
    ),
    Page("dashboard (district)", _dashboard("district"), expect(403, platform_admin=200, district_admin=200)),
]


def _rows() -> tuple[Any, ...]:
    """Everything the forms can change: the same before and after means nothing was written."""
    return (
        tuple(Section.objects.order_by("pk").values_list("text", flat=True)),
        tuple(Rule.objects.order_by("pk").values_list("level", "consultation_required_for", "prohibited_actions")),
        tuple(AgreementVersion.objects.order_by("pk").values_list("expiry_date", "submitted_at", "number")),
        tuple(Signatory.objects.order_by("pk").values_list("signed_at", flat=True)),
        tuple(Agreement.objects.order_by("pk").values_list("published", "title")),
        tuple(Review.objects.order_by("pk").values_list("finding", flat=True)),
        ReviewComment.objects.count(),
    )


def _ask(page_as: Any, endpoint: Page, setup: Setup, role: str) -> tuple[int, bool]:
    """(status, whether any row changed), inside a savepoint rolled back afterwards."""
    with transaction.atomic():
        before = _rows()
        client = page_as(role)
        target = endpoint.url(setup)
        response = client.post(target, endpoint.data(setup)) if endpoint.data else client.get(target)
        changed = _rows() != before
        transaction.set_rollback(True)
    return response.status_code, changed


@pytest.mark.parametrize("endpoint", PAGES, ids=str)
def test_each_role_gets_the_status_the_page_allows_it(page_as, setup, endpoint):
    results = {role: _ask(page_as, endpoint, setup, role) for role in ROLES}
    assert {role: status for role, (status, _) in results.items()} == endpoint.expected
    if endpoint.data is not None:
        changed = {role for role, (_, did_change) in results.items() if did_change}
        assert changed == {role for role, status in endpoint.expected.items() if status == 302 and role != "anonymous"}


def test_every_agreements_url_is_in_the_matrix():
    from liaison.agreements import urls

    covered = {endpoint.name.split(" ")[0] for endpoint in PAGES}
    assert {pattern.name for pattern in urls.urlpatterns} <= covered
