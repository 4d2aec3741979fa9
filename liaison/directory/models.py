"""The program's structure: agencies, districts, schools, officers and who is assigned where."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from liaison.lib.states import STATE_CHOICES, STATE_FIPS

from . import validators

ORI_STATE_MISMATCH = "The ORI must start with the agency's state code ({state})."
NCES_DISTRICT_STATE_MISMATCH = "The NCES district id must start with the state's FIPS code ({fips})."
NCES_SCHOOL_DISTRICT_MISMATCH = "The NCES school id must start with the district's NCES id ({district})."
GRADES_OUT_OF_ORDER = "The lowest grade cannot be above the highest grade."
ASSIGNMENT_ENDS_BEFORE_START = "An assignment cannot end before it starts."
PARTNERSHIP_ENDS_BEFORE_START = "A partnership cannot end before it starts."
# Dates a program's records can sensibly carry: a typo (year 0001, 9999) is refused, not stored.
EARLIEST_DATE = datetime.date(1950, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_OUT_OF_RANGE = f"Give a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
SUBGROUP_ABOVE_TOTAL = "This count cannot be larger than the total enrollment."


class Grade(models.IntegerChoices):
    PK = -1, "Pre-K"
    KG = 0, "K"
    G1 = 1, "1"
    G2 = 2, "2"
    G3 = 3, "3"
    G4 = 4, "4"
    G5 = 5, "5"
    G6 = 6, "6"
    G7 = 7, "7"
    G8 = 8, "8"
    G9 = 9, "9"
    G10 = 10, "10"
    G11 = 11, "11"
    G12 = 12, "12"


# Choice classes carry distinct names: the OpenAPI document names each enum after its class.
class AgencyKind(models.TextChoices):
    MUNICIPAL = "municipal_police", "Municipal police department"
    SHERIFF = "county_sheriff", "County sheriff's office"
    SCHOOL_DISTRICT = "school_district_police", "School district police department"
    STATE = "state_police", "State police"
    OTHER = "other", "Other"


class SchoolLevel(models.TextChoices):
    ELEMENTARY = "elementary", "Elementary"
    MIDDLE = "middle", "Middle"
    HIGH = "high", "High"
    K12 = "k12", "K–12"
    OTHER = "other", "Other"


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_LEAVE = "on_leave", "On leave"
    INACTIVE = "inactive", "Inactive"


class Agency(models.Model):
    Kind = AgencyKind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    ori = models.CharField("FBI ORI", max_length=9, unique=True, validators=[validators.validate_ori])
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validators.validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ori and self.state and not self.ori.startswith(self.state):
            raise ValidationError({"ori": ORI_STATE_MISMATCH.format(state=self.state)})


class District(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    nces_id = models.CharField(
        "NCES district id", max_length=7, unique=True, validators=[validators.validate_nces_district_id]
    )
    # The OneRoster sourcedId of the district's org, so re-imports update rather than duplicate.
    sourced_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        fips = STATE_FIPS.get(self.state)
        if self.nces_id and fips and not self.nces_id.startswith(fips):
            raise ValidationError({"nces_id": NCES_DISTRICT_STATE_MISMATCH.format(fips=fips)})


class School(models.Model):
    Level = SchoolLevel

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    nces_id = models.CharField(
        "NCES school id", max_length=12, unique=True, validators=[validators.validate_nces_school_id]
    )
    level = models.CharField(max_length=16, choices=Level.choices)
    lowest_grade = models.SmallIntegerField(choices=Grade.choices)
    highest_grade = models.SmallIntegerField(choices=Grade.choices)
    address = models.CharField(max_length=300, blank=True, default="")
    sourced_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(lowest_grade__lte=F("highest_grade")), name="school_grades_in_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.lowest_grade is not None and self.highest_grade is not None:
            if self.lowest_grade > self.highest_grade:
                errors["highest_grade"] = GRADES_OUT_OF_ORDER
        if self.nces_id and self.district_id:
            district_nces = self.district.nces_id
            if not self.nces_id.startswith(district_nces):
                errors["nces_id"] = NCES_SCHOOL_DISTRICT_MISMATCH.format(district=district_nces)
        if errors:
            raise ValidationError(errors)


LOCAL_CODE_OTHER_DISTRICT = "The school must be one of the district's own."


class SchoolLocalCode(models.Model):
    """A district's own code for one of its schools, as its SIS writes it in OneRoster's `identifier`.

    The OneRoster import matches a school whose identifier is not an NCES id through these, within
    the school's district only: another district may use the same code for another school.
    """

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="local_codes")
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="local_code")
    code = models.CharField(max_length=64, validators=[validators.validate_local_school_code])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="school_local_code_unique_in_district"),
            models.CheckConstraint(condition=~Q(code=""), name="school_local_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.school_id}"

    def clean(self) -> None:
        if self.school_id and self.district_id and self.school.district_id != self.district_id:
            raise ValidationError({"school": LOCAL_CODE_OTHER_DISTRICT})


# The subgroup counts every rate is divided by (CRDC categories). Null = not collected.
ENROLLMENT_SUBGROUPS: tuple[tuple[str, str], ...] = (
    ("hispanic_latino", "Hispanic or Latino"),
    ("american_indian_alaska_native", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("native_hawaiian_pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("black", "Black or African American"),
    ("white", "White"),
    ("two_or_more_races", "Two or more races"),
    ("male", "Male"),
    ("female", "Female"),
    ("nonbinary", "Nonbinary"),
    ("disability_idea", "Students with disabilities (IDEA)"),
    ("disability_504_only", "Section 504 only"),
    ("english_learner", "English learners"),
)
ENROLLMENT_FIELDS = tuple(name for name, _ in ENROLLMENT_SUBGROUPS)


def _subgroup_field(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True)


class Enrollment(models.Model):
    """Counts of students per school and school year: aggregates only, never a student row."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrollments")
    school_year = models.CharField(max_length=9, validators=[validators.validate_school_year])
    total = models.PositiveIntegerField()
    hispanic_latino = _subgroup_field("Hispanic or Latino")
    american_indian_alaska_native = _subgroup_field("American Indian or Alaska Native")
    asian = _subgroup_field("Asian")
    native_hawaiian_pacific_islander = _subgroup_field("Native Hawaiian or Other Pacific Islander")
    black = _subgroup_field("Black or African American")
    white = _subgroup_field("White")
    two_or_more_races = _subgroup_field("Two or more races")
    male = _subgroup_field("Male")
    female = _subgroup_field("Female")
    nonbinary = _subgroup_field("Nonbinary")
    disability_idea = _subgroup_field("Students with disabilities (IDEA)")
    disability_504_only = _subgroup_field("Section 504 only")
    english_learner = _subgroup_field("English learners")
    source = models.CharField(max_length=32, default="manual")  # manual | oneroster
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school__name", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="enrollment_one_per_school_year"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": F("total")}),
                    name=f"enrollment_{name}_within_total",
                )
                for name in ENROLLMENT_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year}"

    def clean(self) -> None:
        if self.total is None:
            return
        errors = {
            name: SUBGROUP_ABOVE_TOTAL
            for name in ENROLLMENT_FIELDS
            if getattr(self, name) is not None and getattr(self, name) > self.total
        }
        if errors:
            raise ValidationError(errors)


