"""Errors that services raise and every door (API, forms, commands) turns into messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The input is well-formed but clashes with what is stored (a duplicate, an overlap): HTTP 409."""


def is_uniqueness_error(error: ValidationError) -> bool:
    if not hasattr(error, "error_dict"):
        return False
    return any(
        item.code in {"unique", "unique_together", "unique_constraint"}
        for items in error.error_dict.values()
        for item in items
    )


def validation_error_fields(error: ValidationError) -> dict[str, list[str]]:
    """Field name → messages, with errors not tied to a field under "__all__"."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in ValidationError(items).messages] for field, items in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}
