"""The demo's notifications: loading the demo raises a year of events at once (every MOU submitted,
every review opened and discussed), and each one notified its people as it happened. What has since
been dealt with is marked read, and none of the year is e-mailed; what still waits stays unread."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liaison.agreements.models import Review
from liaison.agreements.selectors import signatures_awaited
from liaison.notifications.models import Notification
from liaison.notifications.vocabulary import Kind
from liaison.programs.models import MenteeEnforcementNotice


def demo_notifications_settle() -> dict[str, int]:
    now = timezone.now()
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
    done = Q(pk__in=[])
    closed = Review.objects.filter(closed_at__isnull=False).values_list("uuid", flat=True)
    done |= Q(kind=Kind.REVIEW_OPENED, key__in=[f"review:{u}" for u in closed])
    done |= Q(kind=Kind.REVIEW_COMMENT, url__in=[reverse("agreements:review_detail", args=[u]) for u in closed])
    acknowledged = MenteeEnforcementNotice.objects.filter(acknowledged_at__isnull=False).values_list("uuid", flat=True)
    done |= Q(kind=Kind.MENTEE_NOTICE, key__in=[f"notice:{u}" for u in acknowledged])
    read = Notification.objects.filter(done, read_at__isnull=True).update(read_at=now)
    read += _signatures_settle(now)
    return {"read": read, "unread": Notification.objects.filter(read_at__isnull=True).count()}


def _signatures_settle(now: datetime.datetime) -> int:
    """A signature notification stays unread only while that person's signature is still awaited."""
    read = 0
    signature_notes = Notification.objects.filter(kind=Kind.SIGNATURE, read_at__isnull=True).select_related("user")
    by_user: dict[int, list[Notification]] = {}
    for note in signature_notes:
        by_user.setdefault(note.user_id, []).append(note)
    for notes in by_user.values():
        waiting = {f"signature:{s.version.uuid}" for s in signatures_awaited(notes[0].user) if s.yours}
        done = [n.pk for n in notes if n.key not in waiting]
        read += Notification.objects.filter(pk__in=done).update(read_at=now)
    return read
