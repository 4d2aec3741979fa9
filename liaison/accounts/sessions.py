"""How long a sign-in lasts: it locks after SESSION_IDLE_MINUTES idle, and ends SESSION_HOURS after it began.

A locked session is not signed out: the person unlocks it with one passkey tap, or their password
(and code, if they have a second factor), and carries on where they were. A form posted while
locked is held in the session and offered again after unlocking, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .audit import audit_record
from .models import User

STARTED, SEEN, LOCKED, HELD_POST = "liaison_started", "liaison_seen", "liaison_locked", "liaison_held_post"
SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute for activity
# Sent by what a page loads or polls by itself (the navigation's counts, a progress bar): not the
# person's activity, so it neither keeps an idle session open nor writes the session. Two such loads
# at once each wrote it when the minute turned, and on SQLite one of them failed ("table is locked").
BACKGROUND_HEADER = "X-Liaison-Background"


def _now() -> int:
    return int(timezone.now().timestamp())


@receiver(user_logged_in, dispatch_uid="liaison.accounts.sessions.started")
def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[SEEN] = _now()
        request.session.pop(LOCKED, None)


def session_expired(request: HttpRequest) -> bool:
    """Past the absolute limit, however active."""
    started = request.session.get(STARTED)
    return isinstance(started, int) and _now() - started > settings.SESSION_COOKIE_AGE


def session_locked(request: HttpRequest) -> bool:
    """Locked now (idle too long, or locked before and not yet unlocked); otherwise records activity."""
    session = request.session
    if session.get(LOCKED):
        return True
    seen, now = session.get(SEEN), _now()
    if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_MINUTES * 60:
        session[LOCKED] = True
        return True
    background = bool(request.headers.get(BACKGROUND_HEADER))
    if not background and (not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION):
        session[SEEN] = now
    return False


def session_hold_post(request: HttpRequest) -> None:
    """Keep a form posted while locked (its fields, not its CSRF token or files) to offer again."""
    fields = [(k, v) for k, values in request.POST.lists() if k != "csrfmiddlewaretoken" for v in values]
    request.session[HELD_POST] = {"path": request.get_full_path(), "fields": fields}


def session_unlock(request: HttpRequest) -> None:
    """Unlocked: activity counts from now (a form held meanwhile stays, for the resume page)."""
    request.session.pop(LOCKED, None)
    request.session[SEEN] = _now()


def sessions_end_everywhere(request: HttpRequest) -> None:
    """End every other session of the signed-in person (this one carries on); audited."""
    user: Any = request.user
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)
    audit_record(
        actor=user,
        action="update",
        obj=user,
        object_type="accounts.session",
        summary=f"{user.get_username()} signed out everywhere else",
    )
