"""What a school itself reported for the CRDC, entered by the district so the police side can be
compared with it (DOMAIN.md: districts have badly under-reported school-based arrests)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from liaison.directory.validators import validate_school_year


class SchoolReportedCount(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("directory.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("directory.School", on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    referral_instances = models.PositiveIntegerField(
        "Referrals to law enforcement (instances)", null=True, blank=True, help_text="Leave blank if not reported."
    )
    arrest_instances = models.PositiveIntegerField(
        "School-related arrests (instances)", null=True, blank=True, help_text="Leave blank if not reported."
    )
    source = models.CharField(
        max_length=200, blank=True, default="", help_text="Where the numbers come from, e.g. “CRDC 2025–26 submission”."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="school_reported_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year}: school-reported CRDC counts"


class FigureSnapshot(models.Model):
    """What a restricted audience is shown of one figure for one closed period: computed, audited
    by the disclosure engine and stored once, then served as it is (docs/disclosure.md). A figure
    that changed with each new record would let anyone who looks before and after learn that record."""

    figure = models.CharField(max_length=40)  # a name in liaison/insights/figures.py's registry
    scope = models.CharField(max_length=200)  # whose records, for whom: e.g. "district:<uuid>;agencies:3,7"
    period = models.CharField(max_length=9)  # a school year "2025-2026" or a month "2026-11"
    # The district whose records it counts; empty for a whole state's figures (scope "state:MA").
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["figure", "scope", "period"], name="figure_snapshot_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.figure} for {self.scope}, {self.period}"


class ProgramReport(models.Model):
    """One annual program report (docs/reports.md): an agency's, a district's or a school's school
    year, for one audience, built in the background and stored so it can be downloaded again as it
    was built."""

    class Audience(models.TextChoices):
        FULL = "full", "Program leaders"
        RESTRICTED = "restricted", "Evaluators (restricted figures)"
        PUBLIC = "public", "The public"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        BUILDING = "building", "Building"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A school's report, for its principal (every agency's records about the school, like the school's pages).
    school = models.ForeignKey("directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    audience = models.CharField(max_length=10, choices=Audience.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=120, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    html = models.TextField(blank=True, default="")  # the sections as built: the page shows them as they are
    pdf = models.BinaryField(blank=True, default=b"")
    error = models.CharField(max_length=300, blank=True, default="")
    seconds = models.FloatField(null=True, blank=True)
    published = models.BooleanField(default=False)  # public audience only: shown on the public page
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True, district__isnull=False, school__isnull=True)
                | models.Q(agency__isnull=False, district__isnull=True, school__isnull=True)
                | models.Q(agency__isnull=True, district__isnull=True, school__isnull=False),
                name="program_report_one_owner",
            ),
            models.UniqueConstraint(
                fields=["agency", "school_year", "audience"],
                condition=models.Q(agency__isnull=False),
                name="program_report_once_per_agency_year",
            ),
            models.UniqueConstraint(
                fields=["district", "school_year", "audience"],
                condition=models.Q(district__isnull=False),
                name="program_report_once_per_district_year",
            ),
            models.UniqueConstraint(
                fields=["school", "school_year", "audience"],
                condition=models.Q(school__isnull=False),
                name="program_report_once_per_school_year",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Program report {self.school_year}"

    @property
    def owner(self) -> Any:
        return self.agency or self.district or self.school

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PublicOutcomes(models.Model):
    """A district's or an agency's outcomes of a closed school year, published for the public by its
    admins: the stored release a district-wide evaluator (for a district) or an agency's evaluator
    (for an agency) gets, served as it is (liaison/insights/public_outcomes.py). Exactly one owner is
    set. Withdrawn, it is kept with `published` off."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school_year = models.CharField(max_length=9, validators=[validate_school_year])
    published = models.BooleanField(default=True)
    # Publishing is checked in the background (beside the other public figures of the same records: a
    # minute or more for a large district); while it runs, `checking`; when it refuses, why.
    checking = models.BooleanField(default=False)
    refusal = models.CharField(max_length=300, blank=True, default="")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(district__isnull=False, agency__isnull=True)
                | models.Q(district__isnull=True, agency__isnull=False),
                name="public_outcomes_one_owner",
            ),
            models.UniqueConstraint(fields=["district", "school_year"], name="public_outcomes_once_per_district_year"),
            models.UniqueConstraint(
                fields=["agency", "school_year"],
                condition=models.Q(agency__isnull=False),
                name="public_outcomes_once_per_agency_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner}: outcomes {self.school_year} (public)"

    @property
    def owner(self) -> Any:
        return self.district or self.agency
