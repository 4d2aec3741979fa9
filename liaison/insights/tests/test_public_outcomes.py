"""A district's outcomes for the public: published and withdrawn by the district's admins (audited),
read without signing in on the page, its CSV, each school's and the API, exactly the stored release a
district-wide evaluator gets, in the public annual report; and attacked beside the agency's public MOU
figures: no hidden count comes back.

The district's 2025-2026 (every agency's records, one agency here), 900 enrolled, an MOU in force whose
parties publish its figures: October 30 positive contacts and 12 referrals, November 4 positive
contacts (small), 2 referrals and an arrest (small), December 25 positive contacts and 11 warnings.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liaison.accounts.models import AuditEntry
from liaison.agreements import services as agreement_services
from liaison.agreements.models import Agreement
from liaison.agreements.tests.mous import mou_in_force
from liaison.directory import services
from liaison.insights.models import ProgramReport, PublicOutcomes
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes import outcomes_year
from liaison.insights.outcomes_release import (
    FIELDS,
    cell,
    outcomes_scope_of,
    outcomes_table,
    restricted_outcomes_body,
    schools_table,
)
from liaison.insights.public_figures import (
    enforcement_counts,
    enforcement_table,
    public_figures,
)
from liaison.insights.public_outcomes import (
    NOT_SAFE_BESIDE_MOUS,
    public_audit,
    public_outcomes_publish_checked,
    public_outcomes_publish_request,
    public_scope,
)
from liaison.insights.tests.test_equity import _action, _enrollment
from liaison.insights.tests.test_outcomes_disclosure import PREVIOUS, YEAR, _on, _positive
from liaison.interactions.vocabulary import ActionType
from liaison.lib.disclosure_audit import audit
from liaison.lib.school_years import school_year_days

THRESHOLD = 10
OPEN_YEAR = "2026-2027"


@pytest.fixture
def district_year(world):
    agreement = mou_in_force(world)
    agreement_services.agreement_publish(
        actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True
    )
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    _positive(world, 30, _on(10))
    _positive(world, 4, _on(11))
    _positive(world, 25, _on(12))
    for i in range(12):
        _action(world, "referral_to_law_enforcement", "white" if i % 2 else "black", on=_on(10))
    _action(world, "referral_to_law_enforcement", "white", on=_on(11))
    _action(world, "referral_to_law_enforcement", "black", on=_on(11))
    _action(world, "arrest", "black", on=_on(11))
    for _ in range(11):
        _action(world, "warning", "hispanic_latino", on=_on(12))
    world.agreement = agreement
    return world


def _publish_url(world):
    return reverse("insights:outcomes-publish", args=[world.district.uuid])


def _page_url(world, school_year=YEAR):
    return reverse("public_outcomes_district", args=[world.district.uuid, school_year])


def _api_url(world, school_year=YEAR):
    return f"/public/outcomes/districts/{world.district.uuid}/{school_year}"


@pytest.fixture
def publish(district_year, page_as):
    """publish(role, "yes"|"no") → the response to the district's publish form."""
    url = _publish_url(district_year)

    def post(role="district_admin", choice="yes", school_year=YEAR):
        return page_as(role).post(url, {"school_year": school_year, "publish": choice})

    return post


# --- who may publish -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("platform_admin", 302),
        ("district_admin", 302),
        ("agency_admin", 403),
        ("supervisor", 403),
        ("officer", 403),
        ("school_admin", 403),
        ("evaluator", 403),
        ("outsider_agency_admin", 404),
        ("outsider_district_admin", 404),
        ("anonymous", 302),  # to sign in
    ],
)
def test_only_the_districts_admins_and_the_platform_admin_publish_and_withdraw(district_year, publish, role, status):
    response = publish(role)
    assert response.status_code == status, role
    allowed = role in ("platform_admin", "district_admin")
    assert PublicOutcomes.objects.filter(district=district_year.district, published=True).exists() is allowed
    if not allowed:  # nor may they withdraw what the district's admin published
        assert publish("district_admin").status_code == 302
        assert publish(role, "no").status_code == status
        assert PublicOutcomes.objects.get(district=district_year.district).published
    else:
        assert response["Location"].startswith(
            reverse("insights:outcomes-district", args=[district_year.district.uuid])
        )
        assert publish(role, "no").status_code == 302
        assert not PublicOutcomes.objects.get(district=district_year.district).published


