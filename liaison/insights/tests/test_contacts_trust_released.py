"""Contacts and trust beyond the signed-in page: in the evaluators' annual report (with their released
outcomes), and for the public, from a district's published outcomes.

The world of test_contacts_trust_evaluator.py (`surveyed`): two schools with two closed student waves;
the elementary's November (4 positive contacts) is suppressed, so it is listed as not shown, with no
dot; the high school gets one. Every figure shown to a restricted audience here must be the one their
own outcomes pages and API give: the report and the public pages compute nothing of their own.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from liaison.accounts.models import Membership
from liaison.insights import report as reports
from liaison.insights.contacts_trust_outputs import CONTACTS_TRUST_COLUMNS, contacts_trust_body
from liaison.insights.models import ProgramReport, PublicOutcomes
from liaison.insights.released_contacts_trust import CONTACTS_HIDDEN, PUBLIC_CAVEAT
from liaison.insights.tests.test_contacts_trust_evaluator import _api_path, surveyed  # noqa: F401
from liaison.insights.tests.test_outcomes_disclosure import YEAR, closed_year  # noqa: F401

RESTRICTED, PUBLIC = ProgramReport.Audience.RESTRICTED, ProgramReport.Audience.PUBLIC


def _district_evaluator(world) -> None:
    """The world's evaluator made district-wide (every agency's records about the district)."""
    evaluator = world.users["evaluator"]
    Membership.objects.filter(user=evaluator).update(agency=None, district=world.district)
    world.users["evaluator"] = type(evaluator).objects.get(pk=evaluator.pk)


def _build(client, kind, owner) -> ProgramReport:
    response = client.post(reverse("insights:report_build", args=[kind, owner.uuid]), {"school_year": YEAR})
    assert response.status_code == 302, response.status_code
    report = ProgramReport.objects.get(**{kind: owner}, school_year=YEAR, audience=RESTRICTED)
    assert report.status == ProgramReport.Status.DONE, report.error
    return report


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def _by_school(schools) -> dict[str, dict]:
    return {str(s["school"]): s for s in schools}


# --- the evaluators' annual report ---------------------------------------------------------------------


def test_a_district_evaluators_report_has_their_released_outcomes_and_contacts_and_trust(surveyed, page_as, api_as):  # noqa: F811
    world = surveyed
    _district_evaluator(world)
    report = _build(page_as("evaluator"), "district", world.district)
    assert 'id="report-restricted_outcomes"' in report.html and 'id="report-outcomes"' not in report.html
    scope = reports.report_scope(world.district, YEAR, RESTRICTED, reports.owner_today(world.district))
    section = reports.restricted_outcomes_section(scope)
    api = api_as("evaluator")
    outcomes = _ok(api.get(f"/api/v1/insights/outcomes/districts/{world.district.uuid}", school_year=YEAR))
    assert section["body"] == outcomes  # the evaluator's outcomes, as their page and API serve them
    trust = _ok(api.get(_api_path(world), school_year=YEAR))
    mine = json.loads(json.dumps(contacts_trust_body(section["contacts_trust"], world.district.uuid), default=str))
    assert mine == trust  # contacts and trust, as the evaluator's page and API give it
    shown = _by_school(trust["schools"])
    high, elementary = shown[str(world.high.uuid)], shown[str(world.elementary.uuid)]
    assert high["contacts_change"] is not None and elementary["contacts_change"] is None
    assert 'id="report-restricted-outcomes-contacts-trust"' in report.html
    assert escape(CONTACTS_HIDDEN) in report.html  # the elementary is listed as not shown, with the reason
    assert f"{high['trust_change']:.1f}" in report.html
    # a hidden month reads Suppressed, never its count
    assert "Suppressed" in report.html


def test_an_agency_evaluators_report_has_the_agencys_released_outcomes(surveyed, page_as, api_as):  # noqa: F811
    world = surveyed
    report = _build(page_as("evaluator"), "agency", world.agency)
    assert 'id="report-restricted_outcomes"' in report.html
    scope = reports.report_scope(world.agency, YEAR, RESTRICTED, reports.owner_today(world.agency))
    section = reports.restricted_outcomes_section(scope)
    api = _ok(api_as("evaluator").get(f"/api/v1/insights/outcomes/agencies/{world.agency.uuid}", school_year=YEAR))
    assert {key: section["body"][key] for key in api} == api  # (the body also lists the districts, for links)
    assert "contacts_trust" not in section  # a district's figure: the agency's report has none
    assert [m.key for m, _, _ in section["measures"]] == list(reports.REPORT_MEASURES)


def test_an_open_year_has_no_restricted_outcomes(surveyed):  # noqa: F811
    world = surveyed
    scope = reports.report_scope(world.district, "2026-2027", RESTRICTED, reports.owner_today(world.district))
    assert reports.restricted_outcomes_section(scope) == {"body": None, "not_closed": True}


# --- the public: from a district's published outcomes ------------------------------------------------------


@pytest.fixture
def published(surveyed, page_as):  # noqa: F811
    world = surveyed
    response = page_as("district_admin").post(
        reverse("insights:outcomes-publish", args=[world.district.uuid]), {"school_year": YEAR, "publish": "yes"}
    )
    assert response.status_code == 302
    assert PublicOutcomes.objects.get(district=world.district, school_year=YEAR).published
    return world


def _public_url(world, school_year=YEAR) -> str:
    return reverse("public_outcomes_contacts_trust", args=[world.district.uuid, school_year])


def _public_api(world, school_year=YEAR) -> str:
    return f"/api/v1/public/outcomes/districts/{world.district.uuid}/{school_year}/trust"


def _months(body, key="positive") -> dict[str, int | None]:
    return {m["month"]: m[key] for year in ("previous", "current") for m in body[year]["months"]}


def test_the_public_reads_contacts_and_trust_of_a_published_year(published):
    world = published
    anonymous = Client()
    page = anonymous.get(_public_url(world))
    assert page.status_code == 200
    assert escape(PUBLIC_CAVEAT) in page.content.decode()
    body = _ok(anonymous.get(_public_api(world)))
    assert body["restricted"] is True and body["school_year"] == YEAR
    schools = _by_school(body["schools"])
    high, elementary = schools[str(world.high.uuid)], schools[str(world.elementary.uuid)]
    # the high school's stretches are sums of the months its published page shows, nothing else
    published_high = _ok(
        anonymous.get(f"/api/v1/public/outcomes/districts/{world.district.uuid}/{YEAR}/schools/{world.high.uuid}")
    )
    months = _months(published_high)
    for stretch in (high["before"], high["between"]):
        first, last = stretch["first"][:7], stretch["last"][:7]
        assert stretch["positive"] == sum(v for month, v in months.items() if first <= month <= last)
    # the elementary's hidden November is never summed
    assert elementary["contacts_change"] is None and elementary["between"]["positive"] is None
    assert CONTACTS_HIDDEN in elementary["not_shown"]
    rows = list(csv.reader(io.StringIO(anonymous.get(_public_url(world), {"format": "csv"}).content.decode())))
    assert rows[0] == CONTACTS_TRUST_COLUMNS
    assert {row[0] for row in rows[1:]} == {world.high.name, world.elementary.name}
    # linked from the published outcomes page
    outcomes = anonymous.get(reverse("public_outcomes_district", args=[world.district.uuid, YEAR]))
    assert _public_url(world) in outcomes.content.decode()


def test_unpublished_withdrawn_or_malformed_years_have_no_public_contacts_and_trust(surveyed, page_as):  # noqa: F811
    world = surveyed
    anonymous = Client()
    for url in (_public_url(world), _public_url(world, "2024-2025"), _public_url(world, "not-a-year")):
        assert anonymous.get(url).status_code == 404, url
    for path in (_public_api(world), _public_api(world, "2024-2025"), _public_api(world, "x")):
        assert anonymous.get(path).status_code == 404, path
    publish = reverse("insights:outcomes-publish", args=[world.district.uuid])
    page_as("district_admin").post(publish, {"school_year": YEAR, "publish": "yes"})
    assert anonymous.get(_public_url(world)).status_code == 200
    page_as("district_admin").post(publish, {"school_year": YEAR, "publish": "no"})
    assert anonymous.get(_public_url(world)).status_code == 404
    assert anonymous.get(_public_api(world)).status_code == 404


def test_the_public_annual_report_carries_contacts_and_trust(published, page_as):
    world = published
    client = page_as("district_admin")
    response = client.post(
        reverse("insights:report_publish", args=["district", world.district.uuid]),
        {"school_year": YEAR, "publish": "yes"},
    )
    assert response.status_code == 302
    report = ProgramReport.objects.get(district=world.district, school_year=YEAR, audience=PUBLIC)
    assert report.status == ProgramReport.Status.DONE, report.error
    assert 'id="report-public-outcomes-contacts-trust"' in report.html
    assert escape(PUBLIC_CAVEAT) in report.html and escape(CONTACTS_HIDDEN) in report.html
    body = Client().get(_public_api(world)).json()
    high = _by_school(body["schools"])[str(world.high.uuid)]
    assert f"{high['trust_change']:.1f}" in report.html
