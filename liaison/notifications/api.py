# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""The signed-in person's own notifications: list them, mark them read."""

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from liaison.lib.api_errors import ERROR_RESPONSES

from .selectors import notifications_of
from .services import notifications_mark_read

router = Router(tags=["me"])
LISTED = 100


class NotificationOut(Schema):
    uuid: UUID
    kind: str
    summary: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class MarkReadIn(Schema):
    notifications: list[UUID] | None = None


class MarkedOut(Schema):
    marked: int


@router.get("/me/notifications", response={200: list[NotificationOut], **ERROR_RESPONSES})
def my_notifications(request: HttpRequest, unread: bool = False) -> list:
    """The newest 100 of your notifications (`unread=true`: only the unread)."""
    mine = notifications_of(request.user)
    if unread:
        mine = mine.filter(read_at__isnull=True)
    return list(mine[:LISTED])


@router.post("/me/notifications/read", response={200: MarkedOut, **ERROR_RESPONSES})
def my_notifications_read(request: HttpRequest, payload: MarkReadIn) -> dict:
    """Mark the named notifications read (all of them when none are named). Another person's are never touched."""
    uuids = None if payload.notifications is None else [str(u) for u in payload.notifications]
    return {"marked": notifications_mark_read(user=request.user, uuids=uuids)}
