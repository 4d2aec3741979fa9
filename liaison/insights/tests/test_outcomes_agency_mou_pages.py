"""An agency's evaluators read the agency's outcomes release and the agency's public MOU pages: a page
first built after the agency's release is protected around it, and a district's release rebuilt
after a correction takes the agency's releases built tied to it with it.

The agency is test_outcomes_agency_disclosure's Millbrook Police, serving Millbrook (its year of 38
enforcement actions, 14 referrals to law enforcement and 13 arrests shown) and Eastbrook (3 arrests
and 3 positive contacts in October, hidden). Millbrook's MOU, signed and its figures published
after the agency's release was stored, counts the agency's actions in Millbrook: beside the agency's
year (Millbrook's and Eastbrook's summed) and months, its counts must give no hidden count back.
"""

from __future__ import annotations

from django.urls import reverse

from liaison.agreements import services as agreement_services
from liaison.agreements.tests.mous import mou_in_force
from liaison.insights.figures import scope_key
from liaison.insights.models import FigureSnapshot
from liaison.insights.outcomes_release import (
    OUTCOMES,
    agency_district_scope,
    agency_release_link,
    agency_scope_key,
    cell,
    in_district,
)
from liaison.insights.public_figures import PUBLIC_FIGURES, enforcement_table, public_already
from liaison.insights.public_outcomes import public_scope
from liaison.insights.snapshots import snapshot_rebuild
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
from liaison.insights.tests.test_outcomes_disclosure import _on
from liaison.lib.disclosure_audit import audit
from liaison.operations.scheduler import registered_job


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


def test_no_link_when_the_agencys_release_did_not_count_the_pages_district(two_districts, api_as):  # noqa: F811
    """The agency's release sums the districts it named when it was stored: a page in another (a
    partnership dated back into the year after it) holds none of its counts."""
    world = two_districts
    agreement = _publish_mou(world)
    _get(api_as, f"agencies/{world.agency.uuid}")
    stored = FigureSnapshot.objects.get(figure=OUTCOMES, scope=agency_scope_key(world.agency), period=YEAR)
    stored.payload["districts"] = [str(world.east.uuid)]  # as if Millbrook's partnership came after it
    stored.save()
    assert agency_release_link(agreement, YEAR) is None


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


def test_the_pages_positive_contacts_give_no_hidden_month_back(two_districts, api_as):  # noqa: F811
    """Found while attacking the late page: the public page showed the year's positive contacts as they
    were (officers' work) while the outcomes releases hide November's 4 of them, so the page's 59 beside
    October's 30 and December's 25 gave the 4 back. The page's positive contacts are now in the
    engine's table, tied to the district's year: the page or the months hide enough."""
    world = two_districts
    agreement = _publish_mou(world)
    year = _get(api_as, f"districts/{world.district.uuid}")["current"]
    shown = [month["positive"] for month in year["months"]]
    assert None in shown and year["total"]["positive"] is None
    page = _page(world, api_as, agreement)["positive_contacts"]
    if page is not None:
        rest = page - sum(n for n in shown if n is not None)
        assert rest == 0 or rest >= THRESHOLD, rest
    else:
        assert shown.count(None) == 1  # the page hid its total; the months stand as released


def test_a_release_built_after_the_page_hides_around_its_positive_contacts(two_districts, api_as):  # noqa: F811
    """The other order: the page is built first and shows the year's 59 positive contacts; the
    district's release built after it must not leave November's 4 the only hidden month, or 59 minus
    the months it shows gives the 4 back."""
    world = two_districts
    agreement = _publish_mou(world)
    page = _page(world, api_as, agreement)["positive_contacts"]
    assert page == 59  # not small, nothing stored before it: shown
    year = _get(api_as, f"districts/{world.district.uuid}")["current"]
    shown = [month["positive"] for month in year["months"]]
    assert year["total"]["positive"] in (None, page), year["total"]  # shown, it is the page's
    assert shown.count(None) >= 2, shown
    rest = page - sum(n for n in shown if n is not None)
    assert rest >= THRESHOLD, rest


