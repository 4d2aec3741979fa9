"""Attacks on the restricted figures, as an evaluator would make them with a calculator.

Each test reproduces a leak that existed before every figure went through the disclosure engine
(they fail on that code) and shows it is closed now, in the API, and where the same figures are
in the CSV and on the page.

The district (2025-2026): 900 enrolled (White 500, Black 100, Hispanic 300). Referrals: White 7
(a small count, hidden), Black 31 (19 referrals and 12 arrests), Hispanic 40. No White arrests.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from django.urls import reverse

from liaison.insights.equity import Z_95
from liaison.insights.rows import NO_INDEX
from liaison.insights.tests.test_crdc import _action as _crdc_action
from liaison.insights.tests.test_equity import YEAR, _action, _enrollment


@pytest.fixture
def small_reference(world):
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    actions = {
        "white": ["referral_to_law_enforcement"] * 7,
        "black": ["referral_to_law_enforcement"] * 19 + ["arrest"] * 12,
        "hispanic_latino": ["referral_to_law_enforcement"] * 40,
    }
    for race, types in actions.items():
        for i, action_type in enumerate(types):
            _action(world, action_type, race, school=world.high if i % 2 else world.elementary)
    return world


def _points(api_as, world):
    body = api_as("evaluator").get(f"/insights/equity/{world.district.uuid}", school_year=YEAR).json()
    assert body["suppressed"] is True
    return {p["key"]: p for p in body["points"]}


def _reference_from_rri(point, reference_base):
    """(a/n1) / RRI × n2: the reference group's count, from any group whose RRI, count and base show."""
    return {
        round(g["events"] / g["base"] / g["rri"] * reference_base)
        for g in point["groups"]
        if g["rri"] and g["events"] is not None and g["base"] and not g["reference"]
    }


def _reference_from_interval(point):
    """The interval's width gives the standard error, and with the group's a and n1, the reference's c
    (enrollment of the reference, n2, is public)."""
    found = set()
    reference = next(g for g in point["groups"] if g["reference"])
    for g in point["groups"]:
        if g["ci_low"] and g["ci_high"] and g["events"] and g["base"] and reference["base"]:
            error = (math.log(g["ci_high"]) - math.log(g["ci_low"])) / (2 * Z_95)
            inverse = error**2 - 1 / g["events"] + 1 / g["base"] + 1 / reference["base"]
            found.add(round(1 / inverse))
    return found


def test_an_rri_does_not_give_back_the_hidden_reference_count(api_as, small_reference):
    referral = _points(api_as, small_reference)["referral"]
    white = next(g for g in referral["groups"] if g["group"] == "white")
    assert white["events"] is None
    assert 7 not in _reference_from_rri(referral, 500)


def test_an_interval_does_not_give_back_the_hidden_reference_count(api_as, small_reference):
    referral = _points(api_as, small_reference)["referral"]
    assert 7 not in _reference_from_interval(referral)


def test_a_finding_does_not_state_a_hidden_reference_zero(api_as, small_reference):
    """ "None among White students" says the reference count is 0: then it must be shown as 0."""
    for point in _points(api_as, small_reference).values():
        reference = next(g for g in point["groups"] if g["reference"])
        if any(g["finding"] == NO_INDEX for g in point["groups"]):
            assert reference["events"] == 0 and not reference["suppressed"]


def test_the_total_minus_the_shown_groups_does_not_give_a_hidden_group_back(api_as, small_reference):
    """Put the reference count worked out from an RRI beside the total: nothing hidden may follow."""
    referral = _points(api_as, small_reference)["referral"]
    known = {g["group"]: g["events"] for g in referral["groups"] if g["events"] is not None}
    recovered = _reference_from_rri(referral, 500) | _reference_from_interval(referral)
    if len(recovered) == 1 and "white" not in known:
        known["white"] = recovered.pop()
    unknown = [g["group"] for g in referral["groups"] if g["group"] not in known]
    assert referral["total"] is None or len(unknown) != 1


def test_the_csv_and_page_hide_the_same_index(page_as, small_reference):
    url = reverse("insights:equity", args=[small_reference.district.uuid])
    rows = list(
        csv.DictReader(
            io.StringIO(page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).content.decode())
        )
    )
    hispanic = next(r for r in rows if r["group"] == "hispanic_latino" and r["decision_point"] == "referral")
    assert hispanic["rri"] == hispanic["ci_low"] == hispanic["finding"] == ""
    page = page_as("evaluator").get(url, {"school_year": YEAR}).content.decode()
    assert NO_INDEX not in page


def test_the_district_admin_still_sees_every_figure(api_as, small_reference):
    body = api_as("district_admin").get(f"/insights/equity/{small_reference.district.uuid}", school_year=YEAR).json()
    referral = next(p for p in body["points"] if p["key"] == "referral")
    assert {g["group"]: g["events"] for g in referral["groups"]}["white"] == 7
    assert all(g["rri"] is not None for g in referral["groups"] if g["group"] in ("black", "hispanic_latino"))


def test_actions_without_a_student_key_do_not_give_the_hidden_instances_back(api_as, world):
    for day in range(1, 6):
        _crdc_action(world, "referral_to_law_enforcement", day=(10, day), race_ethnicity="white")
    body = api_as("evaluator").get(f"/insights/crdc/{world.district.uuid}", school_year=YEAR).json()
    referred = next(s for s in body["schools"] if s["name"] == "Millbrook Elementary")["referred"]
    assert referred["instances"] is None
    assert referred["without_student_key"] is None  # was 5: the hidden instance count itself
