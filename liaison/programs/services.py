"""Writing program records: pages, API, commands and the demo all call these.

A delivered session and a mentoring meeting are contacts too: each is recorded once through
`interactions.services.interaction_record` (so rollups count it once) and voided through
`interaction_void` when the session is undelivered or cancelled, or the meeting removed.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from liaison.accounts.audit import audit_record, audit_snapshot
from liaison.accounts.records import record_create, record_update
from liaison.directory.models import Agency, District, Officer, School
from liaison.interactions.access import served_district_ids
from liaison.interactions.models import Interaction
from liaison.interactions.services import interaction_record, interaction_void, student_key_for
from liaison.interactions.vocabulary import GradeBand, Kind, Setting
from liaison.lib.identifying_text import identifying_text_problems
from liaison.lib.local_days import local_day

from .models import (
    CalendarBreak,
    CalendarFeed,
    Curriculum,
    LiaisonMeeting,
    MenteeEnforcementNotice,
    MentoringMeeting,
    MentoringRelationship,
    SchoolCalendar,
    Session,
    TeacherFeedback,
    new_token,
)
from .vocabulary import AttendeeRole, LiaisonMeetingStatus, RelationshipStatus, SessionStatus

SCHOOL_NOT_SERVED = "The officer's agency does not serve this school's district."
CURRICULUM_OF_ANOTHER_AGENCY = "This curriculum belongs to another agency's catalogue."
CURRICULUM_RETIRED = "This curriculum is retired: choose one in the catalogue."
LESSON_BEYOND_CURRICULUM = "The curriculum has only {count} lessons."
ONLY_SCHEDULED_CAN_BE_DELIVERED = "Only a scheduled session can be marked delivered."
ONLY_SCHEDULED_CAN_BE_CHANGED = "Only a scheduled session can be changed; mark it not delivered first."
NOT_STARTED_YET = "A session can be marked delivered only once it has started."
ONLY_DELIVERED_CAN_BE_UNDONE = "Only a delivered session can be marked not delivered."
ALREADY_CANCELLED = "This session is already cancelled."
REASON_REQUIRED = "Say why."
FEEDBACK_ONLY_AFTER_DELIVERY = "Feedback opens once the session has been delivered."
RELATIONSHIP_CLOSED = "This relationship is closed: start a new one to meet again."
RELATIONSHIP_NOT_ACTIVE = "Meetings are recorded only in an active relationship; resume it first."
MEETING_BEFORE_START = "The meeting is before the relationship started."
MEETING_ALREADY_REMOVED = "This meeting was already removed."
ALREADY_OPEN = "This officer already mentors this student in an open relationship."
CONSENT_AFTER_START = "Consent must be given on or before the start date."
CONSENT_IN_FUTURE = "The consent date cannot be in the future."
STATUS_UNCHANGED = "The relationship already has this status."
CLOSED_IS_FINAL = "A closed relationship stays closed."
BREAK_OUTSIDE_YEAR = "The break must fall between the first and last day of the school year."
SCHOOL_OF_ANOTHER_DISTRICT = "The school is not in this district."
UNKNOWN_ATTENDEE_ROLE = "Unknown attendee role: {role}."
ONLY_SCHEDULED_MEETING = "Only a scheduled meeting can be marked held or cancelled."
HELD_IN_FUTURE = "A meeting can be marked held only once it has started."
ALREADY_ACKNOWLEDGED = "This notice was already acknowledged."

M = TypeVar("M", bound=models.Model)
GRADE_BANDS = ((2, GradeBand.PRIMARY), (5, GradeBand.INTERMEDIATE), (8, GradeBand.MIDDLE), (12, GradeBand.HIGH))


# --- shared checks --------------------------------------------------------------------------------


def _problems(field: str, text: str) -> None:
    problems = identifying_text_problems(text or "")
    if problems:
        raise ValidationError({field: problems})


def _served(officer: Officer, school: School) -> None:
    if school.district_id not in served_district_ids(officer):
        raise ValidationError({"school": SCHOOL_NOT_SERVED})


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise ValidationError({field: message})


def grade_band(grade: int | None) -> str:
    if grade is None:
        return ""
    return next(band for top, band in GRADE_BANDS if grade <= top)


# --- saving: validate, save and audit, as lib/records.py does, without its per-row queries ---------------
# Related rows come loaded and checked by the caller, the database enforces foreign keys and
# constraints, and the rules that need stored rows are checked above: full_clean's queries for each
# of them would triple the cost of a write (the demo's school year took 30 s instead of 10).


def _clean(obj: Any) -> None:
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def _create(obj: M, *, actor: Any, agency_id: int | None, district_id: int | None = None) -> M:
    _clean(obj)
    with transaction.atomic():
        obj.save()
        audit_record(
            actor=actor,
            action="create",
            obj=obj,
            summary=f"Created {obj}",
            after=audit_snapshot(obj),
            agency_id=agency_id,
            district_id=district_id,
        )
    return obj


def _update(obj: M, *, actor: Any, changes: dict[str, Any], agency_id: int | None) -> M:
    before = audit_snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    try:
        _clean(obj)
        with transaction.atomic():
            obj.save()
            audit_record(
                actor=actor,
                action="update",
                obj=obj,
                summary=f"Changed {obj}",
                before=before,
                after=audit_snapshot(obj),
                agency_id=agency_id,
            )
    except ValidationError:
        obj.refresh_from_db()
        raise
    return obj


# --- curricula ------------------------------------------------------------------------------------


def curriculum_create(*, actor: Any, agency: Agency, **fields: Any) -> Curriculum:
    return record_create(Curriculum(agency=agency, **fields), actor=actor, agency_id=agency.pk)


def curriculum_update(*, actor: Any, curriculum: Curriculum, changes: dict[str, Any]) -> Curriculum:
    return record_update(curriculum, actor=actor, changes=changes, agency_id=curriculum.agency_id)


# --- sessions -------------------------------------------------------------------------------------


def _check_curriculum(curriculum: Curriculum, officer: Officer, lesson_number: int | None) -> None:
    _require(curriculum.agency_id == officer.agency_id, "curriculum", CURRICULUM_OF_ANOTHER_AGENCY)
    _require(curriculum.active, "curriculum", CURRICULUM_RETIRED)
    if lesson_number is not None:
        message = LESSON_BEYOND_CURRICULUM.format(count=curriculum.lesson_count)
        _require(lesson_number <= curriculum.lesson_count, "lesson_number", message)


def session_schedule(
    *,
    actor: Any,
    officer: Officer,
    school: School,
    curriculum: Curriculum,
    starts_at: datetime.datetime,
    **fields: Any,
) -> Session:
    """Put a session on the school's and the officer's calendars."""
    _served(officer, school)
    _check_curriculum(curriculum, officer, fields.get("lesson_number"))
    session = Session(
        agency_id=officer.agency_id,
        district_id=school.district_id,
        school=school,
        officer=officer,
        curriculum=curriculum,
        starts_at=starts_at,
        starts_on=local_day(starts_at, officer.agency.time_zone),
        created_by=actor,
        **fields,
    )
    return _create(session, actor=actor, agency_id=session.agency_id, district_id=session.district_id)


def session_reschedule(*, actor: Any, session: Session, changes: dict[str, Any]) -> Session:
    """Change a scheduled session (a delivered one is changed by undelivering it first)."""
    _require(session.status == SessionStatus.SCHEDULED, "__all__", ONLY_SCHEDULED_CAN_BE_CHANGED)
    if "school" in changes:
        _served(session.officer, changes["school"])
        changes["district_id"] = changes["school"].district_id
    _check_curriculum(changes.get("curriculum", session.curriculum), session.officer, changes.get("lesson_number"))
    if "starts_at" in changes:
        changes["starts_on"] = local_day(changes["starts_at"], session.agency.time_zone)
    return _update(session, actor=actor, changes=changes, agency_id=session.agency_id)


def session_deliver(
    *, actor: Any, session: Session, attendance: int, delivered_minutes: int, reflection: str = ""
) -> Session:
    """Mark it delivered and record the classroom-instruction contact, together or not at all."""
    _require(session.status == SessionStatus.SCHEDULED, "__all__", ONLY_SCHEDULED_CAN_BE_DELIVERED)
    _require(session.starts_at <= timezone.now(), "__all__", NOT_STARTED_YET)
    _problems("reflection", reflection)
    with transaction.atomic():
        recorded = interaction_record(
            actor=actor,
            officer=session.officer,
            school=session.school,
            kind=Kind.INSTRUCTION,
            occurred_at=session.starts_at,
            client_uuid=uuid_module.uuid4(),
            duration_minutes=delivered_minutes,
            student_count=attendance,
            setting=Setting.CLASSROOM,
            grade_band=grade_band(session.grade),
        )
        changes = {
            "status": SessionStatus.DELIVERED,
            "attendance": attendance,
            "delivered_minutes": delivered_minutes,
            "reflection": reflection.strip(),
            "interaction": recorded.interaction,
        }
        return _update(session, actor=actor, changes=changes, agency_id=session.agency_id)


def _void_contact(actor: Any, interaction: Interaction | None, reason: str) -> None:
    if interaction is not None and not interaction.voided:
        interaction_void(actor=actor, interaction=interaction, reason=reason)


def session_undeliver(*, actor: Any, session: Session, reason: str) -> Session:
    """Back to scheduled (it was marked delivered by mistake): its contact is voided, not deleted."""
    _require(session.status == SessionStatus.DELIVERED, "__all__", ONLY_DELIVERED_CAN_BE_UNDONE)
    _require(bool(reason.strip()), "reason", REASON_REQUIRED)
    with transaction.atomic():
        _void_contact(actor, session.interaction, f"Session not delivered: {reason.strip()}")
        changes = {
            "status": SessionStatus.SCHEDULED,
            "attendance": None,
            "delivered_minutes": None,
            "interaction": None,
        }
        return _update(session, actor=actor, changes=changes, agency_id=session.agency_id)


def session_cancel(*, actor: Any, session: Session, reason: str) -> Session:
    _require(session.status != SessionStatus.CANCELLED, "__all__", ALREADY_CANCELLED)
    _require(bool(reason.strip()), "reason", REASON_REQUIRED)
    with transaction.atomic():
        _void_contact(actor, session.interaction, f"Session cancelled: {reason.strip()}")
        changes = {
            "status": SessionStatus.CANCELLED,
            "cancel_reason": reason.strip(),
            "attendance": None,
            "delivered_minutes": None,
            "interaction": None,
        }
        return _update(session, actor=actor, changes=changes, agency_id=session.agency_id)


def feedback_submit(*, session: Session, rating: int, comment: str = "") -> TeacherFeedback:
    """The teacher's rating and comment through the session's link; a second visit edits it."""
    _require(session.status == SessionStatus.DELIVERED, "__all__", FEEDBACK_ONLY_AFTER_DELIVERY)
    _problems("comment", comment)
    feedback = TeacherFeedback.objects.filter(session=session).first()
    with transaction.atomic():
        if feedback is None:
            feedback = TeacherFeedback(session=session, agency_id=session.agency_id, rating=rating, comment=comment)
            return _create(feedback, actor=None, agency_id=session.agency_id)
        changes = {"rating": rating, "comment": comment.strip()}
        return _update(feedback, actor=None, changes=changes, agency_id=session.agency_id)


# --- calendar feeds -------------------------------------------------------------------------------


def calendar_feed_get(*, officer: Officer | None = None, school: School | None = None) -> CalendarFeed:
    """The feed's secret address, made on first use."""
    if officer is not None:
        feed, _ = CalendarFeed.objects.get_or_create(officer=officer, defaults={"agency_id": officer.agency_id})
    else:
        feed, _ = CalendarFeed.objects.get_or_create(school=school)
    return feed


