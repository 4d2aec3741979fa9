"""Anonymity that holds in the data, one-time codes, parental notice, and closing that freezes a wave."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from liaison.conftest import World
from liaison.surveys import sealing, services
from liaison.surveys.models import HeldResponse, Response, SlipCode

from .surveys import ANSWERS, close, instrument, link, student_wave


def _submit(wave_school, code: str = "") -> None:
    services.survey_response_submit(
        wave_school=wave_school, language="es", answers=ANSWERS, code=code, today=timezone.localdate()
    )


def test_nothing_in_a_response_or_its_rows_identifies_the_code_used(world: World) -> None:
    wave = student_wave(world, uses_codes=True)
    here = link(wave, world.elementary)
    codes = services.slip_codes_issue(
        actor=world.users["district_admin"], wave_school=here, count=5, today=timezone.localdate()
    )
    used = codes[2]
    _submit(here, used)
    close(world, wave)
    response = Response.objects.get()
    columns = {field.column for field in Response._meta.concrete_fields}
    assert columns == {"id", "wave_school_id", "submitted_on", "language", "answers"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Response._meta.db_table}")
        row = [str(value) for value in cursor.fetchone()]
    assert not any(used in value for value in row), "the code is nowhere in the response row"
    assert isinstance(response.pk, type(response.id)) and len(str(response.pk)) == 36  # a random UUID, no sequence
    assert response.submitted_on == timezone.localdate()  # a date: no time of day
    slip_fields = {field.name for field in SlipCode._meta.get_fields()}
    assert slip_fields == {"id", "wave_school", "code", "used"}, "a code knows no response, user or time"
    assert SlipCode.objects.get(code=used).used
    assert not any(f.related_model is SlipCode for f in Response._meta.get_fields()), (
        "responses and codes share no relation"
    )


def test_a_one_time_code_cannot_be_used_twice(world: World) -> None:
    wave = student_wave(world, uses_codes=True)
    here = link(wave, world.elementary)
    [code] = services.slip_codes_issue(
        actor=world.users["district_admin"], wave_school=here, count=1, today=timezone.localdate()
    )
    _submit(here, code.lower())
    with pytest.raises(ValidationError) as error:
        _submit(here, code)
    assert error.value.message_dict["code"] == [services.CODE_INVALID]
    assert HeldResponse.objects.count() == 1


def test_a_code_for_one_school_does_not_open_another(world: World) -> None:
    wave = student_wave(world, uses_codes=True)
    [code] = services.slip_codes_issue(
        actor=world.users["district_admin"],
        wave_school=link(wave, world.elementary),
        count=1,
        today=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        _submit(link(wave, world.high), code)


def test_a_wave_with_codes_refuses_a_response_without_one(world: World) -> None:
    wave = student_wave(world, uses_codes=True)
    with pytest.raises(ValidationError) as error:
        _submit(link(wave, world.elementary))
    assert error.value.message_dict["code"] == [services.CODE_NEEDED]


def test_closing_a_wave_freezes_it(world: World) -> None:
    wave = student_wave(world)
    here = link(wave, world.elementary)
    _submit(here)
    services.wave_close(actor=world.users["district_admin"], wave=wave, today=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        _submit(here)
    assert services.WAVE_CLOSED in error.value.messages
    with pytest.raises(ValidationError):
        services.slip_codes_issue(
            actor=world.users["district_admin"], wave_school=here, count=3, today=timezone.localdate()
        )
    assert Response.objects.count() == 1


def test_nothing_is_added_after_the_close_date(world: World) -> None:
    today = timezone.localdate()
    wave = student_wave(
        world, opens_on=today - datetime.timedelta(days=10), closes_on=today - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        _submit(link(wave, world.elementary))
    assert services.WAVE_NOT_OPEN in error.value.messages


def test_a_student_wave_cannot_open_without_the_parental_notice(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.wave_open(
            actor=world.users["district_admin"],
            title="No notice",
            instrument=instrument(),
            schools=[world.elementary],
            audience="students",
            languages=["en"],
            opens_on=today,
            closes_on=today,
        )
    assert error.value.message_dict["notice_date"] == [services.NEEDS_NOTICE]


def test_a_family_wave_needs_no_parental_notice(world: World) -> None:
    today = timezone.localdate()
    wave = services.wave_open(
        actor=world.users["school_admin"],
        title="Families",
        instrument=instrument(),
        schools=[world.elementary],
        audience="families",
        languages=["en", "es"],
        opens_on=today,
        closes_on=today,
    )
    assert wave.wave_schools.count() == 1


def test_answers_outside_what_an_item_offers_are_refused(world: World) -> None:
    here = link(student_wave(world), world.elementary)
    with pytest.raises(ValidationError) as error:
        services.survey_response_submit(
            wave_school=here,
            language="en",
            answers={"pulse_safety": 11, "arrested": "no"},
            today=timezone.localdate(),
        )
    assert set(error.value.message_dict) == {"pulse_safety", "arrested"}


def test_the_item_bank_asks_nothing_about_a_students_own_illegal_behaviour(db) -> None:
    words = " ".join(item.text["en"].lower() for item in instrument().items.all())
    for forbidden in ("have you ever", "did you", "drugs", "alcohol", "arrested", "stole", "weapon"):
        assert forbidden not in words
    assert all(set(item.text) == {"en", "es"} for item in instrument().items.all())


def test_a_response_waits_sealed_until_close_then_the_held_rows_and_the_key_are_gone(
    world: World, django_capture_on_commit_callbacks
) -> None:
    wave = student_wave(world)
    here = link(wave, world.elementary)
    _submit(here)
    held = HeldResponse.objects.get()
    assert b"pulse_safety" not in bytes(held.sealed), "the held row is sealed"
    assert len(bytes(held.sealed)) == sealing.NONCE_BYTES + sealing.SEALED_SIZE + 16, "every sealed row has one size"
    assert Response.objects.count() == 0, "no response exists before close"
    key_file = sealing.key_dir() / f"{wave.uuid.hex}.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with django_capture_on_commit_callbacks(execute=True):
        close(world, wave)
    assert not HeldResponse.objects.exists()
    assert Response.objects.get().answers == {k: v for k, v in ANSWERS.items()}
    assert not key_file.exists(), "the wave's key is destroyed at close"


def test_a_sealed_response_cannot_be_read_once_the_key_is_gone(world: World) -> None:
    wave = student_wave(world)
    _submit(link(wave, world.elementary))
    sealed = bytes(HeldResponse.objects.get().sealed)
    sealing.wave_key_destroy(wave.uuid)
    with pytest.raises(sealing.KeyLost):
        sealing.unseal(wave.uuid, sealed)


def test_a_wave_whose_key_was_lost_still_closes_and_says_how_many_were_lost(world: World) -> None:
    from liaison.accounts.models import AuditEntry

    wave = student_wave(world)
    _submit(link(wave, world.elementary))
    sealing.wave_key_destroy(wave.uuid)  # as after a restore onto a machine without the key store
    close(world, wave)
    assert not HeldResponse.objects.exists() and not Response.objects.exists()
    assert "1 held responses could not be read" in AuditEntry.objects.filter(action="update").last().summary
