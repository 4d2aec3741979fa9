"""The insights app's background tasks (django-tasks; `manage.py worker` runs the database queue)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from liaison.accounts.models import User

from . import report
from .models import ProgramReport, PublicOutcomes
from .public_outcomes import public_outcomes_publish_checked


@task()
def program_report_build(report_uuid: str) -> str:
    """Build one requested annual program report; returns its final status."""
    found = ProgramReport.objects.select_related("agency", "district", "school").get(uuid=report_uuid)
    return report.report_build(found).status


def program_report_enqueue(found: ProgramReport) -> None:
    program_report_build.enqueue(str(found.uuid))


@task()
def public_outcomes_check(outcomes_uuid: str, actor_id: int | None) -> bool:
    """Check a district's year beside the agencies' MOU figures and publish it, or keep the refusal; the
    district's public report of the year follows."""
    found = PublicOutcomes.objects.select_related("district").get(uuid=outcomes_uuid)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    published = public_outcomes_publish_checked(found=found, actor=actor, today=timezone.localdate())
    if published:
        report.public_report_refresh(
            actor=actor, district=found.district, school_year=found.school_year, enqueue=program_report_enqueue
        )
    return published


def public_outcomes_enqueue(found: PublicOutcomes, actor: Any) -> None:
    public_outcomes_check.enqueue(str(found.uuid), getattr(actor, "pk", None))
