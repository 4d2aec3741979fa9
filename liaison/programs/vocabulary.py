"""The programs' own short lists: session and relationship states, meeting topics, liaison meeting kinds."""

from __future__ import annotations

from django.db import models


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class RelationshipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class MeetingTopic(models.TextChoices):
    SCHOOL_ENGAGEMENT = "school_engagement", "School engagement"
    CONFLICT = "conflict", "Conflict"
    FAMILY = "family", "Family"
    CAREER = "career", "Career"
    OTHER = "other", "Other"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Signed form"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"


class LiaisonMeetingKind(models.TextChoices):
    MOU_CHECK_IN = "mou_check_in", "MOU check-in with school administration"
    ADMIN_MEETING = "admin_meeting", "Meeting with school administration"
    FAMILY_EVENT = "family_event", "Family engagement event"


class LiaisonMeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class AttendeeRole(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "SRO supervisor"
    CHIEF = "chief", "Chief or sheriff"
    PRINCIPAL = "principal", "Principal"
    ASSISTANT_PRINCIPAL = "assistant_principal", "Assistant principal"
    COUNSELOR = "counselor", "Counselor"
    TEACHER = "teacher", "Teacher"
    DISTRICT_STAFF = "district_staff", "District staff"
    PARENT = "parent", "Parents or guardians"
    STUDENT = "student", "Students"
    COMMUNITY = "community", "Community members"


class FeedbackRating(models.IntegerChoices):
    POOR = 1, "1 – Poor"
    FAIR = 2, "2 – Fair"
    GOOD = 3, "3 – Good"
    VERY_GOOD = 4, "4 – Very good"
    EXCELLENT = 5, "5 – Excellent"
