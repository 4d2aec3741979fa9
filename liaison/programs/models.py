"""Curricula and the sessions officers teach, mentoring relationships and their meetings, school
calendars (which define school weeks), liaison meetings, and the notices that keep mentoring and
enforcement apart."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from liaison.directory.models import Grade
from liaison.directory.validators import validate_school_year
from liaison.interactions.vocabulary import Setting, StaffRole

from .vocabulary import (
    ConsentMethod,
    FeedbackRating,
    LiaisonMeetingKind,
    LiaisonMeetingStatus,
    MeetingTopic,
    RelationshipStatus,
    SessionStatus,
)

TEXT_MAX_LENGTH = 1000


def new_token() -> str:
    """An unguessable URL token (256 bits)."""
    return secrets.token_urlsafe(32)


class Curriculum(models.Model):
    """A course an agency's officers teach (internet safety, conflict resolution, …)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="curricula")
    title = models.CharField(max_length=200)
    topics = models.CharField(max_length=300, blank=True, default="", help_text="Comma-separated.")
    lowest_grade = models.SmallIntegerField(choices=Grade.choices)
    highest_grade = models.SmallIntegerField(choices=Grade.choices)
    lesson_count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    materials_url = models.URLField(blank=True, default="")
    objectives = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "curricula"
        constraints = [
            models.UniqueConstraint(fields=["agency", "title"], name="curriculum_title_unique_in_agency"),
            models.CheckConstraint(
                condition=Q(lowest_grade__lte=F("highest_grade")), name="curriculum_grades_in_order"
            ),
            models.CheckConstraint(condition=Q(lesson_count__gte=1), name="curriculum_has_lessons"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]


class Session(models.Model):
    """One class an officer teaches at a school: scheduled, then delivered or cancelled.

    A delivered session is also a classroom-instruction contact (`interaction`), recorded once
    through the interactions service; undelivering or cancelling voids that contact.
    """

    Status = SessionStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("directory.School", on_delete=models.PROTECT, related_name="program_sessions")
    officer = models.ForeignKey("directory.Officer", on_delete=models.PROTECT, related_name="program_sessions")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.PROTECT, related_name="sessions")
    lesson_number = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    starts_at = models.DateTimeField()
    # The local school day (agency time zone), so calendars group on a plain column.
    starts_on = models.DateField()
    planned_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(480)])
    class_name = models.CharField("class or grade", max_length=100)
    grade = models.SmallIntegerField(choices=Grade.choices, null=True, blank=True)
    co_teacher_role = models.CharField(
        "co-teaching staff member's role", max_length=16, choices=StaffRole.choices, blank=True, default=""
    )
    expected_students = models.PositiveSmallIntegerField(validators=[MaxValueValidator(2000)])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    attendance = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(2000)])
    delivered_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    reflection = models.CharField(max_length=500, blank=True, default="")
    cancel_reason = models.CharField(max_length=300, blank=True, default="")
    interaction = models.OneToOneField(
        "interactions.Interaction", null=True, blank=True, on_delete=models.PROTECT, related_name="program_session"
    )
    feedback_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="session_status_known"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | (Q(attendance__isnull=False) & Q(delivered_minutes__isnull=False)),
                name="session_delivered_has_attendance",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="session_cancelled_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "starts_on"]),
            models.Index(fields=["school", "starts_on"]),
            models.Index(fields=["officer", "starts_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.curriculum} at {self.school} on {self.starts_on}"


class TeacherFeedback(models.Model):
    """What the teacher thought of a session, left through the session's link without signing in.
    One per session; the link edits it."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="feedback")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=FeedbackRating.choices)
    comment = models.CharField(max_length=1000, blank=True, default="")
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.rating}/5 on {self.session_id}"


class CalendarFeed(models.Model):
    """The secret address of one officer's or one school's iCalendar feed. Replacing the token
    revokes every subscription made with the old one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    officer = models.OneToOneField(
        "directory.Officer", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    school = models.OneToOneField(
        "directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(school__isnull=True))
                | (Q(officer__isnull=True) & Q(school__isnull=False)),
                name="calendar_feed_officer_or_school",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed for {self.officer_id or self.school_id}"


class MentoringRelationship(models.Model):
    """An officer mentoring one student, known only by the district's pseudonymous key.

    Kept apart from enforcement records (FERPA): no enforcement page or export reads this table.
    """

    Status = RelationshipStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("directory.School", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey("directory.Officer", on_delete=models.PROTECT, related_name="mentoring")
    # HMAC of the district's student id (liaison/lib/pseudonyms.py); never the id, never a name.
    student_key = models.CharField(max_length=64, db_index=True)
    started_on = models.DateField()
    goals = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True, default="")
    co_contact_name = models.CharField("school staff co-contact", max_length=120)
    co_contact_role = models.CharField("co-contact's role", max_length=16, choices=StaffRole.choices)
    consent_on = models.DateField("consent date")
    school_consent_by = models.CharField("agreed for the school by", max_length=120)
    guardian_consent_method = models.CharField("parent/guardian agreed", max_length=16, choices=ConsentMethod.choices)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True, default="")
    status_changed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RelationshipStatus.values), name="mentoring_status_known"),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(status_reason=""), name="mentoring_paused_or_closed_has_reason"
            ),
            models.CheckConstraint(condition=~Q(co_contact_name=""), name="mentoring_has_co_contact"),
            models.CheckConstraint(condition=Q(consent_on__lte=F("started_on")), name="mentoring_consent_before_start"),
            models.UniqueConstraint(
                fields=["officer", "student_key"],
                condition=~Q(status="closed"),
                name="mentoring_one_open_per_officer_and_student",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"Mentoring by {self.officer_id} since {self.started_on}"

    @property
    def short_key(self) -> str:
        return self.student_key[:8]


class MentoringMeeting(models.Model):
    """One mentoring meeting; also a mentoring contact (`interaction`) in the officer's record."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    relationship = models.ForeignKey(MentoringRelationship, on_delete=models.PROTECT, related_name="meetings")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    met_at = models.DateTimeField()
    met_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(480)])
    setting = models.CharField(max_length=24, choices=Setting.choices)
    topic = models.CharField(max_length=24, choices=MeetingTopic.choices)
    interaction = models.OneToOneField(
        "interactions.Interaction", on_delete=models.PROTECT, related_name="mentoring_meeting"
    )
    voided = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(topic__in=MeetingTopic.values), name="mentoring_meeting_topic_known"),
        ]
        indexes = [models.Index(fields=["relationship", "met_on"])]

    def __str__(self) -> str:
        return f"Mentoring meeting on {self.met_on}"


class MenteeEnforcementNotice(models.Model):
    """An enforcement action recorded with the key of a student the officer mentors: the supervisor
    is told. The notice names the two records, never the key itself."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey("directory.Officer", on_delete=models.PROTECT, related_name="+")
    interaction = models.ForeignKey("interactions.Interaction", on_delete=models.PROTECT, related_name="+")
    relationship = models.ForeignKey(MentoringRelationship, on_delete=models.PROTECT, related_name="notices")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "relationship"], name="notice_once_per_action"),
        ]

    def __str__(self) -> str:
        return f"Enforcement on a mentee of {self.officer_id}"


