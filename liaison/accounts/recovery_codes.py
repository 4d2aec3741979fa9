"""Recovery codes: single-use codes that stand in for a lost second factor.

Stored as digests only (RecoveryCode), shown once when made, burned when used (an atomic update,
so one code cannot sign in twice even by two requests at once), replaced as a set from the account
page after a recent second factor. Every use and every new set is in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .models import RecoveryCode

RECOVERY_CODES = 10
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l, o, 0, 1: nothing to misread from paper
GROUPS, GROUP_LENGTH = 3, 4  # "abcd-efgh-jkmn": 12 characters of 32 = 60 bits


def _normalised(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _digest(user: Any, code: str) -> str:
    # Salted with the person's uuid, so one table of digests serves no other account.
    return hashlib.sha256(f"{user.uuid}:{_normalised(code)}".encode()).hexdigest()


def _new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def recovery_codes_replace(user: Any, *, actor: Any = None, audit: bool = True) -> list[str]:
    """A new set of codes (returned, to be shown once); the earlier set stops working."""
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(user, code)) for code in codes])
        if audit:
            audit_record(
                actor=actor or user,
                action="update",
                obj=user,
                object_type="accounts.recovery_codes",
                summary=f"New recovery codes for {user.get_username()}; the earlier ones no longer work",
            )
    return codes


def recovery_code_use(user: Any, code: str) -> bool:
    """Whether the code is one of the person's unused codes; if so it is burned (and audited)."""
    normalised = _normalised(code)
    if len(normalised) < 8:
        return False
    with transaction.atomic():
        burned = RecoveryCode.objects.filter(user=user, digest=_digest(user, normalised), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if burned:
            left = recovery_codes_left(user)
            audit_record(
                actor=user,
                action="update",
                obj=user,
                object_type="accounts.recovery_codes",
                summary=f"{user.get_username()} used a recovery code; {left} left",
            )
    return bool(burned)


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_exist(user: Any) -> bool:
    return RecoveryCode.objects.filter(user=user).exists()


def recovery_codes_delete(user: Any) -> None:
    RecoveryCode.objects.filter(user=user).delete()
