# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for contacts and enforcement actions."""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import CursorPagination, paginate

from liaison.accounts.audit import audit_record
from liaison.accounts.scope import user_scope
from liaison.directory.access import NOT_ALLOWED, officer_get_for_user
from liaison.directory.models import Officer
from liaison.lib.api_errors import ERROR_RESPONSES

from . import access, services
from .models import Interaction
from .schemas import InteractionDetailOut, InteractionFilters, InteractionIn, InteractionOut, InteractionPatch, VoidIn

router = Router(tags=["interactions"])

NO_OFFICER_PROFILE = "You have no officer profile: name the officer this record belongs to."
SCHOOL_NOT_FOUND = "No such school in a district the officer's agency serves."


def _officer(request: HttpRequest, uuid: UUID | None) -> Officer:
    if uuid is None:
        officer_id = user_scope(request.user).officer_id
        if officer_id is None:
            raise ValidationError({"officer": NO_OFFICER_PROFILE})
        return Officer.objects.select_related("agency").get(pk=officer_id)
    try:
        officer = officer_get_for_user(request.user, uuid)
    except Http404:
        raise ValidationError({"officer": "No such officer that you can see."}) from None
    if not access.may_record_for(request.user, officer):
        raise PermissionDenied(NOT_ALLOWED)
    return officer


def _school(officer: Officer, uuid: UUID) -> Any:
    try:
        return access.school_for_recording(officer, uuid)
    except Http404:
        raise ValidationError({"school": SCHOOL_NOT_FOUND}) from None


def _optional(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop absent optional values so the model's blank defaults apply."""
    return {k: v for k, v in payload.items() if v is not None}


def _audit_enforcement_read(request: HttpRequest, interactions: list[Interaction]) -> None:
    """Every read of student-level enforcement data is logged."""
    enforcement = [i for i in interactions if i.kind == "enforcement"]
    if not enforcement:
        return
    for agency_id in {i.agency_id for i in enforcement}:
        uuids = [str(i.uuid) for i in enforcement if i.agency_id == agency_id]
        audit_record(
            actor=request.user,
            action="read",
            object_type="interactions.enforcementdetail",
            summary=f"Read {len(uuids)} enforcement record(s) through the API",
            after={"uuids": uuids},
            agency_id=agency_id,
        )


@router.post("/interactions", response={200: InteractionOut, 201: InteractionOut, **ERROR_RESPONSES})
def interaction_create(request: HttpRequest, payload: InteractionIn) -> Status:
    fields = payload.dict()
    officer = _officer(request, fields.pop("officer"))
    school = _school(officer, fields.pop("school"))
    enforcement = fields.pop("enforcement")
    if enforcement is not None:
        enforcement = _optional(enforcement)
    recorded = services.interaction_record(
        actor=request.user,
        officer=officer,
        school=school,
        kind=fields.pop("kind"),
        occurred_at=fields.pop("occurred_at") or timezone.now(),
        client_uuid=fields.pop("client_uuid"),
        role=fields.pop("role"),
        enforcement=enforcement,
        source=Interaction.Source.API,
        **_optional(fields),
    )
    return Status(201 if recorded.created else 200, recorded.interaction)


@router.get("/interactions", response={200: list[InteractionOut], **ERROR_RESPONSES})
@paginate(CursorPagination, ordering=("-occurred_at", "-id"), page_size=50)
def interaction_list(request: HttpRequest, filters: Query[InteractionFilters]) -> QuerySet[Interaction]:
    queryset = access.interactions_visible_to(request.user).select_related("officer", "school", "enforcement")
    return filters.filter(queryset)


@router.get("/interactions/{uuid}", response={200: InteractionDetailOut, **ERROR_RESPONSES})
def interaction_detail(request: HttpRequest, uuid: UUID) -> Interaction:
    interaction = access.interaction_get_for_user(request.user, uuid)
    _audit_enforcement_read(request, [interaction])
    return interaction


@router.patch("/interactions/{uuid}", response={200: InteractionDetailOut, **ERROR_RESPONSES})
def interaction_update(request: HttpRequest, uuid: UUID, payload: InteractionPatch) -> Interaction:
    interaction = access.interaction_get_for_user(request.user, uuid, write=True)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "school" in changes:
        changes["school"] = _school(interaction.officer, changes["school"])
    changes = {k: ("" if v is None and k in _BLANKABLE else v) for k, v in changes.items()}
    changed = services.interaction_change(actor=request.user, interaction=interaction, changes=changes, reason=reason)
    _audit_enforcement_read(request, [changed])
    return changed


_BLANKABLE = frozenset({"grade_band", "setting", "initiated_by", "note", "staff_role", "service"})


@router.post("/interactions/{uuid}/void", response={200: InteractionDetailOut, **ERROR_RESPONSES})
def interaction_void(request: HttpRequest, uuid: UUID, payload: VoidIn) -> Interaction:
    interaction = access.interaction_get_for_user(request.user, uuid, write=True)
    voided = services.interaction_void(actor=request.user, interaction=interaction, reason=payload.reason)
    _audit_enforcement_read(request, [voided])
    return voided
