"""An agency's evaluators read the agency's outcomes release and the agency's public MOU pages: a page
first built after the agency's release is protected around it.

The agency is test_outcomes_agency_disclosure's Millbrook Police, serving Millbrook (its year of 38
enforcement actions, 14 referrals to law enforcement and 13 arrests shown) and Eastbrook (3 arrests
and 3 positive contacts in October, hidden). Millbrook's MOU, signed and its figures published
after the agency's release was stored, counts the agency's actions in Millbrook: beside the agency's
year (Millbrook's and Eastbrook's summed) and months, its counts must give no hidden count back.
"""

from __future__ import annotations

from liaison.agreements import services as agreement_services
from liaison.agreements.tests.mous import mou_in_force
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcomes_release import (
    agency_release_link,
    cell,
    in_district,
)
from liaison.insights.public_figures import PUBLIC_FIGURES, enforcement_table, public_already
from liaison.insights.tests.test_outcomes_agency_disclosure import (  # noqa: F401
    PREVIOUS,
    THRESHOLD,
    YEAR,
    _get,
    _month,
    _positive,
    _read_together,
    closed_year,
    two_districts,
)
from liaison.lib.disclosure_audit import audit


def _publish_mou(world):
    """Millbrook's MOU, in force and its figures published (after whatever was stored before)."""
    agreement = mou_in_force(world)
    agreement_services.agreement_publish(
        actor=world.users["agency_admin"], agreement=agreement, published=True, figures=True
    )
    return agreement


def _page(world, api_as, agreement):
    """The MOU page's figures as the public (and the agency's evaluators) read them: built now."""
    response = api_as("anonymous").get(f"/public/mous/{agreement.uuid}/figures")
    assert response.status_code == 200, response.content
    return response.json()


def _stored_page(agreement):
    return FigureSnapshot.objects.get(figure=PUBLIC_FIGURES, scope=f"agreement:{agreement.uuid}", period=YEAR)


# --- a page built after the agency's release -------------------------------------------------------------


def test_a_late_mou_page_is_released_around_the_agencys_release(two_districts, api_as):  # noqa: F811
    """The link for the page holds the agency's table (its months across both districts and each
    district's stored release) apart from the page's own cells, fixed as the agency's evaluators read
    it, with Millbrook's year tied to the page's counts; before the agency's release is stored there
    is nothing to link."""
    world = two_districts
    agreement = _publish_mou(world)
    assert agency_release_link(agreement, YEAR) is None
    _get(api_as, f"agencies/{world.agency.uuid}")  # the agency's release, stored first
    link = agency_release_link(agreement, YEAR)
    assert link is not None
    by_type = {"referral_to_law_enforcement": 14, "arrest": 13, "warning": 11}
    page = enforcement_table(by_type, 0)
    table, already = link(page)

    def agency_wide(key):
        return ("agency-wide", key)

    here = agency_wide(in_district(world.district.pk, cell(YEAR, "year", "enforcement")))
    assert table.cells[here] == table.cells["enforcement_total"] == 38
    assert (here, ("enforcement_total",)) in table.relations
    east = agency_wide(in_district(world.east.pk, cell(YEAR, "year", "arrests")))
    assert already[east] is False  # Eastbrook's 3 stay hidden
    assert already[agency_wide(cell(YEAR, "year", "arrests"))] is False  # as the agency's 16 did
    assert already[agency_wide(cell(YEAR, "2026-01", "positive"))] is True
    assert not any(key in page.cells for key in already)  # the page's own cells are the engine's to decide


def test_the_lp_audit_finds_nothing_derivable_beside_a_late_mou_page(two_districts, api_as):  # noqa: F811
    """Everything the agency's evaluator reads after the page was built (the agency's months, each
    district's and its schools', their equity and CRDC figures, and the page's counts in Millbrook's
    table) leaves every small hidden count protected: Eastbrook's 3 arrests among them."""
    world = two_districts
    _get(api_as, f"agencies/{world.agency.uuid}")
    agreement = _publish_mou(world)
    figures = _page(world, api_as, agreement)
    assert figures["school_year"] == YEAR and figures["arrests"] == 13  # as Millbrook's release shows
    table, shown = _read_together(world, api_as)  # (Millbrook's table holds the page now: it is stored)
    for key, state in public_already(_stored_page(agreement).payload).items():
        if state:
            shown[in_district(world.district.pk, key)] = None
    hidden = {key for key in table.cells if key not in shown and key not in table.unpublished and table.cells[key]}
    east = in_district(world.east.pk, cell(YEAR, "year", "arrests"))
    assert east in hidden and table.cells[east] == 3
    report = audit(table, hidden, threshold=THRESHOLD)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}
