"""Writes: open and close waves, issue slip codes, take in an anonymous response, decide on held bursts.

A response is never audited: an audit entry carries a timestamp (and, for signed-in users, an
actor), which would undo the anonymity the response table is built for.

The write path keeps no link between a code, a person and an answer: using a slip code and holding
the response are two transactions; the response waits sealed (sealing.py) until the wave closes,
when each school's responses are written to the response table in one shuffled batch and the held
rows and the wave's key are destroyed.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q

from liaison.accounts.audit import audit_record, audit_snapshot
from liaison.directory.models import School

from . import limits, sealing
from .models import Burst, HeldResponse, Instrument, Item, Response, SlipCode, Wave, WaveSchool, new_slip_code
from .vocabulary import Audience, BurstDecision, ItemKind, WaveStatus

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
BURSTS_UNDECIDED = "Accept or discard the held bursts of this wave before closing it."
BURST_DECIDED = "This burst was already decided."
OPEN_MAX = 1000
MAX_CODES = 1000
PLAUSIBLE_SECONDS = 20  # the whole survey answered faster than this is held for review


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
    hourly_allowance: int = 100,
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
        hourly_allowance=hourly_allowance,
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
    """Freeze the wave and release its held responses: each school's in one shuffled batch, then the
    held rows and the wave's key are destroyed. Refused while a held burst waits for a decision."""
    if wave.status == WaveStatus.CLOSED:
        return wave
    if Burst.objects.filter(wave_school__wave=wave, decision=BurstDecision.PENDING).exists():
        raise ValidationError({"bursts": BURSTS_UNDECIDED})
    before = audit_snapshot(wave)
    wave.status = WaveStatus.CLOSED
    wave.closes_on = max(wave.opens_on, min(wave.closes_on, today))
    wave.full_clean()
    with transaction.atomic():
        wave.save(update_fields=["status", "closes_on"])
        unreadable = _release_held(wave)
        lost = f"; {unreadable} held responses could not be read (their key was lost)" if unreadable else ""
        audit_record(
            actor=actor,
            action="update",
            obj=wave,
            summary=f"Closed the survey wave {wave.title}{lost}",
            before=before,
            after=audit_snapshot(wave),
            district_id=wave.district_id,
        )
        transaction.on_commit(lambda: _forget(wave))
    return wave


def _release_held(wave: Wave) -> int:
    """Write each school's held responses to the response table once, in random order with random keys.

    The number of held responses that could not be read (the key store lost, say by a restore onto
    another machine): they are deleted with the rest, and the close is audited with their number."""
    held = HeldResponse.objects.filter(wave_school__wave=wave)
    counted = held.filter(Q(burst__isnull=True) | Q(burst__decision=BurstDecision.ACCEPTED))
    rows = list(counted.values_list("wave_school_id", "sealed"))
    unreadable = 0
    if rows:
        try:
            key: bytes | None = sealing.wave_key(wave.uuid, create=False)
        except sealing.KeyLost:
            key = None
        shuffle = secrets.SystemRandom().shuffle
        by_school: dict[int, list[Response]] = {}
        for wave_school_id, sealed in rows:
            try:
                if key is None:
                    raise sealing.KeyLost(sealing.KEY_LOST)
                payload = sealing.unseal(wave.uuid, sealed, key)
            except (sealing.KeyLost, InvalidTag):
                unreadable += 1
                continue
            response = Response(
                wave_school_id=wave_school_id,
                submitted_on=datetime.date.fromisoformat(payload["day"]),
                language=payload["language"],
                answers=payload["answers"],
            )
            by_school.setdefault(wave_school_id, []).append(response)
        for responses in by_school.values():
            shuffle(responses)
            Response.objects.bulk_create(responses)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left readable
    held.delete()
    return unreadable