def _dates_in_range(obj: Any) -> None:
    wrong = {
        name: DATE_OUT_OF_RANGE
        for name in ("start_date", "end_date")
        if (value := getattr(obj, name)) is not None and not EARLIEST_DATE <= value <= LATEST_DATE
    }
    if wrong:
        raise ValidationError(wrong)


class Partnership(models.Model):
    """An agency serving a district's schools."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="partnerships")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="partnerships")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "district__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "district"], name="partnership_one_per_pair"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="partnership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ↔ {self.district}"

    def clean(self) -> None:
        _dates_in_range(self)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": PARTNERSHIP_ENDS_BEFORE_START})


class Officer(models.Model):
    Status = OfficerStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    badge_number = models.CharField(max_length=32)
    rank = models.CharField(max_length=64, blank=True, default="")
    languages = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "badge_number"], name="officer_badge_unique_in_agency"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name()
        return f"{self.rank} {full}".strip() if full else self.user.username


class TrainingCourse(models.TextChoices):
    BASIC_SRO = "basic_sro", "Basic SRO course"
    ADVANCED_SRO = "advanced_sro", "Advanced SRO course"
    CRISIS_INTERVENTION = "crisis_intervention", "Crisis intervention"
    DE_ESCALATION = "de_escalation", "De-escalation"
    ADOLESCENT_DEVELOPMENT = "adolescent_development", "Adolescent development"
    IMPLICIT_BIAS = "implicit_bias", "Implicit bias"
    SPECIAL_EDUCATION = "special_education", "Students with disabilities"
    OTHER = "other", "Other"


class TrainingRequirement(models.Model):
    """A course an agency requires before an officer is assigned to a school."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="training_requirements")
    course = models.CharField(max_length=32, choices=TrainingCourse.choices)
    minimum_hours = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "course"], name="training_requirement_once_per_course"),
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()} ({self.minimum_hours} h)"


class TrainingRecord(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="training_records")
    course = models.CharField(max_length=32, choices=TrainingCourse.choices)
    title = models.CharField(max_length=200, blank=True, default="")
    provider = models.CharField(max_length=200, blank=True, default="")
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(999)]
    )
    completed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()}, {self.hours} h, {self.completed_on}"


class Assignment(models.Model):
    """An officer's assignment to a school. History is kept: ending sets end_date."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    share_of_time = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent of the officer's time at this school.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(share_of_time__gte=1) & Q(share_of_time__lte=100),
                name="assignment_share_is_a_percent",
            ),
        ]
        indexes = [models.Index(fields=["school", "start_date"]), models.Index(fields=["officer", "start_date"])]

    def __str__(self) -> str:
        return f"{self.officer} at {self.school} from {self.start_date}"

    def clean(self) -> None:
        _dates_in_range(self)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": ASSIGNMENT_ENDS_BEFORE_START})


class RosterImport(models.Model):
    """One OneRoster upload and its outcome. The uploaded file is deleted once the import finishes."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        # Read without errors, but it would rename schools, change grade spans or lose known counts:
        # the upload is kept until someone confirms (it runs again, applying them) or discards it.
        CONFIRM = "confirm", "Needs confirming"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The import may touch only this district's orgs; empty means any district (platform admins).
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_year = models.CharField(max_length=9, validators=[validators.validate_school_year])
    original_name = models.CharField(max_length=255, blank=True, default="")
    # Relative to MEDIA_ROOT while the upload waits or runs; emptied when the file is deleted.
    upload_path = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=64, blank=True, default="")
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    errors_not_shown = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with progress while it runs: a running import whose heartbeat stops lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The differences (reasons, as shown) someone confirmed: a confirmed run applies these, and asks
    # again if the stored data changed meanwhile so that it would make others.
    confirmed_changes = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "confirm", "succeeded", "failed"]),
                name="roster_import_status_known",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="roster_import_progress_within_total"
            ),
        ]
        indexes = [models.Index(fields=["district", "created_at"])]

    def __str__(self) -> str:
        return f"OneRoster import {self.school_year} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
