"""The insights app's background tasks (django-tasks; `manage.py worker` runs the database queue)."""

from __future__ import annotations

from django_tasks import task

from . import report
from .models import ProgramReport


@task()
def program_report_build(report_uuid: str) -> str:
    """Build one requested annual program report; returns its final status."""
    found = ProgramReport.objects.select_related("agency", "district", "school").get(uuid=report_uuid)
    return report.report_build(found).status


def program_report_enqueue(found: ProgramReport) -> None:
    program_report_build.enqueue(str(found.uuid))
