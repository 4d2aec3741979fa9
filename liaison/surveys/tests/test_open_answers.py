"""The answers to the open question: read by the school's side only (never the police side or
evaluators), nothing from a school with fewer than 10 responses, answers with contact details or
dates withheld, in random order so the order says nothing about who answered when, only after the
wave closes, every reading logged, and never in an export."""

from __future__ import annotations

from django.urls import reverse

from liaison.accounts.models import AuditEntry
from liaison.conftest import World
from liaison.lib.suppression import SUPPRESSED

from .surveys import close, link, respond, student_wave


def _wave_with_answers(world: World):
    wave = student_wave(world)
    here = link(wave, world.elementary)
    respond(here, 7)
    respond(here, 1, {"open_problem": "  more basketball games with the officer "})
    respond(here, 1, {"open_problem": "Call me at 555-201-3344 about the fights"})
    respond(here, 1, {"open_problem": "Bullying on the bus"})
    respond(here, 1, {"open_problem": "bullying  on the bus"})
    respond(here, 1, {"open_problem": ""})
    respond(link(wave, world.high), 9, {"open_problem": "The parking lot"})
    return close(world, wave)


def test_a_school_admin_reads_the_answers_with_contact_details_withheld(world: World, api_as) -> None:
    wave = _wave_with_answers(world)
    here = link(wave, world.elementary)
    body = api_as("school_admin").get(f"/surveys/schools/{here.uuid}/open-answers").json()
    assert sorted(body["answers"], key=lambda a: a["text"]) == [
        {"text": "Bullying on the bus", "count": 2},
        {"text": "more basketball games with the officer", "count": 1},
    ]
    assert (body["withheld"], body["suppressed"], body["school_name"]) == (1, False, "Millbrook Elementary")


def test_a_small_school_gives_no_answer(world: World, api_as) -> None:
    wave = _wave_with_answers(world)
    body = api_as("district_admin").get(f"/surveys/schools/{link(wave, world.high).uuid}/open-answers").json()
    assert (body["suppressed"], body["note"], body["answers"], body["withheld"]) == (True, SUPPRESSED, [], 0)


def test_the_page_shows_the_same_answers_and_every_reading_is_logged(world: World, page_as) -> None:
    wave = _wave_with_answers(world)
    here = link(wave, world.elementary)
    client = page_as("district_admin")
    school = client.get(reverse("surveys:school", args=[here.uuid])).content.decode()
    assert reverse("surveys:open_answers", args=[here.uuid]) in school
    page = client.get(reverse("surveys:open_answers", args=[here.uuid])).content.decode()
    assert "Bullying on the bus" in page and "more basketball games" in page
    assert "555-201-3344" not in page and "1</strong> withheld" in page and "(2 people)" in page
    assert "<strong>3</strong> answers" in page
    client.get(reverse("surveys:open_answers", args=[here.uuid]))
    reads = AuditEntry.objects.filter(action="read", object_type="surveys.waveschool", object_uuid=here.uuid)
    assert reads.count() == 2
    assert {entry.actor for entry in reads} == {world.users["district_admin"]}


def test_the_police_side_sees_no_link_and_is_refused(world: World, page_as) -> None:
    wave = _wave_with_answers(world)
    here = link(wave, world.elementary)
    client = page_as("supervisor")
    assert (
        reverse("surveys:open_answers", args=[here.uuid])
        not in client.get(reverse("surveys:school", args=[here.uuid])).content.decode()
    )
    assert client.get(reverse("surveys:open_answers", args=[here.uuid])).status_code == 403
    assert not AuditEntry.objects.filter(action="read", object_type="surveys.waveschool").exists()


def test_no_export_carries_the_open_answers(world: World, page_as) -> None:
    wave = _wave_with_answers(world)
    client = page_as("district_admin")
    results = client.get(reverse("surveys:results_csv", args=[wave.uuid])).content.decode()
    responses = client.get(reverse("surveys:responses_csv", args=[wave.uuid])).content.decode()
    assert "Bullying" not in results + responses and "open_problem" not in responses


def test_no_open_answer_appears_while_the_wave_is_open(world: World, api_as) -> None:
    wave = student_wave(world)
    here = link(wave, world.elementary)
    respond(here, 12, {"open_problem": "Bullying on the bus"})
    body = api_as("district_admin").get(f"/surveys/schools/{here.uuid}/open-answers").json()
    assert body["answers"] == []
    close(world, wave)
    body = api_as("district_admin").get(f"/surveys/schools/{here.uuid}/open-answers").json()
    assert body["answers"] == [{"text": "Bullying on the bus", "count": 12}]