def calendar_feed_reset(*, actor: Any, feed: CalendarFeed) -> CalendarFeed:
    """A new secret address: subscriptions made with the old one stop updating."""
    feed.token = new_token()
    feed.save(update_fields=["token"])
    audit_record(
        actor=actor, action="update", obj=feed, summary="Calendar feed address replaced", agency_id=feed.agency_id
    )
    return feed


# --- mentoring --------------------------------------------------------------------------------------


def relationship_start(
    *,
    actor: Any,
    officer: Officer,
    school: School,
    student_id: str,
    started_on: datetime.date,
    consent_on: datetime.date,
    goals: str = "",
    **fields: Any,
) -> MentoringRelationship:
    """A mentoring relationship, with the school's and the family's consent and a staff co-contact.

    The student id is turned into the district's pseudonymous key here and discarded."""
    _served(officer, school)
    _problems("goals", goals)
    _require(consent_on <= started_on, "consent_on", CONSENT_AFTER_START)
    _require(consent_on <= timezone.localdate(), "consent_on", CONSENT_IN_FUTURE)
    key = student_key_for(school=school, student_id=student_id)
    open_already = MentoringRelationship.objects.filter(officer=officer, student_key=key).exclude(
        status=RelationshipStatus.CLOSED
    )
    _require(not open_already.exists(), "student_id", ALREADY_OPEN)
    relationship = MentoringRelationship(
        agency_id=officer.agency_id,
        district_id=school.district_id,
        school=school,
        officer=officer,
        student_key=key,
        started_on=started_on,
        consent_on=consent_on,
        goals=goals.strip(),
        consent_recorded_by=actor,
        **fields,
    )
    return _create(relationship, actor=actor, agency_id=officer.agency_id, district_id=school.district_id)


