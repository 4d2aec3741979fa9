"""An agency's outcomes for the public: published and withdrawn by the agency's admins (audited), read
without signing in on the page, its CSV and the API, exactly the stored release the agency's evaluators
get, in the agency's public annual report; and attacked beside the published outcomes of the districts
it served: no hidden count comes back.

The agency and its districts are test_outcomes_agency_disclosure's: Millbrook Police serves Millbrook
Public Schools (October 30 positive contacts, the year's 13 arrests, both shown) and Eastbrook Regional
(October 3 positive contacts and February 3 arrests, small and hidden). With Millbrook's outcomes
public, the agency's October (33) or year of arrests (16) shown beside them would give Eastbrook's 3
back.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liaison.accounts.models import AuditEntry
from liaison.directory.models import School
from liaison.insights.models import FigureSnapshot, ProgramReport, PublicOutcomes
from liaison.insights.outcome_tables import CSV_COLUMNS
from liaison.insights.outcomes import outcomes_year
from liaison.insights.outcomes_release import (
    FIELDS,
    OUTCOMES,
    agency_counts_table,
    agency_scope_key,
    cell,
    in_district,
    outcomes_scope_of,
    outcomes_table,
    restricted_agency_body,
    schools_table,
)
from liaison.insights.public_outcomes import (
    NOT_SAFE_BESIDE_DISTRICTS,
    NOT_SAFE_BESIDE_MOUS,
    public_audit,
    public_outcomes_publish_checked,
    public_outcomes_publish_request,
    public_scope,
)
from liaison.insights.tests.test_outcomes_agency_disclosure import (  # noqa: F401
    CLOSED,
    _months,
    closed_year,
)
from liaison.insights.tests.test_outcomes_agency_disclosure import two_districts as two_districts
from liaison.insights.tests.test_outcomes_disclosure import PREVIOUS, THRESHOLD, YEAR
from liaison.lib.disclosure_audit import audit

OPEN_YEAR = "2026-2027"
COUNTS = ("contacts", "positive", "liaison", "enforcement", "referrals", "arrests")


def _publish_url(world):
    return reverse("insights:outcomes-agency-publish", args=[world.agency.uuid])


def _page_url(world, school_year=YEAR, agency=None):
    return reverse("public_outcomes_agency", args=[(agency or world.agency).uuid, school_year])


def _api_url(world, school_year=YEAR):
    return f"/public/outcomes/agencies/{world.agency.uuid}/{school_year}"


def _district_api_url(district, school_year=YEAR):
    return f"/public/outcomes/districts/{district.uuid}/{school_year}"


@pytest.fixture
def publish(two_districts, page_as):
    """publish(role, "yes"|"no") → the response to the agency's publish form."""
    url = _publish_url(two_districts)

    def post(role="agency_admin", choice="yes", school_year=YEAR):
        return page_as(role).post(url, {"school_year": school_year, "publish": choice})

    return post


def _publish_district(world, page_as, district=None):
    district = district or world.district
    url = reverse("insights:outcomes-publish", args=[district.uuid])
    page_as("district_admin").post(url, {"school_year": YEAR, "publish": "yes"})
    return PublicOutcomes.objects.get(district=district, school_year=YEAR)


# --- who may publish -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("platform_admin", (302,)),
        ("agency_admin", (302,)),
        ("supervisor", (403,)),
        ("officer", (403,)),
        ("district_admin", (403, 404)),  # a district the agency serves: not theirs to publish
        ("school_admin", (403, 404)),  # a principal
        ("evaluator", (403,)),  # a grant for the agency: reads it, does not publish it
        ("outsider_agency_admin", (404,)),
        ("anonymous", (302,)),  # to sign in
    ],
)
def test_only_the_agencys_admins_and_the_platform_admin_publish_and_withdraw(two_districts, publish, role, status):
    world = two_districts
    response = publish(role)
    assert response.status_code in status, (role, response.status_code)
    allowed = role in ("platform_admin", "agency_admin")
    assert PublicOutcomes.objects.filter(agency=world.agency, published=True).exists() is allowed
    if not allowed:  # nor may they withdraw what the agency's admin published
        assert publish("agency_admin").status_code == 302
        assert publish(role, "no").status_code in status
        assert PublicOutcomes.objects.get(agency=world.agency).published
        if role == "anonymous":
            assert "/accounts/login" in response["Location"] or "login" in response["Location"]
    else:
        assert response["Location"].startswith(reverse("insights:outcomes-agency", args=[world.agency.uuid]))
        assert publish(role, "no").status_code == 302
        assert not PublicOutcomes.objects.get(agency=world.agency).published


