"""Mentoring: consent and a staff co-contact are required, mentees are keys never names, meetings
count once as mentoring contacts, dosage and the 30-day list, and the safeguard that tells the
supervisor when an officer records enforcement against a student they mentor."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from liaison.accounts.models import AuditEntry
from liaison.conftest import World
from liaison.directory.selectors import agency_today
from liaison.interactions.models import DailyRollup
from liaison.lib.identifying_text import PHONE_IN_TEXT
from liaison.programs import selectors, services
from liaison.programs.models import MenteeEnforcementNotice, MentoringRelationship

from .programs import STUDENT_ID, enforcement, relationship


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo("America/New_York"))


def meet(world: World, rel: MentoringRelationship, days_ago: int, minutes: int = 20):
    return services.meeting_record(
        actor=world.officer.user,
        relationship=rel,
        met_at=noon(agency_today(world.agency) - datetime.timedelta(days=days_ago)),
        duration_minutes=minutes,
        setting="office",
        topic="school_engagement",
    )


def test_a_relationship_stores_the_key_never_the_student_id(world: World) -> None:
    rel = relationship(world)
    assert len(rel.student_key) == 64 and STUDENT_ID not in rel.student_key
    assert rel.consent_recorded_by == world.officer.user


def test_consent_must_come_before_the_start(world: World) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError, match=services.CONSENT_AFTER_START):
        relationship(
            world, started_on=today - datetime.timedelta(days=5), consent_on=today - datetime.timedelta(days=1)
        )


def test_a_co_contact_is_required(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        relationship(world, co_contact_name="")
    assert "co_contact_name" in error.value.error_dict


def test_goals_that_identify_someone_are_refused(world: World) -> None:
    with pytest.raises(ValidationError, match=PHONE_IN_TEXT):
        relationship(world, goals="Call mom at 555-123-4567")


def test_one_open_relationship_per_officer_and_student(world: World) -> None:
    relationship(world)
    with pytest.raises(ValidationError, match=services.ALREADY_OPEN):
        relationship(world)


def test_a_meeting_counts_once_as_a_mentoring_contact_and_removing_it_voids_that(world: World) -> None:
    rel = relationship(world)
    meeting = meet(world, rel, days_ago=3)
    assert meeting.interaction.kind == "mentoring" and meeting.interaction.role == "mentor"
    assert DailyRollup.objects.filter(kind="mentoring").count() == 1
    services.meeting_remove(actor=world.officer.user, meeting=meeting, reason="Wrong student")
    meeting.interaction.refresh_from_db()
    assert meeting.voided and meeting.interaction.voided
    assert sum(DailyRollup.objects.filter(kind="mentoring").values_list("count", flat=True)) == 0


def test_meetings_only_in_an_active_relationship(world: World) -> None:
    rel = relationship(world)
    services.relationship_status_set(actor=world.officer.user, relationship=rel, status="paused", reason="Absent")
    with pytest.raises(ValidationError, match=services.RELATIONSHIP_NOT_ACTIVE):
        meet(world, rel, days_ago=1)
    services.relationship_status_set(actor=world.officer.user, relationship=rel, status="closed", reason="Moved away")
    with pytest.raises(ValidationError, match=services.CLOSED_IS_FINAL):
        services.relationship_status_set(actor=world.officer.user, relationship=rel, status="active")


def test_pausing_needs_a_reason(world: World) -> None:
    with pytest.raises(ValidationError, match=services.REASON_REQUIRED):
        services.relationship_status_set(actor=world.officer.user, relationship=relationship(world), status="paused")


def test_dosage_per_relationship(world: World) -> None:
    rel = relationship(world)  # started 60 days ago
    meet(world, rel, days_ago=50, minutes=30)
    meet(world, rel, days_ago=20, minutes=15)
    (dosage,) = selectors.relationships_dosage([rel], as_of=agency_today(world.agency))
    assert (dosage.meetings, dosage.minutes) == (2, 45)
    assert dosage.longest_gap_days == 30
    assert dosage.months_active == pytest.approx(60 / 30.4375)
    assert dosage.per_month == pytest.approx(2 / (60 / 30.4375))
    assert not dosage.overdue


def test_relationships_without_a_meeting_in_30_days_are_due(world: World) -> None:
    rel = relationship(world)
    meet(world, rel, days_ago=40)
    (dosage,) = selectors.relationships_dosage([rel], as_of=agency_today(world.agency))
    assert dosage.overdue and dosage.days_since_last == 40


def test_enforcement_on_a_mentee_notifies_the_supervisor(world: World, page_as) -> None:
    rel = relationship(world)
    action = enforcement(world, STUDENT_ID)
    notice = MenteeEnforcementNotice.objects.get()
    assert (notice.relationship, notice.interaction, notice.officer) == (rel, action, world.officer)
    page = page_as("supervisor").get(reverse("programs:notices"))
    assert page.status_code == 200 and str(action.uuid) in page.content.decode()
    assert page_as("officer").get(reverse("programs:notices")).status_code == 403


def test_enforcement_on_another_student_notifies_no_one(world: World) -> None:
    relationship(world)
    enforcement(world, "S-9999")
    assert not MenteeEnforcementNotice.objects.exists()


def test_the_supervisor_acknowledges_a_notice(world: World, page_as) -> None:
    relationship(world)
    enforcement(world, STUDENT_ID)
    notice = MenteeEnforcementNotice.objects.get()
    page_as("supervisor").post(reverse("programs:notice_acknowledge", args=[notice.uuid]), {"note": "Talked with him"})
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.users["supervisor"] and notice.acknowledgement == "Talked with him"


def test_mentoring_never_appears_on_enforcement_lists_or_exports(world: World, page_as) -> None:
    rel = relationship(world)
    meet(world, rel, days_ago=2)
    enforcement(world, STUDENT_ID)
    client = page_as("supervisor")
    listed = client.get(reverse("interactions:list"), {"kind": "enforcement"})
    assert listed.status_code == 200
    assert {record.kind for record in listed.context["page"].records} == {"enforcement"}
    assert rel.student_key not in listed.content.decode()
    export = b"".join(client.get(reverse("interactions:export"), {"kind": "enforcement"}).streaming_content).decode()
    assert "mentoring" not in export and rel.student_key not in export


def test_every_read_of_mentee_keys_is_audited(world: World, page_as) -> None:
    rel = relationship(world)
    client = page_as("supervisor")
    client.get(reverse("programs:mentoring"))
    client.get(reverse("programs:relationship", args=[rel.uuid]))
    reads = AuditEntry.objects.filter(action="read", object_type="programs.mentoringrelationship")
    assert reads.count() == 2
    assert all(entry.after == {"uuids": [str(rel.uuid)]} for entry in reads)
    assert {entry.actor for entry in reads} == {world.users["supervisor"]}


def test_the_mentoring_page_shows_due_relationships(world: World, page_as) -> None:
    rel = relationship(world)
    response = page_as("officer").get(reverse("programs:mentoring"), {"due": "1"})
    assert [d.relationship for d in response.context["dosage"]] == [rel]
    assert "without a meeting in the last 30 days" in response.content.decode()