def test_an_open_year_is_not_published(district_year, page_as):
    client = page_as("district_admin")
    response = client.post(_publish_url(district_year), {"school_year": OPEN_YEAR, "publish": "yes"})
    assert response.status_code == 302
    assert not PublicOutcomes.objects.exists()
    assert Client().get(_page_url(district_year, OPEN_YEAR)).status_code == 404
    assert "published once it has closed" in client.get(response["Location"]).content.decode()


def test_publishing_and_withdrawing_are_in_the_audit_log(district_year, publish):
    publish()
    found = PublicOutcomes.objects.get()
    publish(choice="no")
    entries = AuditEntry.objects.filter(object_uuid=found.uuid, action="update").order_by("pk")
    assert [e.after["published"] for e in entries] == [True, False]
    assert all(e.actor == district_year.users["district_admin"] for e in entries)
    assert all(e.district_id == district_year.district.pk for e in entries)


def test_the_district_page_offers_its_admins_the_publish_form_for_a_closed_year(district_year, page_as, publish):
    url = reverse("insights:outcomes-district", args=[district_year.district.uuid])
    assert (
        "Publish the 2025-2026 outcomes" in page_as("district_admin").get(url, {"school_year": YEAR}).content.decode()
    )
    assert "Publish the" not in page_as("district_admin").get(url, {"school_year": OPEN_YEAR}).content.decode()
    assert "Publish the" not in page_as("agency_admin").get(url, {"school_year": YEAR}).content.decode()
    publish()
    html = page_as("district_admin").get(url, {"school_year": YEAR}).content.decode()
    assert "Withdraw the public outcomes" in html and _page_url(district_year) in html


# --- what the public reads ---------------------------------------------------------------------------


def test_anonymous_reads_a_published_year_and_nothing_else(district_year, publish, api_as):
    world = district_year
    school = reverse("public_outcomes_school", args=[world.district.uuid, YEAR, world.elementary.uuid])
    doors = [_page_url(world), f"{_page_url(world)}?format=csv", school, reverse("public_outcomes")]
    anonymous = Client()
    for url in doors[:3]:
        assert anonymous.get(url).status_code == 404, url  # not published yet
    assert api_as("anonymous").get(_api_url(world)).status_code == 404
    publish()
    for url in doors:
        assert anonymous.get(url).status_code == 200, url
    assert world.district.name in anonymous.get(reverse("public_outcomes")).content.decode()
    assert reverse("public_outcomes") in anonymous.get(reverse("public_reports")).content.decode()
    assert api_as("anonymous").get(_api_url(world)).status_code == 200
    school_api = f"{_api_url(world)}/schools/{world.elementary.uuid}"
    assert api_as("anonymous").get(school_api).status_code == 200
    assert api_as("anonymous").get(f"{_api_url(world)}/schools/{world.other_school.uuid}").status_code == 404
    # another year, or another district, is not published; what is no school year at all is not found
    assert api_as("anonymous").get(_api_url(world, "not-a-year")).status_code == 404
    assert anonymous.get(_page_url(world, "not-a-year")).status_code == 404
    assert anonymous.get(_page_url(world, PREVIOUS)).status_code == 404
    assert anonymous.get(reverse("public_outcomes_district", args=[world.other_district.uuid, YEAR])).status_code == 404
    publish(choice="no")
    for url in doors[:3]:
        assert anonymous.get(url).status_code == 404, url
    assert api_as("anonymous").get(_api_url(world)).status_code == 404
    assert world.district.name not in anonymous.get(reverse("public_outcomes")).content.decode()


