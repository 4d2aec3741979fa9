"""When this browser session last proved who is at the keyboard (a sign-in, or a password confirmed since).

Sensitive actions (creating an API token) need that proof within REAUTH_MINUTES: a session left
signed in on a shared computer is not enough.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

VERIFIED_AT = "liaison_verified_at"
MFA_SESSION = "liaison_mfa"  # mfa.py's state; "pending" until the second factor is given


def session_mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED_AT] = int(timezone.now().timestamp())


def session_recently_verified(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    verified_at = session.get(VERIFIED_AT)
    if not isinstance(verified_at, int):
        return False
    if (session.get(MFA_SESSION) or {}).get("state") == "pending":
        return False  # the password alone, from someone who has a second factor
    return timezone.now().timestamp() - verified_at <= settings.REAUTH_MINUTES * 60


@receiver(user_logged_in, dispatch_uid="liaison.accounts.reauth.verified_at_sign_in")
def _verified_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_mark_verified(request)
