"""The demo's second factor: one login shows the flow, the others are spared it (demo only)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import User

SPARED_FOR = datetime.timedelta(days=36500)


def mfa_demo_load(*, showing_the_flow: str) -> None:
    """`showing_the_flow` must set up an authenticator at its first sign-in; every other demo login
    is never asked to (a real deployment gives everyone MFA_GRACE_DAYS)."""
    now = timezone.now()
    User.objects.exclude(username=showing_the_flow).update(mfa_grace_until=now + SPARED_FOR)
    User.objects.filter(username=showing_the_flow).update(mfa_grace_until=now)
