"""Control characters (other than tab, CR and LF) refused at the door, in every string that comes in.

PostgreSQL text cannot hold NUL, and no field of ours has a use for the others; refusing them in one
middleware, before any view or schema sees the input, covers the API's bodies and query strings and
every page form alike, and names the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html

from .api_errors import error_body

CONTROL_CHARACTER = "Control characters (such as NUL) are not allowed; only tab, CR and LF are."
INPUT_REFUSED = "The input is not valid."

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control_character(text: str) -> bool:
    return _CONTROL.search(text) is not None


def control_character_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """The dotted path of every string (or key) in a parsed JSON value that holds a control character."""
    if isinstance(value, str):
        if has_control_character(value):
            yield prefix or "__all__"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if has_control_character(str(key)):
                yield _CONTROL.sub("?", name)
            else:
                yield from control_character_paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from control_character_paths(item, f"{prefix}.{index}" if prefix else str(index))


def _query_dict_fields(data: Any) -> list[str]:
    fields = []
    for key, values in data.lists():
        if has_control_character(key) or any(has_control_character(v) for v in values if isinstance(v, str)):
            fields.append(_CONTROL.sub("?", key))
    return fields


def _json_fields(request: HttpRequest) -> list[str]:
    try:
        parsed = json.loads(request.body)
    except ValueError:
        return []  # the schema check reports a body that is not JSON
    return list(dict.fromkeys(control_character_paths(parsed)))


def refused_fields(request: HttpRequest) -> list[str]:
    """The fields of the request's path, query string and body that carry a control character."""
    fields = ["path"] if has_control_character(request.path) else []
    fields += _query_dict_fields(request.GET)
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if content_type.startswith(_FORM_TYPES):
            fields += _query_dict_fields(request.POST)
        elif content_type == "application/json" or content_type.endswith("+json"):
            fields += _json_fields(request)
    return list(dict.fromkeys(fields))


def _refusal(request: HttpRequest, fields: list[str]) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(INPUT_REFUSED, {name: [CONTROL_CHARACTER] for name in fields}), status=400)
    items = format_html("".join("<li><code>{}</code>: {}</li>" for _ in fields), *_pairs(fields))
    return HttpResponseBadRequest(
        format_html("<!doctype html><title>Bad request</title><h1>{}</h1><ul>{}</ul>", INPUT_REFUSED, items)
    )


def _pairs(fields: list[str]) -> list[str]:
    return [part for name in fields for part in (name, CONTROL_CHARACTER)]


class ControlCharacterMiddleware:
    """400, naming the fields, for any request carrying a control character other than tab, CR, LF."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = refused_fields(request)
        if fields:
            return _refusal(request, fields)
        return self.get_response(request)
