"""Reading notifications: always the signed-in person's own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification, NotificationPreference
from .vocabulary import Delivery, Kind, default_delivery


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first: the only door to the table for pages and API."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def deliveries_for(user: Any) -> dict[str, Delivery]:
    """How the user receives each kind: their choice, or the kind's default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: Delivery(chosen.get(kind, default_delivery(kind))) for kind in Kind.values}


def delivery_for(user: Any, kind: str) -> Delivery:
    return deliveries_for(user)[kind]
