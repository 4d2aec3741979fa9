"""The contacts upload page and the status page it leads to, which polls a partial with htmx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from . import rules, tasks
from .import_forms import ContactsUploadForm
from .import_rows import COLUMN_NOTES, COLUMNS, ENFORCEMENT_COLUMNS, REQUIRED_COLUMNS
from .imports import (
    NOT_AN_IMPORTER,
    interaction_import_allowed,
    interaction_import_create,
    interaction_import_get_for_user,
    interaction_imports_visible_to,
)
from .vocabulary import Kind

if TYPE_CHECKING:
    from .models import InteractionImport

RECENT_IMPORTS = 10
POLL_SECONDS = 2


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not interaction_import_allowed(request.user):
        raise PermissionDenied(NOT_AN_IMPORTER)
    form = ContactsUploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = interaction_import_create(
            actor=request.user, agency=form.cleaned_data["agency"], upload=form.cleaned_data["file"]
        )
        tasks.interaction_import_enqueue(job)
        return redirect("interactions:import_status", uuid=job.uuid)
    recent = interaction_imports_visible_to(request.user).select_related("agency", "uploaded_by")[:RECENT_IMPORTS]
    context = {"form": form, "recent": recent, "columns": _column_help()}
    return render(request, "interactions/import_upload.html", context)


def _column_help() -> list[dict[str, Any]]:
    """Each column with whether it is required and, for coded columns, the codes (from the models)."""
    field_rules = {**rules.INTERACTION_RULES, **rules.ENFORCEMENT_RULES}
    return [
        {
            "name": name,
            "required": name in REQUIRED_COLUMNS,
            "enforcement": name in ENFORCEMENT_COLUMNS,
            "note": COLUMN_NOTES.get(name, ""),
            "codes": field_rules[name].code_list if name in field_rules else "",
        }
        for name in COLUMNS
    ]


@login_required
@require_GET
def import_status(request: HttpRequest, uuid: UUID) -> HttpResponse:
    job = interaction_import_get_for_user(request.user, uuid)
    return render(request, "interactions/import_status.html", _status_context(job))


@login_required
@require_GET
def import_status_partial(request: HttpRequest, uuid: UUID) -> HttpResponse:
    job = interaction_import_get_for_user(request.user, uuid)
    return render(request, "interactions/partials/import_status.html", _status_context(job))


def _status_context(job: InteractionImport) -> dict[str, Any]:
    summary = job.summary or {}
    counted = [(Kind(kind).label, count) for kind, count in summary.get("by_kind", {}).items()]
    kinds = sorted(counted, key=lambda pair: (-pair[1], pair[0]))  # jsonb keeps no key order
    return {
        "job": job,
        "poll_seconds": POLL_SECONDS,
        "kinds": kinds,
        "error_count": len(job.errors) + job.errors_not_shown,
    }