def relationship_update(
    *, actor: Any, relationship: MentoringRelationship, changes: dict[str, Any]
) -> MentoringRelationship:
    if "goals" in changes:
        _problems("goals", changes["goals"])
    return _update(relationship, actor=actor, changes=changes, agency_id=relationship.agency_id)


def relationship_status_set(
    *, actor: Any, relationship: MentoringRelationship, status: str, reason: str = "", on: datetime.date | None = None
) -> MentoringRelationship:
    """Pause, resume or close; pausing and closing need a reason."""
    _require(relationship.status != RelationshipStatus.CLOSED, "status", CLOSED_IS_FINAL)
    _require(relationship.status != status, "status", STATUS_UNCHANGED)
    if status != RelationshipStatus.ACTIVE:
        _require(bool(reason.strip()), "reason", REASON_REQUIRED)
    _problems("reason", reason)
    changes = {
        "status": status,
        "status_reason": reason.strip() if status != RelationshipStatus.ACTIVE else "",
        "status_changed_on": on or timezone.localdate(),
    }
    return _update(relationship, actor=actor, changes=changes, agency_id=relationship.agency_id)


def meeting_record(
    *,
    actor: Any,
    relationship: MentoringRelationship,
    met_at: datetime.datetime,
    duration_minutes: int,
    setting: str,
    topic: str,
) -> MentoringMeeting:
    """A mentoring meeting and its mentoring contact, together or not at all."""
    _require(relationship.status != RelationshipStatus.CLOSED, "__all__", RELATIONSHIP_CLOSED)
    _require(relationship.status == RelationshipStatus.ACTIVE, "__all__", RELATIONSHIP_NOT_ACTIVE)
    officer = relationship.officer
    met_on = local_day(met_at, officer.agency.time_zone)
    _require(met_on >= relationship.started_on, "met_at", MEETING_BEFORE_START)
    with transaction.atomic():
        recorded = interaction_record(
            actor=actor,
            officer=officer,
            school=relationship.school,
            kind=Kind.MENTORING,
            occurred_at=met_at,
            client_uuid=uuid_module.uuid4(),
            duration_minutes=duration_minutes,
            student_count=1,
            setting=setting,
        )
        meeting = MentoringMeeting(
            relationship=relationship,
            agency_id=relationship.agency_id,
            met_at=met_at,
            met_on=met_on,
            duration_minutes=duration_minutes,
            setting=setting,
            topic=topic,
            interaction=recorded.interaction,
        )
        return _create(meeting, actor=actor, agency_id=relationship.agency_id)