def test_the_public_figures_are_the_district_wide_evaluators_release(district_year, publish, api_as):
    from liaison.insights.outcomes_release import restricted_school_body

    publish()
    body = api_as("anonymous").get(_api_url(district_year)).json()
    today = timezone.localdate()
    scope = public_scope(district_year.district)
    released = restricted_outcomes_body(scope, YEAR, today)
    assert body == {**released, "uuid": str(released["uuid"])}
    assert body["restricted"] and body["every_agency"]
    november = next(m for m in body["current"]["months"] if m["month"] == "2025-11")
    assert november["positive"] is None and "positive" in november["hidden"]
    school = district_year.high
    school_body = api_as("anonymous").get(f"{_api_url(district_year)}/schools/{school.uuid}").json()
    assert school_body["current"] == restricted_school_body(scope, school, YEAR, today)["current"]
    html = Client().get(_page_url(district_year)).content.decode()
    assert "Suppressed" in html and "<svg" in html and 'role="img"' in html
    assert "Publish the" not in html and "<form" not in html


def test_a_record_entered_late_does_not_change_the_public_figures(district_year, publish, api_as):
    publish()
    before = api_as("anonymous").get(_api_url(district_year)).json()
    _positive(district_year, 3, _on(11, 20))
    assert api_as("anonymous").get(_api_url(district_year)).json() == before


def test_the_public_annual_report_carries_the_published_outcomes(district_year, publish, page_as):
    world = district_year
    client = page_as("district_admin")
    response = client.post(
        reverse("insights:report_publish", args=["district", world.district.uuid]), {"school_year": YEAR}
    )
    assert response.status_code == 302
    report = ProgramReport.objects.get(district=world.district, school_year=YEAR, audience="public")
    assert report.status == ProgramReport.Status.DONE, report.error
    assert "The district has not published its outcomes" in report.html
    publish()  # the public report is built again with them
    report.refresh_from_db()
    assert report.status == ProgramReport.Status.DONE, report.error
    assert 'id="report-public_outcomes"' in report.html and "Suppressed" in report.html
    assert _page_url(world) in report.html
    page = Client().get(reverse("public_report", args=[report.uuid])).content.decode()
    assert 'data-measure="positive_per_100"' in page
    publish(choice="no")
    report.refresh_from_db()
    assert "The district has not published its outcomes" in report.html


# --- the attack: everything the public reads about the district's records of the year ------------------


def _truth(world):
    """Every count behind what the public reads, how they add up, from the records (not from the release)."""
    today = timezone.localdate()
    scope = public_scope(world.district)
    year = outcomes_year(outcomes_scope_of(scope), YEAR, as_of=today)
    table, _ = schools_table(outcomes_table(year), scope, year, today)
    first, last = school_year_days(YEAR)
    by_type, within = enforcement_counts(world.agency.pk, world.district.pk, first, last)
    mou = enforcement_table(by_type, within)
    table = table.merge(mou)
    # The district's year is the one agency's (the MOU page counts the same actions).
    for theirs, ours in (
        ("enforcement_total", "enforcement"),
        ("referrals", "referrals"),
        (("action", "arrest"), "arrests"),
        ("within_mou", "within"),
        ("not_within_mou", "judged-not-within"),
    ):
        assert table.cells[theirs] == table.cells[cell(YEAR, "year", ours)], ours
        table.relate(cell(YEAR, "year", ours), [theirs])
    return table


def _csv_shown(text, table, school=None):
    """The counts a CSV gives: each shown count, and the counts behind each shown rate or share."""
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_COLUMNS
    shown = {}
    for row in rows[1:]:
        values = dict(zip(CSV_COLUMNS, row, strict=True))
        if values["school_year"] != YEAR:
            continue
        for field, cells in FIELDS.items():
            if values[field] in ("suppressed", ""):
                continue
            for name in cells:
                key = cell(YEAR, values["month"], name, school)
                shown[key] = table.cells[key]
    return shown


