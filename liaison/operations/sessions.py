"""Ending every sign-in at once: after a leaked secret, a rotation, or a departure in a hurry."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction

from liaison.accounts.audit import audit_record


def sessions_end_all(*, actor: Any, reason: str = "") -> int:
    """Delete every session, so everyone signs in again; audited."""
    with transaction.atomic():
        count, _ = Session.objects.all().delete()
        audit_record(
            actor=actor,
            action="delete",
            object_type="sessions.session",
            summary=f"Ended all {count} session(s)" + (f": {reason}" if reason else ""),
        )
    return count
