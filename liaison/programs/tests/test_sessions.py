"""Scheduling, delivering, undelivering and cancelling sessions: a delivered session is one
classroom-instruction contact, counted once in the rollups, and voided when undone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from liaison.conftest import World
from liaison.interactions.models import DailyRollup
from liaison.programs import services

from .programs import session


def instruction_count(world: World) -> int:
    rows = DailyRollup.objects.filter(officer=world.officer, kind="instruction")
    return rows.aggregate(n=Sum("count"))["n"] or 0


def test_delivering_a_session_records_one_instruction_contact(world: World) -> None:
    scheduled = session(world)
    delivered = services.session_deliver(
        actor=world.officer.user, session=scheduled, attendance=22, delivered_minutes=40, reflection="Good questions."
    )
    contact = delivered.interaction
    assert contact.kind == "instruction" and contact.role == "educator"
    assert contact.student_count == 22 and contact.duration_minutes == 40
    assert contact.setting == "classroom" and contact.grade_band == "3_5"
    assert instruction_count(world) == 1


def test_a_session_cannot_be_delivered_twice(world: World) -> None:
    scheduled = session(world)
    services.session_deliver(actor=world.officer.user, session=scheduled, attendance=22, delivered_minutes=40)
    with pytest.raises(ValidationError) as error:
        services.session_deliver(actor=world.officer.user, session=scheduled, attendance=22, delivered_minutes=40)
    assert services.ONLY_SCHEDULED_CAN_BE_DELIVERED in str(error.value)
    assert instruction_count(world) == 1


def test_a_future_session_cannot_be_delivered(world: World) -> None:
    scheduled = session(world, hours_ago=-24)
    with pytest.raises(ValidationError, match=services.NOT_STARTED_YET):
        services.session_deliver(actor=world.officer.user, session=scheduled, attendance=22, delivered_minutes=40)
    assert instruction_count(world) == 0


def test_undelivering_voids_the_contact_and_redelivering_counts_it_once(world: World) -> None:
    scheduled = session(world)
    delivered = services.session_deliver(
        actor=world.officer.user, session=scheduled, attendance=22, delivered_minutes=40
    )
    first = delivered.interaction
    services.session_undeliver(actor=world.officer.user, session=delivered, reason="Wrong class")
    first.refresh_from_db()
    assert first.voided and first.amendments.filter(voids=True).exists()
    assert instruction_count(world) == 0
    again = services.session_deliver(actor=world.officer.user, session=delivered, attendance=20, delivered_minutes=45)
    assert again.interaction != first
    assert instruction_count(world) == 1


def test_cancelling_a_delivered_session_voids_its_contact(world: World) -> None:
    delivered = services.session_deliver(
        actor=world.officer.user, session=session(world), attendance=22, delivered_minutes=40
    )
    contact = delivered.interaction
    cancelled = services.session_cancel(actor=world.users["supervisor"], session=delivered, reason="Assembly")
    contact.refresh_from_db()
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "Assembly"
    assert contact.voided and instruction_count(world) == 0


def test_cancelling_needs_a_reason(world: World) -> None:
    with pytest.raises(ValidationError, match=services.REASON_REQUIRED):
        services.session_cancel(actor=world.officer.user, session=session(world), reason=" ")


def test_a_reflection_that_identifies_someone_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.session_deliver(
            actor=world.officer.user,
            session=session(world),
            attendance=22,
            delivered_minutes=40,
            reflection="Call her mom at 555-123-4567",
        )
    assert instruction_count(world) == 0


def test_sessions_only_at_schools_the_agency_serves(world: World) -> None:
    with pytest.raises(ValidationError, match=services.SCHOOL_NOT_SERVED):
        session(world, school=world.other_school)


def test_the_change_page_reschedules_a_session(world: World, page_as) -> None:
    scheduled = session(world, hours_ago=-24)
    url = reverse("programs:session_edit", args=[scheduled.uuid])
    client = page_as("officer")
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(starts_at="2030-03-04T10:30", class_name="Grade 5, Room 2")
    response = client.post(url, data)
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.starts_on == datetime.date(2030, 3, 4) and scheduled.class_name == "Grade 5, Room 2"
    assert timezone.localtime(scheduled.starts_at, zoneinfo.ZoneInfo("America/New_York")).hour == 10