def test_no_hidden_count_comes_back_from_the_public_outcomes_beside_the_public_mou_figures(
    district_year, publish, api_as
):
    world = district_year
    publish()
    table = _truth(world)
    anonymous = Client()
    shown = _csv_shown(anonymous.get(_page_url(world), {"format": "csv"}).content.decode(), table)
    for school in (world.elementary, world.high):
        url = reverse("public_outcomes_school", args=[world.district.uuid, YEAR, school.uuid])
        shown |= _csv_shown(anonymous.get(url, {"format": "csv"}).content.decode(), table, school.pk)
    html = anonymous.get(_page_url(world)).content.decode()
    assert "Suppressed" in html
    figures = api_as("anonymous").get(f"/public/mous/{world.agreement.uuid}/figures").json()
    assert figures["school_year"] == YEAR
    labels = {str(label): value for value, label in ActionType.choices}
    for action in figures["by_action"]:
        if action["count"] is not None:
            shown[("action", labels[action["action"]])] = action["count"]
    for name in ("enforcement_total", "referrals"):
        if figures[name] is not None:
            shown[name] = figures[name]
    if figures["within_mou_percent"] is not None:
        shown["within_mou"] = table.cells["within_mou"]
        shown["not_within_mou"] = table.cells["not_within_mou"]
    for key, value in shown.items():
        assert table.cells[key] == value, key  # every shown figure is the true one
    hidden = {key for key in table.cells if key not in shown and key not in table.unpublished and table.cells[key]}
    small = {key for key in hidden if table.cells[key] < THRESHOLD}
    assert small, "the fixture has small counts"
    found = audit(table, hidden, threshold=THRESHOLD)
    assert found.passed, {key: found.ranges[key] for key in found.unprotected}


def _public_arrests(world, api_as):
    """The district's October and year of arrests, and the elementary school's, as the public reads them."""
    found = []
    for url in (_api_url(world), f"{_api_url(world)}/schools/{world.elementary.uuid}"):
        current = api_as("anonymous").get(url).json()["current"]
        october = next(m for m in current["months"] if m["month"] == "2025-10")
        found += [october["arrests"], current["total"]["arrests"]]
    return found


def _mou_page(world, api_as, agency):
    agreement = Agreement.objects.get(agency=agency, district=world.district)
    return api_as("anonymous").get(f"/public/mous/{agreement.uuid}/figures").json()


def test_a_count_the_mou_pages_would_give_back_is_hidden_from_the_public_outcomes(world, page_as, api_as):
    """A second agency in the district makes 3 arrests at the elementary school in October, Millbrook's
    police 40. Millbrook's public MOU page, read before the district publishes, shows its 40; the
    district-wide evaluators' release shows the district's October, year and school as 43 (no small
    cell among them): beside the MOU page, 43 − 40 is the sheriff's 3, which their own MOU page hides.
    The public's release is the evaluators' with those 43s hidden as well; publishing goes ahead, and
    nothing hidden comes back."""
    root = world.users["platform_admin"]
    _millbrook_publishes_its_figures(world)
    sheriff = _agency_in_district(world, world.other_agency, username="deputy2")
    agreement_services.agreement_create(
        actor=root,
        partnership=world.other_agency.partnerships.get(district=world.district),
        title="Harlow in Millbrook",
        effective_date=datetime.date(2025, 8, 1),
    )
    _arrests(world, 40)
    _arrests(sheriff, 3)
    assert _mou_page(world, api_as, world.agency)["arrests"] == 40  # stored now, as shown
    published = _publish_now(world, page_as)
    assert (published.published, published.checking, published.refusal) == (True, False, "")
    truth = outcomes_year(outcomes_scope_of(public_scope(world.district)), YEAR, as_of=timezone.localdate())
    assert truth.total.arrests == 43  # what the public would otherwise have read
    assert _public_arrests(world, api_as) == [None, None, None, None]
    assert _mou_page(world, api_as, world.agency)["arrests"] == 40
    assert public_audit(world.district, YEAR, timezone.localdate()).passed


