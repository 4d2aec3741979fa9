"""OpenAPI links from a create operation to the operations on what it created (for clients and for
Schemathesis's stateful runs, which follow them: create, then read and change the same record)."""

from __future__ import annotations

from typing import Any


def links_to(*operation_ids: str, status: int = 201, parameter: str = "uuid") -> dict[str, Any]:
    """openapi_extra for a create operation: `parameter` of each linked operation is the new uuid."""
    links = {
        operation_id.rsplit("_api_", 1)[-1]: {
            "operationId": operation_id,
            "parameters": {parameter: "$response.body#/uuid"},
        }
        for operation_id in operation_ids
    }
    return {"responses": {status: {"links": links}}}
