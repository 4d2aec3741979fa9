# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API for contacts and enforcement actions."""

import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from liaison.directory.access import NOT_ALLOWED, district_get_for_user, officer_get_for_user, own_officer
from liaison.directory.selectors import agency_today
from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.openapi_links import links_to

from . import access, selectors, services
from .choices import InteractionSource
from .list_forms import DATE_RANGE_REVERSED
from .read_audit import interactions_page_read_audit
from .schemas import (
    InteractionCountFilters,
    InteractionCountsOut,
    InteractionDetailOut,
    InteractionIn,
    InteractionListQuery,
    InteractionOut,
    InteractionPageOut,
    InteractionPatch,
    VoidIn,
    WeekSummaryOut,
)
from .student_keys import STUDENT_KEYS_EXPLAINED

if TYPE_CHECKING:
    from liaison.directory.models import Officer

    from .models import Interaction

router = Router(tags=["interactions"])

NO_OFFICER_PROFILE = "You have no officer profile: name the officer this record belongs to."
SCHOOL_NOT_FOUND = "No such school in a district the officer's agency serves."


def _officer(request: HttpRequest, uuid: UUID | None) -> "Officer":
    if uuid is None:
        own = own_officer(request.user)
        if own is None:
            raise ValidationError({"officer": NO_OFFICER_PROFILE})
        return own
    try:
        officer = officer_get_for_user(request.user, uuid)
    except Http404:
        raise ValidationError({"officer": "No such officer that you can see."}) from None
    if not access.may_record_for(request.user, officer):
        raise PermissionDenied(NOT_ALLOWED)
    return officer


def _school(officer: "Officer", uuid: UUID) -> Any:
    try:
        return access.school_for_recording(officer, uuid)
    except Http404:
        raise ValidationError({"school": SCHOOL_NOT_FOUND}) from None


def _optional(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop absent optional values so the model's blank defaults apply."""
    return {k: v for k, v in payload.items() if v is not None}


def _audit_enforcement_read(request: HttpRequest, interactions: "list[Interaction]") -> None:
    services.enforcement_read_audit(actor=request.user, interactions=interactions, through="the API")


@router.post(
    "/interactions",
    response={200: InteractionOut, 201: InteractionOut, **ERROR_RESPONSES},
    openapi_extra=links_to(
        "liaison_interactions_api_interaction_detail", "liaison_interactions_api_interaction_update"
    ),
)
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
        source=InteractionSource.API,
        **_optional(fields),
    )
    return Status(201 if recorded.created else 200, recorded.interaction)


@router.get("/interactions", response={200: InteractionPageOut, **ERROR_RESPONSES})
def interaction_list(request: HttpRequest, query: Query[InteractionListQuery]) -> dict[str, Any]:
    """Keyset pages, as on the records page: each page reads only the rows it shows, however many
    records the caller may see."""
    _require_record_viewer(request)
    if query.since and query.until and query.since > query.until:
        raise ValidationError({"until": [DATE_RANGE_REVERSED]})
    filters = selectors.RecordFilters(
        school=query.school,
        officer=query.officer,
        kind=query.kind or "",
        role=query.role or "",
        since=query.since,
        until=query.until,
        include_void=query.include_void,
    )
    page = selectors.interaction_page(
        user=request.user,
        filters=filters,
        after=_list_position(query.cursor),
        size=query.page_size,
        read=selectors.for_api,
    )
    interactions_page_read_audit(
        user=request.user, filters=filters, records=page.records, door="API", cursor=query.cursor or ""
    )
    following = page.next_position
    return {"results": page.records, "next": _page_url(request, following.token()) if following else None}


def _list_position(cursor: str | None) -> selectors.ListPosition | None:
    if not cursor:
        return None
    try:
        return selectors.ListPosition.parse(cursor)
    except ValueError as error:
        raise ValidationError({"cursor": [str(error)]}) from None


def _page_url(request: HttpRequest, cursor: str) -> str:
    params = request.GET.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# --- records over time: counts with the list's filters -------------------------------------------------