def test_publishing_and_withdrawing_are_in_the_audit_log(two_districts, publish):
    publish()
    found = PublicOutcomes.objects.get(agency=two_districts.agency)
    assert found.district is None and found.owner == two_districts.agency
    publish(choice="no")
    entries = AuditEntry.objects.filter(object_uuid=found.uuid, action="update").order_by("pk")
    assert [e.after["published"] for e in entries] == [True, False]
    assert all(e.actor == two_districts.users["agency_admin"] for e in entries)
    assert all(e.agency_id == two_districts.agency.pk for e in entries)


def test_an_open_year_is_not_published(two_districts, page_as):
    client = page_as("agency_admin")
    response = client.post(_publish_url(two_districts), {"school_year": OPEN_YEAR, "publish": "yes"})
    assert response.status_code == 302
    assert not PublicOutcomes.objects.exists()
    assert Client().get(_page_url(two_districts, OPEN_YEAR)).status_code == 404
    assert "published once it has closed" in client.get(response["Location"]).content.decode()


def test_the_agency_page_offers_its_admins_the_publish_form_for_a_closed_year(two_districts, page_as, publish):
    url = reverse("insights:outcomes-agency", args=[two_districts.agency.uuid])
    html = page_as("agency_admin").get(url, {"school_year": YEAR}).content.decode()
    assert "Publish the 2025-2026 outcomes" in html and _publish_url(two_districts) in html
    assert "Publish the" not in page_as("agency_admin").get(url, {"school_year": OPEN_YEAR}).content.decode()
    for role in ("supervisor", "evaluator"):
        assert "Publish the" not in page_as(role).get(url, {"school_year": YEAR}).content.decode(), role
    publish()
    html = page_as("agency_admin").get(url, {"school_year": YEAR}).content.decode()
    assert "Withdraw the public outcomes" in html and _page_url(two_districts) in html


def test_the_check_runs_in_the_background_and_the_page_says_so_meanwhile(two_districts, page_as):
    world = two_districts
    asked = []
    found = public_outcomes_publish_request(
        actor=world.users["agency_admin"],
        owner=world.agency,
        school_year=YEAR,
        today=timezone.localdate(),
        enqueue=lambda outcomes, actor: asked.append((outcomes.pk, actor.pk)),
    )
    assert asked == [(found.pk, world.users["agency_admin"].pk)]
    assert (found.published, found.checking) == (False, True)
    page = page_as("agency_admin").get(
        reverse("insights:outcomes-agency", args=[world.agency.uuid]), {"school_year": YEAR}
    )
    assert "are being checked beside the published outcomes of the districts" in page.content.decode()
    assert Client().get(_page_url(world)).status_code == 404
    assert public_outcomes_publish_checked(found=found, actor=world.users["agency_admin"], today=timezone.localdate())
    found.refresh_from_db()
    assert (found.published, found.checking, found.refusal) == (True, False, "")
    assert Client().get(_page_url(world)).status_code == 200


# --- what the public reads ---------------------------------------------------------------------------


def test_anonymous_reads_a_published_year_and_nothing_else(two_districts, publish, api_as):
    world = two_districts
    doors = [_page_url(world), f"{_page_url(world)}?format=csv"]
    anonymous = Client()
    for url in doors:
        assert anonymous.get(url).status_code == 404, url  # not published yet
    assert api_as("anonymous").get(_api_url(world)).status_code == 404
    assert world.agency.name not in anonymous.get(reverse("public_outcomes")).content.decode()
    publish()
    for url in doors:
        assert anonymous.get(url).status_code == 200, url
    listing = anonymous.get(reverse("public_outcomes")).content.decode()
    assert world.agency.name in listing and _page_url(world) in listing
    assert api_as("anonymous").get(_api_url(world)).status_code == 200
    # another year, another agency, a district's door for the agency, no school year at all: not found
    for url in (
        _page_url(world, "not-a-year"),
        _page_url(world, PREVIOUS),
        _page_url(world, OPEN_YEAR),
        _page_url(world, agency=world.other_agency),
        reverse("public_outcomes_district", args=[world.agency.uuid, YEAR]),
    ):
        assert anonymous.get(url).status_code == 404, url
    for url in (_api_url(world, "not-a-year"), _api_url(world, PREVIOUS), _api_url(world, OPEN_YEAR)):
        assert api_as("anonymous").get(url).status_code == 404, url
    publish(choice="no")
    for url in doors:
        assert anonymous.get(url).status_code == 404, url
    assert api_as("anonymous").get(_api_url(world)).status_code == 404
    assert world.agency.name not in anonymous.get(reverse("public_outcomes")).content.decode()