def _forget(wave: Wave) -> None:
    """After the close is committed: destroy the key, and on SQLite fold the write-ahead log into the
    database and empty it, so its frames no longer show the order of the held writes."""
    sealing.wave_key_destroy(wave.uuid)
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except OperationalError:  # a reader holds the log: the next checkpoint folds it in
            pass


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
    *,
    wave_school: WaveSchool,
    language: str,
    answers: Mapping[str, Any],
    code: str = "",
    today: datetime.date,
    seconds_taken: float | None = None,
) -> None:
    """Take in one anonymous response and hold it, sealed, until the wave closes.

    The code is used in one transaction and the response held in another, so nothing in the
    database pairs them. A response beyond the link's hourly allowance, or answered faster than a
    person could (`seconds_taken`), is held in the day's burst for the wave owner to decide on; the
    sender is told the same either way."""
    wave = wave_school.wave
    clean = answers_clean(wave_items(wave), answers)
    if language not in wave.languages:
        raise ValidationError({"language": UNKNOWN_LANGUAGE.format(language=language)})
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        _check_accepts(wave, today)
        if wave.uses_codes:
            _redeem(wave_school, code)
    too_fast = seconds_taken is not None and seconds_taken < PLAUSIBLE_SECONDS
    for_review = not limits.within_allowance(wave_school) or too_fast
    sealed = sealing.seal(wave.uuid, {"day": today.isoformat(), "language": language, "answers": clean})
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        _check_accepts(wave, today)  # closed meanwhile: its key is gone, nothing may be held
        burst = _burst_for(wave_school, today) if for_review else None
        HeldResponse.objects.create(wave_school=wave_school, burst=burst, sealed=sealed)


def _check_accepts(wave: Wave, today: datetime.date) -> None:
    if not wave_accepts(wave, today):
        raise ValidationError({"__all__": WAVE_CLOSED if wave.status == WaveStatus.CLOSED else WAVE_NOT_OPEN})


def _burst_for(wave_school: WaveSchool, today: datetime.date) -> Burst:
    burst, _ = Burst.objects.select_for_update().get_or_create(
        wave_school=wave_school, day=today, decision=BurstDecision.PENDING
    )
    Burst.objects.filter(pk=burst.pk).update(size=F("size") + 1)
    return burst


def _redeem(wave_school: WaveSchool, code: str) -> None:
    if not code.strip():
        raise ValidationError({"code": CODE_NEEDED})
    used = SlipCode.objects.filter(wave_school=wave_school, code=code.strip().upper(), used=False).update(used=True)
    if used != 1:
        raise ValidationError({"code": CODE_INVALID})


def burst_decide(*, actor: Any, burst: Burst, accept: bool) -> Burst:
    """Accept (count at close) or discard (delete now) a held burst, whole, without reading its answers."""
    with transaction.atomic():
        burst = (
            Burst.objects.select_for_update()
            .select_related("wave_school__wave", "wave_school__school")
            .get(pk=burst.pk)
        )
        if burst.decision != BurstDecision.PENDING:
            raise ValidationError({"decision": BURST_DECIDED})
        if burst.wave_school.wave.status == WaveStatus.CLOSED:
            raise ValidationError({"decision": WAVE_CLOSED})
        burst.decision = BurstDecision.ACCEPTED if accept else BurstDecision.DISCARDED
        burst.save(update_fields=["decision"])
        if not accept:
            burst.held.all().delete()
        verb = "Accepted" if accept else "Discarded"
        audit_record(
            actor=actor,
            action="update",
            obj=burst.wave_school.wave,
            summary=f"{verb} {burst.size} held responses at {burst.wave_school.school.name} ({burst.day})",
            district_id=burst.wave_school.wave.district_id,
        )
    return burst


def open_answers_read_audit(*, actor: Any, wave_school: WaveSchool, through: str) -> None:
    """Open answers may name people despite the request not to: every read is logged."""
    audit_record(
        actor=actor,
        action="read",
        obj=wave_school,
        summary=f"Read the open answers of {wave_school.school.name} in {wave_school.wave.title} through {through}",
        district_id=wave_school.wave.district_id,
    )


def waves_close_due(*, today: datetime.date) -> list[tuple[Wave, bool]]:
    """Close each open wave whose close date has passed; (wave, closed?) for each — a wave whose held
    bursts still wait for the district's decision stays open."""
    outcomes = []
    due = Wave.objects.filter(status=WaveStatus.OPEN, closes_on__lt=today).order_by("closes_on", "pk")
    for wave in due:
        try:
            wave_close(actor=None, wave=wave, today=today)
        except ValidationError:
            outcomes.append((wave, False))
        else:
            outcomes.append((wave, True))
    return outcomes
