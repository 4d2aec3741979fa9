"""Writes: open and close waves, issue slip codes, take in an anonymous response.

A response is never audited: an audit entry carries a timestamp (and, for signed-in users, an
actor), which would undo the anonymity the response table is built for.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from liaison.accounts.audit import audit_record, audit_snapshot
from liaison.directory.models import School

from .models import Instrument, Item, Response, SlipCode, Wave, WaveSchool, new_slip_code
from .vocabulary import Audience, ItemKind, WaveStatus

NEEDS_NOTICE = "A student wave cannot open without the parental notification: its date, method and opt-out handling."
NEEDS_SCHOOLS = "Choose at least one school."
ONE_DISTRICT = "All schools in a wave belong to one district."
UNKNOWN_LANGUAGE = "The instrument has no wording in {language}."
CLOSES_BEFORE_OPENS = "The wave cannot close before it opens."
WAVE_CLOSED = "This wave is closed: nothing can be added."
WAVE_NOT_OPEN = "This survey is not open today."
CODE_NEEDED = "Enter the code from your slip."
CODE_INVALID = "That code is not valid or was already used."
UNKNOWN_ITEM = "No such question in this survey."
BAD_ANSWER = "Not one of the answers offered."
OPEN_MAX = 1000
MAX_CODES = 1000


def wave_open(
    *,
    actor: Any,
    title: str,
    instrument: Instrument,
    schools: Sequence[School],
    audience: str,
    languages: Sequence[str],
    opens_on: datetime.date,
    closes_on: datetime.date,
    uses_codes: bool = False,
    notice_date: datetime.date | None = None,
    notice_method: str = "",
    opt_out_handling: str = "",
) -> Wave:
    """Open a wave at some of one district's schools, with a link per school."""
    _check_wave(instrument, schools, audience, languages, notice_date, notice_method, opt_out_handling)
    wave = Wave(
        title=title,
        instrument=instrument,
        district_id=schools[0].district_id,
        audience=audience,
        languages=list(languages),
        opens_on=opens_on,
        closes_on=closes_on,
        uses_codes=uses_codes,
        notice_date=notice_date,
        notice_method=notice_method,
        opt_out_handling=opt_out_handling,
        created_by=actor,
    )
    if closes_on < opens_on:
        raise ValidationError({"closes_on": CLOSES_BEFORE_OPENS})
    wave.full_clean()
    with transaction.atomic():
        wave.save()
        WaveSchool.objects.bulk_create(WaveSchool(wave=wave, school=school) for school in schools)
        audit_record(
            actor=actor,
            action="create",
            obj=wave,
            summary=f"Opened the survey wave {wave.title}",
            after=audit_snapshot(wave),
            district_id=wave.district_id,
        )
    return wave


def _check_wave(
    instrument: Instrument,
    schools: Sequence[School],
    audience: str,
    languages: Sequence[str],
    notice_date: datetime.date | None,
    notice_method: str,
    opt_out_handling: str,
) -> None:
    errors: dict[str, str] = {}
    if not schools:
        errors["schools"] = NEEDS_SCHOOLS
    elif len({school.district_id for school in schools}) > 1:
        errors["schools"] = ONE_DISTRICT
    missing = [language for language in languages if language not in instrument.languages]
    if missing:
        errors["languages"] = UNKNOWN_LANGUAGE.format(language=", ".join(missing))
    if audience == Audience.STUDENTS and not (notice_date and notice_method and opt_out_handling.strip()):
        errors["notice_date"] = NEEDS_NOTICE
    if errors:
        raise ValidationError(errors)


def wave_close(*, actor: Any, wave: Wave, today: datetime.date) -> Wave:
    """Freeze the wave: from now on nothing can be added to it."""
    if wave.status == WaveStatus.CLOSED:
        return wave
    before = audit_snapshot(wave)
    wave.status = WaveStatus.CLOSED
    wave.closes_on = max(wave.opens_on, min(wave.closes_on, today))
    wave.full_clean()
    with transaction.atomic():
        wave.save(update_fields=["status", "closes_on"])
        audit_record(
            actor=actor,
            action="update",
            obj=wave,
            summary=f"Closed the survey wave {wave.title}",
            before=before,
            after=audit_snapshot(wave),
            district_id=wave.district_id,
        )
    return wave


