"""The OneRoster upload page and the status page it leads to, which polls a partial with htmx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import tasks
from .choices import ENROLLMENT_SUBGROUPS, Grade
from .forms_import import RosterUploadForm
from .roster_imports import (
    NOT_AN_IMPORTER,
    roster_import_allowed,
    roster_import_confirm,
    roster_import_create,
    roster_import_discard,
    roster_import_get_for_user,
    roster_imports_visible_to,
)

if TYPE_CHECKING:
    from .models import RosterImport

RECENT_IMPORTS = 10
POLL_SECONDS = 2


@login_required
def import_oneroster(request: HttpRequest) -> HttpResponse:
    if not roster_import_allowed(request.user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    form = RosterUploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roster_import = roster_import_create(
            actor=request.user, upload=data["file"], school_year=data["school_year"], district=data["district"]
        )
        tasks.roster_import_enqueue(roster_import)
        return redirect("directory:import_status", uuid=roster_import.uuid)
    recent = roster_imports_visible_to(request.user).select_related("district", "uploaded_by")[:RECENT_IMPORTS]
    return render(request, "directory/import_oneroster.html", {"form": form, "recent": recent})


@login_required
def import_status(request: HttpRequest, uuid: UUID) -> HttpResponse:
    roster_import = roster_import_get_for_user(request.user, uuid)
    return render(request, "directory/import_status.html", _status_context(roster_import))


@login_required
def import_status_partial(request: HttpRequest, uuid: UUID) -> HttpResponse:
    roster_import = roster_import_get_for_user(request.user, uuid)
    return render(request, "directory/partials/import_status.html", _status_context(roster_import))


@login_required
@require_POST
def import_confirm(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The confirm step: apply the changes the status page shows (the import runs again), or discard."""
    roster_import = roster_import_get_for_user(request.user, uuid)
    try:
        if request.POST.get("decision") == "apply":
            roster_import = roster_import_confirm(actor=request.user, roster_import=roster_import)
            tasks.roster_import_enqueue(roster_import)
        else:
            roster_import_discard(actor=request.user, roster_import=roster_import)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:import_status", uuid=roster_import.uuid)


def _status_context(roster_import: RosterImport) -> dict[str, Any]:
    summary = roster_import.summary or {}
    not_collected = set(summary.get("not_collected", []))
    columns = [(name, label) for name, label in ENROLLMENT_SUBGROUPS if name not in not_collected]
    return {
        "roster_import": roster_import,
        "poll_seconds": POLL_SECONDS,
        "columns": [label for _, label in columns],
        "school_rows": [_school_row(row, columns) for row in summary.get("per_school", [])],
        "not_collected": [label for name, label in ENROLLMENT_SUBGROUPS if name in not_collected],
        "error_count": len(roster_import.errors) + roster_import.errors_not_shown,
    }


def _school_row(row: dict[str, Any], columns: list[tuple[str, str]]) -> dict[str, Any]:
    grades = f"{Grade(row['lowest_grade']).label}–{Grade(row['highest_grade']).label}"
    return {**row, "grades": grades, "cells": [row["counts"].get(name) for name, _ in columns]}
