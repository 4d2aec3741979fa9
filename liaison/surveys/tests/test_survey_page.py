"""The public survey page through the test client: pages, skipping, languages, codes, form tokens, CSRF."""

from __future__ import annotations

import datetime
import time

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.surveys import form_tokens, services
from liaison.surveys.item_bank import UI
from liaison.surveys.models import HeldResponse, Response

from .surveys import close, link, student_wave


def _url(wave_school) -> str:
    return reverse("surveys:take", args=[wave_school.token])


def _token(wave_school, seconds_ago: int = 120) -> str:
    """A form token as the first page would have issued it, a plausible time ago."""
    return form_tokens.form_token_issue(wave_school, now=time.time() - seconds_ago)


def test_a_student_walks_through_the_pages_skipping_items(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    client = Client()
    first = client.get(_url(here))
    assert first.status_code == 200
    assert "Page 1 of 4" in first.text and "How safe do you feel at school?" in first.text
    assert "<fieldset" in first.text and "<legend>" in first.text
    second = client.post(_url(here), {"page": 1, "lang": "en", "action": "next", "pulse_safety": "9"})
    assert "Page 2 of 4" in second.text
    assert 'name="pulse_safety" value="9"' in second.text, "earlier answers ride along hidden"
    assert 'name="form_token"' in first.text
    data = {"page": 4, "lang": "en", "action": "submit", "pulse_safety": "9", "voice_listen": "5", "open_problem": " "}
    done = client.post(_url(here), {**data, "form_token": _token(here)})
    assert done.status_code == 302
    assert "Thank you" in client.get(done.url).text
    assert HeldResponse.objects.filter(burst=None).count() == 1 and not Response.objects.exists()
    close(world, here.wave)
    assert Response.objects.get().answers == {"pulse_safety": 9, "voice_listen": 5}


def test_a_submission_needs_an_unspent_form_token(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    client = Client()
    data = {"page": 4, "lang": "en", "action": "submit", "pulse_safety": "5"}
    missing = client.post(_url(here), data)
    assert missing.status_code == 400 and UI["en"]["form_expired"] in missing.text
    assert 'name="pulse_safety" value="5"' in missing.text, "the answers stay on the page"
    assert 'name="form_token" value="' in missing.text, "with a fresh token to send them again"
    token = _token(here)
    assert client.post(_url(here), {**data, "form_token": token}).status_code == 302
    assert client.post(_url(here), {**data, "form_token": token}).status_code == 400
    other = link(here.wave, world.high)
    assert client.post(_url(other), {**data, "form_token": _token(here)}).status_code == 400
    assert HeldResponse.objects.count() == 1


def test_a_browser_set_to_spanish_gets_spanish_with_the_switch_above_the_questions(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    page = Client().get(_url(here), headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert "Página 1 de 4" in page
    assert page.index('name="switch" value="en"') < page.index("<fieldset"), "the switch comes first"
    english = Client().get(_url(here), headers={"accept-language": "fr-FR,en;q=0.8"}).text
    assert "Page 1 of 4" in english and page.index('name="switch"') > 0


def test_the_zero_to_ten_scale_is_one_row_of_numbers_with_its_ends_named(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    page = Client().get(_url(here)).text
    scale = page.split('class="survey-scale"')[1].split("</div>")[0]
    assert scale.count('type="radio"') == 11
    assert 'class="survey-anchors"' in page


def test_grade_choices_follow_the_schools_grade_span(world: World) -> None:
    wave = student_wave(world)
    school = world.high
    page = Client().post(_url(link(wave, school)), {"page": 3, "lang": "en", "action": "next"}).text
    assert "Page 4 of 4" in page
    grades = {int(g) for g in range(5, 13) if f'name="about_grade" value="{g}"' in page}
    assert grades == set(range(max(5, school.lowest_grade), min(12, school.highest_grade) + 1))


def test_the_survey_reads_in_spanish_and_switches_language_without_losing_answers(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    client = Client()
    page = client.get(_url(here) + "?lang=es")
    assert 'lang="es"' in page.text and "Página 1 de 4" in page.text
    switched = client.post(_url(here), {"page": 2, "lang": "es", "switch": "en", "pulse_safety": "4"})
    assert "Page 2 of 4" in switched.text and 'name="pulse_safety" value="4"' in switched.text


def test_the_survey_is_csrf_protected(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    client = Client(enforce_csrf_checks=True)
    refused = client.post(_url(here), {"page": 4, "action": "submit", "pulse_safety": "5"})
    assert refused.status_code == 403
    assert not Response.objects.exists()


def test_a_wave_with_slips_asks_for_a_code_and_refuses_a_used_one(world: World) -> None:
    here = link(student_wave(world, uses_codes=True), world.elementary)
    [code] = services.slip_codes_issue(
        actor=world.users["district_admin"], wave_school=here, count=1, today=timezone.localdate()
    )
    client = Client()
    empty = client.post(_url(here), {"page": 1, "lang": "en", "action": "next", "code": " "})
    assert empty.status_code == 400 and UI["en"]["code_needed"] in empty.text
    wrong = client.post(_url(here), {"page": 1, "lang": "en", "action": "next", "code": "NOPE1234"})
    assert wrong.status_code == 400 and UI["en"]["bad_code"] in wrong.text
    sent = {"page": 4, "lang": "en", "action": "submit", "code": code}
    assert client.post(_url(here), {**sent, "form_token": _token(here)}).status_code == 302
    again = client.post(_url(here), {**sent, "form_token": _token(here)})
    assert again.status_code == 400
    assert HeldResponse.objects.count() == 1


def test_a_closed_wave_takes_no_answers(world: World) -> None:
    today = timezone.localdate()
    wave = student_wave(world)
    services.wave_close(actor=world.users["district_admin"], wave=wave, today=today)
    here = link(wave, world.elementary)
    assert Client().get(_url(here)).status_code == 410
    assert Client().post(_url(here), {"page": 4, "action": "submit", "pulse_safety": "5"}).status_code == 410
    later = student_wave(
        world, opens_on=today + datetime.timedelta(days=2), closes_on=today + datetime.timedelta(days=9)
    )
    assert Client().get(_url(link(later, world.high))).status_code == 410


def test_an_unknown_link_is_not_found(db) -> None:
    assert Client().get(reverse("surveys:take", args=["not-a-real-token"])).status_code == 404
