"""The insights app's background tasks (django-tasks; `manage.py worker` runs the database queue)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from liaison.accounts.models import User

from . import report
from .models import ProgramReport, PublicOutcomes
from .outcomes_access import outcomes_access_for
from .outcomes_release import release_pending, restricted_outcomes_body
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
    """Check a district's or an agency's year beside what the public already reads of the same records
    and publish it, or keep the refusal; its public report of the year follows."""
    found = PublicOutcomes.objects.select_related("district", "agency").get(uuid=outcomes_uuid)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    published = public_outcomes_publish_checked(found=found, actor=actor, today=timezone.localdate())
    if published:
        public_report_follow(actor=actor, owner=found.owner, school_year=found.school_year)
    return published


def public_outcomes_enqueue(found: PublicOutcomes, actor: Any) -> None:
    public_outcomes_check.enqueue(str(found.uuid), getattr(actor, "pk", None))


def public_report_follow(*, actor: Any, owner: Any, school_year: str) -> None:
    """Build the owner's public report of the year again, if there is one: its outcomes section follows
    the published outcomes (`report.public_report_refresh`)."""
    report.public_report_refresh(actor=actor, owner=owner, school_year=school_year, enqueue=program_report_enqueue)


@task()
def outcomes_release_prepare(level: str, uuid: str, user_id: int, school_year: str) -> None:
    """Build and store the releases an evaluator's outcomes page of a closed year reads, as their
    request would have (the same access, so the same scope)."""
    user = User.objects.get(pk=user_id)
    access = outcomes_access_for(user, level, uuid, school_year)
    try:
        restricted_outcomes_body(access, school_year, timezone.localdate())  # type: ignore[arg-type]
    finally:  # asked again if the release is ever missing again (rebuilt after a correction)
        cache.delete(_preparing_key(level, uuid, user_id, school_year))


PREPARING_FOR = 15 * 60  # seconds before the same request asks the worker again, should a run be lost


def _preparing_key(level: str, uuid: Any, user_id: int, school_year: str) -> str:
    return f"outcomes-prepare:{level}:{uuid}:{user_id}:{school_year}"


def outcomes_release_enqueue(level: str, uuid: Any, user: Any, school_year: str) -> None:
    """Ask the worker for the releases once (not again for each reload while it works)."""
    if cache.add(_preparing_key(level, str(uuid), user.pk, school_year), True, timeout=PREPARING_FOR):
        outcomes_release_prepare.enqueue(level, str(uuid), user.pk, school_year)


def outcomes_release_ready(level: str, uuid: Any, user: Any, access: Any, school_year: str) -> bool:
    """Whether an evaluator's outcomes of a closed year can be served now; if their release is not
    stored yet, the worker is asked for it (`outcomes_release_enqueue`) and the answer is no unless it
    ran at once. The page and the API both ask this."""
    if not release_pending(access, school_year):
        return True
    outcomes_release_enqueue(level, uuid, user, school_year)
    return not release_pending(access, school_year)
