"""An agency's evaluator also reads the public page: its figures count the same records as the
evaluator's, so whichever is stored second is protected around the first, and the two together
pass the audit in either order."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from liaison.agreements.tests.test_public_figures import LAST_WEEK, _record, month_closed, published
from liaison.insights.access import equity_scope_for
from liaison.insights.crdc import crdc_counted
from liaison.insights.figures import _linked, restricted_table
from liaison.insights.public_figures import enforcement_counts, enforcement_table
from liaison.insights.selectors import equity_counted
from liaison.interactions.vocabulary import ActionType
from liaison.lib.disclosure_audit import audit
from liaison.lib.school_years import school_year_days, school_year_of
from liaison.tests.test_figure_registry import _crdc_shown, _equity_shown

__all__ = ["month_closed", "published"]  # fixtures

YEAR = school_year_of(LAST_WEEK.date())


@pytest.fixture
def records(world, published):
    # unlinked, the public page hid the 3 referrals (and the 12 arrests with them) while the
    # evaluator saw 15 referrals and 12 arrests in all: 15 − 12 = 3
    for action_type, times in (("referral_to_law_enforcement", 3), ("arrest", 12), ("search", 5)):
        for _ in range(times):
            _record(world, kind="enforcement", action_type=action_type)
    return world


def _evaluator(api_as, world):
    equity = api_as("evaluator").get(f"/insights/equity/{world.district.uuid}", school_year=YEAR).json()
    crdc = api_as("evaluator").get(f"/insights/crdc/{world.district.uuid}", school_year=YEAR).json()
    return equity, crdc


def _public(agreement):
    return Client().get(reverse("public_figures", args=[agreement.uuid])).context["figures"]


def _assert_together_safe(world, equity, crdc, public):
    scope = equity_scope_for(world.users["evaluator"], world.district.uuid)
    first, last = school_year_days(YEAR)
    by_type, within = enforcement_counts(world.agency.pk, world.district.pk, first, last)
    truth = _linked(
        restricted_table(equity_counted(scope, YEAR), crdc_counted(scope, YEAR)).merge(
            enforcement_table(by_type, within)
        )
    )
    shown: dict = {}
    _equity_shown(equity, shown)
    _crdc_shown(crdc, shown, {str(s.uuid): s.pk for s in (world.elementary, world.high)})
    labels = {str(label): value for value, label in ActionType.choices}
    shown |= {("action", labels[a.label]): a.count for a in public.by_action if a.count is not None}
    shown |= {
        name: getattr(public, name) for name in ("enforcement_total", "referrals") if getattr(public, name) is not None
    }
    for key, value in shown.items():
        assert truth.cells[key] == value, key
    if public.within_mou_percent is not None:
        shown |= {"within_mou": truth.cells["within_mou"], "not_within_mou": truth.cells["not_within_mou"]}
    hidden = {key for key in truth.cells if key not in shown and key not in truth.unpublished}
    report = audit(truth, hidden, threshold=10)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}


def test_the_public_page_stored_first_then_the_evaluators_figures(api_as, records, published):
    public = _public(published)
    equity, crdc = _evaluator(api_as, records)
    _assert_together_safe(records, equity, crdc, public)


def test_the_evaluators_figures_stored_first_then_the_public_page(api_as, records, published):
    equity, crdc = _evaluator(api_as, records)
    public = _public(published)
    _assert_together_safe(records, equity, crdc, public)


def test_the_public_page_stored_first_then_the_evaluators_outcomes(api_as, records, published):
    """The public page's enforcement total is the outcomes year's: shown there, shown the same here;
    and the months cannot be worked out against it."""
    public = _public(published)
    body = api_as("evaluator").get(f"/insights/outcomes/districts/{records.district.uuid}", school_year=YEAR).json()
    total = body["current"]["total"]
    assert total["enforcement"] == public.enforcement_total
    months = [m["enforcement"] for m in body["current"]["months"]]
    if public.enforcement_total is not None:
        assert months.count(None) != 1


def test_the_evaluators_outcomes_stored_first_then_the_public_page(api_as, records, published):
    """Stored second, the public page keeps what the outcomes showed and hid of the same actions."""
    body = api_as("evaluator").get(f"/insights/outcomes/districts/{records.district.uuid}", school_year=YEAR).json()
    public = _public(published)
    assert public.enforcement_total == body["current"]["total"]["enforcement"]
    assert public.referrals == body["current"]["total"]["referrals"]