class SchoolCalendar(models.Model):
    """A district's school year (or one school's own, which overrides the district's): its first and
    last day and its breaks define the school days and school weeks presence is measured on."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("directory.District", on_delete=models.CASCADE, related_name="calendars")
    school = models.ForeignKey(
        "directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="calendars"
    )
    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["-school_year", "school_id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_day__lte=F("last_day")), name="calendar_days_in_order"),
            models.UniqueConstraint(
                fields=["district", "school_year"], condition=Q(school__isnull=True), name="calendar_one_per_district"
            ),
            models.UniqueConstraint(
                fields=["school", "school_year"], condition=Q(school__isnull=False), name="calendar_one_per_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} calendar of {self.school_id or self.district_id}"


class CalendarBreak(models.Model):
    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="breaks")
    name = models.CharField(max_length=100)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(first_day__lte=F("last_day")), name="break_days_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.first_day}–{self.last_day}"


class LiaisonMeeting(models.Model):
    """A meeting between the police side and the school side (an MOU check-in with the principal, a
    family engagement event), with who attended by role, and notes."""

    Kind = LiaisonMeetingKind
    Status = LiaisonMeetingStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("directory.School", on_delete=models.PROTECT, related_name="liaison_meetings")
    officer = models.ForeignKey(
        "directory.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="liaison_meetings"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    starts_at = models.DateTimeField()
    starts_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    attendee_roles = models.JSONField(default=list, blank=True)
    attendee_count = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(5000)])
    notes = models.CharField(max_length=TEXT_MAX_LENGTH, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LiaisonMeetingKind.values), name="liaison_meeting_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=LiaisonMeetingStatus.values), name="liaison_meeting_status_known"
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_on"]), models.Index(fields=["agency", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.school_id} on {self.starts_on}"
