# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""API: who am I, and the audit log for those who may read it."""

import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from liaison.lib.api_errors import ERROR_RESPONSES
from liaison.lib.paging import KeysetPagination

from .choices import AuditAction, TokenAccess
from .scope import user_scope
from .selectors import audit_entries_visible_to, audit_log_readable
from .tokens import (
    MAX_TOKEN_DAYS,
    api_token_get_for_user,
    api_token_issue,
    api_token_revoke,
    api_tokens_of,
    token_creation_refusal,
)

if TYPE_CHECKING:
    from .models import ApiToken, AuditEntry

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    agency: UUID | None
    district: UUID | None
    school: UUID | None


class MeOut(Schema):
    uuid: UUID
    username: str
    full_name: str
    platform_admin: bool
    memberships: list[MembershipOut]


class AuditEntryOut(Schema):
    uuid: UUID
    at: datetime.datetime
    actor: str = Field(alias="actor_username")
    action: str
    object_type: str
    object_uuid: UUID | None
    summary: str
    before: dict | None
    after: dict | None


class AuditFilters(FilterSchema):
    actor: Annotated[str | None, FilterLookup("actor_username")] = None
    action: AuditAction | None = None
    object_type: str | None = None
    object_uuid: UUID | None = None
    since: Annotated[datetime.date | None, FilterLookup("at__date__gte")] = None
    until: Annotated[datetime.date | None, FilterLookup("at__date__lte")] = None


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES})
def me(request: HttpRequest) -> MeOut:
    user = request.user
    memberships = [
        MembershipOut(
            role=m.role,
            agency=m.agency.uuid if m.agency else None,
            district=m.district.uuid if m.district else None,
            school=m.school.uuid if m.school else None,
        )
        for m in user.memberships.select_related("agency", "district", "school")  # type: ignore[union-attr]
    ]
    return MeOut(
        uuid=user.uuid,  # type: ignore[union-attr]
        username=user.get_username(),
        full_name=user.get_full_name(),  # type: ignore[union-attr]
        platform_admin=user_scope(user).platform_admin,
        memberships=memberships,
    )


@router.get("/audit", response={200: list[AuditEntryOut], **ERROR_RESPONSES})
@paginate(KeysetPagination, ordering=("-at", "-id"))  # grows without end: by cursor
def audit_list(request: HttpRequest, filters: Query[AuditFilters]) -> "QuerySet[AuditEntry]":
    if not audit_log_readable(request.user):
        raise PermissionDenied
    return filters.filter(audit_entries_visible_to(request.user))


# --- your API tokens ---------------------------------------------------------------------------------


class ApiTokenOut(Schema):
    uuid: UUID
    name: str
    prefix: str = Field(description="The token's first 8 characters, to recognise it by.")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    expires_at: datetime.datetime = Field(description="When it stops working, unless revoked before.")
    access: TokenAccess = Field(description="`read`: GET requests only; `read_write`: anything you may do.")


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The token itself: shown only in this answer, never again.")


class ApiTokenIn(Schema):
    name: str = Field(max_length=100, description="What will use it, to recognise it later.")
    access: TokenAccess = Field(TokenAccess.READ, description="`read` (the default) or `read_write`.")
    days: int | None = Field(
        None, ge=1, le=MAX_TOKEN_DAYS, description="How many days it works (default 90, at most 365)."
    )


@router.get("/tokens", response={200: list[ApiTokenOut], **ERROR_RESPONSES})
def api_token_list(request: HttpRequest) -> "QuerySet[ApiToken]":
    """Your own tokens, newest first, revoked ones included."""
    return api_tokens_of(request.user)


@router.post("/tokens", response={201: ApiTokenCreatedOut, **ERROR_RESPONSES})
def api_token_create(request: HttpRequest, payload: ApiTokenIn) -> Status:
    """A new token acting as you, with your roles. Only a browser session signed in within the last
    few minutes may create one, never a token."""
    refusal = token_creation_refusal(request)
    if refusal is not None:
        raise PermissionDenied(refusal)
    user: Any = request.user
    row, token = api_token_issue(actor=user, user=user, name=payload.name, access=payload.access, days=payload.days)
    return Status(201, {**ApiTokenOut.from_orm(row).dict(), "token": token})


@router.post("/tokens/{uuid}/revoke", response={200: ApiTokenOut, **ERROR_RESPONSES})
def api_token_revoke_endpoint(request: HttpRequest, uuid: UUID) -> "ApiToken":
    """Stop one of your tokens working, from now on."""
    return api_token_revoke(actor=request.user, token=api_token_get_for_user(request.user, uuid))
