"""The directory's background tasks (django-tasks; `manage.py worker` runs the database queue)."""

from __future__ import annotations

from django_tasks import task

from . import roster_imports
from .models import RosterImport

COULD_NOT_QUEUE = "The import could not be queued; nothing was changed. Please try again."


@task()
def roster_import_process(roster_import_uuid: str) -> str:
    """Run one uploaded OneRoster import; returns its final status (no student data in task results)."""
    roster_import = RosterImport.objects.get(uuid=roster_import_uuid)
    return roster_imports.roster_import_execute(roster_import).status


def roster_import_enqueue(roster_import: RosterImport) -> None:
    try:
        roster_import_process.enqueue(str(roster_import.uuid))
    except Exception:
        roster_imports.roster_import_abandon(roster_import, COULD_NOT_QUEUE)
        raise
