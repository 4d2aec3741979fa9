"""A school with fewer than 10 respondents shows as suppressed on the page, in the CSVs and in the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from liaison.conftest import World
from liaison.lib.suppression import SUPPRESSED

from .surveys import close, link, respond, student_wave


@pytest.fixture
def open_wave(world: World):
    wave = student_wave(world)
    respond(link(wave, world.elementary), 12)
    respond(link(wave, world.high), 9)
    return wave


@pytest.fixture
def wave(world: World, open_wave):
    return close(world, open_wave)


def test_the_wave_page_shows_the_small_school_as_suppressed_not_as_a_number(wave, world: World, page_as) -> None:
    page = page_as("district_admin").get(reverse("surveys:wave", args=[wave.uuid]))
    assert page.status_code == 200
    row = page.text.split("Millbrook High</a></th>")[1].split("</tr>")[0]
    assert SUPPRESSED in row and "9" not in row
    assert "<td>12</td>" in page.text  # the elementary school, and all schools shown (only the elementary)


def test_the_school_page_of_a_small_school_shows_no_figures(wave, world: World, page_as) -> None:
    high = link(wave, world.high)
    page = page_as("district_admin").get(reverse("surveys:school", args=[high.uuid]))
    assert SUPPRESSED in page.text
    assert "respondents." not in page.text and "Answers to each question" not in page.text


def test_the_results_csv_suppresses_the_small_school(wave, world: World, page_as) -> None:
    body = page_as("district_admin").get(reverse("surveys:results_csv", args=[wave.uuid])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    high = [row for row in rows if row["school"] == "Millbrook High"]
    assert high == [{**high[0], "group": "Everyone", "respondents": SUPPRESSED, "mean": "", "measure": ""}]
    elementary = {row["measure"]: row for row in rows if row["school"] == "Millbrook Elementary"}
    assert elementary["trust_index"]["respondents"] == "12"
    pooled = {row["respondents"] for row in rows if row["school"] == "All schools shown"}
    assert pooled == {"12"}, "the total leaves out the hidden school, so it cannot be subtracted out"


def test_the_raw_responses_csv_leaves_out_small_schools_open_text_and_small_demographic_groups(
    open_wave, world: World, page_as
) -> None:
    respond(link(open_wave, world.elementary), 3, {"pulse_safety": 2, "about_grade": "8", "open_problem": "Ms Smith"})
    wave = close(world, open_wave)
    body = page_as("district_admin").get(reverse("surveys:responses_csv", args=[wave.uuid])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 15 and {row["school"] for row in rows} == {"Millbrook Elementary"}
    assert "open_problem" not in rows[0] and "Ms Smith" not in body
    assert "about_grade" not in rows[0], "grade 8 has only 3: the grade column is dropped"
    assert "about_race" in rows[0]  # everyone skipped it: one group of 15


def test_the_api_suppresses_the_small_school(wave, world: World, api_as) -> None:
    body = api_as("district_admin").get(f"/surveys/waves/{wave.uuid}/results").json()
    schools = {school["school_name"]: school for school in body["schools"]}
    high = schools["Millbrook High"]
    assert (high["suppressed"], high["respondents"], high["note"], high["scales"]) == (True, None, SUPPRESSED, [])
    assert high["trust_index"] is None
    assert schools["Millbrook Elementary"]["respondents"] == 12
    assert body["all_schools_shown"]["respondents"] == 12


def test_the_api_breaks_a_school_down_by_grade_and_hides_small_groups(open_wave, world: World, api_as) -> None:
    here = link(open_wave, world.elementary)
    respond(here, 3, {"pulse_safety": 3, "about_grade": "8"})
    respond(here, 10, {"pulse_safety": 5, "about_grade": "6"})
    wave = close(world, open_wave)
    body = api_as("supervisor").get(f"/surveys/waves/{wave.uuid}/results", by="about_grade").json()
    schools = {school["school_name"]: school for school in body["schools"]}
    groups = {group["group"]: group for group in schools["Millbrook Elementary"]["groups"]}
    assert groups["7"]["respondents"] == 12 and not groups["7"]["suppressed"]
    assert groups["8"] == {**groups["8"], "suppressed": True, "respondents": None, "note": SUPPRESSED}
    assert groups["6"]["suppressed"], "the next smallest is hidden too, or 8 = total − 6 − 7"
    assert schools["Millbrook High"]["groups"] == []  # a suppressed school is not broken down


def test_the_results_csv_breaks_each_school_down_by_grade_and_hides_small_groups(
    open_wave, world: World, page_as
) -> None:
    here = link(open_wave, world.elementary)
    respond(here, 3, {"pulse_safety": 3, "about_grade": "8"})
    respond(here, 10, {"pulse_safety": 5, "about_grade": "6"})
    wave = close(world, open_wave)
    url = reverse("surveys:results_csv", args=[wave.uuid])
    response = page_as("supervisor").get(url, {"by": "about_grade"})
    assert f"survey-results-{wave.uuid}-by-grade.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    elementary = [row for row in rows if row["school"] == "Millbrook Elementary"]
    by_group = {row["group"]: row for row in elementary if row["measure"] in ("trust_index", "")}
    assert by_group["Everyone"]["respondents"] == "25"
    assert by_group["Grade 7"]["respondents"] == "12" and by_group["Grade 7"]["mean"] != ""
    assert (by_group["Grade 8"]["respondents"], by_group["Grade 8"]["mean"]) == (SUPPRESSED, "")
    assert by_group["Grade 6"]["respondents"] == SUPPRESSED, "the next smallest is hidden too, or 8 = total − 6 − 7"
    assert "3" not in {row["respondents"] for row in rows} and "10" not in {row["respondents"] for row in rows}
    high = [row for row in rows if row["school"] == "Millbrook High"]
    assert [row["group"] for row in high] == ["Everyone"], "a suppressed school is not broken down"


def test_the_results_csv_refuses_an_unknown_breakdown_naming_the_field(wave, page_as) -> None:
    url = reverse("surveys:results_csv", args=[wave.uuid])
    response = page_as("supervisor").get(url, {"by": "open_problem"})
    assert response.status_code == 400
    assert response.content.decode().startswith("by: Select a valid choice. open_problem is not one of")


def test_the_school_page_breaks_down_by_grade_with_small_groups_suppressed(open_wave, world: World, page_as) -> None:
    here = link(open_wave, world.elementary)
    respond(here, 3, {"pulse_safety": 3, "about_grade": "8"})
    close(world, open_wave)
    page = page_as("school_admin").get(reverse("surveys:school", args=[here.uuid]), {"by": "about_grade"})
    row = page.text.split("Grade 8</th>")[1].split("</tr>")[0]
    assert SUPPRESSED in row and "3" not in row
    answers = page.text.split("Answers to each question")[1]
    listed = answers.split("Grade 8</th>")[1].split("</tr>")[0]
    assert SUPPRESSED in listed and "3" not in listed, "the answer list hides the same small group"
    assert "(3" not in answers and "%)" not in answers.split("What grade")[1].split("</table>")[0]
