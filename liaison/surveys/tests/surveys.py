"""Shared set-up for the surveys tests: a student wave at both Millbrook schools, and responses."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from liaison.conftest import World
from liaison.surveys import services
from liaison.surveys.item_bank import item_bank_install
from liaison.surveys.models import Instrument, Item, Wave, WaveSchool


def instrument() -> Instrument:
    """Version 1 of the item bank (loaded by migration; again after a live test's flush)."""
    return item_bank_install(Instrument, Item)


def student_wave(
    world: World, *, schools: Any = None, uses_codes: bool = False, title: str = "Fall students", **dates: Any
) -> Wave:
    today = timezone.localdate()
    return services.wave_open(
        actor=world.users["district_admin"],
        title=title,
        instrument=instrument(),
        schools=schools or [world.elementary, world.high],
        audience="students",
        languages=["en", "es"],
        opens_on=dates.get("opens_on", today - datetime.timedelta(days=3)),
        closes_on=dates.get("closes_on", today + datetime.timedelta(days=10)),
        uses_codes=uses_codes,
        notice_date=today - datetime.timedelta(days=20),
        notice_method="letter",
        opt_out_handling="Opted-out students go to the library during the survey period.",
    )


def link(wave: Wave, school: Any) -> WaveSchool:
    return wave.wave_schools.get(school=school)


ANSWERS = {
    "pulse_safety": 8,
    "pulse_respect": 7,
    "pulse_listening": 6,
    "voice_listen": 4,
    "voice_no_say": 2,
    "respect_respect": 4,
    "legitimacy_trust": 4,
    "legitimacy_values": 3,
    "officer_knows": "yes",
    "about_grade": "7",
}


def respond(wave_school: WaveSchool, count: int, answers: dict[str, Any] | None = None) -> None:
    for _ in range(count):
        services.survey_response_submit(
            wave_school=wave_school, language="en", answers=answers or ANSWERS, today=timezone.localdate()
        )


def close(world: World, wave: Wave) -> Wave:
    """Close the wave, which writes its held responses to the response table: results exist from then on."""
    return services.wave_close(actor=world.users["district_admin"], wave=wave, today=timezone.localdate())
