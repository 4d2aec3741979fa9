"""The public survey page through the test client: pages, skipping, languages, codes, CSRF, limits."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.surveys import limits, services
from liaison.surveys.models import Response

from .surveys import link, student_wave


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    from django.core.cache import cache

    cache.clear()


def _url(wave_school) -> str:
    return reverse("surveys:take", args=[wave_school.token])


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
    data = {"page": 4, "lang": "en", "action": "submit", "pulse_safety": "9", "voice_listen": "5", "open_problem": " "}
    done = client.post(_url(here), data)
    assert done.status_code == 302
    assert Response.objects.get().answers == {"pulse_safety": 9, "voice_listen": 5}
    assert "Thank you" in client.get(done.url).text


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
    wrong = client.post(_url(here), {"page": 1, "lang": "en", "action": "next", "code": "NOPE1234"})
    assert wrong.status_code == 400 and "not valid or was already used" in wrong.text
    assert client.post(_url(here), {"page": 4, "lang": "en", "action": "submit", "code": code}).status_code == 302
    again = client.post(_url(here), {"page": 4, "lang": "en", "action": "submit", "code": code})
    assert again.status_code == 400
    assert Response.objects.count() == 1


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


def test_submissions_are_rate_limited(world: World, monkeypatch) -> None:
    monkeypatch.setattr(limits, "PER_ADDRESS", 2)
    here = link(student_wave(world), world.elementary)
    client = Client()
    data = {"page": 4, "lang": "en", "action": "submit", "pulse_safety": "5"}
    assert [client.post(_url(here), data).status_code for _ in range(3)] == [302, 302, 429]
    assert Response.objects.count() == 2


def test_an_unknown_link_is_not_found(db) -> None:
    assert Client().get(reverse("surveys:take", args=["not-a-real-token"])).status_code == 404