def meeting_remove(*, actor: Any, meeting: MentoringMeeting, reason: str) -> MentoringMeeting:
    """A meeting recorded by mistake: kept, marked void, and its contact voided."""
    _require(not meeting.voided, "__all__", MEETING_ALREADY_REMOVED)
    _require(bool(reason.strip()), "reason", REASON_REQUIRED)
    with transaction.atomic():
        _void_contact(actor, meeting.interaction, f"Mentoring meeting removed: {reason.strip()}")
        return _update(meeting, actor=actor, changes={"voided": True}, agency_id=meeting.agency_id)


def mentee_read_audit(*, actor: Any, relationships: Iterable[MentoringRelationship], through: str) -> None:
    """Every read of mentee keys is logged, one entry per agency whose relationships were read."""
    by_agency: dict[int, list[str]] = {}
    for relationship in relationships:
        by_agency.setdefault(relationship.agency_id, []).append(str(relationship.uuid))
    for agency_id, uuids in sorted(by_agency.items()):
        audit_record(
            actor=actor,
            action="read",
            object_type="programs.mentoringrelationship",
            summary=f"Read {len(uuids)} mentoring relationship(s) through {through}",
            after={"uuids": uuids},
            agency_id=agency_id,
        )


# --- the safeguard between mentoring and enforcement --------------------------------------------------


def mentee_enforcement_check(*, interaction: Interaction, student_key: str) -> list[MenteeEnforcementNotice]:
    """Called by the interactions service after an enforcement action with a student key is recorded:
    if the officer mentors that student, the supervisor is told. The action itself is never refused."""
    if not student_key:
        return []
    relationships = MentoringRelationship.objects.filter(
        officer_id=interaction.officer_id, student_key=student_key
    ).exclude(status=RelationshipStatus.CLOSED)
    notices = []
    for relationship in relationships:
        notice, created = MenteeEnforcementNotice.objects.get_or_create(
            interaction=interaction,
            relationship=relationship,
            defaults={"agency_id": interaction.agency_id, "officer_id": interaction.officer_id},
        )
        if created:
            audit_record(
                actor=None,
                action="create",
                obj=notice,
                summary="Enforcement action on a student the officer mentors: supervisor notified",
                agency_id=interaction.agency_id,
            )
        notices.append(notice)
    return notices


