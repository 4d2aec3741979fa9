"""The interactions app's background tasks (django-tasks; `manage.py worker` runs the database queue)."""

from __future__ import annotations

from django_tasks import task

from . import imports
from .models import InteractionImport


@task()
def interaction_import_process(import_uuid: str) -> str:
    """Run one uploaded contacts import; returns its final status (no student data in task results)."""
    job = InteractionImport.objects.select_related("agency", "uploaded_by").get(uuid=import_uuid)
    return imports.interaction_import_execute(job).status


def interaction_import_enqueue(job: InteractionImport) -> None:
    try:
        interaction_import_process.enqueue(str(job.uuid))
    except Exception:
        imports.interaction_import_abandon(job, imports.COULD_NOT_QUEUE)
        raise
