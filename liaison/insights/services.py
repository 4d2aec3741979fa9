"""Writes to insights: what a school reported for the CRDC (all else here is read-only analysis)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from liaison.accounts.records import record_create, record_update
from liaison.directory.models import School

from .models import SchoolReportedCount

REPORTED_FIELDS = ("referral_instances", "arrest_instances", "source")


def school_reported_set(*, actor: Any, school: School, school_year: str, **values: Any) -> SchoolReportedCount:
    """Create or replace the school's reported counts for the year; audited in the district's log."""
    changes = {name: values[name] for name in REPORTED_FIELDS if name in values}
    with transaction.atomic():
        found = SchoolReportedCount.objects.select_for_update().filter(school=school, school_year=school_year).first()
        if found is None:
            reported = SchoolReportedCount(
                district_id=school.district_id, school=school, school_year=school_year, **changes
            )
            return record_create(reported, actor=actor, district_id=school.district_id)
        return record_update(found, actor=actor, changes=changes, district_id=school.district_id)