# Registered before "/interactions/{uuid}", which would otherwise take "counts" for a malformed uuid.


@router.get("/interactions/counts", response={200: InteractionCountsOut, **ERROR_RESPONSES})
def interaction_counts(request: HttpRequest, filters: Query[InteractionCountFilters]) -> selectors.RecordCounts:
    """Total and per kind and role for the list's filters, from the daily rollups; void records never count."""
    _require_record_viewer(request)
    return selectors.interaction_counts(user=request.user, filters=selectors.RecordFilters(**filters.dict()))


def _require_record_viewer(request: HttpRequest) -> None:
    """Evaluators and anyone who reaches no record get 403 from lists and counts, as on the list page."""
    if not access.may_view_interactions(request.user):
        raise PermissionDenied(access.NO_RECORDS_FOR_ROLE)


@router.get("/interactions/{uuid}", response={200: InteractionDetailOut, **ERROR_RESPONSES})
def interaction_detail(request: HttpRequest, uuid: UUID) -> "Interaction":
    interaction = access.interaction_get_for_user(request.user, uuid)
    _audit_enforcement_read(request, [interaction])
    return interaction


@router.patch("/interactions/{uuid}", response={200: InteractionDetailOut, **ERROR_RESPONSES})
def interaction_update(request: HttpRequest, uuid: UUID, payload: InteractionPatch) -> "Interaction":
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
def interaction_void(request: HttpRequest, uuid: UUID, payload: VoidIn) -> "Interaction":
    interaction = access.interaction_get_for_user(request.user, uuid, write=True)
    voided = services.interaction_void(actor=request.user, interaction=interaction, reason=payload.reason)
    _audit_enforcement_read(request, [voided])
    return voided


@router.get("/interactions/summary/week", response={200: WeekSummaryOut, **ERROR_RESPONSES})
def interaction_week_summary(
    request: HttpRequest, week_of: datetime.date | None = None, officer: UUID | None = None
) -> dict[str, Any]:
    """The week (Monday to Sunday) around `week_of` (default: today), for the caller or one of their officers."""
    found = _officer(request, officer)
    summary = selectors.officer_week_summary(officer=found, week_of=week_of or agency_today(found.agency))
    return {
        "officer": found.uuid,
        "week_start": summary.week_start,
        "week_end": summary.week_end,
        "total": summary.total,
        "positive": summary.positive,
        "enforcement": summary.enforcement,
        "positive_per_enforcement": summary.positive_per_enforcement,
        "by_kind": summary.by_kind,
        "by_role": summary.by_role,
    }


# --- pseudonymous student keys, switched on per district by its admins -------------------------


class StudentKeysOut(Schema):
    district: UUID
    enabled: bool
    explanation: str


class StudentKeysIn(Schema):
    enabled: bool


def _student_keys(district: Any) -> dict[str, Any]:
    enabled = services.student_keys_enabled(district=district)
    return {"district": district.uuid, "enabled": enabled, "explanation": STUDENT_KEYS_EXPLAINED}


@router.get("/student-keys/{district}", response={200: StudentKeysOut, **ERROR_RESPONSES}, tags=["student keys"])
def student_keys_detail(request: HttpRequest, district: UUID) -> dict[str, Any]:
    """Whether officers in the district may record a pseudonymous student key (district admins)."""
    return _student_keys(district_get_for_user(request.user, district, write=True))


@router.put("/student-keys/{district}", response={200: StudentKeysOut, **ERROR_RESPONSES}, tags=["student keys"])
def student_keys_set(request: HttpRequest, district: UUID, payload: StudentKeysIn) -> dict[str, Any]:
    """Switch the district's student keys on or off (audited); keys already recorded stay."""
    found = district_get_for_user(request.user, district, write=True)
    if services.student_keys_enabled(district=found) != payload.enabled:
        services.student_keys_enable(actor=request.user, district=found, enabled=payload.enabled)
    return _student_keys(found)
