"""Reads: a wave's answers and results per school, a school's results over waves."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from liaison.lib.identifying_text import identifying_text_problems
from liaison.lib.suppression import is_suppressed

from . import scoring
from .disclosed import breakdown_hidden
from .models import Burst, HeldResponse, Instrument, Item, Response, Wave, WaveSchool
from .services import wave_items
from .vocabulary import BurstDecision, ItemKind


@dataclass
class SchoolRow:
    wave_school: WaveSchool
    result: scoring.GroupResult


@dataclass
class WaveResults:
    wave: Wave
    items: list[Item]
    rows: list[SchoolRow]
    pooled: scoring.GroupResult  # only the schools shown, so a hidden school cannot be recovered


def answers_by_wave_school(wave_school_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in wave_school_ids}
    for wave_school_id, answers in Response.objects.filter(wave_school_id__in=wave_school_ids).values_list(
        "wave_school_id", "answers"
    ):
        found[wave_school_id].append(answers)
    return found


def wave_results(wave: Wave, wave_schools: Sequence[WaveSchool]) -> WaveResults:
    items = wave_items(wave)
    answers = answers_by_wave_school([ws.pk for ws in wave_schools])
    rows = [SchoolRow(ws, scoring.group_result(items, answers[ws.pk])) for ws in wave_schools]
    shown = [a for ws in wave_schools for a in answers[ws.pk] if not is_suppressed(len(answers[ws.pk]))]
    return WaveResults(wave, items, rows, scoring.group_result(items, shown))


SUBGROUP_ITEMS = {"about_grade": "Grade", "about_race": "Race/ethnicity", "about_sex": "Sex"}


@dataclass(frozen=True)
class Subgroup:
    key: str  # the answer's stored value, or scoring.NOT_ANSWERED
    label: str
    result: scoring.GroupResult


def option_label(item: Item, value: str) -> str:
    for option in item.options:
        if str(option["value"]) == value:
            return str(option["label"]["en"])
    return "Not answered" if value == scoring.NOT_ANSWERED else value


def school_subgroups(items: Sequence[Item], row: SchoolRow, by: str | None) -> list[Subgroup]:
    """The school's results broken down by one demographic item, small groups suppressed (with their
    complements); nothing when the school itself is suppressed or the wave does not ask that item."""
    item = next((i for i in items if i.code == by), None) if by in SUBGROUP_ITEMS else None
    if item is None or row.result.suppressed:
        return []
    answers = answers_by_wave_school([row.wave_school.pk])[row.wave_school.pk]
    groups: dict[str, list[dict[str, Any]]] = {}
    for one in answers:
        groups.setdefault(str(one.get(item.code) or scoring.NOT_ANSWERED), []).append(one)
    hidden = breakdown_hidden({key: len(group) for key, group in groups.items()})
    return [
        Subgroup(
            key,
            option_label(item, key),
            scoring.GroupResult(respondents=len(group), suppressed=True)
            if key in hidden
            else scoring.group_result(items, group),
        )
        for key, group in sorted(groups.items())
    ]


def response_counts(wave: Wave) -> dict[int, int]:
    rows = Response.objects.filter(wave_school__wave=wave).values("wave_school_id").annotate(n=Count("*"))
    return {row["wave_school_id"]: row["n"] for row in rows}


def school_history(wave_school: WaveSchool) -> list[tuple[WaveSchool, scoring.GroupResult]]:
    """The school's results in every wave of the same instrument and audience, oldest first."""
    wave = wave_school.wave
    earlier = (
        WaveSchool.objects.filter(
            school_id=wave_school.school_id,
            wave__audience=wave.audience,
            wave__instrument__key=wave.instrument.key,
        )
        .select_related("wave__instrument")
        .order_by("wave__opens_on")
    )
    found = list(earlier)
    answers = answers_by_wave_school([ws.pk for ws in found])
    return [(ws, scoring.group_result(wave_items(ws.wave), answers[ws.pk])) for ws in found]


def previous(history: list[tuple[WaveSchool, scoring.GroupResult]], wave_school: WaveSchool) -> Any:
    """The entry just before this wave in the history, or None."""
    index = next(i for i, (ws, _) in enumerate(history) if ws.pk == wave_school.pk)
    return history[index - 1] if index > 0 else None


@dataclass(frozen=True)
class Change:
    measure: str  # "trust_index" or a scale's key
    label: str
    comparison: scoring.Comparison | None  # None when either wave has too few answers for an interval


@dataclass(frozen=True)
class ComparedWithPrevious:
    """A school's results against its previous wave of the same instrument and audience."""

    previous: WaveSchool
    suppressed: bool  # either wave is suppressed: no figures are compared
    changes: list[Change]


def _scale_estimate(result: scoring.GroupResult, scale: str) -> scoring.Estimate | None:
    found = result.scale(scale)
    return found.estimate if found else None


