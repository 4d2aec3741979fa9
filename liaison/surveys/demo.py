"""The surveys demo: a fall and a spring student wave in every demo district, and a family wave open
now. Trust rises at most schools, stays flat at one, falls at Harmon Ridge Middle School (where the
interactions demo's positive contacts fall too; at Fulton Middle School both rise), and one school
has too few answers in spring, to show suppression. Seeded, so the same day gives the same figures."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from liaison.directory.models import School

from . import sealing, services
from .item_bank import item_bank_install
from .models import CODE_ALPHABET, CODE_LENGTH, HeldResponse, Instrument, Item, Response, SlipCode, Wave
from .vocabulary import Audience, ItemKind, WaveStatus

NOTICE = (
    "Opted-out students are listed for teachers, who give them a reading activity while classmates take the survey."
)


@dataclass(frozen=True)
class Plan:
    school: str
    earlier: tuple[int, float]  # respondents, mean latent trust
    later: tuple[int, float]


PORT_CALDER = (
    Plan("Port Calder East High School", (84, -0.2), (91, 0.45)),
    Plan("Port Calder West High School", (77, 0.1), (80, 0.1)),  # flat
    Plan("Fulton Middle School", (52, -0.4), (58, 0.35)),
    Plan("Whitcomb Middle School", (31, 0.0), (7, 0.1)),  # spring is suppressed
)
KESTREL_FALLS = (
    Plan("Kestrel Falls Middle School", (45, 0.2), (49, 0.8)),
    Plan("Kestrel Falls High School", (63, 0.0), (66, 0.35)),
)
HARMON_RIDGE = (
    Plan("Harmon Ridge High School", (88, 0.1), (92, 0.3)),
    Plan("Harmon Ridge Middle School", (64, 0.3), (60, -0.35)),  # falls, with its positive contacts
)
PRUETT = (Plan("Pruett High School", (38, 0.0), (41, 0.25)),)
STONY_FORD = (Plan("Stony Ford School", (44, 0.1), (46, 0.2)),)
WEXLEY = (Plan("Wexley High School", (27, 0.2), (29, 0.35)),)
BLUE_MOUND = (Plan("Blue Mound School", (22, 0.0), (24, 0.2)),)
DISTRICTS = (PORT_CALDER, KESTREL_FALLS, HARMON_RIDGE, PRUETT, STONY_FORD, WEXLEY, BLUE_MOUND)
FAMILIES = (("Port Calder East High School", 24, 0.3), ("Fulton Middle School", 12, 0.1))
RACES = (("white", 40), ("black", 22), ("hispanic", 20), ("asian", 5), ("two_or_more", 6), ("prefer_not", 7))


def _windows(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """The two latest survey windows (fall: Oct 6–24; spring: Apr 6–24) that closed by today."""
    found = []
    for year in range(today.year - 2, today.year + 1):
        found.append((f"Spring {year}", datetime.date(year, 4, 6), datetime.date(year, 4, 24)))
        found.append((f"Fall {year}", datetime.date(year, 10, 6), datetime.date(year, 10, 24)))
    closed = [window for window in found if window[2] <= today]
    return closed[-2:]


def surveys_demo_load(*, actor: Any, today: datetime.date) -> list[Wave]:
    """Load the surveys demo, all or nothing."""
    seed = "liaison-surveys-demo"
    instrument = item_bank_install(Instrument, Item)
    (earlier_name, *earlier_dates), (later_name, *later_dates) = _windows(today)
    waves = []
    with transaction.atomic():
        for plans in DISTRICTS:
            schools = {s.name: s for s in School.objects.filter(name__in=[p.school for p in plans])}
            for index, (name, (opens, closes)) in enumerate(((earlier_name, earlier_dates), (later_name, later_dates))):
                wave = _student_wave(actor, instrument, f"{name} students", list(schools.values()), opens, closes)
                sizes = {p.school: (p.earlier, p.later)[index] for p in plans}
                _respond(wave, schools, sizes, f"{seed}:students:{index}")
                services.wave_close(actor=actor, wave=wave, today=closes)
                waves.append(wave)
        waves.append(_family_wave(actor, instrument, today, seed))
    return waves


def _student_wave(
    actor: Any, instrument: Instrument, title: str, schools: list[School], opens: datetime.date, closes: datetime.date
) -> Wave:
    return services.wave_open(
        actor=actor,
        title=title,
        instrument=instrument,
        schools=sorted(schools, key=lambda s: s.name),
        audience=Audience.STUDENTS,
        languages=["en", "es"],
        opens_on=opens,
        closes_on=closes,
        uses_codes=True,
        notice_date=opens - datetime.timedelta(days=14),
        notice_method="letter",
        opt_out_handling=NOTICE,
    )


def _family_wave(actor: Any, instrument: Instrument, today: datetime.date, seed: str) -> Wave:
    schools = {s.name: s for s in School.objects.filter(name__in=[name for name, _, _ in FAMILIES])}
    wave = services.wave_open(
        actor=actor,
        title=f"{today:%B %Y} families",
        instrument=instrument,
        schools=sorted(schools.values(), key=lambda s: s.name),
        audience=Audience.FAMILIES,
        languages=["en", "es"],
        opens_on=today - datetime.timedelta(days=7),
        closes_on=today + datetime.timedelta(days=21),
    )
    _respond(wave, schools, {name: (n, mu) for name, n, mu in FAMILIES}, f"{seed}:families")
    return wave


def _respond(wave: Wave, schools: dict[str, School], sizes: dict[str, tuple[int, float]], stream: str) -> None:
    items = services.wave_items(wave)
    days = (min(wave.closes_on, wave.opens_on + datetime.timedelta(days=7)) - wave.opens_on).days
    responses = []
    for wave_school in wave.wave_schools.select_related("school"):
        count, mean = sizes[wave_school.school.name]
        school = schools[wave_school.school.name]
        rng = random.Random(f"{stream}:{school.name}")  # each school's own stream, the same every day
        open_rng = random.Random(f"{stream}:{school.name}:open")  # apart, so the scores do not move
        for _ in range(count):
            answers = _answers(items, rng.gauss(mean, 0.8), school, wave.audience, rng)
            answers.update(_open_answer(items, open_rng))
            day = wave.opens_on + datetime.timedelta(days=rng.randint(0, max(0, days)))
            language = "es" if rng.random() < 0.15 else "en"
            responses.append(Response(wave_school=wave_school, submitted_on=day, language=language, answers=answers))
        if wave.uses_codes:
            codes = {"".join(rng.choices(CODE_ALPHABET, k=CODE_LENGTH)) for _ in range(count + 20)}
            SlipCode.objects.bulk_create(
                SlipCode(wave_school=wave_school, code=code, used=i < count) for i, code in enumerate(sorted(codes))
            )
    random.Random(stream).shuffle(responses)  # no order to read anything from
    if wave.status == WaveStatus.OPEN:  # an open wave's answers wait sealed until it closes
        HeldResponse.objects.bulk_create(
            HeldResponse(
                wave_school=r.wave_school,
                sealed=sealing.seal(
                    wave.uuid, {"day": r.submitted_on.isoformat(), "language": r.language, "answers": r.answers}
                ),
            )
            for r in responses
        )
        return
    Response.objects.bulk_create(responses, batch_size=500)


def _answers(items: list[Item], trust: float, school: School, audience: str, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in items:
        if rng.random() < 0.06:
            continue  # skipped
        value = _value(item, trust, school, audience, rng)
        if value is not None:
            answers[item.code] = value
    return answers


# What students and families write when asked the one thing police and students should work on: about
# a third answer, in a few words, never with a name (the demo shows what the page does with real ones).
OPEN_ANSWERS = (
    "Bullying in the hallways between classes",
    "Fights after school near the bus loop",
    "More time talking with students, not just standing at the door",
    "Vaping in the bathrooms",
    "Explain why the officer is here",
    "Be friendlier at lunch",
    "Traffic at pickup is dangerous",
    "Listen to both sides before deciding",
    "Cyberbullying and group chats",
    "Nothing, the officer is great",
    "More classes like the internet safety one",
    "Treat everyone the same",
    "Me gustaría que el oficial hablara más con nosotros",
    "Más seguridad a la salida de la escuela",
)


def _open_answer(items: list[Item], rng: random.Random) -> dict[str, str]:
    if not any(item.kind == ItemKind.OPEN for item in items) or rng.random() >= 0.35:
        return {}
    return {"open_problem": rng.choice(OPEN_ANSWERS)}


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _value(item: Item, trust: float, school: School, audience: str, rng: random.Random) -> Any:
    if item.kind == ItemKind.RATING:
        return _clamp(6 + 1.8 * trust + rng.gauss(0, 1.3), 0, 10)
    if item.kind == ItemKind.AGREE:
        agree = _clamp(3.2 + trust + rng.gauss(0, 0.75), 1, 5)
        return 6 - agree if item.reverse_scored else agree
    if item.code == "officer_knows":
        return "yes" if rng.random() < 0.7 + 0.1 * trust else rng.choice(["no", "not_sure"])
    if item.code == "about_grade":
        grades = [g for g in range(max(5, school.lowest_grade), min(12, school.highest_grade) + 1)]
        return str(rng.choice(grades)) if grades and rng.random() < 0.9 else "prefer_not"
    if item.code == "about_race":
        return rng.choices([r for r, _ in RACES], weights=[w for _, w in RACES])[0]
    if item.code == "about_sex":
        return rng.choices(["female", "male", "another", "prefer_not"], weights=[47, 47, 2, 4])[0]
    return None  # the open question: _open_answer, from its own stream