def notice_acknowledge(*, actor: Any, notice: MenteeEnforcementNotice, note: str = "") -> MenteeEnforcementNotice:
    _require(notice.acknowledged_at is None, "__all__", ALREADY_ACKNOWLEDGED)
    _problems("note", note)
    changes = {"acknowledged_by": actor, "acknowledged_at": timezone.now(), "acknowledgement": note.strip()}
    return _update(notice, actor=actor, changes=changes, agency_id=notice.agency_id)


# --- school calendars --------------------------------------------------------------------------------


def school_calendar_set(
    *,
    actor: Any,
    district: District,
    school_year: str,
    first_day: datetime.date,
    last_day: datetime.date,
    breaks: Iterable[tuple[str, datetime.date, datetime.date]] = (),
    school: School | None = None,
) -> SchoolCalendar:
    """The district's calendar for a school year (or one school's own), replacing its breaks."""
    _require(school is None or school.district_id == district.pk, "school", SCHOOL_OF_ANOTHER_DISTRICT)
    breaks = list(breaks)
    for _name, start, end in breaks:
        _require(first_day <= start <= end <= last_day, "breaks", BREAK_OUTSIDE_YEAR)
    with transaction.atomic():
        calendar = SchoolCalendar.objects.filter(district=district, school=school, school_year=school_year).first()
        if calendar is None:
            calendar = SchoolCalendar(district=district, school=school, school_year=school_year)
            calendar.first_day, calendar.last_day = first_day, last_day
            record_create(calendar, actor=actor, district_id=district.pk)
        else:
            changes = {"first_day": first_day, "last_day": last_day}
            record_update(calendar, actor=actor, changes=changes, district_id=district.pk)
        calendar.breaks.all().delete()
        for name, start, end in breaks:
            piece = CalendarBreak(calendar=calendar, name=name, first_day=start, last_day=end)
            piece.full_clean()
            piece.save()
    return calendar


# --- liaison meetings ----------------------------------------------------------------------------------


def _check_roles(roles: list[str]) -> list[str]:
    for role in roles:
        _require(role in AttendeeRole.values, "attendee_roles", UNKNOWN_ATTENDEE_ROLE.format(role=role))
    return sorted(set(roles), key=AttendeeRole.values.index)


def liaison_meeting_schedule(
    *,
    actor: Any,
    agency: Agency,
    school: School,
    kind: str,
    starts_at: datetime.datetime,
    officer: Officer | None = None,
    attendee_roles: list[str] | None = None,
    notes: str = "",
    attendee_count: int | None = None,
) -> LiaisonMeeting:
    if officer is not None:
        _served(officer, school)
    _problems("notes", notes)
    meeting = LiaisonMeeting(
        agency=agency,
        district_id=school.district_id,
        school=school,
        officer=officer,
        kind=kind,
        starts_at=starts_at,
        starts_on=local_day(starts_at, agency.time_zone),
        attendee_roles=_check_roles(attendee_roles or []),
        attendee_count=attendee_count,
        notes=notes.strip(),
        created_by=actor,
    )
    return _create(meeting, actor=actor, agency_id=agency.pk, district_id=school.district_id)


def liaison_meeting_held(
    *,
    actor: Any,
    meeting: LiaisonMeeting,
    attendee_roles: list[str],
    notes: str = "",
    attendee_count: int | None = None,
) -> LiaisonMeeting:
    _require(meeting.status == LiaisonMeetingStatus.SCHEDULED, "__all__", ONLY_SCHEDULED_MEETING)
    _require(meeting.starts_at <= timezone.now(), "__all__", HELD_IN_FUTURE)
    _problems("notes", notes)
    changes = {
        "status": LiaisonMeetingStatus.HELD,
        "attendee_roles": _check_roles(attendee_roles),
        "notes": notes.strip(),
        "attendee_count": attendee_count,
    }
    return _update(meeting, actor=actor, changes=changes, agency_id=meeting.agency_id)


def liaison_meeting_cancel(*, actor: Any, meeting: LiaisonMeeting, reason: str) -> LiaisonMeeting:
    _require(meeting.status == LiaisonMeetingStatus.SCHEDULED, "__all__", ONLY_SCHEDULED_MEETING)
    _require(bool(reason.strip()), "reason", REASON_REQUIRED)
    _problems("reason", reason)
    notes = f"Cancelled: {reason.strip()}" + (f"\n{meeting.notes}" if meeting.notes else "")
    changes = {"status": LiaisonMeetingStatus.CANCELLED, "notes": notes[:1000]}
    return _update(meeting, actor=actor, changes=changes, agency_id=meeting.agency_id)
