"""What a school itself reported for the CRDC, entered by the district so the police side can be
compared with it (DOMAIN.md: districts have badly under-reported school-based arrests)."""

from __future__ import annotations

import uuid

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
