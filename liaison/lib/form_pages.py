"""What every HTML page with a form does: read the POST, call a service with the cleaned data, put the
service's errors on the fields they name, and say what was saved on the next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

T = TypeVar("T")


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def form_submit(form: Any, action: Callable[[dict[str, Any]], T]) -> T | None:
    """On a valid form, call the service; its errors go onto the form. None when nothing was saved."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def submit(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], T]) -> T | None:
    """`form_submit` on a POST; None on a GET."""
    return form_submit(form, action) if request.method == "POST" else None


def done(request: HttpRequest, message: str, url: str) -> HttpResponse:
    """Say what was saved, and go where the user sees it (post/redirect/get)."""
    messages.success(request, message)
    return redirect(url)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError (or ConflictError) on the visible fields it names; anything
    else heads the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, items in error.error_dict.items():
        for item in items:
            form.add_error(_field_for(form, name, item), item)


def _field_for(form: forms.Form, name: str, error: ValidationError) -> str | None:
    """The visible field an error belongs to; a clash on (agency, badge_number) belongs to the badge number."""
    field = form.fields.get(name)
    if field is not None:
        return None if field.widget.is_hidden else name
    params = getattr(error, "params", None) or {}
    clashing = [name for name in params.get("unique_check", ()) if name in form.fields]
    return clashing[0] if len(clashing) == 1 else None
