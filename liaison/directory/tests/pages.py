"""Helpers the directory page tests share."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps

from liaison.conftest import World
from liaison.directory import services
from liaison.directory.models import Officer


def row_counts() -> dict[str, int]:
    """Rows in every directory and accounts table: the same before and after means nothing was written."""
    models = [*apps.get_app_config("directory").get_models(), *apps.get_app_config("accounts").get_models()]
    return {model._meta.label: model._default_manager.count() for model in models}


def field_errors(response: Any, name: str) -> list[str]:
    """The errors the page shows on one form field, checked in the context and in the HTML."""
    errors = response.context["form"].errors.get(name, [])
    html = response.content.decode()
    for message in errors:
        assert f'id="id_{name}_error">{message}' in html.replace("&#x27;", "'").replace("&quot;", '"')
    return list(errors)


def add_officer(world: World, username: str, *, last_name: str, badge: str, **extra: Any) -> Officer:
    return services.officer_create(
        actor=world.users["platform_admin"],
        agency=world.agency,
        username=username,
        first_name=extra.pop("first_name", "Test"),
        last_name=last_name,
        badge_number=badge,
        **extra,
    )


def assign(world: World, officer: Officer, school: Any, start: datetime.date, **extra: Any) -> Any:
    return services.assignment_create(
        actor=world.users["platform_admin"], officer=officer, school=school, start_date=start, **extra
    )
