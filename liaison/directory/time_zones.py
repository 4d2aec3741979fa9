"""One time zone per program: the agency's, for everyone who works in the program.

An agency keeps its IANA zone (Agency.time_zone); a district or school user works in the zone of the
agency that serves their district (the partnership), so a signature, a comment and a record made on the
same afternoon all read in the same local time. A district served by no agency yet falls back to
settings.TIME_ZONE. The zone is looked up once, at sign-in, and kept in the session, so pages pay no
query for it; a changed agency zone reaches a session at its next sign-in.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from liaison.accounts.scope import user_scope

from .models import Agency, School

SESSION_KEY = "program_time_zone"


def program_time_zone_name(user: Any) -> str | None:
    """The IANA name of the user's program zone: their agency's, or the agency serving their district or school."""
    scope = user_scope(user)
    agencies = Agency.objects.filter(pk__in=scope.any_agency_ids)
    if not scope.any_agency_ids:
        districts = set(scope.district_admin_ids) | set(
            School.objects.filter(pk__in=scope.school_admin_ids).values_list("district_id", flat=True)
        )
        agencies = Agency.objects.filter(partnerships__district_id__in=districts)
    return agencies.order_by("name").values_list("time_zone", flat=True).first()


def program_time_zone(user: Any) -> zoneinfo.ZoneInfo | None:
    name = program_time_zone_name(user)
    return zoneinfo.ZoneInfo(name) if name else None


@receiver(user_logged_in, dispatch_uid="program_time_zone")
def _remember_zone(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = program_time_zone_name(user) or ""


class ProgramTimeZoneMiddleware:
    """Pages render times in the signed-in user's program zone (template dates, `timezone.localdate()`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not name:
            return self.get_response(request)
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
