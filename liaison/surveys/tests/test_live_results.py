"""No live results: while a wave is open, the school and everyone else see only how many have
responded, on the page, in the API and in the files; everything appears at once when it closes.

Someone who loads a page before and after one student answers must learn nothing of the answers."""

from __future__ import annotations

import re

from django.urls import reverse

from liaison.conftest import World

from .surveys import ANSWERS, close, link, respond, student_wave


def test_one_more_response_moves_nothing_but_the_count_while_the_wave_is_open(world: World, page_as, api_as) -> None:
    wave = student_wave(world)
    here = link(wave, world.elementary)
    respond(here, 12)
    school_url = reverse("surveys:school", args=[here.uuid])
    principal, supervisor = page_as("school_admin"), api_as("supervisor")

    def seen() -> tuple[str, dict]:
        page = re.sub(r'(nonce|value)="[^"]*"', "", principal.get(school_url).text)  # per-request tokens
        return page, supervisor.get(f"/surveys/waves/{wave.uuid}/results").json()

    before = seen()
    respond(here, 1, {**ANSWERS, "pulse_safety": 0, "open_problem": "the newest answer"})
    after = seen()
    assert before[1] == after[1], "the API's results do not move"
    assert before[0].replace("<strong>12</strong>", "<strong>13</strong>") == after[0], "only the count moves"
    assert "<strong>13</strong> responded so far" in after[0] and "Scores" not in after[0]
    assert {school["respondents"] for school in after[1]["schools"]} == {None}
    progress = supervisor.get(f"/surveys/waves/{wave.uuid}/progress").json()
    assert {p["school_name"]: p["responded"] for p in progress} == {"Millbrook Elementary": 13, "Millbrook High": 0}
    for name in ("surveys:results_csv", "surveys:responses_csv"):
        assert page_as("district_admin").get(reverse(name, args=[wave.uuid])).status_code == 409


def test_everything_appears_when_the_wave_closes(world: World, page_as, api_as) -> None:
    wave = student_wave(world)
    here = link(wave, world.elementary)
    respond(here, 12)
    close(world, wave)
    body = api_as("supervisor").get(f"/surveys/waves/{wave.uuid}/results").json()
    assert {s["school_name"]: s["respondents"] for s in body["schools"]}["Millbrook Elementary"] == 12
    page = page_as("school_admin").get(reverse("surveys:school", args=[here.uuid])).text
    assert "Scores" in page and "responded so far" not in page
    for name in ("surveys:results_csv", "surveys:responses_csv"):
        assert page_as("district_admin").get(reverse(name, args=[wave.uuid])).status_code == 200
