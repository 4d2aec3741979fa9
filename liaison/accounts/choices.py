"""The accounts app's choices, for the pages and the API: they reach no model (docs/architecture.md)."""

from __future__ import annotations

from .models import AuditEntry, TokenAccess

AuditAction = AuditEntry.Action

__all__ = ["AuditAction", "TokenAccess"]
