"""The API's one error shape: {"error": {"message": ..., "fields": {name: [problems]}}}."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

NOT_AUTHENTICATED = "Authentication required: send 'Authorization: Bearer <token>' or log in."
FORBIDDEN = "You do not have permission to do this."
NOT_FOUND = "Not found."
CONFLICT = "This conflicts with a record that already exists."
SERVER_ERROR = "Something went wrong on our side. Quote reference {reference} when reporting it."

# Schema locations that are containers, not field names.
_CONTAINERS = {"body", "query", "path", "form", "payload", "filters", "data", "header", "cookie"}


class ErrorDetail(Schema):
    message: str
    fields: dict[str, list[str]] = {}
    reference: str | None = Field(None, description="Server errors only: the id of the entry in the server's log.")


class ErrorOut(Schema):
    error: ErrorDetail


ERROR_RESPONSES: dict[int, Any] = {status: ErrorOut for status in (400, 401, 403, 404, 409, 500)}


def error_body(message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "fields": fields or {}}}


def schema_error_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Turn pydantic's error list into field name → messages."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        names = [str(part) for part in error.get("loc", ()) if str(part) not in _CONTAINERS]
        name = ".".join(names) or "__all__"
        message = str(error.get("msg", "Invalid value."))
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        fields.setdefault(name, []).append(message)
    return fields