def test_an_agency_without_public_figures_is_protected_too(world, page_as, api_as):
    """As above, but the sheriff has no MOU at all, so no page shows its figures: its 3 arrests at one
    school in October are a count about students all the same."""
    _millbrook_publishes_its_figures(world)
    _arrests(world, 40)
    _arrests(_agency_in_district(world, world.other_agency, username="deputy2"), 3)
    assert _mou_page(world, api_as, world.agency)["arrests"] == 40
    published = _publish_now(world, page_as)
    assert (published.published, published.refusal) == (True, "")
    assert _public_arrests(world, api_as) == [None, None, None, None]
    assert public_audit(world.district, YEAR, timezone.localdate()).passed


def test_an_mou_page_first_built_after_the_evaluators_release_is_protected_around_it(world, page_as, api_as):
    """The same records, but nobody read Millbrook's page before the district-wide release was stored
    (the daily job, or the publishing check): the page is then built around the release, which shows
    43, so the page hides its 40, and the public's release needs nothing more hidden."""
    _millbrook_publishes_its_figures(world)
    _arrests(world, 40)
    _arrests(_agency_in_district(world, world.other_agency, username="deputy2"), 3)
    published = _publish_now(world, page_as)
    assert (published.published, published.refusal) == (True, "")
    assert _mou_page(world, api_as, world.agency)["arrests"] is None
    assert _public_arrests(world, api_as) == [43, 43, 43, 43]
    assert public_audit(world.district, YEAR, timezone.localdate()).passed


def test_publishing_is_refused_when_the_audit_beside_the_mou_pages_fails(district_year, page_as, monkeypatch):
    """A year whose public release was stored before is audited again beside the MOU pages before it
    is published again (the engine's release was proven when built; the pages may have moved since).
    When that audit fails, the year stays unpublished and the outcomes page says why."""
    from liaison.insights import public_outcomes
    from liaison.lib.disclosure_audit import AuditReport

    client = page_as("district_admin")
    client.post(_publish_url(district_year), {"school_year": YEAR, "publish": "yes"})
    client.post(_publish_url(district_year), {"school_year": YEAR, "publish": "no"})
    monkeypatch.setattr(
        public_outcomes, "public_audit", lambda *args: AuditReport({}, frozenset({"a cell"}), THRESHOLD)
    )
    response = client.post(_publish_url(district_year), {"school_year": YEAR, "publish": "yes"})
    refused = PublicOutcomes.objects.get()
    assert (refused.published, refused.checking) == (False, False)
    assert refused.refusal == NOT_SAFE_BESIDE_MOUS.format(year=YEAR)
    assert escape(NOT_SAFE_BESIDE_MOUS.format(year=YEAR)) in client.get(response["Location"]).content.decode()
    assert Client().get(_page_url(district_year)).status_code == 404


def test_the_check_runs_in_the_background_and_the_page_says_so_meanwhile(district_year, page_as):
    """The check beside the MOU figures takes a minute or more for a large district, longer than a
    request may run: the form only asks for it, and the page says it is under way until it is done."""
    asked = []
    district = district_year.district
    found = public_outcomes_publish_request(
        actor=district_year.users["district_admin"],
        owner=district,
        school_year=YEAR,
        today=timezone.localdate(),
        enqueue=lambda outcomes, actor: asked.append((outcomes.pk, actor.pk)),
    )
    assert asked == [(found.pk, district_year.users["district_admin"].pk)]
    assert (found.published, found.checking) == (False, True)
    page = page_as("district_admin").get(
        reverse("insights:outcomes-district", args=[district.uuid]), {"school_year": YEAR}
    )
    assert "are being checked beside the agencies" in page.content.decode()
    assert Client().get(_page_url(district_year)).status_code == 404
    public_outcomes_publish_checked(
        found=found, actor=district_year.users["district_admin"], today=timezone.localdate()
    )
    found.refresh_from_db()
    assert (found.published, found.checking, found.refusal) == (True, False, "")
    assert Client().get(_page_url(district_year)).status_code == 200


