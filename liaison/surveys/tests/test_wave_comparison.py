"""Two waves of one school compared (this wave minus the previous) with Welch's 95% interval, the same
on the school's page and in the API, and nothing compared when either wave is suppressed.

By hand, the pulse scale (mean of the three 0–10 items; respect 7 and listening 6 throughout):
- fall, 12 respondents, safety 8 for six and 6 for six: pulse 7 and 6.333…, mean 6.667;
- spring, 12 respondents, safety 10 for six and 8 for six: pulse 7.667 and 7, mean 7.333.
Difference 0.667. Each wave's sample variance is 12 × (1/3)² / 11 = 0.1212, so the standard error is
√(2 × 0.1212 / 12) = 0.1421 with Welch's df = 22; t(0.975, 22) = 2.0739, half-width 0.2948:
the interval is 0.372 to 0.961, which excludes zero.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.lib.suppression import SUPPRESSED

from .surveys import ANSWERS, close, link, respond, student_wave


def _answers(safety: int) -> dict:
    return {**ANSWERS, "pulse_safety": safety}


@pytest.fixture
def waves(world: World):
    today = timezone.localdate()
    fall = student_wave(world, title="Fall students", opens_on=today - datetime.timedelta(days=60))
    spring = student_wave(world, title="Spring students")
    for safety in (8, 6):
        respond(link(fall, world.elementary), 6, _answers(safety))
    for safety in (10, 8):
        respond(link(spring, world.elementary), 6, _answers(safety))
    respond(link(fall, world.high), 12)
    respond(link(spring, world.high), 9)
    return close(world, fall), close(world, spring)


def _school(body: dict, world: World, school) -> dict:
    return next(row for row in body["schools"] if row["school"] == str(school.uuid))


def test_the_api_compares_each_school_with_its_previous_wave(waves, world: World, api_as) -> None:
    fall, spring = waves
    body = api_as("district_admin").get(f"/surveys/waves/{spring.uuid}/results").json()
    compared = _school(body, world, world.elementary)["compared_with_previous"]
    assert (compared["previous_wave"], compared["previous_title"], compared["suppressed"]) == (
        str(fall.uuid),
        "Fall students",
        False,
    )
    pulse = next(change for change in compared["changes"] if change["measure"] == "pulse")
    assert pulse["difference"] == pytest.approx(2 / 3, abs=1e-9)
    assert (pulse["low"], pulse["high"]) == (pytest.approx(0.3719, abs=5e-4), pytest.approx(0.9614, abs=5e-4))
    assert pulse["distinguishable"] is True
    assert compared["changes"][0]["measure"] == "trust_index"


def test_nothing_is_compared_when_either_wave_is_suppressed(waves, world: World, api_as) -> None:
    fall, spring = waves
    body = api_as("district_admin").get(f"/surveys/waves/{spring.uuid}/results").json()
    compared = _school(body, world, world.high)["compared_with_previous"]
    assert (compared["suppressed"], compared["changes"]) == (True, [])


def test_the_first_wave_has_nothing_to_compare_with(waves, world: World, api_as) -> None:
    fall, _ = waves
    body = api_as("district_admin").get(f"/surveys/waves/{fall.uuid}/results").json()
    assert _school(body, world, world.elementary)["compared_with_previous"] is None


def test_the_school_page_shows_the_same_change(waves, world: World, page_as) -> None:
    _, spring = waves
    page = page_as("district_admin").get(reverse("surveys:school", args=[link(spring, world.elementary).uuid]))
    assert "Change since Fall students" in page.text
    row = page.text.split("Change since Fall students")[1]
    assert "<td>0.67</td><td>0.37 to 0.96</td><td>Yes</td>" in row


def test_the_results_csv_carries_the_same_change(waves, world: World, page_as) -> None:
    _, spring = waves
    body = page_as("district_admin").get(reverse("surveys:results_csv", args=[spring.uuid])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    pulse = next(row for row in rows if row["school"] == "Millbrook Elementary" and row["measure"] == "pulse")
    assert {key: pulse[key] for key in ("compared_with", "change", "change_ci_low", "change_ci_high")} == {
        "compared_with": "Fall students",
        "change": "0.67",
        "change_ci_low": "0.37",
        "change_ci_high": "0.96",
    }
    assert pulse["change_distinguishable"] == "yes"
    high = next(row for row in rows if row["school"] == "Millbrook High")
    assert (high["compared_with"], high["change"], high["change_ci_low"]) == ("Fall students", SUPPRESSED, "")


def test_the_first_waves_csv_has_no_change(waves, world: World, page_as) -> None:
    fall, _ = waves
    body = page_as("district_admin").get(reverse("surveys:results_csv", args=[fall.uuid])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {(row["compared_with"], row["change"]) for row in rows} == {("", "")}