def test_the_public_figures_are_the_agency_evaluators_release_and_the_csv_the_same(two_districts, publish, api_as):
    world = two_districts
    evaluator = api_as("evaluator").get(f"/insights/outcomes/agencies/{world.agency.uuid}", school_year=YEAR).json()
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope=agency_scope_key(world.agency)).count()
    publish()
    assert FigureSnapshot.objects.filter(figure=OUTCOMES, scope=agency_scope_key(world.agency)).count() == stored
    body = api_as("anonymous").get(_api_url(world)).json()
    released = restricted_agency_body(world.agency, YEAR, timezone.localdate())
    assert body["current"] == released["current"] == evaluator["current"]
    assert body["previous"] == evaluator["previous"] and body["trust"] == evaluator["trust"]
    assert body["level"] == "agency" and body["restricted"] is True
    october = next(m for m in body["current"]["months"] if m["month"] == "2025-10")
    assert october["positive"] is None and "positive" in october["hidden"]
    html = Client().get(_page_url(world)).content.decode()
    assert "Suppressed" in html and "<svg" in html and 'role="img"' in html
    assert "published by the agency" in html and "<form" not in html
    text = Client().get(_page_url(world), {"format": "csv"}).content.decode()
    rows = {(r[0], r[1]): dict(zip(CSV_COLUMNS, r, strict=True)) for r in list(csv.reader(io.StringIO(text)))[1:]}
    for key in ("current", "previous"):
        year = body[key]
        for month in _months(year):
            row = rows[(year["school_year"], "year" if month is year["total"] else month["month"])]
            for column in CSV_COLUMNS[2:]:
                if column in month["hidden"]:
                    assert row[column] == "suppressed", (month["month"], column)
                elif month[column] is not None:
                    assert row[column] == str(month[column]), (month["month"], column)


def test_the_public_annual_report_carries_the_agencys_published_outcomes(two_districts, publish, page_as):
    world = two_districts
    response = page_as("agency_admin").post(
        reverse("insights:report_publish", args=["agency", world.agency.uuid]), {"school_year": YEAR}
    )
    assert response.status_code == 302
    report = ProgramReport.objects.get(agency=world.agency, school_year=YEAR, audience="public")
    assert report.status == ProgramReport.Status.DONE, report.error
    assert "The agency has not published its outcomes" in report.html
    publish()  # the public report is built again with them
    report.refresh_from_db()
    assert report.status == ProgramReport.Status.DONE, report.error
    assert 'id="report-public_outcomes"' in report.html and "Suppressed" in report.html
    assert _page_url(world) in report.html
    publish(choice="no")
    report.refresh_from_db()
    assert "The agency has not published its outcomes" in report.html


# --- the attack: the agency's public months beside a district's public months -----------------------------


def _truth(world):
    """Every count behind what the public reads (the agency's months, each district's part of them, and
    Millbrook's district-wide months and schools'), how they add up: from the records, not a release."""
    today = timezone.localdate()
    table, _ = agency_counts_table(world.agency, YEAR, today)
    scope = public_scope(world.district)
    year = outcomes_year(outcomes_scope_of(scope), YEAR, as_of=today)
    wide, _ = schools_table(outcomes_table(year), scope, year, today)
    table = table.merge(wide.renamed(lambda key: ("public", key)))
    # Millbrook Police is the only agency in Millbrook's schools: the district's months are its part.
    for key in list(wide.cells):
        if isinstance(key, tuple) and len(key) == 4 and in_district(world.district.pk, key) in table.cells:
            assert table.cells[("public", key)] == table.cells[in_district(world.district.pk, key)], key
            table.relate(("public", key), [in_district(world.district.pk, key)])
    return table


def _shown(body, key):
    """The counts a body gives: each shown count, and the counts behind each shown rate or share."""
    shown = {}
    year = body["current"]
    for month in _months(year):
        label = "year" if month is year["total"] else month["month"]
        for field, cells in FIELDS.items():
            if month[field] is not None:
                for name in cells:
                    shown[key(cell(YEAR, label, name))] = month[field] if field == name else None
    return shown