def compared_with_previous(
    history: list[tuple[WaveSchool, scoring.GroupResult]], wave_school: WaveSchool
) -> ComparedWithPrevious | None:
    """The trust index and each scale, this wave minus the previous one, with Welch's 95% interval;
    None when the school has no earlier wave."""
    before = previous(history, wave_school)
    if before is None:
        return None
    current = next(result for ws, result in history if ws.pk == wave_school.pk)
    earlier_ws, earlier = before
    if current.suppressed or earlier.suppressed:
        return ComparedWithPrevious(earlier_ws, True, [])
    changes = [Change("trust_index", "Trust index", scoring.compare(earlier.trust, current.trust))]
    changes += [
        Change(s.scale, s.label, scoring.compare(_scale_estimate(earlier, s.scale), s.estimate)) for s in current.scales
    ]
    return ComparedWithPrevious(earlier_ws, False, changes)


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    count: int  # how many wrote the same words (letter case and spacing aside)


@dataclass(frozen=True)
class OpenAnswers:
    """A school's answers to the open question, for the school's side to read."""

    suppressed: bool  # fewer than 10 responses at the school: nothing is shown
    answers: list[OpenAnswer]  # in random order, so the order says nothing about who answered when
    withheld: int  # answers holding an e-mail address, a phone number or a date: not shown


def open_answers(wave_school: WaveSchool) -> OpenAnswers:
    """Only a closed wave has answers (the response table is written at close); nothing before."""
    codes = [item.code for item in wave_items(wave_school.wave) if item.kind == ItemKind.OPEN]
    responses = answers_by_wave_school([wave_school.pk])[wave_school.pk]
    if is_suppressed(len(responses)):
        return OpenAnswers(True, [], 0)
    texts = [" ".join(str(a.get(code) or "").split()) for a in responses for code in codes]
    texts = [text for text in texts if text]
    shown = [text for text in texts if not identifying_text_problems(text)]
    grouped: dict[str, list[str]] = {}
    for text in shown:
        grouped.setdefault(text.casefold(), []).append(text)
    answers = [OpenAnswer(min(same), len(same)) for same in grouped.values()]
    secrets.SystemRandom().shuffle(answers)  # a new random order at every reading
    return OpenAnswers(False, answers, len(texts) - len(shown))


@dataclass(frozen=True)
class Progress:
    """What the school sees of a wave while it is open: how many, never what they answered."""

    responded: int  # held and counted (released at close), or released already
    held_for_review: int  # in bursts waiting for the wave owner
    discarded: int  # in bursts the wave owner discarded
    ever_held: int = 0  # in every burst, whatever was decided


def wave_progress(wave_schools: Sequence[WaveSchool]) -> dict[int, Progress]:
    ids = [ws.pk for ws in wave_schools]
    counted = dict(
        HeldResponse.objects.filter(wave_school_id__in=ids)
        .filter(Q(burst__isnull=True) | Q(burst__decision=BurstDecision.ACCEPTED))
        .values("wave_school_id")
        .annotate(n=Count("*"))
        .values_list("wave_school_id", "n")
    )
    released = dict(
        Response.objects.filter(wave_school_id__in=ids)
        .values("wave_school_id")
        .annotate(n=Count("*"))
        .values_list("wave_school_id", "n")
    )
    bursts: dict[tuple[int, str], int] = {}
    for row in (
        Burst.objects.filter(wave_school_id__in=ids).values("wave_school_id", "decision").annotate(n=Sum("size"))
    ):
        bursts[(row["wave_school_id"], row["decision"])] = row["n"] or 0
    return {
        pk: Progress(
            counted.get(pk, 0) + released.get(pk, 0),
            bursts.get((pk, BurstDecision.PENDING), 0),
            bursts.get((pk, BurstDecision.DISCARDED), 0),
            sum(size for (school, _), size in bursts.items() if school == pk),
        )
        for pk in ids
    }


def wave_bursts(wave: Wave) -> list[Burst]:
    return list(
        Burst.objects.filter(wave_school__wave=wave).select_related("wave_school__school").order_by("day", "pk")
    )


# --- one object by its key (pages and API reach models only through here) ----------------------------


def instruments_with_items() -> list[Instrument]:
    return list(Instrument.objects.prefetch_related("items"))


def instrument_by_uuid(uuid: Any) -> Instrument | None:
    return Instrument.objects.filter(uuid=uuid).first()


def wave_schools_by_school_name() -> QuerySet[WaveSchool]:
    """Every wave's schools, by the school's name (to prefetch a wave's)."""
    return WaveSchool.objects.select_related("school").order_by("school__name")


def wave_school_by_token(token: str) -> WaveSchool | None:
    """The school's survey behind a public link (its token is the only key)."""
    return WaveSchool.objects.select_related("wave__instrument", "school").filter(token=token).first()


def wave_school_token_by_short(short: str) -> str | None:
    """The token behind a short link printed on slips and posters."""
    return WaveSchool.objects.filter(short=short.strip().upper()).values_list("token", flat=True).first()
