"""Restricted audiences see stored figures of closed school years, never live ones (no differencing)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from liaison.insights.figures import snapshots_build
from liaison.insights.models import FigureSnapshot
from liaison.insights.snapshots import PERIOD_OPEN
from liaison.insights.tests.test_equity import YEAR, _action, _enrollment
from liaison.lib.school_years import school_year_of

ON = datetime.datetime(2025, 11, 3, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def closed_year(world):
    _enrollment(world, world.elementary, 400, white=250, black=50, hispanic=100, asian=0)
    _enrollment(world, world.high, 500, white=250, black=50, hispanic=200, asian=0)
    for race, times in (("white", 12), ("black", 15), ("hispanic_latino", 11)):
        for _ in range(times):
            _action(world, "referral_to_law_enforcement", race, on=ON)
    return world


def _referrals(client, world, figure="equity"):
    body = client.get(f"/insights/{figure}/{world.district.uuid}", school_year=YEAR).json()
    if figure == "crdc":
        return {s["name"]: s["referred"]["instances"] for s in body["schools"]}
    referral = next(p for p in body["points"] if p["key"] == "referral")
    return {g["group"]: g["events"] for g in referral["groups"]} | {"total": referral["total"]}


def test_an_evaluator_sees_the_same_figures_after_a_new_record(api_as, closed_year):
    before = _referrals(api_as("evaluator"), closed_year)
    assert before["white"] == 12
    _action(closed_year, "referral_to_law_enforcement", "white", on=ON)  # entered late, for the closed year
    assert _referrals(api_as("evaluator"), closed_year) == before
    assert FigureSnapshot.objects.filter(figure="equity", period=YEAR).count() == 1


def test_the_crdc_counts_are_stored_the_same_way(api_as, closed_year):
    before = _referrals(api_as("evaluator"), closed_year, "crdc")
    _action(closed_year, "referral_to_law_enforcement", "white", on=ON)
    assert _referrals(api_as("evaluator"), closed_year, "crdc") == before


def test_the_district_admin_sees_the_record_at_once(api_as, closed_year):
    assert _referrals(api_as("district_admin"), closed_year)["white"] == 12
    _action(closed_year, "referral_to_law_enforcement", "white", on=ON)
    assert _referrals(api_as("district_admin"), closed_year)["white"] == 13
    assert not FigureSnapshot.objects.exists()


def test_an_evaluator_cannot_ask_for_the_open_school_year(api_as, page_as, closed_year):
    current = school_year_of(datetime.date.today())
    for figure in ("equity", "crdc"):
        response = api_as("evaluator").get(f"/insights/{figure}/{closed_year.district.uuid}", school_year=current)
        assert response.status_code == 400
        assert "published once it has closed" in str(response.json())
        page = page_as("evaluator").get(reverse(f"insights:{figure}", args=[closed_year.district.uuid]))
        assert page.status_code == 200 and current not in page.context["form"].fields["school_year"].choices[0]
    assert "{period}" in PERIOD_OPEN


def test_the_page_and_csv_are_served_from_the_same_snapshot(page_as, closed_year):
    url = reverse("insights:equity", args=[closed_year.district.uuid])
    page_as("evaluator").get(url, {"school_year": YEAR})
    _action(closed_year, "referral_to_law_enforcement", "white", on=ON)
    export = page_as("evaluator").get(url, {"school_year": YEAR, "format": "csv"}).content.decode()
    assert ",referral,white,500,12," in export


def test_the_command_builds_each_evaluator_scopes_snapshots_once(closed_year):
    call_command("figures_snapshot", "--school-year", YEAR)
    built = FigureSnapshot.objects.count()
    assert built >= 2  # equity and CRDC for the district's evaluator
    assert snapshots_build(datetime.date.today(), school_year=YEAR) == 0  # kept as stored


def test_the_command_refuses_an_open_year(closed_year):
    with pytest.raises(CommandError, match="published once it has closed"):
        call_command("figures_snapshot", "--school-year", school_year_of(datetime.date.today()))


def test_the_worker_builds_the_closed_years_snapshots_each_day(db):
    import datetime

    from liaison.operations.scheduler import registered_job

    job = registered_job("figure_snapshots_build")
    assert job is not None and job.every == datetime.timedelta(days=1)
    assert job.func().endswith("snapshot(s) built")
