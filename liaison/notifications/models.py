"""A person's notifications and how they want to receive them.

A notification says what kind of item waits and where: a fixed sentence naming a school or an MOU,
and a link. It never carries the item's content (a justification, a note, a comment, a student's
details): the link leads to the page, where access is checked again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from .vocabulary import Delivery, Kind


class Notification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The same item is announced once per person: signals may fire twice for one event (a retry).
    key = models.CharField(max_length=120)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notification_kind_known"),
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_item"),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}"


class NotificationPreference(models.Model):
    """How one person hears of one kind of notification; no row means the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once_per_kind"),
            models.CheckConstraint(condition=Q(delivery__in=Delivery.values), name="notification_delivery_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} by {self.delivery}"