# --- a district's release rebuilt after a correction ---------------------------------------------------------


def _correct_eastbrook(world):
    """A correction: 15 positive contacts in Eastbrook in January, entered after the year was released,
    and Eastbrook's release of the agency's records rebuilt (the district's decision)."""
    _positive(world, world.east_school, 15, _on(1))
    scope = scope_key(agency_district_scope(world.agency, world.east))
    return snapshot_rebuild(figure=OUTCOMES, scope=scope, period=YEAR)


def _agency_stored(world):
    stored = FigureSnapshot.objects.filter(figure=OUTCOMES, scope=agency_scope_key(world.agency))
    return sorted(stored.values_list("period", flat=True))


def _run_job():
    job = registered_job("figure_snapshots_build")
    assert job is not None
    return job.func()


def test_a_rebuilt_district_release_takes_the_agencys_with_it_and_the_job_builds_both(two_districts, api_as):  # noqa: F811
    world = two_districts
    _run_job()
    assert _month(_get(api_as, f"agencies/{world.agency.uuid}"), "2026-01")["positive"] == 0
    assert _correct_eastbrook(world) == 2  # Eastbrook's release and the agency's of the year
    assert _agency_stored(world) == [PREVIOUS]  # the year before was not tied to it
    assert "restricted" in _run_job()
    assert _agency_stored(world) == [PREVIOUS, YEAR]
    eastbrook = _get(api_as, f"districts/{world.east.uuid}")
    agency = _get(api_as, f"agencies/{world.agency.uuid}")
    # January follows the corrected district's (Millbrook's is 0): no longer the 0 stored before
    assert _month(agency, "2026-01")["hidden"] == _month(eastbrook, "2026-01")["hidden"]
    assert "positive" in _month(agency, "2026-01")["hidden"]


def test_after_a_rebuild_the_agencys_page_and_api_ask_the_worker_again(two_districts, api_as, page_as, monkeypatch):  # noqa: F811
    """Without the daily job: the agency evaluator's next request finds the agency's release missing,
    asks the worker for it (the page and the API say the figures are being prepared), and is then
    served the release built around the corrected district's."""
    from liaison.insights import tasks

    world = two_districts
    assert _month(_get(api_as, f"agencies/{world.agency.uuid}"), "2026-01")["positive"] == 0
    _correct_eastbrook(world)
    prepare, asked = tasks.outcomes_release_prepare, []
    monkeypatch.setattr(tasks, "outcomes_release_prepare", type("Queue", (), {"enqueue": lambda *a: asked.append(a)}))
    api = f"/api/v1/insights/outcomes/agencies/{world.agency.uuid}"
    assert api_as("evaluator").get(api, school_year=YEAR).status_code == 202
    url = reverse("insights:outcomes-agency", args=[world.agency.uuid])
    page = page_as("evaluator").get(url, {"school_year": YEAR})
    assert page.status_code == 202 and "are being prepared" in page.content.decode()
    assert len(asked) == 1
    prepare.call(*asked[0])  # what the worker runs
    assert page_as("evaluator").get(url, {"school_year": YEAR}).status_code == 200
    assert _month(_get(api_as, f"agencies/{world.agency.uuid}"), "2026-01")["positive"] is None  # was 0


def test_a_rebuild_leaves_the_releases_not_built_on_it_alone(two_districts, api_as):  # noqa: F811
    """A district-wide release (not in the agency's table) rebuilt, and an agency release itself
    rebuilt, take nothing else with them."""
    world = two_districts
    _run_job()
    _get(api_as, f"districts/{world.district.uuid}", role="district_evaluator")
    count = FigureSnapshot.objects.count()
    wide = scope_key(public_scope(world.district))
    assert snapshot_rebuild(figure=OUTCOMES, scope=wide, period=YEAR) == 1
    assert _agency_stored(world) == [PREVIOUS, YEAR]
    assert snapshot_rebuild(figure=OUTCOMES, scope=agency_scope_key(world.agency), period=YEAR) == 1
    assert FigureSnapshot.objects.count() == count - 2
