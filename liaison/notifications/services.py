"""Writing notifications: announce an item to the people it waits on, e-mail them as they chose,
mark what they have read, and the daily digest.

Callers (liaison/workflows/notices.py) decide who is told and write the one-line summary from fixed
sentences; this module never sees the item itself, so an e-mail cannot carry its content.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, NotificationPreference
from .selectors import deliveries_for, delivery_for
from .vocabulary import Delivery, Kind

SUBJECT = "Liaison: {label}"
BODY = (
    "Hello {name},\n\n"
    "{label}.\n"
    "{summary}\n\n"
    "Open it in Liaison: {link}\n\n"
    "What Liaison e-mails you, and when: {preferences}\n"
)
DIGEST_SUBJECT = "Liaison: {count} item(s) waiting for you"
DIGEST_BODY = "Hello {name},\n\nSince yesterday's digest:\n\n{lines}\n\nAll your notifications: {inbox}\n"
UNKNOWN_KIND = "Choose a kind of notification Liaison knows."
UNKNOWN_DELIVERY = "Choose how to receive it: at once, in the daily digest, or only in Liaison."


@dataclass(frozen=True)
class Announcement:
    """What is announced: the kind of item, a fixed-sentence summary, where it is, and a key that
    names the item so one item is announced once per person."""

    kind: Kind
    summary: str
    url: str
    key: str


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notification_send(*, users: Iterable[Any], announcement: Announcement) -> list[Notification]:
    """Create the notification for each active user (once per item) and, after the transaction
    commits, e-mail those who want this kind at once."""
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user,
                        kind=announcement.kind,
                        summary=announcement.summary[:300],
                        url=announcement.url,
                        key=announcement.key[:120],
                    )
                )
        except IntegrityError:  # already announced to this person
            continue
    at_once = [n for n in created if delivery_for(n.user, n.kind) == Delivery.AT_ONCE]
    if at_once:
        ids = [n.pk for n in at_once]
        transaction.on_commit(lambda: _email_at_once(ids))
    return created


def _message(notification: Notification) -> mail.EmailMessage:
    user = notification.user
    label = notification.get_kind_display()
    body = BODY.format(
        name=user.get_full_name() or user.username,
        label=label,
        summary=notification.summary,
        link=absolute(notification.url),
        preferences=absolute("/notifications/preferences/"),
    )
    return mail.EmailMessage(SUBJECT.format(label=label), body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _email_at_once(ids: list[int]) -> int:
    pending = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user")
    messages = [(n, _message(n)) for n in pending if n.user.email]
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages([m for _, m in messages])
        Notification.objects.filter(pk__in=[n.pk for n, _ in messages]).update(emailed_at=timezone.now())
    return len(messages)


def notifications_mark_read(*, user: Any, uuids: Iterable[str] | None = None) -> int:
    """Mark the user's own notifications read: the ones named, or all. Others' are never touched."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if uuids is not None:
        unread = unread.filter(uuid__in=list(uuids))
    return unread.update(read_at=timezone.now())


def preference_set(*, user: Any, kind: str, delivery: str) -> NotificationPreference:
    if kind not in Kind.values:
        raise ValidationError({"kind": UNKNOWN_KIND})
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": UNKNOWN_DELIVERY})
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    return preference


def _digest_message(user: Any, notifications: list[Notification]) -> mail.EmailMessage:
    lines = "\n".join(f"- {n.get_kind_display()}: {n.summary}\n  {absolute(n.url)}" for n in notifications)
    body = DIGEST_BODY.format(
        name=user.get_full_name() or user.username, lines=lines, inbox=absolute("/notifications/")
    )
    subject = DIGEST_SUBJECT.format(count=len(notifications))
    return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def digest_send(*, now: datetime.datetime | None = None) -> int:
    """One e-mail per person listing their unread notifications that were not e-mailed at once and
    that they want in the digest; each is sent in one digest only. Returns the number of e-mails."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True, created_at__lte=now)
    by_user: dict[int, list[Notification]] = {}
    for notification in waiting.select_related("user").order_by("user_id", "created_at"):
        by_user.setdefault(notification.user_id, []).append(notification)
    messages, sent = [], []
    for notifications in by_user.values():
        user = notifications[0].user
        deliveries = deliveries_for(user)
        wanted = [n for n in notifications if deliveries[n.kind] == Delivery.DIGEST]
        if wanted and user.email and user.is_active:
            messages.append(_digest_message(user, wanted))
            sent += [n.pk for n in wanted]
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
        Notification.objects.filter(pk__in=sent).update(emailed_at=now)
    return len(messages)