def wave_accepts(wave: Wave, today: datetime.date) -> bool:
    return wave.status == WaveStatus.OPEN and wave.opens_on <= today <= wave.closes_on


def slip_codes_issue(*, actor: Any, wave_school: WaveSchool, count: int, today: datetime.date) -> list[str]:
    """New one-time codes for printing; refused once the wave is closed."""
    wave = wave_school.wave
    if wave.status == WaveStatus.CLOSED or today > wave.closes_on:
        raise ValidationError({"count": WAVE_CLOSED})
    if not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": f"Between 1 and {MAX_CODES} codes at a time."})
    existing = set(wave_school.codes.values_list("code", flat=True))
    codes: list[str] = []
    while len(codes) < count:
        code = new_slip_code()
        if code not in existing:
            existing.add(code)
            codes.append(code)
    with transaction.atomic():
        SlipCode.objects.bulk_create(SlipCode(wave_school=wave_school, code=code) for code in codes)
        audit_record(
            actor=actor,
            action="create",
            obj=wave_school.wave,
            summary=f"Printed {count} slip codes for {wave_school.school.name}",
            district_id=wave.district_id,
        )
    return codes


def wave_items(wave: Wave) -> list[Item]:
    """The items the wave's audience is asked, in order."""
    return [item for item in wave.instrument.items.order_by("position") if wave.audience in item.audiences]


def answers_clean(items: Iterable[Item], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the answered items, each checked against what the item offers; anything else is an error."""
    by_code = {item.code: item for item in items}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for code, value in raw.items():
        item = by_code.get(code)
        if item is None:
            errors[code] = UNKNOWN_ITEM
        elif value in (None, ""):
            continue
        elif item.kind == ItemKind.OPEN:
            text = str(value).strip()[:OPEN_MAX]
            if text:
                clean[code] = text
        else:
            checked = _option_value(item, value)
            if checked is None:
                errors[code] = BAD_ANSWER
            else:
                clean[code] = checked
    if errors:
        raise ValidationError(errors)
    return clean


def _option_value(item: Item, value: Any) -> Any:
    for option in item.options:
        if str(option["value"]) == str(value) and not isinstance(value, bool):
            return option["value"]
    return None


def slip_code_valid(wave_school: WaveSchool, code: str) -> bool:
    return SlipCode.objects.filter(wave_school=wave_school, code=code.strip().upper(), used=False).exists()


def survey_response_submit(
    *, wave_school: WaveSchool, language: str, answers: Mapping[str, Any], code: str = "", today: datetime.date
) -> Response:
    """Take in one anonymous response: no user, no address, no time but the day, nothing tying it to the code."""
    wave = wave_school.wave
    clean = answers_clean(wave_items(wave), answers)
    if language not in wave.languages:
        raise ValidationError({"language": UNKNOWN_LANGUAGE.format(language=language)})
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if not wave_accepts(wave, today):
            raise ValidationError({"__all__": WAVE_CLOSED if wave.status == WaveStatus.CLOSED else WAVE_NOT_OPEN})
        if wave.uses_codes:
            _redeem(wave_school, code)
        return Response.objects.create(wave_school=wave_school, submitted_on=today, language=language, answers=clean)


def _redeem(wave_school: WaveSchool, code: str) -> None:
    if not code.strip():
        raise ValidationError({"code": CODE_NEEDED})
    used = SlipCode.objects.filter(wave_school=wave_school, code=code.strip().upper(), used=False).update(used=True)
    if used != 1:
        raise ValidationError({"code": CODE_INVALID})


def open_answers_read_audit(*, actor: Any, wave_school: WaveSchool, through: str) -> None:
    """Open answers may name people despite the request not to: every read is logged."""
    audit_record(
        actor=actor,
        action="read",
        obj=wave_school,
        summary=f"Read the open answers of {wave_school.school.name} in {wave_school.wave.title} through {through}",
        district_id=wave_school.wave.district_id,
    )