# --- agencies without public MOU figures, and MOUs published after the year ------------------------------


def _agency_in_district(world, agency=None, *, name="Millbrook Transit Police", username="transit"):
    """Another agency (the sheriff by default, or a new one) serving Millbrook's elementary school;
    returns the world as that agency's officer and admin see it."""
    root = world.users["platform_admin"]
    if agency is None:
        agency = services.agency_create(
            actor=root, name=name, kind=world.agency.kind, state="MA", ori="MA0999900", time_zone="America/New_York"
        )
    services.partnership_create(
        actor=root, agency=agency, district=world.district, start_date=datetime.date(2020, 7, 1)
    )
    deputy = services.officer_create(
        actor=root,
        agency=agency,
        username=username,
        first_name="Sam",
        last_name="Second",
        badge_number="8",
        rank="Deputy",
        password="a long enough password 123",
    )
    services.assignment_create(
        actor=root, officer=deputy, school=world.elementary, start_date=datetime.date(2024, 8, 20)
    )
    users = dict(world.users)
    if agency == world.other_agency:
        users["agency_admin"] = world.users["outsider_agency_admin"]
    return type(world)(**{**world.__dict__, "agency": agency, "officer": deputy, "users": users})


def _millbrook_publishes_its_figures(world):
    agreement = mou_in_force(world)
    agreement_services.agreement_publish(
        actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True
    )
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    return agreement


def _arrests(world, n):
    for i in range(n):
        _action(world, "arrest", "white" if i % 2 else "black", on=_on(10))


def _publish_now(world, page_as):
    page_as("district_admin").post(_publish_url(world), {"school_year": YEAR, "publish": "yes"})
    return PublicOutcomes.objects.get(district=world.district, school_year=YEAR)


def test_an_mou_published_after_the_year_is_protected_around_the_published_outcomes(world, page_as, api_as):
    """Millbrook 40 arrests (its MOU page shows them), the sheriff 12, the transit police 3; neither of
    the two has an MOU when the district publishes its year (55 arrests): the 15 between them hide the
    3. The sheriff then signs an MOU dated back into that year and publishes its figures: its page must
    not show 12, or 55 − 40 − 12 gives the transit police's 3 away."""
    _millbrook_publishes_its_figures(world)
    _arrests(world, 40)
    sheriff = _agency_in_district(world, world.other_agency, username="deputy2")
    _arrests(sheriff, 12)
    _arrests(_agency_in_district(world), 3)
    published = _publish_now(world, page_as)
    assert (published.published, published.refusal) == (True, "")
    district_year_arrests = api_as("anonymous").get(_api_url(world)).json()
    assert "55" in str(district_year_arrests)

    agreement = mou_in_force(sheriff)  # dated 2025-08-01, into the published year
    agreement_services.agreement_publish(
        actor=sheriff.users["agency_admin"], agreement=agreement, published=True, figures=True
    )
    figures = api_as("anonymous").get(f"/public/mous/{agreement.uuid}/figures").json()
    assert figures["school_year"] == YEAR
    assert figures["arrests"] is None and figures["enforcement_total"] is None
    # Everything the public now reads, attacked together: nothing hidden comes back.
    assert public_audit(world.district, YEAR, timezone.localdate()).passed


