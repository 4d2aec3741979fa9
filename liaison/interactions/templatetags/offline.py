"""{% offline_user_key user %}: the key base.html gives the offline scripts (see interactions.offline)."""

from __future__ import annotations

from typing import Any

from django import template

from liaison.interactions.offline import offline_user_key as _key

register = template.Library()


@register.simple_tag
def offline_user_key(user: Any) -> str:
    return _key(user)
