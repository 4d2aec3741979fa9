"""Directory pages (placeholder bodies; replaced by the full pages)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from . import access


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("agencies")


@login_required
def agency_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return HttpResponse(access.agency_get_for_user(request.user, uuid).name)


@login_required
def district_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return HttpResponse(access.district_get_for_user(request.user, uuid).name)


@login_required
def school_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return HttpResponse(access.school_get_for_user(request.user, uuid).name)


@login_required
def officer_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return HttpResponse(access.officer_get_for_user(request.user, uuid).display_name)


@login_required
def import_oneroster(request: HttpRequest) -> HttpResponse:
    return HttpResponse("import")