def test_an_mou_page_whose_small_count_is_pinned_by_what_was_shown_before_shows_no_enforcement_figure(world):
    """Published before this check existed, say: 43 at the district, 40 elsewhere, both shown. The
    agency's 3 arrests are then known whatever its page hides; the page hides every count it may
    (zeros stay zeros) rather than stop."""
    agreement = _millbrook_publishes_its_figures(world)
    _arrests(world, 3)

    def shown_before(table):
        table.cell("elsewhere", 40)
        table.cell("district", 43)
        table.relate("district", [("action", "arrest"), "elsewhere"])
        return table, {"elsewhere": True, "district": True}

    figures = public_figures(agreement, [], datetime.date(2026, 6, 30), with_trust=False, link=shown_before)
    assert (figures.enforcement_total, figures.arrests, figures.referrals) == (None, None, None)
    assert {action.label: action.count for action in figures.by_action if action.count != 0} == {
        "School-related arrest": None
    }
    assert figures.within_mou_percent is None


def _district_evaluator(world, openapi_spec):
    from liaison.accounts.models import Membership, User
    from liaison.accounts.roles import Role
    from liaison.conftest import ApiClient

    user = User.objects.create_user("district_evaluator", password="a long enough password 123")
    Membership.objects.create(user=user, role=Role.EVALUATOR, district=world.district)
    return ApiClient(openapi_spec, user)


def test_the_district_wide_evaluators_figures_are_protected_around_the_mou_pages_too(world, api_as, openapi_spec):
    """A district-wide evaluator reads the public MOU pages like anyone. Millbrook's page, read first,
    shows its 40; the district's 43 arrests anywhere in the evaluator's figures (the outcomes' month,
    year and school, the equity analysis's arrest total or its groups added up, the school's CRDC
    row) would give the sheriff's 3 away."""
    _millbrook_publishes_its_figures(world)
    _arrests(world, 40)
    _arrests(_agency_in_district(world, world.other_agency, username="deputy2"), 3)
    assert _mou_page(world, api_as, world.agency)["arrests"] == 40
    evaluator = _district_evaluator(world, openapi_spec)
    district = world.district.uuid
    outcomes = evaluator.get(f"/insights/outcomes/districts/{district}", school_year=YEAR).json()["current"]
    october = next(m for m in outcomes["months"] if m["month"] == "2025-10")
    school = evaluator.get(f"/insights/outcomes/schools/{world.elementary.uuid}", school_year=YEAR).json()["current"]
    assert 43 not in (october["arrests"], outcomes["total"]["arrests"], school["total"]["arrests"])
    equity = evaluator.get(f"/insights/equity/{district}", school_year=YEAR).json()
    arrests = next(p for p in equity["points"] if p["key"] == "arrest")
    groups = [group["events"] for group in arrests["groups"]]
    assert arrests["total"] != 43
    assert None in groups or sum(groups) != 43
    crdc = evaluator.get(f"/insights/crdc/{district}", school_year=YEAR).json()
    elementary = next(item for item in crdc["schools"] if item["school"] == str(world.elementary.uuid))
    assert elementary["arrested"]["instances"] != 43


def test_an_mou_page_built_after_both_evaluators_releases_is_protected_around_both(
    world, page_as, api_as, openapi_spec
):
    """Millbrook has an agency evaluator; the district has a district-wide one. Both releases of the
    year are stored (the daily job) before Millbrook's MOU page is first built: it is protected around
    both at once (their months counted over different records, side by side), and the sheriff's 3
    does not come back: 43 on the district's release (nothing to hide it then), 40 would be
    Millbrook's."""
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    _arrests(world, 40)
    _arrests(_agency_in_district(world, world.other_agency, username="deputy2"), 3)
    district_wide = _district_evaluator(world, openapi_spec)
    body = district_wide.get(f"/insights/outcomes/districts/{world.district.uuid}", school_year=YEAR).json()
    assert body["current"]["total"]["arrests"] == 43
    api_as("evaluator").get(f"/insights/outcomes/districts/{world.district.uuid}", school_year=YEAR).json()
    agreement = mou_in_force(world)
    agreement_services.agreement_publish(
        actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True
    )
    figures = api_as("anonymous").get(f"/public/mous/{agreement.uuid}/figures").json()
    assert figures["school_year"] == YEAR
    assert figures["arrests"] is None and figures["enforcement_total"] is None