def test_no_hidden_count_comes_back_from_the_agency_beside_a_public_district(two_districts, publish, page_as, api_as):
    world = two_districts
    assert _publish_district(world, page_as).published
    published = publish()
    assert published.status_code == 302
    found = PublicOutcomes.objects.get(agency=world.agency)
    assert (found.published, found.refusal) == (True, "")
    agency = api_as("anonymous").get(_api_url(world)).json()
    district = api_as("anonymous").get(_district_api_url(world.district)).json()
    # the fixture's point: Millbrook's 30 and 13 are public, the agency's 33 and 16 are not
    for body, label, field, value in (
        (district, "2025-10", "positive", 30),
        (district, "year", "arrests", 13),
        (agency, "2025-10", "positive", None),
        (agency, "year", "arrests", None),
    ):
        months = {("year" if m is body["current"]["total"] else m["month"]): m for m in _months(body["current"])}
        assert months[label][field] == value, (label, field)
    # the subtraction: the agency's month minus Millbrook's, wherever both are shown
    checked = 0
    for ours, theirs in zip(_months(agency["current"]), _months(district["current"]), strict=True):
        for field in COUNTS:
            if ours[field] is not None and theirs[field] is not None:
                rest = ours[field] - theirs[field]
                assert rest == 0 or rest >= THRESHOLD, (ours["month"], field, rest)
                checked += 1
    assert checked
    # the LP audit over everything read together: the agency's months, Millbrook's and its schools'
    table = _truth(world)
    shown = _shown(agency, lambda key: key) | _shown(district, lambda key: ("public", key))
    for school in School.objects.filter(district=world.district):
        body = api_as("anonymous").get(f"{_district_api_url(world.district)}/schools/{school.uuid}").json()
        shown |= _shown(body, lambda key, pk=school.pk: ("public", (*key, pk)))
    for key, value in shown.items():
        assert value is None or table.cells[key] == value, key
    # (each district's part of the agency's months is never shown: unknown, and protected as sensitive)
    hidden = {key for key in table.cells if key not in shown and key not in table.unpublished and table.cells[key]}
    east = in_district(world.east.pk, cell(YEAR, "2025-10", "positive"))
    assert east in table.sensitive and east not in shown and table.cells[east] == 3
    report = audit(table, hidden, threshold=THRESHOLD)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}
    assert public_audit(world.agency, YEAR, CLOSED).passed


def _shows_october(world):
    """An agency release stored before it was protected (say): its October positive contacts shown."""
    stored = FigureSnapshot.objects.get(figure=OUTCOMES, scope=agency_scope_key(world.agency), period=YEAR)
    stored.payload["hidden_cells"] = [key for key in stored.payload["hidden_cells"] if key != ["2025-10", "positive"]]
    stored.save()


def test_publishing_the_agency_is_refused_when_a_public_district_would_give_a_count_away(
    two_districts, publish, page_as
):
    world = two_districts
    _publish_district(world, page_as)
    api = page_as("evaluator").get(reverse("insights:outcomes-agency", args=[world.agency.uuid]), {"school_year": YEAR})
    assert api.status_code == 200  # the agency's release stored
    _shows_october(world)  # 33 beside Millbrook's public 30: Eastbrook's 3
    assert not public_audit(world.agency, YEAR, CLOSED).passed
    response = publish()
    refused = PublicOutcomes.objects.get(agency=world.agency)
    assert (refused.published, refused.checking) == (False, False)
    assert refused.refusal == NOT_SAFE_BESIDE_DISTRICTS.format(year=YEAR)
    assert escape(refused.refusal) in page_as("agency_admin").get(response["Location"]).content.decode()
    assert Client().get(_page_url(world)).status_code == 404


def test_publishing_a_district_is_checked_beside_the_agencys_public_outcomes(two_districts, publish, page_as):
    world = two_districts
    publish()
    assert PublicOutcomes.objects.get(agency=world.agency).published
    _shows_october(world)  # (as published before this check existed)
    found = _publish_district(world, page_as)
    assert (found.published, found.refusal) == (False, NOT_SAFE_BESIDE_MOUS.format(year=YEAR))
    page = page_as("district_admin").get(
        reverse("insights:outcomes-district", args=[world.district.uuid]), {"school_year": YEAR}
    )
    assert escape(found.refusal) in page.content.decode()
    assert Client().get(reverse("public_outcomes_district", args=[world.district.uuid, YEAR])).status_code == 404


def test_a_district_published_after_the_agency_passes_when_nothing_comes_back(two_districts, publish, page_as):
    world = two_districts
    publish()
    found = _publish_district(world, page_as)
    assert (found.published, found.refusal) == (True, "")
    assert public_audit(world.district, YEAR, CLOSED).passed
